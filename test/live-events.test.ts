// Live updates (issue 5): the per-portfolio SSE stream carries what the inbox needs, in order,
// and a client that reconnects with Last-Event-ID gets exactly what it missed.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareLogIds } from "../src/cache/ports.js";
import { waBusinessAppEcho, waStatus } from "./fakes/index.js";
import { api, type ApiUser, memberOf, signedInUser } from "./support/api-client.js";
import { type Harness, PNID, startCosbot } from "./support/cosbot-under-test.js";
import { customerText } from "./support/payloads.js";
import { openSse, type SseEvent, type SseStream } from "./support/sse-client.js";

const MAX_STREAMS = 4;
let h: Harness;
let owner: ApiUser;
const opened: SseStream[] = [];

beforeAll(async () => {
  h = await startCosbot({ env: { LIVE_HEARTBEAT_MS: "100", LIVE_MAX_STREAMS_PER_USER: String(MAX_STREAMS) } });
  owner = await memberOf(h, h.portfolioId, "owner", { name: "Olive Owner" });
});
afterAll(async () => {
  opened.forEach((s) => s.close());
  await h?.close();
});

const eventsUrl = (query = "") => `${h.url}/api/portfolios/${h.portfolioId}/events${query}`;

async function connect(options: { as?: ApiUser; lastEventId?: string; query?: string } = {}): Promise<SseStream> {
  const stream = await openSse(eventsUrl(options.query), { cookie: (options.as ?? owner).cookie, lastEventId: options.lastEventId });
  opened.push(stream);
  expect(stream.status).toBe(200);
  await stream.waitFor((e) => e.event === "ready");
  return stream;
}

const of = (type: string, fields: Record<string, unknown> = {}) => (e: SseEvent) =>
  e.event === type && Object.entries(fields).every(([k, v]) => e.json?.[k] === v);
/** Every stream of this process closed and its bus subscription gone. */
async function released() {
  await expect.poll(() => [h.cosbot.liveStreams.open, h.cosbot.live.subscribers(h.portfolioId)], { timeout: 10_000 }).toEqual([0, 0]);
}

/** Events with an id (everything but ready/resync), as the log holds them. */
const logged = (s: SseStream) => s.events.filter((e) => e.id !== undefined);

describe("the live event stream", () => {
  let witness: SseStream;
  let conversationId: string;
  let aiMessageId: number;
  const from = "15557001001";

  it("carries the inbound message, the agent's reply and its statuses as they happen", async () => {
    witness = await connect();
    h.graph.queueMessageIds("wamid.LIVE_OUT_1");
    expect((await h.post(customerText("wamid.LIVE_IN_1", "Are you open on Sunday?", from))).status).toBe(200);

    const inbound = await witness.waitFor(of("message.created", { author: "customer" }));
    expect(inbound.json).toMatchObject({ type: "message.created", direction: "in", kind: "text", text: "Are you open on Sunday?", status: "received" });
    conversationId = inbound.json.conversationId;
    const changed = await witness.waitFor(of("conversation.changed", { conversationId, unreadCount: 1 }));
    expect(changed.json).toMatchObject({ mode: "ai" });
    expect(typeof changed.json.lastMessageAt).toBe("string");

    const reply = await witness.waitFor(of("message.created", { author: "ai" }));
    expect(reply.json).toMatchObject({ conversationId, direction: "out", status: "queued", text: "Reply to: Are you open on Sunday?" });
    aiMessageId = reply.json.messageId;
    await witness.waitFor(of("message.status", { messageId: aiMessageId, status: "sent" }));

    // The ids the stream gave are the stored rows.
    const rows = await h.messages();
    expect(rows.find((m) => m.platformMessageId === "wamid.LIVE_IN_1")?.id).toBe(inbound.json.messageId);
    expect(rows.find((m) => m.platformMessageId === "wamid.LIVE_OUT_1")?.id).toBe(aiMessageId);

    for (const status of ["delivered", "read"] as const) {
      await h.post(waStatus({ pnid: PNID, id: "wamid.LIVE_OUT_1", status, recipient: from }));
      await witness.waitFor(of("message.status", { messageId: aiMessageId, status }));
    }
  });

  it("carries mode switches and mark-read as conversation.changed", async () => {
    expect((await api(h, "PUT", `/portfolios/${h.portfolioId}/conversations/${conversationId}/mode`, { as: owner, body: { mode: "manual" } })).status).toBe(200);
    await witness.waitFor(of("conversation.changed", { conversationId, mode: "manual" }));
    expect((await api(h, "POST", `/portfolios/${h.portfolioId}/conversations/${conversationId}/read`, { as: owner })).status).toBe(200);
    await witness.waitFor(of("conversation.changed", { conversationId, unreadCount: 0 }));
  });

  it("carries a failed delivery with its reason, and a person answering from Meta's own app", async () => {
    const other = "15557001002";
    h.graph.queueMessageIds("wamid.LIVE_OUT_F");
    await h.post(customerText("wamid.LIVE_IN_F", "Can you call me?", other));
    const reply = await witness.waitFor(of("message.created", { author: "ai", text: "Reply to: Can you call me?" }));
    await witness.waitFor(of("message.status", { messageId: reply.json.messageId, status: "sent" }));
    await h.post(waStatus({ pnid: PNID, id: "wamid.LIVE_OUT_F", status: "failed", recipient: other, errors: [{ code: 131026, title: "Message undeliverable" }] }));
    const failed = await witness.waitFor(of("message.status", { messageId: reply.json.messageId, status: "failed" }));
    expect(failed.json.error).toMatchObject({ code: "131026" });

    const echo = waBusinessAppEcho(PNID, { to: other, id: "wamid.LIVE_ECHO_1", body: "I will call you at 3. — Marta" });
    expect((await h.post(echo)).status).toBe(200);
    const person = await witness.waitFor(of("message.created", { author: "business_app" }));
    expect(person.json).toMatchObject({ direction: "out", text: "I will call you at 3. — Marta", status: "sent", conversationId: reply.json.conversationId });
    await witness.waitFor(of("conversation.changed", { conversationId: reply.json.conversationId, mode: "manual" }));
    await h.settle();
  });

  it("gives every event an increasing id, and keeps idle streams open with heartbeats", async () => {
    const ids = logged(witness).map((e) => e.id!);
    expect(ids.length).toBeGreaterThanOrEqual(8);
    for (let i = 1; i < ids.length; i++) expect(compareLogIds(ids[i]!, ids[i - 1]!)).toBeGreaterThan(0);
    await expect.poll(() => witness.comments, { timeout: 10_000 }).toBeGreaterThan(0);
  });

  it("replays exactly the missed events to a client that reconnects with Last-Event-ID, then goes on live", async () => {
    const first = await connect();
    const lastSeen = logged(witness).at(-1)!.id!;
    first.close();
    await expect.poll(() => h.cosbot.liveStreams.open, { timeout: 10_000 }).toBe(1);

    // While it is away: the customer writes (manual mode: no AI), a person answers, the send goes out.
    h.graph.queueMessageIds("wamid.LIVE_OUT_2");
    await h.post(customerText("wamid.LIVE_IN_2", "Hello? Anyone there?", from));
    const manual = await api(h, "POST", `/portfolios/${h.portfolioId}/conversations/${conversationId}/replies`, { as: owner, body: { text: "Yes, 10 to 4." } });
    expect(manual.status).toBe(202);
    await witness.waitFor(of("message.status", { messageId: manual.body.message.id, status: "sent" }));
    await h.settle();
    const missed = logged(witness).filter((e) => compareLogIds(e.id!, lastSeen) > 0);
    expect(missed.map((e) => e.event)).toEqual(expect.arrayContaining(["message.created", "conversation.changed", "message.status"]));
    expect(missed.find(of("message.created", { author: "member" }))?.json).toMatchObject({ text: "Yes, 10 to 4.", status: "queued" });

    const back = await connect({ lastEventId: lastSeen });
    const replayed = back.events.slice(0, back.events.findIndex((e) => e.event === "ready"));
    expect(replayed.map((e) => [e.id, e.event, e.data])).toEqual(missed.map((e) => [e.id, e.event, e.data]));

    // The same through ?lastEventId= (EventSource reconnects through proxies that drop the header).
    const viaQuery = await connect({ query: `?lastEventId=${encodeURIComponent(lastSeen)}` });
    expect(logged(viaQuery).map((e) => e.id)).toEqual(missed.map((e) => e.id));

    // And live from there on, without duplicates.
    await api(h, "PUT", `/portfolios/${h.portfolioId}/conversations/${conversationId}/mode`, { as: owner, body: { mode: "ai" } });
    await back.waitFor(of("conversation.changed", { conversationId, mode: "ai" }));
    const ids = logged(back).map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    back.close();
    viaQuery.close();
    await h.settle();
  });

  it("tells a client whose Last-Event-ID the log no longer holds to resync", async () => {
    for (const lastEventId of ["1-0", "not-an-id"]) {
      const stream = await connect({ lastEventId });
      expect(stream.events[0]?.event).toBe("resync");
      stream.close();
    }
  });

  it("forgets a portfolio's log on request (portfolio deletion), so a reconnect must resync", async () => {
    const lastSeen = logged(witness).at(-1)!.id!;
    if (h.cache.driver === "redis") expect(await h.cache.kv.keys(`live:log:${h.portfolioId}`)).toHaveLength(1);
    await h.cosbot.live.forget(h.portfolioId);
    if (h.cache.driver === "redis") expect(await h.cache.kv.keys(`live:log:${h.portfolioId}`)).toHaveLength(0);
    const stream = await connect({ lastEventId: lastSeen });
    expect(stream.events[0]?.event).toBe("resync");
    stream.close();
  });

  it("lets go of the subscription when a client disconnects", async () => {
    witness.close();
    await released();
  });

  it("ends every stream on shutdown, so browsers reconnect to a process that runs", async () => {
    const stream = await connect();
    h.cosbot.liveStreams.closeAll();
    await stream.ended;
    await released();
  });

  it("limits the streams one user may hold open", async () => {
    const streams = [];
    for (let i = 0; i < MAX_STREAMS; i++) streams.push(await connect());
    const refused = await api(h, "GET", `/portfolios/${h.portfolioId}/events`, { as: owner });
    expect(refused.status).toBe(429);
    expect(refused.body.error.message).toMatch(/at most 4 live streams/);
    // Another user is not affected.
    const admin = await memberOf(h, h.portfolioId, "admin");
    (await connect({ as: admin })).close();
    streams.forEach((s) => s.close());
    await released();
    (await connect()).close();
  });

  it("answers outsiders like every other portfolio route and tells them nothing", async () => {
    const outsider = await signedInUser(h, { name: "Stranger" });
    const asOutsider = await openSse(eventsUrl(), { cookie: outsider.cookie });
    expect(asOutsider.status).toBe(404);
    expect(JSON.parse(asOutsider.text).error.message).toMatch(/^no portfolio /);
    const anonymous = await openSse(eventsUrl());
    expect(anonymous.status).toBe(401);
    // A member of another portfolio hears nothing of this one.
    const other = await api(h, "POST", "/portfolios", { as: outsider, body: { name: "Other Shop" } });
    const theirs = await openSse(`${h.url}/api/portfolios/${other.body.portfolio.id}/events`, { cookie: outsider.cookie });
    opened.push(theirs);
    expect(theirs.status).toBe(200);
    await theirs.waitFor((e) => e.event === "ready");
    const mine = await connect();
    await h.post(customerText("wamid.LIVE_IN_3", "Still there?", from));
    await mine.waitFor(of("message.created", { text: "Still there?" }));
    await h.settle();
    // Both streams hear the same fan-out in order: had theirs been sent this event, it would be there by now.
    expect(theirs.events.filter((e) => e.event !== "ready")).toEqual([]);
    mine.close();
    theirs.close();
  });
});
