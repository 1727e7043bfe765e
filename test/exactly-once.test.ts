import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { workItems } from "../src/db/schema/index.js";
import { startCosbot, type Harness } from "./support/cosbot-under-test.js";
import { customerImage, customerText } from "./support/payloads.js";

const stores = (h: Harness, id: string) => h.messages().then((ms) => ms.filter((m) => m.platformMessageId === id));

describe("exactly once", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startCosbot();
  });
  afterAll(async () => h?.close());
  afterEach(() => {
    h.graph.reset();
    h.openai.reset();
  });

  it("answers a re-delivered message once (C01)", async () => {
    const payload = customerText("wamid.TEST_IN_0001", "Are you open on Sundays?");
    expect((await h.post(payload)).status).toBe(200);
    await h.settle();
    expect((await h.post(payload)).status).toBe(200);
    await h.settle();
    expect(await stores(h, "wamid.TEST_IN_0001")).toHaveLength(1);
    expect(h.openai.calls).toHaveLength(1);
    expect(h.graph.sends).toHaveLength(1);
    expect(h.cosbot.counters.get("webhook_duplicate", { platform: "whatsapp", by: "cache" })).toBe(1);
  });

  it("still answers once when the cache forgot the delivery: the database key decides (C01)", async () => {
    const payload = customerText("wamid.TEST_IN_0002", "And on Mondays?", "15551230076");
    await h.post(payload);
    await h.settle();
    await h.forgetDedupMarkers();
    expect((await h.post(payload)).status).toBe(200);
    await h.settle();
    const stored = await stores(h, "wamid.TEST_IN_0002");
    expect(stored).toHaveLength(1);
    // Refused by the database, the copy changed nothing else either: still one unread, one reply.
    expect((await h.conversations()).find((c) => c.id === stored[0]!.conversationId)?.unreadCount).toBe(1);
    expect((await h.workItems()).filter((w) => w.subjectId === stored[0]!.conversationId)).toHaveLength(1);
    expect(h.openai.calls).toHaveLength(1);
    expect(h.graph.sends).toHaveLength(1);
    expect(h.cosbot.counters.get("webhook_duplicate", { platform: "whatsapp", by: "database" })).toBeGreaterThanOrEqual(1);
  });

  it("stores, asks and sends once for 5 simultaneous deliveries (C02)", async () => {
    const payload = customerText("wamid.TEST_IN_0003", "Do you deliver?", "15551230077");
    const responses = await Promise.all(Array.from({ length: 5 }, () => h.post(payload)));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    await h.settle();
    expect(await stores(h, "wamid.TEST_IN_0003")).toHaveLength(1);
    expect(h.openai.calls).toHaveLength(1);
    expect(h.graph.sends).toHaveLength(1);
  });

  it("stores, asks and sends once for 5 simultaneous deliveries even without the cache fast path (C02)", async () => {
    const payload = customerText("wamid.TEST_IN_0004", "Gift wrapping?", "15551230078");
    // Each delivery forgets the markers first, so only Postgres' unique key can stop the copies.
    const responses = await Promise.all(
      Array.from({ length: 5 }, async () => {
        await h.forgetDedupMarkers();
        return h.post(payload);
      }),
    );
    expect(responses.every((r) => r.status === 200)).toBe(true);
    await h.settle();
    const stored = await stores(h, "wamid.TEST_IN_0004");
    expect(stored).toHaveLength(1);
    expect(h.openai.calls).toHaveLength(1);
    expect(h.graph.sends).toHaveLength(1);
    // The copies the database refused changed nothing else: one unread, one reply scheduled.
    const conversation = (await h.conversations()).find((c) => c.id === stored[0]!.conversationId);
    expect(conversation?.unreadCount).toBe(1);
    expect((await h.workItems()).filter((w) => w.subjectId === stored[0]!.conversationId)).toHaveLength(1);
  });

  it("acknowledges at once while the model is slow, and a redelivery meanwhile adds nothing (C03)", async () => {
    h.openai.latencyMs = 3_000;
    const payload = customerText("wamid.TEST_IN_0005", "What is the price of the basic plan?", "15551230079");
    const started = Date.now();
    const res = await h.post(payload);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(1_000);
    await new Promise((r) => setTimeout(r, 400));
    const again = Date.now();
    expect((await h.post(payload)).status).toBe(200);
    expect(Date.now() - again).toBeLessThan(1_000);
    await h.settle();
    h.openai.latencyMs = 0;
    expect(h.openai.calls).toHaveLength(1);
    expect(h.graph.sends).toHaveLength(1);
  });

  it("queues a message that arrives while a reply is being written: the next turn sees msg1, reply1, msg2 (C23)", async () => {
    h.openai.latencyMs = 800;
    const from = "15551230081";
    await h.post(customerText("wamid.TEST_IN_0110", "Hi there", from));
    // Past the quiet period: the first turn is already with the model.
    await new Promise((r) => setTimeout(r, 400));
    await h.post(customerText("wamid.TEST_IN_0111", "Can I come on Friday?", from));
    await h.settle();
    h.openai.latencyMs = 0;
    expect(h.openai.maxInFlight).toBe(1);
    expect(h.openai.calls).toHaveLength(2);
    const second = h.openai.calls[1]!.request.messages.filter((m) => m.role !== "system").map((m) => [m.role, m.content]);
    expect(second).toEqual([
      ["user", "Hi there"],
      ["assistant", "Reply to: Hi there"],
      ["user", "Can I come on Friday?"],
    ]);
    expect(h.graph.sends).toHaveLength(2);
  });
});

describe("bursts", () => {
  it("answers a burst once per conversation, never two turns at once (C23)", async () => {
    const h = await startCosbot({ env: { REPLY_QUIET_MS: "1500" } });
    h.openai.latencyMs = 500;
    const from = "15551230080";
    await h.post(customerText("wamid.TEST_IN_0100", "Hi", from));
    await new Promise((r) => setTimeout(r, 30));
    await h.post(customerText("wamid.TEST_IN_0101", "I need to move my booking to Friday", from));
    await Promise.all([1, 2, 3].map((i) => h.post(customerImage(`wamid.TEST_IMG_01${i}`, `photo ${i}`, from))));
    await h.settle();
    h.openai.latencyMs = 0;
    const conversationsOfCustomer = await h.conversations();
    const customers = (await h.customers()).filter((c) => c.platformUserId === from);
    expect(customers).toHaveLength(1);
    expect(conversationsOfCustomer.filter((c) => c.customerId === customers[0]!.id)).toHaveLength(1);
    expect(h.openai.maxInFlight).toBe(1);
    expect(h.openai.calls).toHaveLength(1);
    const prompt = JSON.stringify(h.openai.calls[0]!.request.messages);
    expect(prompt).toContain("Hi");
    expect(prompt).toContain("move my booking to Friday");
    expect(prompt).toContain("photo 3");
    expect(h.graph.sends).toHaveLength(1);
    await h.close();
  });

});

describe("crash recovery", () => {
  it("sends a reply exactly once when the process that stored the message died before answering", async () => {
    const first = await startCosbot({ env: { WORK_LEASE_MS: "1000", REPLY_QUIET_MS: "50" } });
    // The first process stores the message, then dies before its reply runs.
    await first.cosbot.runner.stop();
    expect((await first.post(customerText("wamid.CRASH_1", "Is my order shipped?"))).status).toBe(200);
    const [pending] = await first.workItems();
    await new Promise((r) => setTimeout(r, 150)); // past the quiet period
    expect(pending).toMatchObject({ state: "pending", kind: "reply" });

    // ...a second process claims it, starts the model call and dies mid-way (its lease runs out).
    first.openai.hangNext(1);
    const claimed = await first.cosbot.runner["store"].claim("dead-process", 1000);
    expect(claimed?.id).toBe(pending!.id);

    const second = await startCosbot({ shareDatabase: first.testDb, env: { WORK_LEASE_MS: "1000", SWEEP_INTERVAL_MS: "200" } });
    try {
      await new Promise((r) => setTimeout(r, 1_300));
      await second.settle();
      expect(second.graph.sends).toHaveLength(1);
      expect(second.graph.sends[0]!.text).toBe("Reply to: Is my order shipped?");
      const [item] = await second.testDb.database.db.select().from(workItems).where(eq(workItems.id, pending!.id));
      expect(item).toMatchObject({ state: "done", attempts: 2 });
      const out = (await second.messages()).filter((m) => m.direction === "out");
      expect(out).toHaveLength(1);
      expect(out[0]).toMatchObject({ status: "sent", author: "ai" });
    } finally {
      await second.close();
      await first.close();
    }
  });

  it("sends stored reply parts without asking the model again when the process died before sending", async () => {
    const h = await startCosbot({ env: { WORK_LEASE_MS: "1000" } });
    try {
      await h.cosbot.runner.stop();
      await h.post(customerText("wamid.CRASH_2", "Where are you?"));
      await new Promise((r) => setTimeout(r, 200)); // past the quiet period
      const store = h.cosbot.runner["store"];
      const claimed = await store.claim("dead-process", 1000);
      // The dead process had generated and stored its answer, then died before the Graph call.
      const { PgReplyStore } = await import("../src/db/reply-store.js");
      const replyStore = new PgReplyStore(h.testDb.database.db, h.cosbot.box);
      const ctx = (await replyStore.loadContext(claimed!.subjectId))!;
      const [inbound] = (await h.messages()).filter((m) => m.platformMessageId === "wamid.CRASH_2");
      await replyStore.storeReplyParts(ctx, ["We are at Main St 1."], { id: claimed!.id, owner: "dead-process" }, inbound!.id);
      h.cosbot.runner.start();
      await new Promise((r) => setTimeout(r, 1_300));
      await h.settle();
      expect(h.openai.calls).toHaveLength(0);
      expect(h.graph.sends.map((s) => s.text)).toEqual(["We are at Main St 1."]);
      expect((await h.messages()).filter((m) => m.direction === "out")).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});

describe("a claim whose holder died", () => {
  it("is skipped while the lease lives and processed on a later delivery once it expired (C02)", async () => {
    const h = await startCosbot();
    try {
      // Another process claimed this delivery and died before storing it.
      await h.cache.kv.set(`dedup:${h.channelId}:wamid.ORPHAN_1`, "lease:dead-process", 300);
      const payload = customerText("wamid.ORPHAN_1", "hello?");
      expect((await h.post(payload)).status).toBe(200);
      expect((await h.messages()).some((m) => m.platformMessageId === "wamid.ORPHAN_1")).toBe(false);
      await new Promise((r) => setTimeout(r, 400));
      expect((await h.post(payload)).status).toBe(200);
      await h.settle();
      expect((await h.messages()).filter((m) => m.platformMessageId === "wamid.ORPHAN_1")).toHaveLength(1);
      expect(h.graph.sends).toHaveLength(1);
    } finally {
      await h.close();
    }
  });
});
