// Proves the webhook helpers produce Meta's bytes, signatures and envelopes.
import { createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { igMessage, mergeWebhooks, metaJson, pageMessage, postWebhook, signBody, waStatus, waText } from "./meta-webhook.js";

// A bare receiver that keeps the raw bytes, as our webhook endpoint must.
let server: Server;
let baseUrl = "";
const received: Array<{ url: string; headers: IncomingHttpHeaders; raw: string }> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ url: req.url ?? "", headers: req.headers, raw: Buffer.concat(chunks).toString("utf8") });
      res.end("EVENT_RECEIVED");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe("metaJson / signBody", () => {
  it("escapes non-ASCII and '/' exactly like the C21 wire sample", () => {
    const raw = metaJson({ body: "Café open 10/12? 😀" });
    expect(raw).toBe('{"body":"Caf\\u00e9 open 10\\/12? \\ud83d\\ude00"}');
    expect(JSON.parse(raw)).toEqual({ body: "Café open 10/12? 😀" });
    expect(JSON.stringify(JSON.parse(raw))).not.toBe(raw);
  });

  it("signs with HMAC-SHA256 hex (known vector)", () => {
    expect(signBody("The quick brown fox jumps over the lazy dog", "key")).toBe(
      "sha256=f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8",
    );
  });
});

describe("postWebhook", () => {
  it("sends Meta-escaped bytes with a matching X-Hub-Signature-256", async () => {
    const payload = waText({ pnid: "PNID_TEST_1", from: "15551230001", id: "wamid.TEST_IN_0090", body: "Café 10/12? 😀", timestamp: "1767226000" });
    const res = await postWebhook(baseUrl, "/webhooks/whatsapp", payload, "app_secret_test");
    expect(res.status).toBe(200);
    const got = received.at(-1)!;
    expect(got.url).toBe("/api/webhooks/whatsapp");
    expect(got.raw).toContain('"body":"Caf\\u00e9 10\\/12? \\ud83d\\ude00"');
    const expected = createHmac("sha256", "app_secret_test").update(Buffer.from(got.raw, "utf8")).digest("hex");
    expect(got.headers["x-hub-signature-256"]).toBe(`sha256=${expected}`);
    expect(got.headers["x-hub-signature"]).toMatch(/^sha1=[0-9a-f]{40}$/);
    expect(got.headers["content-type"]).toBe("application/json");
    expect(JSON.parse(got.raw)).toEqual(payload);
  });

  it("sends strings byte for byte and honours signature overrides", async () => {
    await postWebhook(baseUrl, "hook", '{"object":"page","entry":[]}', "s", { signature: "sha256=bad", headers: { "x-extra": "1" } });
    const got = received.at(-1)!;
    expect(got.raw).toBe('{"object":"page","entry":[]}');
    expect(got.headers["x-hub-signature-256"]).toBe("sha256=bad");
    expect(got.headers["x-extra"]).toBe("1");

    await postWebhook(baseUrl, "hook", {}, "s", { signature: null });
    expect(received.at(-1)!.headers["x-hub-signature-256"]).toBeUndefined();
  });
});

describe("payload builders", () => {
  it("waText matches the documented WhatsApp shape", () => {
    const built = waText({ pnid: "PNID_TEST_1", from: "15551230001", id: "wamid.TEST_IN_0001", body: "Are you open on Sundays?", timestamp: "1767225600", name: "Test Customer A" });
    expect(built).toEqual(JSON.parse(
      '{"object":"whatsapp_business_account","entry":[{"id":"WABA_TEST_1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550000000","phone_number_id":"PNID_TEST_1"},"contacts":[{"profile":{"name":"Test Customer A"},"wa_id":"15551230001"}],"messages":[{"from":"15551230001","id":"wamid.TEST_IN_0001","timestamp":"1767225600","type":"text","text":{"body":"Are you open on Sundays?"}}]}}]}]}',
    ));
    const lean = waText({ pnid: "P", from: "1", id: "w", body: "b", name: null });
    expect((lean.entry[0] as any).changes[0].value.contacts).toEqual([{ wa_id: "1" }]);
  });

  it("waStatus carries errors; mergeWebhooks batches entries", () => {
    const failed = waStatus({ pnid: "PNID_TEST_1", id: "wamid.TEST_OUT_0003", status: "failed", recipient: "15551230001", timestamp: "1767312100", errors: [{ code: 131047, title: "Re-engagement message" }] });
    const status = (failed.entry[0] as any).changes[0].value.statuses[0];
    expect(status).toEqual({ id: "wamid.TEST_OUT_0003", status: "failed", timestamp: "1767312100", recipient_id: "15551230001", errors: [{ code: 131047, title: "Re-engagement message" }] });
    expect((failed.entry[0] as any).changes[0].value.messages).toBeUndefined();
    const batch = mergeWebhooks(failed, waText({ pnid: "PNID_TEST_1", from: "1", id: "w", body: "b" }));
    expect(batch.object).toBe("whatsapp_business_account");
    expect(batch.entry).toHaveLength(2);
  });

  it("pageMessage and igMessage follow the messaging[] shapes, echoes swap sides", () => {
    const inbound = pageMessage({ pageId: "PAGE_TEST_1", psid: "PSID_TEST_1", mid: "m_1", text: "hi", timestamp: 1767225600000, time: 1767225600500 });
    expect(inbound).toEqual({ object: "page", entry: [{ id: "PAGE_TEST_1", time: 1767225600500, messaging: [{ sender: { id: "PSID_TEST_1" }, recipient: { id: "PAGE_TEST_1" }, timestamp: 1767225600000, message: { mid: "m_1", text: "hi" } }] }] });

    const echo = pageMessage({ pageId: "PAGE_TEST_1", psid: "PSID_TEST_1", mid: "m_2", text: "x", isEcho: true, appId: "APP" });
    const ev = (echo.entry[0] as any).messaging[0];
    expect(ev.sender.id).toBe("PAGE_TEST_1");
    expect(ev.message).toEqual({ mid: "m_2", is_echo: true, app_id: "APP", text: "x" });

    const standby = pageMessage({ pageId: "P", psid: "U", mid: "m_3", text: "t", standby: true });
    expect((standby.entry[0] as any).standby).toHaveLength(1);

    const story = igMessage({ igId: "IGBIZ_TEST_1", igsid: "IGSID_TEST_1", mid: "ig_1", text: "Is this still available?", replyTo: { story: { id: "S1", url: "https://example.invalid/s" } } });
    expect(story.object).toBe("instagram");
    expect((story.entry[0] as any).messaging[0]).toMatchObject({ sender: { id: "IGSID_TEST_1" }, recipient: { id: "IGBIZ_TEST_1" }, message: { reply_to: { story: { id: "S1" } } } });
    expect(typeof (story.entry[0] as any).messaging[0].timestamp).toBe("number");
  });
});
