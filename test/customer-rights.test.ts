// A customer's rights (issue 6 item 3): an admin exports everything stored about one customer, then
// erases them. The customer has a real conversation made of signed webhooks, the agent's answers
// through the fake OpenAI, a person's reply, statuses and notes. After the erasure a scan of every
// table of the Drizzle schema (the list is never written by hand) and of the cache finds nothing
// of theirs, and another customer of the same portfolio is untouched.
import { asc, eq } from "drizzle-orm";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LiveEnvelope } from "../src/cache/live-events.js";
import * as schema from "../src/db/schema/index.js";
import { waStatus } from "./fakes/index.js";
import { api, type ApiResponse, type ApiUser, memberOf, signedInUser } from "./support/api-client.js";
import { eventually } from "./support/channels.js";
import { type Harness, PNID, startCosbot } from "./support/cosbot-under-test.js";
import { customerImage, customerText } from "./support/payloads.js";
import { dumpTables, rowsNaming, schemaTableNames } from "./support/schema-scan.js";

const erased = { phone: "15557001001", name: "Ingrid Erasable", texts: ["Ingrid asks about the blue kettle", "Ingrid sends a receipt photo", "Ingrid says thanks"] };
const kept = { phone: "15557001002", name: "Bruno Keeper", text: "Bruno wants the opening hours" };
const notesOfErased = ["Ingrid prefers mornings", "Ingrid is a wholesale buyer"];

let h: Harness;
let owner: ApiUser & { memberId: string };
let admin: ApiUser & { memberId: string };
let agent: ApiUser & { memberId: string };
let outsider: ApiUser;
let outsiderPortfolioId: string;
let customerId: string;
let conversationId: string;
let keptCustomerId: string;

const db = () => h.testDb.database.db;
const base = () => `/portfolios/${h.portfolioId}`;
const confirm = { confirm: "erase" };

async function customerByPhone(phone: string) {
  const [row] = await db().select().from(schema.customers).where(eq(schema.customers.platformUserId, phone));
  return row;
}
const messagesOf = (conversation: string) =>
  db().select().from(schema.messages).where(eq(schema.messages.conversationId, conversation)).orderBy(asc(schema.messages.id));
const conversationOfCustomer = async (id: string) =>
  (await db().select().from(schema.conversations).where(eq(schema.conversations.customerId, id)))[0]!;

/** Everything of one customer, as rows: what must stay exactly as it was for the customer we keep. */
async function everythingOf(id: string) {
  const conversation = await conversationOfCustomer(id);
  return {
    customer: await db().select().from(schema.customers).where(eq(schema.customers.id, id)),
    conversation,
    messages: await messagesOf(conversation.id),
    notes: await db().select().from(schema.notes).where(eq(schema.notes.customerId, id)),
  };
}

beforeAll(async () => {
  h = await startCosbot();
  h.openai.reply = (request) => `Thanks for writing, we read: ${request.messages.length} messages`;
  owner = await memberOf(h, h.portfolioId, "owner", { name: "Olivia Owner" });
  admin = await memberOf(h, h.portfolioId, "admin", { name: "Adam Admin" });
  agent = await memberOf(h, h.portfolioId, "agent", { name: "Ana Agent" });
  outsider = await signedInUser(h, { name: "Olga Outsider" });
  const created = await api(h, "POST", "/portfolios", { as: outsider, body: { name: "Other Shop" } });
  expect(created.status).toBe(201);
  outsiderPortfolioId = created.body.portfolio.id;

  // The customer to erase: text, then a photo, the agent answering each, statuses both ways.
  expect((await h.post(customerText("wamid.ERASE_IN_1", erased.texts[0]!, erased.phone, erased.name))).status).toBe(200);
  await h.settle();
  expect((await h.post(customerImage("wamid.ERASE_IN_2", erased.texts[1]!, erased.phone))).status).toBe(200);
  await h.settle();
  customerId = (await customerByPhone(erased.phone))!.id;
  conversationId = (await conversationOfCustomer(customerId)).id;
  const aiReplies = (await messagesOf(conversationId)).filter((m) => m.author === "ai" && m.platformMessageId);
  expect(aiReplies.length).toBeGreaterThanOrEqual(2);
  for (const status of ["delivered", "read"] as const) {
    await h.post(waStatus({ pnid: PNID, id: aiReplies[0]!.platformMessageId!, status, recipient: erased.phone }));
  }
  await h.post(waStatus({ pnid: PNID, id: aiReplies[1]!.platformMessageId!, status: "failed", recipient: erased.phone, errors: [{ code: 131047, title: "Re-engagement message", message: "More than 24 hours" }] }));
  // A person takes over and answers; the customer writes once more.
  const reply = await api(h, "POST", `${base()}/conversations/${conversationId}/replies`, { as: admin, body: { text: "Adam here, the kettle is back on Monday" } });
  expect(reply.status).toBe(202);
  await h.settle();
  await h.post(customerText("wamid.ERASE_IN_3", erased.texts[2]!, erased.phone, erased.name));
  await h.settle();
  for (const [i, body] of notesOfErased.entries()) {
    const note = await api(h, "POST", `${base()}/customers/${customerId}/notes`, { as: i === 0 ? owner : admin, body: { body } });
    expect(note.status).toBe(201);
  }
  // A status kept for one of their messages: normally applied when the message is stored, so it
  // is written directly here to prove that export and erasure both cover the table.
  await db().insert(schema.pendingStatuses).values({ channelId: h.channelId, platformMessageId: "wamid.ERASE_IN_3", status: "read", occurredAt: new Date() });

  // The customer who stays.
  await h.post(customerText("wamid.KEEP_IN_1", kept.text, kept.phone, kept.name));
  await h.settle();
  keptCustomerId = (await customerByPhone(kept.phone))!.id;
  expect((await api(h, "POST", `${base()}/customers/${keptCustomerId}/notes`, { as: owner, body: { body: "Bruno pays cash" } })).status).toBe(201);
}, 90_000);

afterAll(async () => {
  await h?.close();
});

describe("exporting a customer", () => {
  it("downloads every stored message of theirs, with statuses, notes and pending statuses, as a JSON attachment", async () => {
    const res = await api(h, "GET", `${base()}/customers/${customerId}/export`, { as: admin });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="customer-${customerId}.json"`);
    const doc = res.body;
    expect(doc).toMatchObject({ format: "cosbot.customer-export", formatVersion: 1, portfolioId: h.portfolioId });
    expect(Math.abs(Date.parse(doc.exportedAt) - Date.now())).toBeLessThan(60_000);
    expect(doc.customer).toMatchObject({ id: customerId, platform: "whatsapp", platformUserId: erased.phone, profileName: erased.name, channel: { id: h.channelId, externalId: PNID } });
    expect(doc.customer.firstSeenAt).toBeTruthy();
    expect(doc.customer.lastSeenAt).toBeTruthy();

    const rows = await messagesOf(conversationId);
    expect(doc.conversations).toHaveLength(1);
    const exported = doc.conversations[0];
    expect(exported.id).toBe(conversationId);
    expect(exported.mode).toBe("manual");
    // Every stored message, in order, and every value of every column of it, whatever the export
    // calls it: a column added to the table and left out of the export fails here. The ids that
    // place a message (portfolio, conversation, channel) are given once, above.
    expect(exported.messages.map((m: { id: string }) => m.id)).toEqual(rows.map((m) => String(m.id)));
    const placing = new Set(["portfolioId", "conversationId", "channelId"]);
    for (const [i, row] of rows.entries()) {
      const text = JSON.stringify(exported.messages[i]);
      for (const [column, value] of Object.entries(row)) {
        if (value !== null && !placing.has(column)) expect(text, `message ${row.id}, column ${column}`).toContain(JSON.stringify(value));
      }
    }
    expect(exported.messages.every((m: { times: { storedAt: string } }) => m.times.storedAt)).toBe(true);
    // Both ways, every author, and the statuses the webhooks set.
    const by = (author: string) => exported.messages.filter((m: { author: { kind: string } }) => m.author.kind === author);
    expect(by("customer").map((m: { text: string }) => m.text)).toEqual([erased.texts[0], expect.stringContaining(erased.texts[1]!), erased.texts[2]]);
    expect(by("customer")[1]).toMatchObject({ kind: "image", details: expect.objectContaining({ mimeType: "image/jpeg", mediaId: "media-wamid.ERASE_IN_2" }) });
    expect(by("ai")[0]).toMatchObject({ status: "read", times: { deliveredAt: expect.any(String), readAt: expect.any(String) } });
    expect(by("ai")[1]).toMatchObject({ status: "failed", error: { code: "131047" } });
    expect(by("member")[0]).toMatchObject({ text: "Adam here, the kettle is back on Monday", status: "sent", author: { memberId: admin.memberId } });

    expect(doc.notes.map((n: { body: string }) => n.body)).toEqual(notesOfErased);
    expect(doc.notes[0]).toMatchObject({ author: { memberId: owner.memberId, name: "Olivia Owner" }, createdAt: expect.any(String), updatedAt: expect.any(String) });
    expect(doc.notes[1].author).toEqual({ memberId: admin.memberId, name: "Adam Admin" });
    expect(doc.pendingStatuses).toEqual([expect.objectContaining({ platformMessageId: "wamid.ERASE_IN_3", status: "read" })]);
    // Nothing of the other customer.
    expect(res.text).not.toContain(kept.text);
    expect(res.text).not.toContain(kept.phone);
  });

  it("is for owners and admins: an agent gets 403, another portfolio's member 404, under either portfolio id", async () => {
    const asAgent = await api(h, "GET", `${base()}/customers/${customerId}/export`, { as: agent });
    expect(asAgent.status).toBe(403);
    expect(asAgent.body.error.code).toBe("forbidden");
    expect((await api(h, "GET", `${base()}/customers/${customerId}/export`, { as: owner })).status).toBe(200);
    const foreign = await api(h, "GET", `${base()}/customers/${customerId}/export`, { as: outsider });
    expect(foreign.status).toBe(404);
    const ownPortfolio = await api(h, "GET", `/portfolios/${outsiderPortfolioId}/customers/${customerId}/export`, { as: outsider });
    expect(ownPortfolio.status).toBe(404);
    for (const res of [asAgent, foreign, ownPortfolio]) expect(res.text).not.toContain(erased.texts[0]);
    expect((await api(h, "GET", `${base()}/customers/no-such-customer/export`, { as: admin })).status).toBe(404);
  });
});

describe("erasing a customer", () => {
  it("refuses without the typed confirmation, saying what to type, and removes nothing", async () => {
    const before = await messagesOf(conversationId);
    for (const body of [{}, { confirm: "yes" }, { confirm: "ERASE" }]) {
      const res = await api(h, "DELETE", `${base()}/customers/${customerId}`, { as: owner, body });
      expect(res.status).toBe(400);
      expect(res.body.error.fields.map((f: { field: string }) => f.field)).toEqual(["body.confirm"]);
      expect(res.body.error.message).toContain('"erase"');
    }
    expect(await messagesOf(conversationId)).toEqual(before);
  });

  it("refuses an agent (403) and another portfolio's member (404), and removes nothing", async () => {
    const asAgent = await api(h, "DELETE", `${base()}/customers/${customerId}`, { as: agent, body: confirm });
    expect(asAgent.status).toBe(403);
    expect((await api(h, "DELETE", `${base()}/customers/${customerId}`, { as: outsider, body: confirm })).status).toBe(404);
    expect((await api(h, "DELETE", `/portfolios/${outsiderPortfolioId}/customers/${customerId}`, { as: outsider, body: confirm })).status).toBe(404);
    expect(await customerByPhone(erased.phone)).toBeDefined();
    expect((await messagesOf(conversationId)).length).toBeGreaterThan(0);
  });

  it("removes the customer and everything of theirs, tells open inboxes, and leaves the other customer as it was", async () => {
    const rowsBefore = await messagesOf(conversationId);
    const platformIds = rowsBefore.flatMap((m) => (m.platformMessageId ? [m.platformMessageId] : []));
    const keptBefore = await everythingOf(keptCustomerId);
    const keptMarkersBefore = await h.cache.kv.keys(`dedup:${h.channelId}:wamid.KEEP_`);
    expect(keptMarkersBefore.length).toBeGreaterThan(0);
    const markersBefore = (await h.cache.kv.keys(`dedup:${h.channelId}:`)).filter((k) => platformIds.some((id) => k.endsWith(`:${id}`)));
    expect(markersBefore.length).toBeGreaterThan(0);
    const heard: LiveEnvelope[] = [];
    const unsubscribe = await h.cosbot.live.subscribe(h.portfolioId, (e) => heard.push(e));
    // An event from before the erasure: its catch-up log held their message texts.
    await h.cosbot.live.publish(h.portfolioId, { type: "conversation.changed", conversationId });
    await waitFor(() => heard.length > 0);
    const beforeId = heard[0]!.id;
    expect(await h.cosbot.live.readSince(h.portfolioId, beforeId)).toEqual([]);

    const res = await api(h, "DELETE", `${base()}/customers/${customerId}`, { as: admin, body: confirm });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      customerId,
      removed: {
        customers: 1,
        conversations: 1,
        messages: rowsBefore.length,
        notes: notesOfErased.length,
        workItems: expect.any(Number),
        pendingStatuses: 1,
        cacheKeys: markersBefore.length,
      },
    });
    expect(res.body.removed.workItems).toBeGreaterThan(0);
    await waitFor(() => heard.some((e) => e.id !== beforeId));
    await unsubscribe();
    expect(heard.slice(1).map((e) => JSON.parse(e.data))).toEqual([{ type: "conversation.changed", conversationId }]);
    // The log that held their texts is gone: a browser reconnecting from before refetches.
    expect(await h.cosbot.live.readSince(h.portfolioId, beforeId)).toBeUndefined();

    // No table holds a row that names them, their conversation, their number, their messages or notes.
    expect(schemaTableNames()).toEqual(expect.arrayContaining(["customer", "conversation", "message", "note", "pending_status", "work_item"]));
    const needles = [customerId, conversationId, erased.phone, erased.name, ...erased.texts, ...notesOfErased, ...platformIds, "Adam here, the kettle"];
    expect(rowsNaming(await dumpTables(db()), needles)).toEqual([]);
    // Nor any cache key.
    // A shared Redis also holds other runs' markers of the same message ids, under their own channels.
    const ours = (key: string) => !key.startsWith("dedup:") || key.startsWith(`dedup:${h.channelId}:`);
    const keysLeft = (await h.cache.kv.keys("")).filter((k) => ours(k) && needles.some((n) => k.includes(n)));
    expect(keysLeft).toEqual([]);

    // The other customer: every row as it was, and their dedup markers kept.
    expect(await everythingOf(keptCustomerId)).toEqual(keptBefore);
    expect(await h.cache.kv.keys(`dedup:${h.channelId}:wamid.KEEP_`)).toEqual(keptMarkersBefore);
    const keptExport = await api(h, "GET", `${base()}/customers/${keptCustomerId}/export`, { as: admin });
    expect(keptExport.status).toBe(200);
    expect(keptExport.body.conversations[0].messages.map((m: { text: string }) => m.text)).toContain(kept.text);

    // Gone through the API as well.
    expect((await api(h, "GET", `${base()}/customers/${customerId}`, { as: admin })).status).toBe(404);
    expect((await api(h, "GET", `${base()}/customers/${customerId}/export`, { as: admin })).status).toBe(404);
    expect((await api(h, "DELETE", `${base()}/customers/${customerId}`, { as: admin, body: confirm })).status).toBe(404);
    const list = await api(h, "GET", `${base()}/conversations`, { as: admin });
    expect(list.body.conversations.map((c: { id: string }) => c.id)).not.toContain(conversationId);
  });

  it("lets the erased person write again: they start afresh as a new customer", async () => {
    await h.post(customerText("wamid.ERASE_AGAIN_1", "Hello again", erased.phone, erased.name));
    await h.settle();
    const again = await customerByPhone(erased.phone);
    expect(again).toBeDefined();
    expect(again!.id).not.toBe(customerId);
    const messages = await messagesOf((await conversationOfCustomer(again!.id)).id);
    expect(messages.filter((m) => m.direction === "in").map((m) => m.text)).toEqual(["Hello again"]);
  });

  it("answers Meta 200 for a message that arrives while its customer is being erased, and leaves nothing half there", async () => {
    for (const round of [1, 2, 3]) {
      const phone = `1555700200${round}`;
      expect((await h.post(customerText(`wamid.RACE_${round}_A`, "before the erasure", phone, "Rita Race"))).status).toBe(200);
      await h.settle();
      const before = (await customerByPhone(phone))!.id;
      // Fired together: the webhook either commits first and is erased with the rest, or waits for
      // the erasure's lock and then starts a new customer.
      const [erase, hook] = await Promise.all([
        api(h, "DELETE", `${base()}/customers/${before}`, { as: admin, body: confirm }),
        h.post(customerText(`wamid.RACE_${round}_B`, "during the erasure", phone, "Rita Race")),
      ]);
      expect(erase.status, erase.text).toBe(200);
      expect(hook.status).toBe(200);
      await h.settle();
      const after = await customerByPhone(phone);
      const late = await db().select().from(schema.messages).where(eq(schema.messages.platformMessageId, `wamid.RACE_${round}_B`));
      if (after) {
        expect(after.id).not.toBe(before);
        expect(late).toHaveLength(1);
        expect(late[0]!.conversationId).toBe((await conversationOfCustomer(after.id)).id);
      } else {
        expect(late).toEqual([]);
      }
      expect(await db().select().from(schema.customers).where(eq(schema.customers.id, before))).toEqual([]);
    }
  });

  it("answers Meta 200 for a message that waits for the erasure's lock, and starts a new customer with it", async () => {
    const phone = "15557002009";
    expect((await h.post(customerText("wamid.LOCKED_A", "before the erasure", phone, "Lena Locked"))).status).toBe(200);
    await h.settle();
    const before = (await customerByPhone(phone))!.id;
    let erase: Promise<ApiResponse>;
    let hook: Promise<Response>;
    if (h.testDb.url) {
      // Real Postgres: a third connection holds the customer's row, so that the erasure queues for
      // it first and the webhook second; then it lets go, and the erasure runs while the webhook waits.
      const sql = postgres(h.testDb.url, { max: 2, onnotice: () => {} });
      try {
        const lockWaiters = async (n: number) =>
          eventually(async () => {
            const [row] = await sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
            if (row!.n < n) throw new Error(`${row!.n} of ${n} waiting for the lock`);
          });
        let release!: () => void;
        const held = new Promise<void>((resolve) => (release = resolve));
        let locked!: () => void;
        const isLocked = new Promise<void>((resolve) => (locked = resolve));
        const blocker = sql.begin(async (tx) => {
          await tx`select id from customer where id = ${before} for update`;
          locked();
          await held;
        });
        await isLocked;
        erase = api(h, "DELETE", `${base()}/customers/${before}`, { as: admin, body: confirm });
        await lockWaiters(1);
        hook = h.post(customerText("wamid.LOCKED_B", "during the erasure", phone, "Lena Locked"));
        await lockWaiters(2);
        release();
        await blocker;
      } finally {
        await sql.end();
      }
    } else {
      // PGlite has one connection: its transactions run one after the other, the erasure's first here.
      erase = api(h, "DELETE", `${base()}/customers/${before}`, { as: admin, body: confirm });
      await erase;
      hook = h.post(customerText("wamid.LOCKED_B", "during the erasure", phone, "Lena Locked"));
    }
    expect((await erase).status).toBe(200);
    expect((await hook).status).toBe(200);
    await h.settle();
    const after = await customerByPhone(phone);
    expect(after!.id).not.toBe(before);
    const inbound = (await messagesOf((await conversationOfCustomer(after!.id)).id)).filter((m) => m.direction === "in");
    expect(inbound.map((m) => m.text)).toEqual(["during the erasure"]);
  });
});

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 20));
  }
}
