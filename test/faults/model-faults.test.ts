// Issue 7, item 2: the model endpoint fails (5xx, 429, no answer in time, an answer with nothing
// in it). The reply is retried with growing backoff, then given up where admins see it, and the
// conversation keeps working once the model is back.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FakeOpenAI, openAIErrors } from "../fakes/index.js";
import type { ApiUser } from "../support/api-client.js";
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
  harness = await startServiceFaultHarness({ MODEL_TIMEOUT_MS: "1000" });
  ({ h, owner, live } = harness);
});
afterAll(async () => harness?.close());
beforeEach(() => {
  h.graph.reset();
  h.openai.reset();
});

interface Fault {
  name: string;
  /** Scripts the next n model calls to fail this way. */
  script(openai: FakeOpenAI, n: number): void;
  /** How the fake saw each failed call. */
  outcome: string;
  /** Part of the reason the runner kept, which admins see as the failure's detail. */
  reason: RegExp;
}

const faults: Fault[] = [
  { name: "a 500", script: (o, n) => o.failNext(n, openAIErrors.server()), outcome: "error", reason: /500/ },
  { name: "a 429 rate limit", script: (o, n) => o.failNext(n, openAIErrors.rateLimit()), outcome: "error", reason: /429/ },
  { name: "no answer before MODEL_TIMEOUT_MS", script: (o, n) => o.hangNext(n), outcome: "hang", reason: /abort|timeout|timed out/i },
  { name: "an empty text", script: (o, n) => o.emptyNext(n), outcome: "empty", reason: /empty/i },
  { name: "no choices", script: (o, n) => o.noChoicesNext(n), outcome: "empty", reason: /choices/i },
  { name: "malformed JSON", script: (o, n) => o.malformedNext(n), outcome: "error", reason: /JSON/i },
];

describe("the model keeps failing", () => {
  it.each(faults)("$name: retried with growing backoff, then failed and shown to admins; the next message is answered", async (fault) => {
    const from = newCustomer("1555310");
    fault.script(h.openai, ATTEMPTS);
    expect((await h.post(customerText(`wamid.MF_DOWN_${from}`, "Do you deliver?", from))).status).toBe(200);
    await h.settle();

    // Every attempt reached the model, in order, each failing the scripted way; nothing was sent.
    expect(h.openai.calls).toHaveLength(ATTEMPTS);
    expect(h.openai.calls.map((c) => c.n)).toEqual([...h.openai.calls.map((c) => c.n)].sort((a, b) => a - b));
    expect(h.openai.calls.map((c) => c.outcome)).toEqual(Array(ATTEMPTS).fill(fault.outcome));
    expect(h.graph.sendRequests).toHaveLength(0);

    // The runner stored a longer wait before each new attempt, then buried the item after the last.
    const conversation = await conversationOf(h, from);
    const log = await retryLog(h, conversation.id);
    expect(log.map((r) => r.state)).toEqual(["pending", "pending", "pending", "dead"]);
    expect(new Set(log.map((r) => r.workItemId)).size).toBe(1);
    expectExponentialBackoff(log.slice(0, -1), BACKOFF_MS);
    expectAttemptsNotBefore(h.openai.calls.map((c) => c.at), log);
    for (const r of log) expect(r.lastError).toMatch(fault.reason);

    // The failure is stored on an AI message and the conversation is flagged.
    const [failed, ...more] = await outbound(h, conversation.id);
    expect(more).toHaveLength(0);
    expect(failed).toMatchObject({ author: "ai", status: "failed", errorCode: "reply_gave_up", platformMessageId: null });
    expect(failed!.errorDetail).toMatch(fault.reason);
    expect(conversation).toMatchObject({ attentionCode: "reply_failed" });
    expect(conversation.attentionReason).toMatch(fault.reason);

    // Admins see it through the API ...
    const seen = await throughApi(h, owner, conversation.id);
    expect(seen.listed).toMatchObject({ attentionCode: "reply_failed" });
    expect(seen.messages.map((m) => [m.direction, m.status])).toEqual([["in", "received"], ["out", "failed"]]);
    expect(seen.messages[1]).toMatchObject({ author: "ai", errorCode: "reply_gave_up", errorTitle: "The agent could not produce a reply" });
    expect(seen.messages[1]!.errorDetail).toMatch(fault.reason);
    // ... and live.
    const created = await live.waitFor((e) => e.event === "message.created" && e.json.messageId === failed!.id);
    expect(created.json).toMatchObject({ conversationId: conversation.id, status: "failed", author: "ai", error: { code: "reply_gave_up" } });
    await live.waitFor((e) => e.event === "conversation.changed" && e.json.conversationId === conversation.id && e.json.attention?.code === "reply_failed");

    // Not stuck: once the model is back, the customer's next message gets its answer, once.
    expect((await h.post(customerText(`wamid.MF_BACK_${from}`, "Hello again?", from))).status).toBe(200);
    await h.settle();
    expect(h.openai.calls).toHaveLength(ATTEMPTS + 1);
    expect(h.graph.sends.map((s) => [s.to, s.text])).toEqual([[`+${from}`, "Reply to: Hello again?"]]);
    const outs = await outbound(h, conversation.id);
    expect(outs.map((m) => [m.status, m.text])).toEqual([["failed", null], ["sent", "Reply to: Hello again?"]]);
    expect((await h.workItems()).filter((w) => w.subjectId === conversation.id && ["pending", "running"].includes(w.state))).toHaveLength(0);
  });
});

describe("the model recovers", () => {
  it.each([
    { header: "retry-after", value: "1" },
    { header: "retry-after-ms", value: "1000" },
  ])("after a 429 with $header: $value, the next attempt waits what the provider asked, then one reply is sent", async ({ header, value }) => {
    const from = newCustomer("1555330");
    h.openai.failNext(1, { ...openAIErrors.rateLimit(), headers: { [header]: value } });
    await h.post(customerText(`wamid.MF_WAIT_${from}`, "Do you deliver?", from));
    await h.settle();

    expect(h.openai.calls.map((c) => c.status)).toEqual([429, 200]);
    expect(h.graph.sends).toHaveLength(1);
    const conversation = await conversationOf(h, from);
    const [retry, ...more] = await retryLog(h, conversation.id);
    expect(more).toHaveLength(0);
    // 1 s asked for, against 32-48 ms of backoff for a first retry.
    expect(retry!.delayMs).toBeGreaterThanOrEqual(999);
    expect(retry!.delayMs).toBeLessThanOrEqual(1001);
    expectAttemptsNotBefore(h.openai.calls.map((c) => c.at), [retry!]);
  });

  it.each(faults)("$name on the first attempt only: exactly one reply is sent, and no failure is left behind", async (fault) => {
    const from = newCustomer("1555320");
    fault.script(h.openai, 1);
    h.openai.reply = () => "Yes, we deliver within the city.";
    await h.post(customerText(`wamid.MF_ONCE_${from}`, "Do you deliver?", from));
    await h.settle();

    expect(h.openai.calls.map((c) => c.outcome)).toEqual([fault.outcome, "ok"]);
    expect(h.graph.sendRequests).toHaveLength(1);
    expect(h.graph.sends.map((s) => s.text)).toEqual(["Yes, we deliver within the city."]);

    const conversation = await conversationOf(h, from);
    const log = await retryLog(h, conversation.id);
    expect(log.map((r) => [r.state, r.attempts])).toEqual([["pending", 1]]);
    expectExponentialBackoff(log, BACKOFF_MS);
    expectAttemptsNotBefore(h.openai.calls.map((c) => c.at), log);

    const outs = await outbound(h, conversation.id);
    expect(outs.map((m) => [m.status, m.errorCode, m.platformMessageId])).toEqual([["sent", null, h.graph.sends[0]!.messageId]]);
    expect(conversation.attentionCode).toBeNull();
    const seen = await throughApi(h, owner, conversation.id);
    expect(seen.listed).toMatchObject({ attentionCode: null });
    expect(seen.messages.map((m) => m.status)).toEqual(["received", "sent"]);
  });
});
