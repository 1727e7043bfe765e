import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { channels } from "../src/db/schema/index.js";
import { graphErrors, waEnvelope, waStatus } from "./fakes/index.js";
import { type Harness, PNID, startCosbot } from "./support/cosbot-under-test.js";
import { customerText, nowSeconds } from "./support/payloads.js";

let h: Harness;
beforeAll(async () => {
  h = await startCosbot({ env: { WORK_MAX_ATTEMPTS: "4" } });
});
afterAll(async () => h?.close());
beforeEach(() => {
  h.graph.reset();
  h.openai.reset();
});

let customerNo = 0;
/** A customer writes, the agent answers with the given platform id; returns that outbound row. */
async function answeredConversation(outId: string) {
  const from = `1555999${String(++customerNo).padStart(4, "0")}`;
  h.graph.queueMessageIds(outId);
  await h.post(customerText(`wamid.IN_FOR_${outId}`, "hello", from));
  await h.settle();
  const out = (await h.messages()).find((m) => m.platformMessageId === outId);
  expect(out).toMatchObject({ status: "sent", direction: "out" });
  return { out: out!, from };
}

const statusOf = async (platformId: string) => (await h.messages()).find((m) => m.platformMessageId === platformId)!;

describe("delivery statuses", () => {
  it("only update the outbound message and never start the agent (C04)", async () => {
    const { from } = await answeredConversation("wamid.TEST_OUT_0001");
    h.openai.reset();
    h.graph.reset();
    const inboundBefore = (await h.messages()).filter((m) => m.direction === "in").length;
    for (const [status, t] of [["sent", 5], ["delivered", 6], ["read", 7]] as const) {
      expect((await h.post(waStatus({ pnid: PNID, id: "wamid.TEST_OUT_0001", status, recipient: from, timestamp: nowSeconds(t) }))).status).toBe(200);
    }
    await h.settle();
    const out = await statusOf("wamid.TEST_OUT_0001");
    expect(out.status).toBe("read");
    expect(out.sentAt).not.toBeNull();
    expect(out.deliveredAt).not.toBeNull();
    expect(out.readAt).not.toBeNull();
    expect((await h.messages()).filter((m) => m.direction === "in").length).toBe(inboundBefore);
    expect(h.openai.calls).toHaveLength(0);
    expect(h.graph.sends).toHaveLength(0);
  });

  it("never move backwards, and keep the earliest time of each status", async () => {
    const { from } = await answeredConversation("wamid.ORDER_1");
    await h.post(waStatus({ pnid: PNID, id: "wamid.ORDER_1", status: "read", recipient: from, timestamp: "1767225700" }));
    await h.post(waStatus({ pnid: PNID, id: "wamid.ORDER_1", status: "delivered", recipient: from, timestamp: "1767225690" }));
    await h.post(waStatus({ pnid: PNID, id: "wamid.ORDER_1", status: "read", recipient: from, timestamp: "1767225999" }));
    const out = await statusOf("wamid.ORDER_1");
    expect(out.status).toBe("read");
    expect(out.readAt?.toISOString()).toBe(new Date(1767225700 * 1000).toISOString());
    // Read implies delivered; the later "delivered" report still gives the earlier, true time.
    expect(out.deliveredAt?.toISOString()).toBe(new Date(1767225690 * 1000).toISOString());
  });

  it("handles a change that carries both messages and statuses", async () => {
    const { from } = await answeredConversation("wamid.BOTH_1");
    const value = {
      contacts: [{ profile: { name: "Both" }, wa_id: from }],
      messages: [{ from, id: "wamid.BOTH_IN", timestamp: nowSeconds(), type: "text", text: { body: "thanks!" } }],
      statuses: [{ id: "wamid.BOTH_1", status: "delivered", timestamp: nowSeconds(), recipient_id: from }],
    };
    expect((await h.post(waEnvelope(PNID, value))).status).toBe(200);
    await h.settle();
    expect((await statusOf("wamid.BOTH_1")).status).toBe("delivered");
    expect((await h.messages()).some((m) => m.platformMessageId === "wamid.BOTH_IN")).toBe(true);
  });

  it("keeps a status that arrives before its message is stored, and applies it (C06)", async () => {
    const from = "15551230600";
    h.graph.queueMessageIds("wamid.TEST_OUT_0002");
    let early: number | undefined;
    const unsubscribe = h.graph.onSend(async (send) => {
      if (send.messageId !== "wamid.TEST_OUT_0002") return;
      // Meta's delivered callback overtakes our own write of the platform id.
      early = (await h.post(waStatus({ pnid: PNID, id: "wamid.TEST_OUT_0002", status: "delivered", recipient: from }))).status;
    });
    await h.post(customerText("wamid.IN_0600", "hi", from));
    await h.settle();
    unsubscribe();
    expect(early).toBe(200);
    expect(h.graph.hookErrors).toEqual([]);
    expect((await statusOf("wamid.TEST_OUT_0002")).status).toBe("delivered");
  });

  it("stores a status for a message that never appears without an error loop", async () => {
    const res = await h.post(waStatus({ pnid: PNID, id: "wamid.NEVER_SENT", status: "delivered", recipient: "15551230601" }));
    expect(res.status).toBe(200);
    expect(h.cosbot.counters.get("webhook_status", { platform: "whatsapp", outcome: "pending" })).toBeGreaterThanOrEqual(1);
  });

  it("keeps the code, title and details of a failure, flags the closed window, and a later status does not erase it (C07)", async () => {
    const { from } = await answeredConversation("wamid.TEST_OUT_0003");
    const failed = waStatus({
      pnid: PNID, id: "wamid.TEST_OUT_0003", status: "failed", recipient: from, timestamp: "1767312100",
      errors: [{ code: 131047, title: "Re-engagement message", error_data: { details: "More than 24 hours have passed since the customer last replied." } }],
    });
    expect((await h.post(failed)).status).toBe(200);
    await h.post(waStatus({ pnid: PNID, id: "wamid.TEST_OUT_0003", status: "delivered", recipient: from }));
    const out = await statusOf("wamid.TEST_OUT_0003");
    expect(out).toMatchObject({
      status: "failed",
      errorCode: "131047",
      errorTitle: "Re-engagement message",
      errorDetail: "More than 24 hours have passed since the customer last replied.",
    });
    const conversation = (await h.conversations()).find((c) => c.id === out.conversationId);
    expect(conversation).toMatchObject({ attentionCode: "window_closed", attentionReason: "24h window closed — template required" });
  });
});

describe("the 24-hour window", () => {
  it("sends nothing free-form when the customer's last message is older than 24 hours, by the payload's time", async () => {
    const from = "15551230700";
    const old = customerText("wamid.OLD_1", "hello?", from);
    (old.entry[0] as any).changes[0].value.messages[0].timestamp = String(Math.floor(Date.now() / 1000) - 25 * 3600);
    expect((await h.post(old)).status).toBe(200);
    await h.settle();
    expect(h.openai.calls).toHaveLength(0);
    expect(h.graph.sends).toHaveLength(0);
    const customer = (await h.customers()).find((c) => c.platformUserId === from)!;
    const conversation = (await h.conversations()).find((c) => c.customerId === customer.id);
    expect(conversation).toMatchObject({ attentionCode: "window_closed" });
  });
});

describe("send errors", () => {
  it("stores a permanent refusal (131047) on the message and does not retry it", async () => {
    h.graph.failNext(1, graphErrors.reengagement());
    await h.post(customerText("wamid.IN_0801", "hi", "15551230801"));
    await h.settle();
    expect(h.graph.sendRequests).toHaveLength(1);
    const out = (await h.messages()).filter((m) => m.direction === "out").at(-1)!;
    expect(out).toMatchObject({ status: "failed", errorCode: "131047", platformMessageId: null });
    expect((await h.conversations()).find((c) => c.id === out.conversationId)?.attentionCode).toBe("window_closed");
  });

  it("does not retry an undeliverable recipient (131026)", async () => {
    h.graph.failNext(1, graphErrors.undeliverable());
    await h.post(customerText("wamid.IN_0802", "hi", "15551230802"));
    await h.settle();
    expect(h.graph.sendRequests).toHaveLength(1);
    const out = (await h.messages()).filter((m) => m.direction === "out").at(-1)!;
    expect(out).toMatchObject({ status: "failed", errorCode: "131026" });
  });

  it("retries rate limits and server errors with backoff, then sends once", async () => {
    h.graph.failNext(1, graphErrors.throughput());
    h.graph.failNext(1, { status: 503, body: { error: { message: "Service unavailable", code: 2 } } });
    await h.post(customerText("wamid.IN_0803", "hi", "15551230803"));
    await h.settle();
    expect(h.graph.sendRequests).toHaveLength(3);
    expect(h.graph.sends).toHaveLength(1);
    const outs = (await h.messages()).filter((m) => m.direction === "out" && m.platformMessageId === h.graph.sends[0]!.messageId);
    expect(outs).toHaveLength(1);
    expect(outs[0]!.status).toBe("sent");
  });

  it("marks the channel needs_reauth on an expired token (190), never marks the reply sent, and keeps storing inbound messages", async () => {
    h.graph.failNext(1, graphErrors.tokenExpired());
    await h.post(customerText("wamid.IN_0804", "hi", "15551230804"));
    await h.settle();
    expect(h.graph.sendRequests).toHaveLength(1);
    const out = (await h.messages()).filter((m) => m.direction === "out").at(-1)!;
    expect(out).toMatchObject({ status: "failed", errorCode: "190" });
    const [channel] = await h.testDb.database.db.select().from(channels).where(eq(channels.id, h.channelId));
    expect(channel!.state).toBe("needs_reauth");
    expect((await h.conversations()).find((c) => c.id === out.conversationId)?.attentionCode).toBe("needs_reauth");

    expect((await h.post(customerText("wamid.IN_0805", "still there?", "15551230804"))).status).toBe(200);
    await h.settle();
    expect((await h.messages()).some((m) => m.platformMessageId === "wamid.IN_0805")).toBe(true);
    expect(h.graph.sendRequests).toHaveLength(1);
    await h.testDb.database.db.update(channels).set({ state: "active" }).where(eq(channels.id, h.channelId));
  });
});
