import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { SendError, type OutboundTarget } from "../../core/ports.js";
import { createGraphClient } from "../meta/graph-client.js";
import { createWhatsAppSender } from "./sender.js";

interface Seen {
  url: string;
  authorization: string | undefined;
  body: Record<string, unknown>;
}

let server: Server;
let seen: Seen[];
let reply: (res: ServerResponse) => void;
let sender: ReturnType<typeof createWhatsAppSender>;

const sendJson = (res: ServerResponse, status: number, body: unknown) => {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
};

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      seen.push({
        url: req.url ?? "",
        authorization: req.headers.authorization,
        body: JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>,
      });
      reply(res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sender = createWhatsAppSender(createGraphClient({ baseUrl, version: "v24.0", timeoutMs: 1000 }));
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen = [];
  reply = (res) =>
    sendJson(res, 200, { messaging_product: "whatsapp", contacts: [{ input: "+15551230001", wa_id: "15551230001" }], messages: [{ id: "wamid.OUT_1" }] });
});

const target = (recipientPlatformUserId = "15551230001"): OutboundTarget => ({
  channelExternalId: "PNID_TEST_1",
  credentials: { accessToken: "TOKEN_WA" },
  recipientPlatformUserId,
});

describe("createWhatsAppSender", () => {
  it("declares WhatsApp's 4096-character limit", () => {
    expect(sender.platform).toBe("whatsapp");
    expect(sender.textLimit).toEqual({ max: 4096, unit: "chars" });
  });

  it("sends text to +wa_id and returns the wamid", async () => {
    const result = await sender.sendText(target(), "Yes, we open at 10 😀");
    expect(result).toEqual({ platformMessageId: "wamid.OUT_1" });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.url).toBe("/v24.0/PNID_TEST_1/messages");
    expect(seen[0]?.authorization).toBe("Bearer TOKEN_WA");
    expect(seen[0]?.body).toEqual({
      messaging_product: "whatsapp",
      recipient_type: "individual",
      to: "+15551230001",
      type: "text",
      text: { body: "Yes, we open at 10 😀", preview_url: false },
    });
  });

  it("quotes the customer's message when asked", async () => {
    await sender.sendText(target(), "About that:", { replyToPlatformId: "wamid.IN_9" });
    expect(seen[0]?.body.context).toEqual({ message_id: "wamid.IN_9" });
  });

  it("sends to a BSUID in `recipient`, without `to`", async () => {
    await sender.sendText(target("US.TEST0000000001"), "Hello");
    expect(seen[0]?.body.recipient).toBe("US.TEST0000000001");
    expect(seen[0]?.body).not.toHaveProperty("to");
  });

  it("throws a retryable SendError when the answer has no message id", async () => {
    reply = (res) => sendJson(res, 200, { messaging_product: "whatsapp", messages: [] });
    const error = await sender.sendText(target(), "Hi").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SendError);
    expect((error as SendError).retryable).toBe(true);
  });

  it("passes Graph errors through as classified SendErrors", async () => {
    reply = (res) =>
      sendJson(res, 400, {
        error: { message: "(#131047) Re-engagement message", type: "OAuthException", code: 131047, error_data: { details: "24 hours have passed" }, fbtrace_id: "T" },
      });
    const error = (await sender.sendText(target(), "Hi").catch((e: unknown) => e)) as SendError;
    expect(error).toBeInstanceOf(SendError);
    expect(error.error).toEqual({ code: "131047", title: "(#131047) Re-engagement message", detail: "24 hours have passed", category: "window_closed" });
    expect(error.retryable).toBe(false);
  });

  it("marks a message read with a typing indicator", async () => {
    reply = (res) => sendJson(res, 200, { success: true });
    await sender.markReadAndTyping(target(), "wamid.IN_1");
    expect(seen[0]?.url).toBe("/v24.0/PNID_TEST_1/messages");
    expect(seen[0]?.authorization).toBe("Bearer TOKEN_WA");
    expect(seen[0]?.body).toEqual({
      messaging_product: "whatsapp",
      status: "read",
      message_id: "wamid.IN_1",
      typing_indicator: { type: "text" },
    });
  });
});
