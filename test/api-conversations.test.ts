// Conversations, customers and notes through the API (issue 4 item 5): the inbox list with its
// filters, search and cursor, a thread's messages newest first, a person's reply reaching the
// Graph API once, mode and read state, the customer's profile and notes, and the tenant wall.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waText } from "./fakes/index.js";
import { api, type ApiResponse, type ApiUser, memberOf, signedInUser } from "./support/api-client.js";
import { type Harness, PNID, startCosbot } from "./support/cosbot-under-test.js";
import { customerText, nowSeconds } from "./support/payloads.js";

let h: Harness;
let agent: ApiUser & { memberId: string };
let otherAgent: ApiUser & { memberId: string };
let admin: ApiUser & { memberId: string };
/** A member of another portfolio, trying this portfolio's ids under their own portfolio. */
let outsider: ApiUser;
let outsiderPortfolioId: string;

const people = [
  { from: "15550100001", name: "Alice Anders", text: "Do you have red shoes in size 39?" },
  { from: "15550100002", name: "Bob Brown", text: "What are your opening hours on Sunday?" },
  { from: "15550100003", name: "Carla Cruz", text: "I want a 100% refund for order 7" },
  { from: "15550100004", name: "Dan Diaz", text: "Is shipping to Spain free?" },
  { from: "15550100005", name: "Eve Evans", text: "Hello there" },
  { from: "15550100006", name: "Finn Fox", text: "Can I pay by card?" },
  { from: "15550100007", name: "Gus Green", text: "Thanks!" },
];

const base = () => `/portfolios/${h.portfolioId}`;
const conversationOf = async (from: string) => {
  const customer = (await h.customers()).find((c) => c.platformUserId === from)!;
  return (await h.conversations()).find((c) => c.customerId === customer.id)!;
};
const list = (query: string, as: ApiUser = agent) => api(h, "GET", `${base()}/conversations${query}`, { as });

beforeAll(async () => {
  h = await startCosbot();
  h.openai.reply = () => "Thanks, we will get back to you.";
  let n = 0;
  for (const p of people) await h.post(customerText(`wamid.LIST_${++n}`, p.text, p.from, p.name));
  await h.settle();
  agent = await memberOf(h, h.portfolioId, "agent", { name: "Ana Agent" });
  otherAgent = await memberOf(h, h.portfolioId, "agent", { name: "Oscar Other" });
  admin = await memberOf(h, h.portfolioId, "admin", { name: "Adam Admin" });
  outsider = await signedInUser(h, { name: "Olga Outsider" });
  const created = await api(h, "POST", "/portfolios", { as: outsider, body: { name: "Other Shop" } });
  expect(created.status).toBe(201);
  outsiderPortfolioId = created.body.portfolio.id;
}, 60_000);
afterAll(async () => h?.close());

describe("the conversation list", () => {
  it("pages with a cursor: pages do not overlap and together cover every conversation, newest activity first", async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res: ApiResponse = await list(`?limit=3${cursor ? `&cursor=${cursor}` : ""}`);
      expect(res.status).toBe(200);
      expect(res.body.conversations.length).toBeLessThanOrEqual(3);
      seen.push(...res.body.conversations.map((c: { id: string }) => c.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual((await h.conversations()).map((c) => c.id).sort());

    const all = await list("?limit=100");
    const times = all.body.conversations.map((c: { lastMessageAt: string }) => Date.parse(c.lastMessageAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(all.body.nextCursor).toBeNull();
    expect(all.body.conversations[0]).toMatchObject({ platform: "whatsapp", channelId: h.channelId, mode: "ai", unreadCount: 1 });
  });

  it("searches the customer's name and the message text, case-insensitively, with % taken literally", async () => {
    const names = async (q: string) => (await list(`?q=${encodeURIComponent(q)}`)).body.conversations.map((c: any) => c.customer.profileName);
    expect(await names("alice")).toEqual(["Alice Anders"]);
    expect(await names("OPENING HOURS")).toEqual(["Bob Brown"]);
    expect(await names("100%")).toEqual(["Carla Cruz"]);
    expect(await names("%")).toEqual(["Carla Cruz"]);
    expect(await names("15550100004")).toEqual(["Dan Diaz"]);
    expect(await names("no such words anywhere")).toEqual([]);
  });

  it("filters by channel, mode and unread", async () => {
    const finn = await conversationOf("15550100006");
    const gus = await conversationOf("15550100007");
    expect((await api(h, "PUT", `${base()}/conversations/${finn.id}/mode`, { as: agent, body: { mode: "manual" } })).status).toBe(200);
    expect((await api(h, "POST", `${base()}/conversations/${gus.id}/read`, { as: agent })).status).toBe(200);

    const ids = async (query: string) => (await list(query)).body.conversations.map((c: { id: string }) => c.id);
    expect(await ids("?mode=manual")).toEqual([finn.id]);
    expect(await ids("?mode=ai&limit=100")).not.toContain(finn.id);
    expect(await ids("?unread=false")).toEqual([gus.id]);
    const unread = await ids("?unread=true&limit=100");
    expect(unread).toHaveLength(people.length - 1);
    expect(unread).not.toContain(gus.id);
    expect(await ids(`?channelId=${h.channelId}&limit=100`)).toHaveLength(people.length);
    expect(await ids("?channelId=no-such-channel")).toEqual([]);
    expect(await ids("?mode=manual&q=finn")).toEqual([finn.id]);
    expect(await ids("?mode=manual&q=alice")).toEqual([]);
  });

  it("rejects bad filters with 400 naming the field", async () => {
    for (const [query, field] of [
      ["?mode=robot", "query.mode"],
      ["?unread=yes", "query.unread"],
      ["?limit=0", "query.limit"],
      ["?limit=many", "query.limit"],
      ["?cursor=not-a-cursor", "query.cursor"],
      ["?q=", "query.q"],
      ["?colour=red", "query"],
    ]) {
      const res = await list(query!);
      expect(res.status, query).toBe(400);
      expect(res.body.error.fields.map((f: { field: string }) => f.field), query).toContain(field);
    }
  });
});

describe("one conversation", () => {
  it("shows its customer, channel, mode and messaging window", async () => {
    const alice = await conversationOf("15550100001");
    const res = await api(h, "GET", `${base()}/conversations/${alice.id}`, { as: agent });
    expect(res.status).toBe(200);
    expect(res.body.conversation).toMatchObject({ id: alice.id, mode: "ai", unreadCount: 1, attention: null });
    expect(res.body.conversation.window).toMatchObject({ lastInboundAt: alice.lastInboundAt!.toISOString(), open: true });
    expect(Date.parse(res.body.conversation.window.humanUntil)).toBe(alice.lastInboundAt!.getTime() + 24 * 3_600_000);
    expect(res.body.customer).toMatchObject({ platform: "whatsapp", platformUserId: "15550100001", profileName: "Alice Anders" });
    expect(res.body.channel).toMatchObject({ id: h.channelId, platform: "whatsapp", externalId: PNID });
  });

  it("lists its messages newest first in pages, without raw payloads", async () => {
    const from = "15550100020";
    for (let i = 1; i <= 3; i++) {
      await h.post(customerText(`wamid.PAGE_${i}`, `message number ${i}`, from, "Paula Pages"));
      await h.settle();
    }
    const conversation = await conversationOf(from);
    const stored = (await h.messages()).filter((m) => m.conversationId === conversation.id);
    expect(stored.length).toBeGreaterThanOrEqual(6);

    const seen: any[] = [];
    let before: string | null = null;
    do {
      const res: ApiResponse = await api(h, "GET", `${base()}/conversations/${conversation.id}/messages?limit=2${before ? `&before=${before}` : ""}`, { as: agent });
      expect(res.status).toBe(200);
      expect(res.body.messages.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.messages);
      before = res.body.nextCursor;
    } while (before);
    expect(seen.map((m) => m.id)).toEqual(stored.map((m) => m.id).reverse());
    expect(seen.find((m) => m.platformMessageId === "wamid.PAGE_3")).toMatchObject({ direction: "in", author: "customer", text: "message number 3" });
    expect(seen.every((m) => !("raw" in m))).toBe(true);

    const bad = await api(h, "GET", `${base()}/conversations/${conversation.id}/messages?before=abc`, { as: agent });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].field).toBe("query.before");
  });
});

describe("a person's reply", () => {
  it("reaches the Graph API exactly once with that text and switches the conversation to manual", async () => {
    const from = "15550100030";
    await h.post(customerText("wamid.REPLY_1", "Can a person help me?", from, "Rita Reply"));
    await h.settle();
    const conversation = await conversationOf(from);
    h.graph.reset();
    const events: unknown[] = [];
    const unsubscribe = await h.cosbot.live.subscribe(h.portfolioId, (e) => events.push(JSON.parse(e.data)));

    const res = await api(h, "POST", `${base()}/conversations/${conversation.id}/replies`, { as: agent, body: { text: "  Hi Rita, Ana here.  " } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ message: { status: "queued" }, conversation: { id: conversation.id, mode: "manual" } });
    await h.settle();
    await unsubscribe();

    expect(h.graph.sends).toHaveLength(1);
    expect(h.graph.sends[0]).toMatchObject({ to: `+${from}`, text: "Hi Rita, Ana here.", phoneNumberId: PNID });
    const head = await api(h, "GET", `${base()}/conversations/${conversation.id}`, { as: agent });
    expect(head.body.conversation).toMatchObject({ mode: "manual", unreadCount: 0 });
    const [newest] = (await api(h, "GET", `${base()}/conversations/${conversation.id}/messages?limit=1`, { as: agent })).body.messages;
    expect(newest).toMatchObject({ id: res.body.message.id, author: "member", authorMemberId: agent.memberId, status: "sent", text: "Hi Rita, Ana here." });
    expect(events).toContainEqual(expect.objectContaining({ type: "conversation.changed", conversationId: conversation.id, mode: "manual" }));

    // In manual mode the agent stays silent when the customer writes again.
    await h.post(customerText("wamid.REPLY_2", "Thanks Ana!", from, "Rita Reply"));
    await h.settle();
    expect(h.graph.sends).toHaveLength(1);
  });

  it("is refused with 409 and the reason outside the 24-hour window, and nothing is sent", async () => {
    const from = "15550100031";
    const twoDaysAgo = nowSeconds(-2 * 24 * 3600);
    await h.post(waText({ pnid: PNID, from, id: "wamid.OLD_1", body: "Hello from long ago", timestamp: twoDaysAgo, name: "Olaf Old" }));
    await h.settle();
    const conversation = await conversationOf(from);
    h.graph.reset();
    const res = await api(h, "POST", `${base()}/conversations/${conversation.id}/replies`, { as: agent, body: { text: "Sorry for the wait" } });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/48 hours ago.*within 24 hours/);
    await h.settle();
    expect(h.graph.sends).toHaveLength(0);
    const head = await api(h, "GET", `${base()}/conversations/${conversation.id}`, { as: agent });
    expect(head.body.conversation.window.open).toBe(false);
  });

  it("rejects an empty or missing text with 400 naming body.text, and stores nothing", async () => {
    const conversation = await conversationOf("15550100002");
    const before = (await h.messages()).length;
    for (const body of [{ text: "   " }, {}, { text: 42 }, { text: "hi", extra: true }]) {
      const res = await api(h, "POST", `${base()}/conversations/${conversation.id}/replies`, { as: agent, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.message, JSON.stringify(body)).toMatch(/body/);
    }
    expect((await api(h, "POST", `${base()}/conversations/${conversation.id}/replies`, { as: agent, body: { text: "x".repeat(10_001) } })).body.error.fields[0].field).toBe("body.text");
    expect((await h.messages()).length).toBe(before);
    expect((await conversationOf("15550100002")).mode).toBe("ai");
  });
});

describe("mode and read state", () => {
  it("switches the mode both ways and rejects an unknown mode naming body.mode", async () => {
    const conversation = await conversationOf("15550100004");
    const path = `${base()}/conversations/${conversation.id}/mode`;
    expect((await api(h, "PUT", path, { as: agent, body: { mode: "manual" } })).body).toEqual({ conversation: { id: conversation.id, mode: "manual" } });
    expect((await conversationOf("15550100004")).mode).toBe("manual");
    expect((await api(h, "PUT", path, { as: agent, body: { mode: "ai" } })).status).toBe(200);
    expect((await conversationOf("15550100004")).mode).toBe("ai");
    const bad = await api(h, "PUT", path, { as: agent, body: { mode: "robot" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].field).toBe("body.mode");
    expect((await conversationOf("15550100004")).mode).toBe("ai");
  });

  it("marks a conversation read", async () => {
    const conversation = await conversationOf("15550100005");
    expect(conversation.unreadCount).toBe(1);
    const res = await api(h, "POST", `${base()}/conversations/${conversation.id}/read`, { as: agent });
    expect(res.body).toEqual({ conversation: { id: conversation.id, unreadCount: 0 } });
    expect((await api(h, "GET", `${base()}/conversations/${conversation.id}`, { as: agent })).body.conversation.unreadCount).toBe(0);
  });
});

describe("customers and notes", () => {
  it("shows a customer's profile", async () => {
    const [customer] = (await h.customers()).filter((c) => c.platformUserId === "15550100003");
    const res = await api(h, "GET", `${base()}/customers/${customer!.id}`, { as: agent });
    expect(res.status).toBe(200);
    expect(res.body.customer).toEqual({
      id: customer!.id,
      channelId: h.channelId,
      platform: "whatsapp",
      platformUserId: "15550100003",
      profileName: "Carla Cruz",
      firstSeenAt: customer!.firstSeenAt.toISOString(),
      lastSeenAt: customer!.lastSeenAt.toISOString(),
      conversationId: (await conversationOf("15550100003")).id,
    });
  });

  it("adds, lists, edits and deletes notes with their author and time; only the author edits", async () => {
    const [customer] = (await h.customers()).filter((c) => c.platformUserId === "15550100001");
    const notes = `${base()}/customers/${customer!.id}/notes`;
    const started = Date.now();
    const added = await api(h, "POST", notes, { as: agent, body: { body: "  Prefers e-mail.  " } });
    expect(added.status).toBe(201);
    const note = added.body.note;
    expect(note).toMatchObject({ customerId: customer!.id, author: { memberId: agent.memberId, name: "Ana Agent" }, body: "Prefers e-mail." });
    expect(Date.parse(note.createdAt)).toBeGreaterThanOrEqual(started - 1000);
    expect((await api(h, "POST", notes, { as: otherAgent, body: { body: "Second note" } })).status).toBe(201);

    const listed = await api(h, "GET", notes, { as: otherAgent });
    expect(listed.body.notes.map((n: any) => [n.body, n.author.name])).toEqual([["Prefers e-mail.", "Ana Agent"], ["Second note", "Oscar Other"]]);

    const other = await api(h, "PATCH", `${notes}/${note.id}`, { as: otherAgent, body: { body: "Changed by someone else" } });
    expect(other.status).toBe(403);
    const edited = await api(h, "PATCH", `${notes}/${note.id}`, { as: agent, body: { body: "Prefers e-mail, never calls." } });
    expect(edited.status).toBe(200);
    expect(edited.body.note).toMatchObject({ id: note.id, body: "Prefers e-mail, never calls.", createdAt: note.createdAt, author: { name: "Ana Agent" } });
    expect(Date.parse(edited.body.note.updatedAt)).toBeGreaterThanOrEqual(Date.parse(note.createdAt));

    expect((await api(h, "DELETE", `${notes}/${note.id}`, { as: otherAgent })).status).toBe(403);
    expect((await api(h, "DELETE", `${notes}/${note.id}`, { as: agent })).status).toBe(204);
    const second = listed.body.notes[1].id;
    expect((await api(h, "DELETE", `${notes}/${second}`, { as: admin })).status).toBe(204);
    expect((await api(h, "GET", notes, { as: agent })).body.notes).toEqual([]);
    expect((await api(h, "DELETE", `${notes}/${note.id}`, { as: agent })).status).toBe(404);
  });

  it("rejects bad note input with 400 naming the field, and writes nothing", async () => {
    const [customer] = (await h.customers()).filter((c) => c.platformUserId === "15550100002");
    const notes = `${base()}/customers/${customer!.id}/notes`;
    for (const [body, field] of [[{ body: "  " }, "body.body"], [{}, "body.body"], [{ body: "x".repeat(10_001) }, "body.body"], [{ body: "ok", author: "me" }, "body"]] as const) {
      const res = await api(h, "POST", notes, { as: agent, body });
      expect(res.status).toBe(400);
      expect(res.body.error.fields.map((f: { field: string }) => f.field)).toContain(field);
    }
    const bad = await api(h, "PATCH", `${notes}/abc`, { as: agent, body: { body: "x" } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields[0].field).toBe("params.noteId");
    expect((await api(h, "GET", notes, { as: agent })).body.notes).toEqual([]);
  });
});

describe("the tenant wall", () => {
  it("answers 404 to ids of another portfolio, and changes nothing", async () => {
    const conversation = await conversationOf("15550100001");
    const [customer] = (await h.customers()).filter((c) => c.platformUserId === "15550100001");
    const note = (await api(h, "POST", `${base()}/customers/${customer!.id}/notes`, { as: agent, body: { body: "Only for us" } })).body.note;
    h.graph.reset();
    const theirs = `/portfolios/${outsiderPortfolioId}`;
    const attempts: [string, string, unknown?][] = [
      ["GET", `${theirs}/conversations/${conversation.id}`],
      ["GET", `${theirs}/conversations/${conversation.id}/messages`],
      ["POST", `${theirs}/conversations/${conversation.id}/replies`, { text: "leak" }],
      ["PUT", `${theirs}/conversations/${conversation.id}/mode`, { mode: "manual" }],
      ["POST", `${theirs}/conversations/${conversation.id}/read`],
      ["GET", `${theirs}/customers/${customer!.id}`],
      ["GET", `${theirs}/customers/${customer!.id}/notes`],
      ["POST", `${theirs}/customers/${customer!.id}/notes`, { body: "planted" }],
      ["PATCH", `${theirs}/customers/${customer!.id}/notes/${note.id}`, { body: "defaced" }],
      ["DELETE", `${theirs}/customers/${customer!.id}/notes/${note.id}`],
      // Their own conversation path is open to them, but ours is not.
      ["GET", `${base()}/conversations/${conversation.id}`],
      ["GET", `${base()}/conversations`],
    ];
    for (const [method, path, body] of attempts) {
      const res = await api(h, method, path, { as: outsider, body });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.text).not.toContain("Alice");
      expect(res.text).not.toContain("Only for us");
    }
    expect((await api(h, "GET", `${theirs}/conversations`, { as: outsider })).body).toEqual({ conversations: [], nextCursor: null });
    await h.settle();
    expect(h.graph.sends).toHaveLength(0);
    expect(await conversationOf("15550100001")).toMatchObject({ mode: "ai", unreadCount: 1 });
    const notes = (await api(h, "GET", `${base()}/customers/${customer!.id}/notes`, { as: agent })).body.notes;
    expect(notes.map((n: any) => n.body)).toEqual(["Only for us"]);
  });

  it("answers 401 to anonymous callers", async () => {
    expect((await api(h, "GET", `${base()}/conversations`)).status).toBe(401);
  });
});
