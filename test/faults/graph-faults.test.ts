// Issue 7, item 2: the Graph API throttles or fails (429, 5xx, Meta's rate-limit codes). Sends
// are retried with growing backoff, or after the Retry-After Meta asked for, and go out exactly
// once when it recovers; a permanent refusal is stored with its code and reason and not retried.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { channels } from "../../src/db/schema/index.js";
import { graphError, graphErrors, type ScriptedResponse } from "../fakes/index.js";
import { api, type ApiUser } from "../support/api-client.js";
import type { Harness } from "../support/cosbot-under-test.js";
import { customerText } from "../support/payloads.js";
import type { SseStream } from "../support/sse-client.js";
import {
  ATTEMPTS,
  BACKOFF_MS,
  conversationOf,
  expectAttemptsNotBefore,
  expectExponentialBackoff,
  newCustomer,
  outbound,
  retryLog,
  type ServiceFaultHarness,
  startServiceFaultHarness,
  throughApi,
} from "./service-fault-support.js";

let h: Harness;
let owner: ApiUser;
let live: SseStream;
let harness: ServiceFaultHarness | undefined;
beforeAll(async () => {
  harness = await startServiceFaultHarness();
  ({ h, owner, live } = harness);
});
afterAll(async () => harness?.close());
beforeEach(() => {
  h.graph.reset();
  h.openai.reset();
});

const sendArrivals = () => h.graph.sendRequests.map((r) => r.at);

/** A customer writes and the agent's reply goes through the scripted Graph API; returns the conversation. */
async function customerWrites(from: string, text = "Is my order on its way?") {
  expect((await h.post(customerText(`wamid.GF_${from}_${Date.now()}`, text, from))).status).toBe(200);
  await h.settle();
  return conversationOf(h, from);
}

interface Throttle {
  name: string;
  response: ScriptedResponse;
  /** What the runner keeps as the reason of each failed attempt. */
  error: RegExp;
}

// Meta's "try again later" answers (reference/meta-platform.md §3 and §4.2) and plain HTTP faults.
const throttles: Throttle[] = [
  { name: "HTTP 429 without a Graph error", response: { status: 429, body: {} }, error: /http_429/ },
  { name: "HTTP 500, code 1 (unknown, transient)", response: graphError(1, "An unknown error has occurred.", 500), error: /^1:/ },
  { name: "HTTP 502 whose body is not a Graph error", response: { status: 502, body: "Bad Gateway" }, error: /http_502/ },
  { name: "HTTP 503, code 2 (service unavailable)", response: graphError(2, "Service temporarily unavailable", 503), error: /^2:/ },
  { name: "code 4, app request limit", response: graphError(4, "(#4) Application request limit reached", 400), error: /^4:/ },
  { name: "code 17, user request limit", response: graphError(17, "(#17) User request limit reached", 400), error: /^17:/ },
  { name: "code 32, Page request limit", response: graphError(32, "(#32) Page request limit reached", 400), error: /^32:/ },
  { name: "code 613, Messenger rate limit", response: graphError(613, "(#613) Calls to this api have exceeded the rate limit.", 400), error: /^613:/ },
  {
    name: "code 80007, WABA rate limit",
    response: graphError(80007, "(#80007) There have been too many calls to this WhatsApp Business account.", 400),
    error: /^80007:/,
  },
  { name: "code 130429, Cloud API throughput", response: graphErrors.throughput(), error: /^130429:/ },
  { name: "code 131056, pair rate limit", response: graphErrors.pairRateLimit(), error: /^131056:/ },
];

describe("a throttled or failing Graph API", () => {
  it.each(throttles)("$name: retried with growing backoff, then the reply is sent exactly once", async (throttle) => {
    const from = newCustomer("1555410");
    h.graph.failNext(2, throttle.response);
    h.openai.reply = () => "It left the warehouse this morning.";
    const conversation = await customerWrites(from);

    expect(h.graph.sendRequests).toHaveLength(3);
    expect(h.graph.sends.map((s) => [s.to, s.text])).toEqual([[`+${from}`, "It left the warehouse this morning."]]);
    // The stored reply is re-sent; the model is not asked again.
    expect(h.openai.calls).toHaveLength(1);

    const log = await retryLog(h, conversation.id);
    expect(log.map((r) => r.state)).toEqual(["pending", "pending"]);
    expectExponentialBackoff(log, BACKOFF_MS);
    expectAttemptsNotBefore(sendArrivals(), log);
    for (const r of log) expect(r.lastError).toMatch(throttle.error);

    const outs = await outbound(h, conversation.id);
    expect(outs.map((m) => [m.status, m.platformMessageId, m.errorCode])).toEqual([["sent", h.graph.sends[0]!.messageId, null]]);
    expect((await conversationOf(h, from)).attentionCode).toBeNull();
  });

  it("waits the Retry-After Meta asked for instead of the shorter backoff, then sends once", async () => {
    const from = newCustomer("1555420");
    h.graph.failNext(1, { ...graphError(4, "(#4) Application request limit reached", 429), headers: { "retry-after": "1" } });
    const conversation = await customerWrites(from);

    expect(h.graph.sendRequests).toHaveLength(2);
    expect(h.graph.sends).toHaveLength(1);
    const [retry, ...more] = await retryLog(h, conversation.id);
    expect(more).toHaveLength(0);
    // 1 s asked for, against 32-48 ms of backoff for a first retry.
    expect(retry!.delayMs).toBeGreaterThanOrEqual(999);
    expect(retry!.delayMs).toBeLessThanOrEqual(1001);
    expectAttemptsNotBefore(sendArrivals(), [retry!]);
    expect((await outbound(h, conversation.id)).map((m) => m.status)).toEqual(["sent"]);
  });

  it("sends the parts of a long reply once each when the pair rate limit hits between them", async () => {
    const from = newCustomer("1555430");
    const long = `${"a".repeat(4000)} ${"b".repeat(1000)}`;
    h.openai.reply = () => long;
    // Meta accepts the first part, then throttles the second twice.
    const stop = h.graph.onSend(() => {
      stop();
      h.graph.failNext(2, graphErrors.pairRateLimit());
    });
    const conversation = await customerWrites(from);

    expect(h.openai.calls).toHaveLength(1);
    expect(h.graph.sendRequests).toHaveLength(4);
    expect(h.graph.sends.map((s) => s.text!.length)).toEqual([4000, 1000]);
    expect(h.graph.sends.map((s) => s.text).join(" ")).toBe(long);
    const outs = await outbound(h, conversation.id);
    expect(outs.map((m) => [m.status, m.platformMessageId])).toEqual(h.graph.sends.map((s) => ["sent", s.messageId]));
    const log = await retryLog(h, conversation.id);
    expect(log.map((r) => r.state)).toEqual(["pending", "pending"]);
    expectExponentialBackoff(log, BACKOFF_MS);
  });

  it("gives up after the configured attempts: the reply is failed and shown to admins, and the next message is answered", async () => {
    const from = newCustomer("1555440");
    h.graph.failNext(ATTEMPTS, graphError(2, "Service temporarily unavailable", 503));
    h.openai.reply = () => "Your order ships tomorrow.";
    const conversation = await customerWrites(from);

    expect(h.graph.sendRequests).toHaveLength(ATTEMPTS);
    expect(h.graph.sends).toHaveLength(0);
    expect(h.openai.calls).toHaveLength(1);
    const log = await retryLog(h, conversation.id);
    expect(log.map((r) => r.state)).toEqual(["pending", "pending", "pending", "dead"]);
    expectExponentialBackoff(log.slice(0, -1), BACKOFF_MS);
    expectAttemptsNotBefore(sendArrivals(), log);

    const [failed, ...more] = await outbound(h, conversation.id);
    expect(more).toHaveLength(0);
    expect(failed).toMatchObject({ status: "failed", errorCode: "send_gave_up", text: "Your order ships tomorrow.", platformMessageId: null });
    expect(failed!.errorDetail).toMatch(/Service temporarily unavailable/);
    const seen = await throughApi(h, owner, conversation.id);
    expect(seen.listed).toMatchObject({ attentionCode: "reply_failed" });
    expect(seen.messages.at(-1)).toMatchObject({ status: "failed", errorCode: "send_gave_up" });
    await live.waitFor((e) => e.event === "message.status" && e.json.messageId === failed!.id && e.json.status === "failed" && e.json.error?.code === "send_gave_up");
    await live.waitFor((e) => e.event === "conversation.changed" && e.json.conversationId === conversation.id && e.json.attention?.code === "reply_failed");

    // Meta is back: the next message is answered, and the given-up reply is not sent after all.
    h.openai.reply = () => "Here now!";
    await customerWrites(from, "Hello?");
    expect(h.graph.sends.map((s) => s.text)).toEqual(["Here now!"]);
    expect((await outbound(h, conversation.id)).map((m) => m.status)).toEqual(["failed", "sent"]);
  });
});

interface Refusal {
  name: string;
  response: ScriptedResponse;
  code: string;
  title: string;
  detail?: string;
  attention: string;
}

// Answers that fail the same way every time (reference/meta-platform.md §3): never retried.
const refusals: Refusal[] = [
  {
    name: "131047 re-engagement (24-hour window)", response: graphErrors.reengagement(), code: "131047", title: "(#131047) Re-engagement message",
    detail: "Message failed to send because more than 24 hours have passed since the customer last replied to this number.", attention: "window_closed",
  },
  { name: "190 expired token", response: graphErrors.tokenExpired(), code: "190", title: "Error validating access token: Session has expired", attention: "needs_reauth" },
  {
    name: "131048 spam rate limit (quality: the tenant is told, no retry)",
    response: graphError(131048, "(#131048) Spam rate limit hit", 400, "Message failed to send because there are restrictions on how many messages can be sent from this phone number."),
    code: "131048", title: "(#131048) Spam rate limit hit",
    detail: "Message failed to send because there are restrictions on how many messages can be sent from this phone number.", attention: "send_failed",
  },
  { name: "368 policy restriction", response: graphError(368, "Temporarily blocked for policies violations", 400), code: "368", title: "Temporarily blocked for policies violations", attention: "send_failed" },
  { name: "100 invalid parameter, even as a 500", response: graphError(100, "(#100) Invalid parameter", 500), code: "100", title: "(#100) Invalid parameter", attention: "send_failed" },
];

describe("a permanent refusal", () => {
  it.each(refusals)("$name: not retried, stored on the message with its code and reason, and shown to admins", async (refusal) => {
    const from = newCustomer("1555450");
    h.graph.failNext(1, refusal.response);
    const conversation = await customerWrites(from);
    try {
      expect(h.graph.sendRequests).toHaveLength(1);
      expect(h.graph.sends).toHaveLength(0);
      expect(await retryLog(h, conversation.id)).toEqual([]);

      const [failed, ...more] = await outbound(h, conversation.id);
      expect(more).toHaveLength(0);
      expect(failed).toMatchObject({ status: "failed", errorCode: refusal.code, errorTitle: refusal.title, errorDetail: refusal.detail ?? null, platformMessageId: null });
      expect(conversation.attentionCode).toBe(refusal.attention);
      if (refusal.attention === "send_failed") expect(conversation.attentionReason).toContain(refusal.code);

      const seen = await throughApi(h, owner, conversation.id);
      expect(seen.listed).toMatchObject({ attentionCode: refusal.attention });
      expect(seen.messages.at(-1)).toMatchObject({ status: "failed", errorCode: refusal.code, errorTitle: refusal.title });
      await live.waitFor((e) => e.event === "message.status" && e.json.messageId === failed!.id && e.json.error?.code === refusal.code);
    } finally {
      if (refusal.code === "190") {
        await h.testDb.database.db.update(channels).set({ state: "active" }).where(eq(channels.id, h.channelId));
      }
    }
  });
});

describe("a person's reply through a throttled Graph API", () => {
  /** The agent answers the customer, then a person replies through the API while Meta answers `response` `times` times. */
  async function personReplies(from: string, text: string, response: ScriptedResponse, times: number) {
    const conversation = await customerWrites(from, "Can I talk to someone?");
    expect(h.graph.sends).toHaveLength(1);
    h.graph.reset();
    h.graph.failNext(times, response);
    const res = await api(h, "POST", `/portfolios/${h.portfolioId}/conversations/${conversation.id}/replies`, { as: owner, body: { text } });
    expect(res.status).toBe(202);
    await h.settle();
    return { conversation, messageId: res.body.message.id as number };
  }

  it("is retried with backoff and sent exactly once", async () => {
    const { conversation, messageId } = await personReplies(newCustomer("1555460"), "Hi, this is Sam.", graphError(80007, "(#80007) Rate limit hit", 400), 2);

    expect(h.graph.sendRequests).toHaveLength(3);
    expect(h.graph.sends.map((s) => s.text)).toEqual(["Hi, this is Sam."]);
    const log = await retryLog(h, conversation.id, "send");
    expect(log.map((r) => r.state)).toEqual(["pending", "pending"]);
    expectExponentialBackoff(log, BACKOFF_MS);
    expectAttemptsNotBefore(sendArrivals(), log);
    const mine = (await outbound(h, conversation.id)).find((m) => m.id === messageId)!;
    expect(mine).toMatchObject({ author: "member", status: "sent", platformMessageId: h.graph.sends[0]!.messageId });
  });

  it("is marked failed and shown to admins when Meta stays down, not left queued", async () => {
    const { conversation, messageId } = await personReplies(newCustomer("1555470"), "One moment please.", graphErrors.throughput(), ATTEMPTS);

    expect(h.graph.sendRequests).toHaveLength(ATTEMPTS);
    expect(h.graph.sends).toHaveLength(0);
    const log = await retryLog(h, conversation.id, "send");
    expect(log.map((r) => r.state)).toEqual(["pending", "pending", "pending", "dead"]);
    const mine = (await outbound(h, conversation.id)).find((m) => m.id === messageId)!;
    expect(mine).toMatchObject({ author: "member", status: "failed", errorCode: "send_gave_up", platformMessageId: null });
    expect(mine.errorDetail).toMatch(/130429/);
    const seen = await throughApi(h, owner, conversation.id);
    expect(seen.listed).toMatchObject({ attentionCode: "send_failed" });
    await live.waitFor((e) => e.event === "message.status" && e.json.messageId === messageId && e.json.status === "failed");
  });

  it("is left to a newer send of the conversation when one is waiting as the old one gives up, and both go out once", async () => {
    const from = newCustomer("1555480");
    const conversation = await customerWrites(from, "Can I talk to someone?");
    h.graph.reset();
    // The last attempt is slow, so a second reply is written while it is still running.
    h.graph.failNext(ATTEMPTS - 1, graphErrors.throughput());
    h.graph.failNext(1, { ...graphErrors.throughput(), delayMs: 1500 });
    const path = `/portfolios/${h.portfolioId}/conversations/${conversation.id}/replies`;
    const first = await api(h, "POST", path, { as: owner, body: { text: "One moment please." } });
    expect(first.status).toBe(202);
    await expect.poll(() => h.graph.sendRequests.length, { timeout: 10_000, interval: 10 }).toBe(ATTEMPTS);
    const second = await api(h, "POST", path, { as: owner, body: { text: "Found it: it ships today." } });
    expect(second.status).toBe(202);
    await h.settle();

    expect(h.graph.sends.map((s) => s.text)).toEqual(["One moment please.", "Found it: it ships today."]);
    const log = await retryLog(h, conversation.id, "send");
    expect(log.map((r) => r.state)).toEqual(["pending", "pending", "pending", "dead"]);
    const mine = (await outbound(h, conversation.id)).filter((m) => m.author === "member");
    expect(mine.map((m) => [m.id, m.status, m.errorCode])).toEqual([
      [first.body.message.id, "sent", null],
      [second.body.message.id, "sent", null],
    ]);
  });
});
