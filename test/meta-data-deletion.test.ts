// Meta's data-deletion and deauthorize callbacks (issue 6 item 2): a signed_request names the
// Facebook user who connected channels; their channels are disconnected (tokens wiped) and their id
// forgotten, across portfolios; the status page tells the request's state. Wrong signatures are 403
// and change nothing; anything malformed is 400, never 500.
import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { signRequest } from "../src/channels/meta/signed-request.js";
import { type MetaCallbackDeps, metaCallbackRoutes } from "../src/http/routes/meta-callbacks.js";
import type { ChannelCredentials } from "../src/core/ports.js";
import { channels, conversations, deletionRequests, messages } from "../src/db/schema/index.js";
import { pageMessage, postWebhook } from "./fakes/index.js";
import { api, type ApiUser } from "./support/api-client.js";
import { type ChannelHarness, OUR_APP_ID } from "./support/channels.js";
import { channelsServer } from "./support/channels-server.js";
import { dumpTables, rowsNaming } from "./support/schema-scan.js";

const META_SECRET = "meta_app_secret_for_deletion_tests";
const PUBLIC_URL = "http://cosbot.example.test";

const server = channelsServer({ env: { META_APP_SECRET: META_SECRET, PUBLIC_URL }, outsiderName: "Olga Other" });
let h: ChannelHarness;
let admin: ApiUser;
/** Another owner's portfolio, where the same Facebook user connected a channel too. */
let otherPortfolio: string;
let otherOwner: ApiUser;
beforeAll(() => {
  ({ h, admin, outsider: otherOwner, outsiderPortfolioId: otherPortfolio } = server);
});

let ids = 0;
const newId = () => `${Date.now()}${String(++ids).padStart(3, "0")}`;
const newToken = (name: string) => `${name}_${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
/** ASIDs are numeric strings. */
const newAsid = () => `10${newId()}`;

const db = () => h.testDb.database.db;
const deletionRows = () => db().select().from(deletionRequests);
const channelRow = async (id: string) => (await db().select().from(channels).where(eq(channels.id, id)))[0]!;
const openCredentials = (row: typeof channels.$inferSelect) => h.cosbot.box.openJson<ChannelCredentials>(row.credentials);

/** Connects channels through the API, each with a token the fake says `metaUserId` granted. */
async function connectWhatsApp(metaUserId: string | undefined, as = admin, portfolioId = h.portfolioId) {
  const n = { id: newId(), wabaId: newId(), token: newToken("EAAG_WA"), metaUserId };
  h.graph.accounts.addWhatsAppNumber(n);
  const res = await api(h, "POST", `/portfolios/${portfolioId}/channels/whatsapp`, { as, body: { phoneNumberId: n.id, wabaId: n.wabaId, accessToken: n.token } });
  expect(res.status, res.text).toBe(201);
  return { id: res.body.channel.id as string, token: n.token, externalId: n.id, responseText: res.text };
}
async function connectMessenger(metaUserId: string | undefined) {
  const page = { id: newId(), token: newToken("EAAG_PAGE"), metaUserId };
  h.graph.accounts.addPage(page);
  const res = await api(h, "POST", `/portfolios/${h.portfolioId}/channels/messenger`, { as: admin, body: { pageId: page.id, pageToken: page.token, appSecret: "page_app_secret" } });
  expect(res.status, res.text).toBe(201);
  return { id: res.body.channel.id as string, token: page.token, externalId: page.id };
}
async function connectInstagramViaPage(metaUserId: string) {
  const page = { id: newId(), token: newToken("EAAG_IGPAGE"), metaUserId, instagramAccountId: `1784${newId()}` };
  h.graph.accounts.addPage(page);
  const res = await api(h, "POST", `/portfolios/${h.portfolioId}/channels/instagram`, {
    as: admin, body: { accountId: page.instagramAccountId, token: page.token, login: "facebook", pageId: page.id },
  });
  expect(res.status, res.text).toBe(201);
  return { id: res.body.channel.id as string, token: page.token, externalId: page.instagramAccountId };
}

function callback(path: "data-deletion" | "deauthorize", body: string | undefined, contentType = "application/x-www-form-urlencoded") {
  return fetch(`${h.url}/meta/${path}`, { method: "POST", headers: body === undefined ? {} : { "content-type": contentType }, body });
}
const form = (signedRequest: string) => `signed_request=${encodeURIComponent(signedRequest)}`;
const signedFor = (userId: string, secret = META_SECRET, extra: object = {}) =>
  signRequest({ algorithm: "HMAC-SHA256", expires: Math.floor(Date.now() / 1000) + 3600, issued_at: Math.floor(Date.now() / 1000), user_id: userId, ...extra }, secret);
const statusPage = (code: string) => fetch(`${h.url}/meta/data-deletion/status?code=${encodeURIComponent(code)}`);


describe("connecting a channel records the Meta user behind its token", () => {
  it("asks debug_token with the app token, stores the user id, and never shows it in the API", async () => {
    const asid = newAsid();
    const wa = await connectWhatsApp(asid);
    expect((await channelRow(wa.id)).connectedByMetaUserId).toBe(asid);
    const debug = h.graph.requests.find((r) => r.path === "/v24.0/debug_token")!;
    expect(debug.query.input_token).toBe(wa.token);
    expect(debug.headers.authorization).toBe(`Bearer ${OUR_APP_ID}|${META_SECRET}`);
    expect(wa.responseText).not.toContain(asid);
    const listed = await api(h, "GET", `/portfolios/${h.portfolioId}/channels`, { as: admin });
    expect(listed.text).not.toContain(asid);
  });

  it("connects all the same when Meta names no user for the token", async () => {
    const page = await connectMessenger(undefined);
    expect((await channelRow(page.id)).connectedByMetaUserId).toBeNull();
  });
});

describe("POST /meta/data-deletion", () => {
  it("with a correct signature disconnects that user's channels in every portfolio, keeps conversations, and reports completed", async () => {
    const asid = newAsid();
    const bystander = newAsid();
    const wa = await connectWhatsApp(asid);
    const page = await connectMessenger(asid);
    const ig = await connectInstagramViaPage(asid);
    const elsewhere = await connectWhatsApp(asid, otherOwner, otherPortfolio);
    const untouched = await connectMessenger(bystander);
    // A customer conversation on the Page: the business's, so it stays.
    const hook = await postWebhook(h.url, "/webhooks/messenger", pageMessage({ pageId: page.externalId, psid: "PSID_DELETION_1", mid: `m_DEL_${newId()}`, text: "hi" }), "page_app_secret");
    expect(hook.status).toBe(200);
    await h.settle();
    const before = await db().select().from(conversations).where(eq(conversations.channelId, page.id));
    expect(before).toHaveLength(1);

    const res = await callback("data-deletion", form(signedFor(asid)));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const body = (await res.json()) as { url: string; confirmation_code: string };
    expect(Object.keys(body).sort()).toEqual(["confirmation_code", "url"]);
    expect(body.confirmation_code).toMatch(/^[A-Za-z0-9]{20}$/);
    expect(body.url).toBe(`${PUBLIC_URL}/meta/data-deletion/status?code=${body.confirmation_code}`);

    for (const c of [wa, page, ig, elsewhere]) {
      const row = await channelRow(c.id);
      expect(row).toMatchObject({ state: "disabled", connectedByMetaUserId: null, tokenExpiresAt: null });
      expect(row.stateReason).toMatch(/Meta/);
      expect(openCredentials(row)).toEqual({ accessToken: "" });
    }
    // No stored credentials anywhere still hold one of that user's tokens; the bystander's channel is as it was.
    const all = await db().select().from(channels);
    const opened = JSON.stringify(all.map((row) => openCredentials(row)));
    for (const c of [wa, page, ig, elsewhere]) expect(opened).not.toContain(c.token);
    expect(JSON.stringify(all)).not.toContain(asid);
    const kept = await channelRow(untouched.id);
    expect(kept).toMatchObject({ state: "active", connectedByMetaUserId: bystander });
    expect(openCredentials(kept).accessToken).toBe(untouched.token);
    // The conversation and its message stay with the business.
    expect(await db().select().from(conversations).where(eq(conversations.channelId, page.id))).toHaveLength(1);
    expect((await db().select().from(messages).where(eq(messages.channelId, page.id))).filter((m) => m.direction === "in").map((m) => m.text)).toEqual(["hi"]);

    const [request] = await db().select().from(deletionRequests).where(eq(deletionRequests.confirmationCode, body.confirmation_code));
    expect(request).toMatchObject({ state: "completed", channelsDisabled: 4, userIdsRemoved: 4, failureReason: null });
    expect(request!.completedAt).toBeInstanceOf(Date);
    // The request itself forgot who asked: no table holds the user id any more.
    expect(rowsNaming(await dumpTables(db()), [asid])).toEqual([]);

    const status = await fetch(body.url.replace(PUBLIC_URL, h.url));
    expect(status.status).toBe(200);
    expect(status.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await status.text();
    expect(html).toContain("Completed: the data linked to your Facebook account has been deleted.");
    expect(html).toContain("4 connected channels were disconnected");
    expect(html).toContain(body.confirmation_code);
    expect(html).toMatch(/conversations those channels carried stay with the business/);
    expect(html).not.toContain(asid);

    // Webhooks for a disconnected channel are no longer routed to it.
    const after = await postWebhook(h.url, "/webhooks/messenger", pageMessage({ pageId: page.externalId, psid: "PSID_DELETION_1", mid: `m_DEL_${newId()}`, text: "again" }), "page_app_secret");
    expect(after.status).not.toBe(500);
    expect((await db().select().from(messages).where(eq(messages.channelId, page.id))).filter((m) => m.direction === "in").map((m) => m.text)).toEqual(["hi"]);
  });

  it("answers a request for a user with nothing stored with a completed request that removed nothing", async () => {
    const res = await callback("data-deletion", form(signedFor(newAsid())));
    expect(res.status).toBe(200);
    const { confirmation_code: code } = (await res.json()) as { confirmation_code: string };
    const html = await (await statusPage(code)).text();
    expect(html).toContain("Completed");
    expect(html).toContain("0 connected channels were disconnected");
  });

  it("with a wrong signature answers 403, stores nothing and leaves the channels alone", async () => {
    const asid = newAsid();
    const wa = await connectWhatsApp(asid);
    const stored = (await deletionRows()).length;
    const [sig, payload] = signedFor(asid).split(".");
    const forgedPayload = Buffer.from(JSON.stringify({ algorithm: "HMAC-SHA256", user_id: asid })).toString("base64url");
    for (const signed of [signedFor(asid, "some_other_secret"), `${sig}.${forgedPayload}`, `${sig!.slice(2)}.${payload}`]) {
      const res = await callback("data-deletion", form(signed));
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ error: { code: "forbidden", message: expect.stringMatching(/signature/) } });
    }
    expect(await deletionRows()).toHaveLength(stored);
    const row = await channelRow(wa.id);
    expect(row).toMatchObject({ state: "active", connectedByMetaUserId: asid });
    expect(openCredentials(row).accessToken).toBe(wa.token);
  });

  const malformed: Array<[string, () => Promise<Response>]> = [
    ["no dot", () => callback("data-deletion", form("bm9kb3RoZXJl"))],
    ["bad base64", () => callback("data-deletion", form("ab$cd.ef!gh"))],
    ["bad JSON (correctly signed)", () => callback("data-deletion", form(signRequest("{not json", META_SECRET)))],
    ["missing user_id", () => callback("data-deletion", form(signRequest({ algorithm: "HMAC-SHA256", issued_at: 1 }, META_SECRET)))],
    ["wrong algorithm", () => callback("data-deletion", form(signRequest({ algorithm: "HMAC-SHA1", user_id: "123" }, META_SECRET)))],
    ["an empty body", () => callback("data-deletion", "")],
    ["no body at all", () => callback("data-deletion", undefined)],
    ["no signed_request field", () => callback("data-deletion", "something=else")],
    ["a JSON body", () => callback("data-deletion", JSON.stringify({ signed_request: signedFor("123") }), "application/json")],
    ["a text body", () => callback("data-deletion", form(signedFor("123")), "text/plain")],
    ["undecodable percent-encoding", () => callback("data-deletion", "signed_request=%E0%A4%A")],
  ];
  it.each(malformed)("refuses %s with 400 naming the problem, and stores nothing", async (_, send) => {
    const stored = (await deletionRows()).length;
    const res = await send();
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("bad_request");
    expect(body.error.message.length).toBeGreaterThan(10);
    expect(await deletionRows()).toHaveLength(stored);
  });
});

describe("GET /meta/data-deletion/status", () => {
  it("answers 404 with a page saying the code is unknown, for unknown and malformed codes alike", async () => {
    for (const code of ["ZZZZZZZZZZZZZZZZZZZZ", "<script>alert(1)</script>", ""]) {
      const res = await statusPage(code);
      expect(res.status).toBe(404);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      const html = await res.text();
      expect(html).toContain("There is no data deletion request with this confirmation code");
      expect(html).not.toContain("<script>");
    }
  });
});

describe("POST /meta/deauthorize", () => {
  it("with a correct signature disconnects the user's channels and deletes their tokens, without a deletion record", async () => {
    const asid = newAsid();
    const wa = await connectWhatsApp(asid);
    const page = await connectMessenger(asid);
    const stored = (await deletionRows()).length;
    const res = await callback("deauthorize", form(signRequest({ algorithm: "HMAC-SHA256", issued_at: 1700000000, user_id: asid }, META_SECRET)));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    for (const c of [wa, page]) {
      const row = await channelRow(c.id);
      expect(row).toMatchObject({ state: "disabled", connectedByMetaUserId: null });
      expect(openCredentials(row)).toEqual({ accessToken: "" });
    }
    expect(await deletionRows()).toHaveLength(stored);
  });

  it("with a wrong signature answers 403 and leaves the channels alone; malformed is 400", async () => {
    const asid = newAsid();
    const wa = await connectWhatsApp(asid);
    const wrong = await callback("deauthorize", form(signedFor(asid, "not_our_secret")));
    expect(wrong.status).toBe(403);
    expect(await wrong.json()).toMatchObject({ error: { code: "forbidden" } });
    for (const body of ["signed_request=nodot", "", `signed_request=${encodeURIComponent(signRequest("[]", META_SECRET))}`]) {
      expect((await callback("deauthorize", body)).status).toBe(400);
    }
    expect((await callback("deauthorize", form(signedFor(asid)), "application/json")).status).toBe(400);
    const row = await channelRow(wa.id);
    expect(row).toMatchObject({ state: "active", connectedByMetaUserId: asid });
    expect(openCredentials(row).accessToken).toBe(wa.token);
  });

  it("lets the channel be connected again afterwards, recording the new token's user", async () => {
    const asid = newAsid();
    const n = { id: newId(), wabaId: newId(), token: newToken("EAAG_WA"), metaUserId: asid };
    h.graph.accounts.addWhatsAppNumber(n);
    const body = { phoneNumberId: n.id, wabaId: n.wabaId, accessToken: n.token };
    const first = await api(h, "POST", `/portfolios/${h.portfolioId}/channels/whatsapp`, { as: admin, body });
    expect(first.status).toBe(201);
    expect((await callback("deauthorize", form(signedFor(asid)))).status).toBe(200);
    const successor = newAsid();
    const newer = newToken("EAAG_WA2");
    h.graph.accounts.addWhatsAppNumber({ ...n, token: newer, metaUserId: successor });
    const again = await api(h, "POST", `/portfolios/${h.portfolioId}/channels/whatsapp`, { as: admin, body: { ...body, accessToken: newer } });
    expect(again.status, again.text).toBe(201);
    expect(again.body.channel.id).toBe(first.body.channel.id);
    expect(await channelRow(first.body.channel.id)).toMatchObject({ state: "active", connectedByMetaUserId: successor });
  });
});

describe("a server without META_APP_SECRET", () => {
  it("refuses both callbacks with 503 naming the setting (the operator's to fix, not Meta's), and does nothing", async () => {
    const calls: string[] = [];
    const noted = (name: string) => async () => void calls.push(name);
    const deps: MetaCallbackDeps = {
      appSecret: undefined,
      publicUrl: PUBLIC_URL,
      now: () => new Date(),
      log: { warn: () => {} },
      live: { publish: noted("publish"), forget: noted("forget") },
      onChannelsChanged: () => void calls.push("routing"),
      channels: { liveChannelsOf: async () => (calls.push("channels"), []), forget: async () => (calls.push("forget"), 0) },
      disabler: { disable: async () => (calls.push("disable"), undefined) },
      requests: { create: noted("create"), complete: noted("complete"), fail: noted("fail"), find: async () => undefined },
    };
    const routes = metaCallbackRoutes(deps);
    for (const path of ["/data-deletion", "/deauthorize"]) {
      const res = await routes.request(path, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: form(signedFor("123")) });
      expect(res.status, path).toBe(503);
      expect(await res.json()).toMatchObject({ error: { code: "unavailable", message: expect.stringContaining("META_APP_SECRET") } });
    }
    expect(calls).toEqual([]);
  });
});
