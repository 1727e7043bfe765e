// Deleting a portfolio and deleting one's own account (issue 6 item 1). Two portfolios are filled
// through the API and real webhooks; one is deleted; then every table of the Drizzle schema and
// every cache key is scanned for anything that names it, and the other must be as it was.
import { randomUUID } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryEventLog } from "../src/cache/memory.js";
import { rowsOf } from "../src/db/client.js";
import * as schema from "../src/db/schema/index.js";
import { metaError, pageMessage, postWebhook, waStatus, waText } from "./fakes/index.js";
import { api, type ApiResponse, type ApiUser, memberOf, signedInUser } from "./support/api-client.js";
import { type ChannelHarness, startChannelsCosbot } from "./support/channels.js";
import { dumpTables, rowsNaming, schemaTableNames } from "./support/schema-scan.js";

let h: ChannelHarness;
let ids = 0;
const numericId = () => `${Date.now()}${String(++ids).padStart(3, "0")}`;

/** Tables that never hold a portfolio's data, and why; every other table must be filled by buildPortfolio. */
const noPortfolioData: Record<string, string> = {
  user: "people, who outlive the portfolios they belonged to",
  account: "a user's GitHub sign-in",
  verification: "one-time sign-in values",
  deletion_request: "Meta's data-deletion requests name no portfolio or channel on purpose",
};

interface Built {
  owner: ApiUser;
  admin: ApiUser & { memberId: string };
  agent: ApiUser & { memberId: string };
  portfolioId: string;
  name: string;
  channelIds: string[];
  wabaId: string;
  pageId: string;
  appSecret: string;
  /** Every id that belongs to the portfolio: its own, its channels', customers' and conversations'. */
  ids: () => Promise<string[]>;
}

/** A portfolio with data in every table: channels connected through the API, webhooks, replies, notes, members. */
async function buildPortfolio(label: string): Promise<Built> {
  const owner = await signedInUser(h, { name: `${label} Owner` });
  const name = `${label} Deli ${randomUUID().slice(0, 6)}`;
  const created = await api(h, "POST", "/portfolios", { as: owner, body: { name } });
  expect(created.status).toBe(201);
  const portfolioId: string = created.body.portfolio.id;
  const db = h.testDb.database.db;

  const appSecret = `secret_${randomUUID().replaceAll("-", "")}`;
  const number = { id: numericId(), wabaId: numericId(), token: `EAAG_${randomUUID()}` };
  h.graph.accounts.addWhatsAppNumber(number);
  const wa = await api(h, "POST", `/portfolios/${portfolioId}/channels/whatsapp`, {
    as: owner, body: { phoneNumberId: number.id, wabaId: number.wabaId, accessToken: number.token, appSecret },
  });
  expect(wa.status, wa.text).toBe(201);
  const page = { id: numericId(), token: `EAAP_${randomUUID()}` };
  h.graph.accounts.addPage(page);
  const fb = await api(h, "POST", `/portfolios/${portfolioId}/channels/messenger`, { as: owner, body: { pageId: page.id, pageToken: page.token, appSecret } });
  expect(fb.status, fb.text).toBe(201);

  const admin = await memberOf(h, portfolioId, "admin", { name: `${label} Admin` });
  const agent = await memberOf(h, portfolioId, "agent", { name: `${label} Agent` });
  const invited = await api(h, "POST", `/portfolios/${portfolioId}/invitations`, { as: owner, body: { email: `${label.toLowerCase()}-${randomUUID().slice(0, 6)}@example.test`, role: "agent" } });
  expect(invited.status, invited.text).toBe(201);
  const agentSettings = await api(h, "PATCH", `/portfolios/${portfolioId}/agent`, { as: admin, body: { instructions: `You answer for ${label}.` } });
  expect(agentSettings.status, agentSettings.text).toBe(200);

  // Webhooks: a customer on each channel, the AI's replies, and a status for a message not stored yet.
  const phone = `1555${String(Date.now()).slice(-7)}`;
  expect((await postSigned("/webhooks/whatsapp", waText({ pnid: number.id, from: phone, id: `wamid.${randomUUID()}`, body: `hello from ${label}`, name: `${label} Customer` }), appSecret)).status).toBe(200);
  expect((await postSigned("/webhooks/whatsapp", waStatus({ pnid: number.id, id: `wamid.${randomUUID()}`, status: "delivered", recipient: phone }), appSecret)).status).toBe(200);
  expect((await h.postMessenger(pageMessage({ pageId: page.id, psid: numericId(), mid: `m_${randomUUID()}`, text: `hi ${label}` }), { secret: appSecret })).status).toBe(200);
  await h.settle();

  const [customer] = await db.select().from(schema.customers).where(eq(schema.customers.portfolioId, portfolioId));
  const note = await api(h, "POST", `/portfolios/${portfolioId}/customers/${customer!.id}/notes`, { as: agent, body: { body: `${label} likes rye` } });
  expect(note.status, note.text).toBe(201);
  // The organization plugin's active portfolio of the owner's session.
  await db.update(schema.sessions).set({ activeOrganizationId: portfolioId }).where(eq(schema.sessions.userId, owner.userId));

  const channelIds = [wa.body.channel.id as string, fb.body.channel.id as string];
  return {
    owner, admin, agent, portfolioId, name, channelIds, wabaId: number.wabaId, pageId: page.id, appSecret,
    async ids() {
      const customers = await db.select({ id: schema.customers.id }).from(schema.customers).where(eq(schema.customers.portfolioId, portfolioId));
      const conversations = await db.select({ id: schema.conversations.id }).from(schema.conversations).where(eq(schema.conversations.portfolioId, portfolioId));
      return [portfolioId, ...channelIds, ...customers.map((c) => c.id), ...conversations.map((c) => c.id)];
    },
  };
}

const postSigned = (path: string, payload: object, secret: string) => postWebhook(h.url, path, payload, secret);

const dump = () => dumpTables(h.testDb.database.db);

/** Every key of the cache: KeyValue's, and on the memory cache its event logs, which live apart from them. */
async function cacheKeys(): Promise<string[]> {
  const logs = h.cache.log instanceof MemoryEventLog ? h.cache.log.keys() : [];
  return [...(await h.cache.kv.keys("")), ...logs];
}

const naming = (rows: string[], ids: string[]) => rows.filter((row) => ids.some((id) => row.includes(id)));

describe("deleting a portfolio", () => {
  let doomed: Built;
  let kept: Built;
  let doomedIds: string[];
  let keptIds: string[];
  let before: Map<string, string[]>;
  let keysBefore: string[];
  let response: ApiResponse;

  beforeAll(async () => {
    h = await startChannelsCosbot({ seed: false });
    doomed = await buildPortfolio("Doomed");
    kept = await buildPortfolio("Kept");
    doomedIds = await doomed.ids();
    keptIds = await kept.ids();
    before = await dump();
    keysBefore = await cacheKeys();
    h.graph.accounts.unsubscriptions.length = 0;
    response = await api(h, "DELETE", `/portfolios/${doomed.portfolioId}`, { as: doomed.owner, body: { confirm: doomed.name } });
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it("scans every table of the database, and each table that may hold portfolio data held some of the doomed one's", async () => {
    const inDb = rowsOf<{ name: string }>(
      await h.testDb.database.db.execute(sql`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`),
    ).map((r) => r.name);
    expect(schemaTableNames().sort()).toEqual([...inDb].sort());
    const empty = [...before].filter(([name, rows]) => !(name in noPortfolioData) && naming(rows, doomedIds).length === 0).map(([name]) => name);
    // A new table must be filled by buildPortfolio (and emptied by the deletion), or be listed in noPortfolioData with a reason.
    expect(empty).toEqual([]);
  });

  it("answers that it deleted the portfolio and unsubscribed both channels at Meta", () => {
    expect(response.status, response.text).toBe(200);
    expect(response.body.deleted).toBe(true);
    expect(response.body.unsubscribe).toEqual(
      expect.arrayContaining([
        { channelId: doomed.channelIds[0], platform: "whatsapp", ok: true },
        { channelId: doomed.channelIds[1], platform: "messenger", ok: true },
      ]),
    );
    expect(h.graph.accounts.unsubscriptions.map((u) => u.objectId).sort()).toEqual([doomed.wabaId, doomed.pageId].sort());
    expect(response.body.cache.ok).toBe(true);
    expect(response.body.cache.keysDeleted).toBeGreaterThan(0);
  });

  it("leaves no row in any table that names the portfolio or one of its channels, customers or conversations", async () => {
    expect(rowsNaming(await dump(), doomedIds)).toEqual([]);
  });

  it("leaves the other portfolio's rows exactly as they were", async () => {
    const after = await dump();
    for (const [name, rows] of before) expect(naming(after.get(name)!, keptIds), name).toEqual(naming(rows, keptIds));
    expect(naming(before.get("message")!, keptIds).length).toBeGreaterThan(0);
  });

  it("leaves no cache key that names the portfolio or its channels, and keeps the other's", async () => {
    // There were some: dedup markers of both portfolios' channels, and the API's rate-limit counters (per client, naming no portfolio).
    expect(keysBefore.filter((k) => doomed.channelIds.some((id) => k.startsWith(`dedup:${id}:`))).length).toBeGreaterThan(0);
    expect(keysBefore.some((k) => k.startsWith("ratelimit:"))).toBe(true);
    // And the live-update log of each portfolio, for browsers that reconnect.
    expect(keysBefore.filter((k) => k.includes(doomed.portfolioId)).length).toBeGreaterThan(0);
    const keys = await cacheKeys();
    expect(keys.filter((k) => doomedIds.some((id) => k.includes(id)))).toEqual([]);
    expect(keys.filter((k) => kept.channelIds.some((id) => k.includes(id))).length).toBeGreaterThan(0);
    expect(keys.filter((k) => k.includes(kept.portfolioId)).length).toBeGreaterThan(0);
  });

  it("no longer routes the deleted channels' webhooks, and the other portfolio still works", async () => {
    const res = await h.postMessenger(pageMessage({ pageId: doomed.pageId, psid: numericId(), mid: `m_${randomUUID()}`, text: "anyone there?" }), { secret: doomed.appSecret });
    // The channel's own app secret went with it, so the signature cannot be checked any more.
    expect(res.status).toBe(401);
    const rows = await h.testDb.database.db.select().from(schema.customers).where(eq(schema.customers.portfolioId, doomed.portfolioId));
    expect(rows).toEqual([]);
    const gone = await api(h, "GET", `/portfolios/${doomed.portfolioId}`, { as: doomed.owner });
    expect(gone.status).toBe(404);
    const still = await api(h, "GET", `/portfolios/${kept.portfolioId}/conversations`, { as: kept.owner });
    expect(still.status).toBe(200);
    expect(still.body.conversations.length).toBe(2);
  });
});

describe("refusals and Meta failures", () => {
  let owner: ApiUser;
  beforeAll(async () => {
    h = await startChannelsCosbot({ seed: false });
    owner = await signedInUser(h, { name: "Solo Owner" });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  async function portfolioWithChannel(): Promise<{ portfolioId: string; name: string; channelId: string; wabaId: string }> {
    const name = `Refusal Shop ${randomUUID().slice(0, 6)}`;
    const created = await api(h, "POST", "/portfolios", { as: owner, body: { name } });
    const portfolioId = created.body.portfolio.id as string;
    const number = { id: numericId(), wabaId: numericId(), token: `EAAG_${randomUUID()}` };
    h.graph.accounts.addWhatsAppNumber(number);
    const wa = await api(h, "POST", `/portfolios/${portfolioId}/channels/whatsapp`, { as: owner, body: { phoneNumberId: number.id, wabaId: number.wabaId, accessToken: number.token } });
    expect(wa.status, wa.text).toBe(201);
    return { portfolioId, name, channelId: wa.body.channel.id, wabaId: number.wabaId };
  }
  const exists = async (portfolioId: string) =>
    (await h.testDb.database.db.select().from(schema.portfolios).where(eq(schema.portfolios.id, portfolioId))).length === 1;

  it("refuses admins and agents with 403 and deletes nothing", async () => {
    const p = await portfolioWithChannel();
    for (const role of ["admin", "agent"] as const) {
      const member = await memberOf(h, p.portfolioId, role);
      const res = await api(h, "DELETE", `/portfolios/${p.portfolioId}`, { as: member, body: { confirm: p.name } });
      expect(res.status, role).toBe(403);
    }
    expect(await exists(p.portfolioId)).toBe(true);
  });

  it("refuses a wrong or missing confirmation with 400 saying what to type, and deletes nothing", async () => {
    const p = await portfolioWithChannel();
    for (const body of [{}, { confirm: p.name.toUpperCase() }, { confirm: "yes" }]) {
      const res = await api(h, "DELETE", `/portfolios/${p.portfolioId}`, { as: owner, body });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(JSON.stringify(p.name));
      expect(res.body.error.fields).toEqual([{ field: "body.confirm", message: `must be ${JSON.stringify(p.name)}` }]);
    }
    expect(await exists(p.portfolioId)).toBe(true);
    expect(h.graph.accounts.unsubscriptions.filter((u) => u.objectId === p.wabaId)).toEqual([]);
  });

  it("still deletes when Meta refuses the unsubscribe, and reports the failure", async () => {
    const p = await portfolioWithChannel();
    h.graph.accounts.refusedUnsubscribes.set(p.wabaId, metaError(2, "Service temporarily unavailable", "OAuthException"));
    const res = await api(h, "DELETE", `/portfolios/${p.portfolioId}`, { as: owner, body: { confirm: p.name } });
    expect(res.status, res.text).toBe(200);
    expect(res.body.deleted).toBe(true);
    expect(res.body.unsubscribe).toEqual([{ channelId: p.channelId, platform: "whatsapp", ok: false, error: "Meta answered 2: Service temporarily unavailable" }]);
    expect(await exists(p.portfolioId)).toBe(false);
  });

  it("unsubscribes a channel when it is disconnected, and reports a refusal without undoing the disconnect", async () => {
    const p = await portfolioWithChannel();
    const ok = await api(h, "DELETE", `/portfolios/${p.portfolioId}/channels/${p.channelId}`, { as: owner });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.unsubscribe).toEqual({ channelId: p.channelId, platform: "whatsapp", ok: true });
    expect(h.graph.accounts.unsubscriptions.map((u) => u.objectId)).toContain(p.wabaId);

    const q = await portfolioWithChannel();
    h.graph.accounts.refusedUnsubscribes.set(q.wabaId, metaError(200, "(#200) Permissions error"));
    const refused = await api(h, "DELETE", `/portfolios/${q.portfolioId}/channels/${q.channelId}`, { as: owner });
    expect(refused.status).toBe(200);
    expect(refused.body.channel.state).toBe("disabled");
    expect(refused.body.unsubscribe).toMatchObject({ ok: false, error: "Meta answered 200: (#200) Permissions error" });
  });
});

describe("deleting one's own account", () => {
  beforeAll(async () => {
    h = await startChannelsCosbot({ seed: false });
  }, 60_000);
  afterAll(async () => {
    await h?.close();
  });

  it("is refused with 409 naming the portfolios left, then works once they are gone, signing the user out everywhere", async () => {
    const user = await signedInUser(h, { name: "Leaving User" });
    const name = `Leaving Shop ${randomUUID().slice(0, 6)}`;
    const created = await api(h, "POST", "/portfolios", { as: user, body: { name } });
    const portfolioId = created.body.portfolio.id as string;

    const refused = await api(h, "DELETE", "/me", { as: user, body: { confirm: user.email } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain(name);
    expect(refused.body.error.message).toContain(portfolioId);

    expect((await api(h, "DELETE", `/portfolios/${portfolioId}`, { as: user, body: { confirm: name } })).status).toBe(200);
    const wrong = await api(h, "DELETE", "/me", { as: user, body: { confirm: "someone@else.test" } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.message).toContain(user.email);

    const db = h.testDb.database.db;
    // A second session and a one-time value of the same user: both must go too.
    const second = await signedInUser(h, { email: `second-${randomUUID().slice(0, 6)}@example.test` });
    await db.update(schema.sessions).set({ userId: user.userId }).where(eq(schema.sessions.userId, second.userId));
    await db.insert(schema.verifications).values({ id: randomUUID(), identifier: randomUUID(), value: JSON.stringify({ email: user.email }), expiresAt: new Date(Date.now() + 60_000) });
    // Someone else's link whose address merely ends in theirs stays.
    const bystanderLink = { id: randomUUID(), identifier: randomUUID(), value: JSON.stringify({ email: `jo${user.email}` }), expiresAt: new Date(Date.now() + 60_000) };
    await db.insert(schema.verifications).values(bystanderLink);
    expect((await api(h, "GET", "/me", { as: second })).status).toBe(200);

    const deleted = await api(h, "DELETE", "/me", { as: user, body: { confirm: user.email.toUpperCase() } });
    expect(deleted.status, deleted.text).toBe(200);
    expect(deleted.body).toEqual({ deleted: true });
    expect((await api(h, "GET", "/me", { as: user })).status).toBe(401);
    expect((await api(h, "GET", "/me", { as: second })).status).toBe(401);

    // The bystander's link stayed; without it, nothing names them.
    expect(await db.delete(schema.verifications).where(eq(schema.verifications.id, bystanderLink.id)).returning()).toHaveLength(1);
    const lowered = new Map([...(await dumpTables(db))].map(([table, rows]) => [table, rows.map((r) => r.toLowerCase())]));
    expect(rowsNaming(lowered, [user.userId.toLowerCase(), user.email.toLowerCase()])).toEqual([]);
  });

  it("is in the OpenAPI document, with the portfolio's deletion and the customer's export and erasure", async () => {
    const doc = await api(h, "GET", "/openapi.json");
    expect(doc.status).toBe(200);
    const paths = doc.body.paths as Record<string, Record<string, { summary: string; requestBody?: unknown }>>;
    for (const [path, method] of [
      ["/api/me", "delete"],
      ["/api/portfolios/{portfolioId}", "delete"],
      ["/api/portfolios/{portfolioId}/customers/{customerId}", "delete"],
      ["/api/portfolios/{portfolioId}/customers/{customerId}/export", "get"],
    ] as const) {
      expect(paths[path]?.[method]?.summary, `${method} ${path}`).toBeTruthy();
      if (method === "delete") expect(paths[path]![method]!.requestBody, `${path} takes its typed confirmation`).toBeDefined();
    }
  });

  it("leaves other users alone", async () => {
    const other = await signedInUser(h, { name: "Staying User" });
    const leaving = await signedInUser(h, { name: "Going User" });
    expect((await api(h, "DELETE", "/me", { as: leaving, body: { confirm: leaving.email } })).status).toBe(200);
    expect((await api(h, "GET", "/me", { as: other })).status).toBe(200);
  });
});
