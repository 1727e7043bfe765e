// Channels through the API (issue 4 item 3): connecting WhatsApp, Messenger and Instagram checks the
// credentials against the (fake) Graph API and subscribes the app; refusals are 4xx naming the field
// and store nothing; secrets never come back; disconnecting stops routing at once and keeps history.
import { and, eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { reconnectChannel } from "../src/db/repositories/channel-repository.js";
import { channels, conversations, messages } from "../src/db/schema/index.js";
import { graphError, graphErrors, postWebhook, waText } from "./fakes/index.js";
import { api, type ApiResponse, type ApiUser, memberOf } from "./support/api-client.js";
import { type ChannelHarness } from "./support/channels.js";
import { channelsServer } from "./support/channels-server.js";
import { PNID } from "./support/cosbot-under-test.js";

const server = channelsServer();
let h: ChannelHarness;
let admin: ApiUser;
let agent: ApiUser;
let outsider: ApiUser;
let outsiderPortfolio: string;

/** Every secret handed to the API in this file, and every response text it gave back. */
const secrets: string[] = [];
const responses: string[] = [];
const secret = (name: string) => {
  const value = `${name}_${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  secrets.push(value);
  return value;
};

const base = () => `/portfolios/${h.portfolioId}/channels`;
async function call(method: string, path: string, as: ApiUser, body?: unknown): Promise<ApiResponse> {
  const res = await api(h, method, path, { as, body });
  responses.push(res.text);
  return res;
}
const connect = (platform: string, body: unknown, as: ApiUser = admin) => call("POST", `${base()}/${platform}`, as, body);
const stored = async (externalId: string) => h.testDb.database.db.select().from(channels).where(eq(channels.externalId, externalId));
const listed = async (as: ApiUser = agent) => {
  const res = await call("GET", base(), as);
  expect(res.status).toBe(200);
  return res.body.channels as Record<string, any>[];
};
const field = (res: ApiResponse) => (res.body.error.fields ?? []).map((f: { field: string }) => f.field);
let numericIds = 0;
const newId = () => `${Date.now()}${String(++numericIds).padStart(3, "0")}`;

beforeAll(async () => {
  ({ h, admin, outsider, outsiderPortfolioId: outsiderPortfolio } = server);
  agent = await memberOf(h, h.portfolioId, "agent", { name: "Ana Agent" });
});

/** A WhatsApp number the fake Graph API knows, with its WABA and token. */
function fakeNumber() {
  const number = { id: newId(), wabaId: newId(), token: secret("EAAG_WA"), verifiedName: "Corner Bakery" };
  h.graph.accounts.addWhatsAppNumber(number);
  return number;
}
const whatsappBody = (n: ReturnType<typeof fakeNumber>, extra: object = {}) => ({ phoneNumberId: n.id, wabaId: n.wabaId, accessToken: n.token, ...extra });

describe("connecting WhatsApp", () => {
  it("checks the number and its WABA with the token, subscribes the WABA, and routes its webhooks at once", async () => {
    const n = fakeNumber();
    const appSecret = secret("wa_app_secret");
    const verifyToken = secret("wa_verify");
    const res = await connect("whatsapp", whatsappBody(n, { appSecret, verifyToken }));
    expect(res.status).toBe(201);
    expect(res.body.channel).toMatchObject({
      platform: "whatsapp", externalId: n.id, accountId: n.wabaId, displayName: "Corner Bakery", state: "active",
      tokenHint: `…${n.token.slice(-4)}`, hasAppSecret: true, hasVerifyToken: true, tokenExpiresAt: null, lastWebhookAt: null, errorsLast24h: 0,
    });

    const lookups = h.graph.requests.filter((r) => r.method === "GET");
    // debug_token: who granted the token, for Meta's data-deletion callback (meta-data-deletion.test.ts).
    expect(lookups.map((r) => r.path)).toEqual([`/v24.0/${n.id}`, `/v24.0/${n.wabaId}/phone_numbers`, "/v24.0/debug_token"]);
    expect(lookups.every((r) => r.headers.authorization === `Bearer ${n.token}`)).toBe(true);
    expect(h.graph.accounts.subscriptions).toMatchObject([{ objectId: n.wabaId, token: n.token }]);

    const [row] = await stored(n.id);
    expect(row!.credentials).not.toContain(n.token);
    expect(await h.credentials(row!.id)).toEqual({ accessToken: n.token, appSecret, verifyToken });

    // Routed without waiting for the directory's reload, signed with the channel's own app secret.
    const hook = await postWebhook(h.url, "/webhooks/whatsapp", waText({ pnid: n.id, from: "15550009001", id: `wamid.CONNECT_${n.id}`, body: "hello" }), appSecret);
    expect(hook.status).toBe(200);
    const inbound = await h.testDb.database.db.select().from(messages).where(eq(messages.channelId, row!.id));
    expect(inbound.map((m) => m.text)).toEqual(["hello"]);
  });

  it("refuses a token Meta does not accept with 400 naming accessToken, and stores nothing", async () => {
    const n = fakeNumber();
    const unknown = await connect("whatsapp", whatsappBody(n, { accessToken: secret("EAAG_WRONG") }));
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe("bad_request");
    expect(field(unknown)).toEqual(["body.accessToken"]);
    expect(unknown.body.error.message).toMatch(/Meta refused the access token \(Invalid OAuth access token.*nothing was stored/);

    h.graph.invalidTokens.add(n.token);
    const expired = await connect("whatsapp", whatsappBody(n));
    expect(expired.status).toBe(400);
    expect(expired.body.error.message).toContain("Session has expired");
    expect(h.graph.accounts.subscriptions).toEqual([]);
    expect(await stored(n.id)).toEqual([]);
  });

  it("refuses a number the token cannot see, and a WABA the number is not in, naming the field", async () => {
    const n = fakeNumber();
    const other = fakeNumber();
    const hidden = await connect("whatsapp", whatsappBody(n, { accessToken: other.token }));
    expect(hidden.status).toBe(400);
    expect(field(hidden)).toEqual(["body.phoneNumberId"]);
    expect(hidden.body.error.message).toMatch(/not found, or the token has no access to it/);

    const wrongWaba = await connect("whatsapp", whatsappBody(n, { wabaId: other.wabaId }));
    expect(wrongWaba.status).toBe(400);
    expect(field(wrongWaba)).toEqual(["body.wabaId"]);
    expect(await stored(n.id)).toEqual([]);
  });

  it("answers 502 when the Graph API is down, and stores nothing", async () => {
    const id = newId();
    h.graph.setProfile(id, graphError(2, "Service temporarily unavailable", 503).body, 503);
    const res = await connect("whatsapp", { phoneNumberId: id, wabaId: newId(), accessToken: secret("EAAG_DOWN") });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe("upstream_unavailable");
    expect(await stored(id)).toEqual([]);
  });

  it("refuses a number already connected here with 409 before calling Meta, and elsewhere only once Meta took the token", async () => {
    const n = fakeNumber();
    expect((await connect("whatsapp", whatsappBody(n))).status).toBe(201);
    h.graph.reset();
    const again = await connect("whatsapp", whatsappBody(n));
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/already connected to this portfolio as channel/);
    expect(h.graph.requests).toEqual([]);
    h.graph.accounts.addWhatsAppNumber(n);

    // A made-up token learns nothing about who uses the number.
    const guess = await call("POST", `/portfolios/${outsiderPortfolio}/channels/whatsapp`, outsider, whatsappBody(n, { accessToken: secret("EAAG_GUESS") }));
    expect(guess.status).toBe(400);
    expect(guess.text).not.toMatch(/already connected/);
    const elsewhere = await call("POST", `/portfolios/${outsiderPortfolio}/channels/whatsapp`, outsider, whatsappBody(n));
    expect(elsewhere.status, elsewhere.text).toBe(409);
    expect(elsewhere.body.error.message).toBe(`whatsapp ${n.id} is already connected to another portfolio`);
    expect(elsewhere.text).not.toContain(h.portfolioId);
    expect(await stored(n.id)).toHaveLength(1);
  });

  it("validates the body, naming each field", async () => {
    const res = await connect("whatsapp", { phoneNumberId: "PNID_X", wabaId: "1", accessToken: "has space", extra: 1 });
    expect(res.status).toBe(400);
    expect(field(res)).toEqual(expect.arrayContaining(["body.phoneNumberId", "body.accessToken"]));
    expect(h.graph.requests).toEqual([]);
  });
});

describe("connecting Messenger", () => {
  it("checks the Page with its token and subscribes the app to the Page's messaging fields", async () => {
    const page = { id: newId(), token: secret("EAAB_PAGE"), name: "Corner Bakery Page" };
    h.graph.accounts.addPage(page);
    const res = await connect("messenger", { pageId: page.id, pageToken: page.token, appSecret: secret("page_app_secret") });
    expect(res.status).toBe(201);
    expect(res.body.channel).toMatchObject({ platform: "messenger", externalId: page.id, displayName: page.name, state: "active", hasAppSecret: true });
    expect(h.graph.requests[0]).toMatchObject({ method: "GET", path: `/v24.0/${page.id}`, headers: { authorization: `Bearer ${page.token}` } });
    expect(h.graph.accounts.subscriptions).toMatchObject([{ objectId: page.id, token: page.token, fields: expect.stringContaining("messages,message_echoes") }]);
  });

  it("refuses another Page's token naming pageToken, and stores nothing", async () => {
    const page = { id: newId(), token: secret("EAAB_PAGE") };
    const other = { id: newId(), token: secret("EAAB_OTHER") };
    h.graph.accounts.addPage(page);
    h.graph.accounts.addPage(other);
    const res = await connect("messenger", { pageId: page.id, pageToken: secret("EAAB_BOGUS") });
    expect(res.status).toBe(400);
    expect(field(res)).toEqual(["body.pageToken"]);
    const foreign = await connect("messenger", { pageId: page.id, pageToken: other.token });
    expect(field(foreign)).toEqual(["body.pageId"]);
    expect(await stored(page.id)).toEqual([]);
  });
});

describe("connecting Instagram", () => {
  it("exchanges an Instagram Login token for a long-lived one, checks /me and subscribes, storing only the long-lived token", async () => {
    const account = { userId: newId(), shortLivedToken: secret("IGQ_SHORT"), username: "cornerbakery" };
    h.igGraph.accounts.addInstagramUser(account);
    h.igGraph.accounts.instagramAppSecret = secret("ig_app_secret");
    const res = await connect("instagram", { accountId: account.userId, token: account.shortLivedToken, instagramAppSecret: h.igGraph.accounts.instagramAppSecret });
    expect(res.status).toBe(201);
    const channel = res.body.channel;
    expect(channel).toMatchObject({ platform: "instagram", externalId: account.userId, displayName: "@cornerbakery", instagramLogin: "instagram", state: "active" });
    const days = (Date.parse(channel.tokenExpiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(59);
    expect(days).toBeLessThanOrEqual(60);

    const exchange = h.igGraph.requests.find((r) => r.path === "/access_token")!;
    expect(exchange.query).toMatchObject({ grant_type: "ig_exchange_token", access_token: account.shortLivedToken });
    const creds = await h.credentials(channel.id);
    expect(creds.accessToken).toMatch(/^IGQ_LONG_/);
    secrets.push(creds.accessToken);
    expect(channel.tokenHint).toBe(`…${creds.accessToken.slice(-4)}`);
    const me = h.igGraph.requests.find((r) => r.path === "/v24.0/me")!;
    expect(me.headers.authorization).toBe(`Bearer ${creds.accessToken}`);
    expect(h.igGraph.accounts.subscriptions).toMatchObject([{ objectId: "me", token: creds.accessToken }]);
    expect(h.graph.requests).toEqual([]);
  });

  it("names the app secret Meta refused, the token of another account, and a missing Page for Facebook Login", async () => {
    const account = { userId: newId(), shortLivedToken: secret("IGQ_SHORT") };
    h.igGraph.accounts.addInstagramUser(account);
    h.igGraph.accounts.instagramAppSecret = secret("ig_app_secret");
    const wrongSecret = await connect("instagram", { accountId: account.userId, token: account.shortLivedToken, instagramAppSecret: secret("ig_wrong") });
    expect(wrongSecret.status).toBe(400);
    expect(field(wrongSecret)).toEqual(["body.instagramAppSecret"]);

    const otherAccount = newId();
    const someoneElse = await connect("instagram", { accountId: otherAccount, token: account.shortLivedToken, instagramAppSecret: h.igGraph.accounts.instagramAppSecret });
    expect(someoneElse.status).toBe(400);
    expect(field(someoneElse)).toEqual(["body.accountId"]);
    expect(someoneElse.body.error.message).toContain(`the token belongs to Instagram account ${account.userId}`);

    const noPage = await connect("instagram", { accountId: otherAccount, token: secret("EAAB"), login: "facebook" });
    expect(field(noPage)).toEqual(["body.pageId"]);
    const noSecret = await connect("instagram", { accountId: otherAccount, token: secret("IGQ") });
    expect(field(noSecret)).toEqual(["body.instagramAppSecret"]);
    expect(h.igGraph.accounts.subscriptions).toEqual([]);
    expect([...(await stored(account.userId)), ...(await stored(otherAccount))]).toEqual([]);
  });

  it("connects through Facebook Login when the Page is linked to the account, with no expiry", async () => {
    const accountId = newId();
    const page = { id: newId(), token: secret("EAAB_IGPAGE"), name: "Bakery IG Page", instagramAccountId: accountId };
    h.graph.accounts.addPage(page);
    const res = await connect("instagram", { accountId, token: page.token, login: "facebook", pageId: page.id });
    expect(res.status).toBe(201);
    expect(res.body.channel).toMatchObject({ externalId: accountId, accountId: page.id, instagramLogin: "facebook", tokenExpiresAt: null });
    expect(h.graph.accounts.subscriptions).toMatchObject([{ objectId: page.id, token: page.token }]);
    expect(h.igGraph.requests).toEqual([]);

    const unlinked = { id: newId(), token: secret("EAAB_UNLINKED") };
    h.graph.accounts.addPage(unlinked);
    const refused = await connect("instagram", { accountId: newId(), token: unlinked.token, login: "facebook", pageId: unlinked.id });
    expect(field(refused)).toEqual(["body.accountId"]);
    expect(refused.body.error.message).toMatch(/has no linked Instagram professional account/);
  });
});

describe("the channel list", () => {
  it("shows state, expiry, last webhook and failed sends of the last 24 hours to any member", async () => {
    h.graph.failNext(1, graphErrors.undeliverable());
    await h.post(waText({ pnid: PNID, from: "15550009100", id: `wamid.LIST_${newId()}`, body: "are you open?" }));
    await h.settle();
    const seeded = (await listed()).find((c) => c.externalId === PNID)!;
    expect(seeded).toMatchObject({ platform: "whatsapp", state: "active", stateReason: null, tokenHint: "…", errorsLast24h: 1 });
    expect(Date.now() - Date.parse(seeded.lastWebhookAt)).toBeLessThan(60_000);
    expect(Object.keys(seeded)).not.toContain("credentials");
  });

  it("shows needs_reauth once Meta refuses the token, and connecting with a new token brings the same channel back", async () => {
    const n = fakeNumber();
    const appSecret = secret("wa_app_secret");
    const channelId = (await connect("whatsapp", whatsappBody(n, { appSecret }))).body.channel.id;
    h.graph.invalidTokens.add(n.token);
    await postWebhook(h.url, "/webhooks/whatsapp", waText({ pnid: n.id, from: "15550009300", id: `wamid.REAUTH_${n.id}`, body: "hi" }), appSecret);
    await h.settle();
    const refused = (await listed()).find((c) => c.id === channelId)!;
    expect(refused).toMatchObject({ state: "needs_reauth", stateReason: expect.stringContaining("Session has expired") });

    const fresh = { ...n, token: secret("EAAG_WA_NEW") };
    h.graph.accounts.addWhatsAppNumber(fresh);
    const again = await connect("whatsapp", whatsappBody(fresh, { appSecret }));
    expect(again.status).toBe(201);
    expect(again.body.channel).toMatchObject({ id: channelId, state: "active", stateReason: null, tokenHint: `…${fresh.token.slice(-4)}` });
    expect((await h.credentials(channelId)).accessToken).toBe(fresh.token);
  });

  it("is refused to a member of another portfolio as if it did not exist", async () => {
    const res = await call("GET", base(), outsider);
    expect(res.status).toBe(404);
  });
});

describe("disconnecting", () => {
  it("wipes the credentials, stops routing webhooks at once, keeps the conversations, and can be undone by connecting again", async () => {
    const n = fakeNumber();
    const appSecret = secret("wa_app_secret");
    const connected = await connect("whatsapp", whatsappBody(n, { appSecret }));
    const channelId = connected.body.channel.id;
    const hook = (id: string) => postWebhook(h.url, "/webhooks/whatsapp", waText({ pnid: n.id, from: "15550009200", id, body: id }), appSecret);
    await hook(`wamid.BEFORE_${n.id}`);
    await h.settle();

    const res = await call("DELETE", `${base()}/${channelId}`, admin);
    expect(res.status).toBe(200);
    expect(res.body.channel).toMatchObject({ id: channelId, state: "disabled", stateReason: "disconnected by Adam Admin", tokenHint: null, hasAppSecret: false });
    expect((await listed()).find((c) => c.id === channelId)?.state).toBe("disabled");
    expect(JSON.stringify(await h.credentials(channelId))).not.toContain(n.token);

    expect((await hook(`wamid.AFTER_${n.id}`)).status).toBeLessThan(500);
    const db = h.testDb.database.db;
    const texts = (await db.select().from(messages).where(and(eq(messages.channelId, channelId), eq(messages.direction, "in")))).map((m) => m.text);
    expect(texts).toEqual([`wamid.BEFORE_${n.id}`]);
    const kept = await db.select().from(conversations).where(eq(conversations.channelId, channelId));
    expect(kept).toHaveLength(1);

    const again = await connect("whatsapp", whatsappBody(n, { appSecret }));
    expect(again.status).toBe(201);
    expect(again.body.channel).toMatchObject({ id: channelId, state: "active", stateReason: null });
    await hook(`wamid.AGAIN_${n.id}`);
    expect(await db.select().from(conversations).where(eq(conversations.channelId, channelId))).toHaveLength(1);
  });

  it("lets a number disconnected here be connected in another portfolio, which gets its webhooks while this one keeps its history", async () => {
    const n = fakeNumber();
    const appSecret = secret("wa_app_secret");
    const channelId = (await connect("whatsapp", whatsappBody(n, { appSecret }))).body.channel.id;
    const hook = (id: string) => postWebhook(h.url, "/webhooks/whatsapp", waText({ pnid: n.id, from: "15550009400", id, body: id }), appSecret);
    await hook(`wamid.HERE_${n.id}`);
    await h.settle();
    expect((await call("DELETE", `${base()}/${channelId}`, admin)).status).toBe(200);

    const moved = await call("POST", `/portfolios/${outsiderPortfolio}/channels/whatsapp`, outsider, whatsappBody(n, { appSecret }));
    expect(moved.status).toBe(201);
    expect(moved.body.channel.id).not.toBe(channelId);
    await hook(`wamid.THERE_${n.id}`);
    await h.settle();
    const db = h.testDb.database.db;
    const textsOn = async (id: string) => (await db.select().from(messages).where(and(eq(messages.channelId, id), eq(messages.direction, "in")))).map((m) => m.text);
    expect(await textsOn(channelId)).toEqual([`wamid.HERE_${n.id}`]);
    expect(await textsOn(moved.body.channel.id)).toEqual([`wamid.THERE_${n.id}`]);
    // Back here it is taken now, until the other portfolio lets it go.
    const back = await connect("whatsapp", whatsappBody(n, { appSecret }));
    expect(back.status).toBe(409);
    expect((await stored(n.id)).map((c) => c.state).sort()).toEqual(["active", "disabled"]);
  });

  it("does not bring a disconnected channel back while the account is live in another portfolio (a connect that lost the race)", async () => {
    const n = fakeNumber();
    const channelId = (await connect("whatsapp", whatsappBody(n))).body.channel.id;
    expect((await call("DELETE", `${base()}/${channelId}`, admin)).status).toBe(200);
    expect((await call("POST", `/portfolios/${outsiderPortfolio}/channels/whatsapp`, outsider, whatsappBody(n))).status).toBe(201);
    const credentials = { accessToken: n.token };
    const late = await reconnectChannel(h.testDb.database.db, h.cosbot.box, h.portfolioId, channelId, { externalId: n.id, credentials });
    expect(late).toBeUndefined();
    expect((await stored(n.id)).find((c) => c.id === channelId)?.state).toBe("disabled");
  });

  it("answers 404 for a channel of another portfolio and for none at all", async () => {
    const n = fakeNumber();
    const channelId = (await connect("whatsapp", whatsappBody(n))).body.channel.id;
    const wrongPortfolio = await call("DELETE", `/portfolios/${outsiderPortfolio}/channels/${channelId}`, outsider);
    expect(wrongPortfolio.status).toBe(404);
    expect((await call("DELETE", `${base()}/no-such-channel`, admin)).status).toBe(404);
    expect((await stored(n.id))[0]!.state).toBe("active");
  });
});

describe("who may manage channels", () => {
  it("refuses connect and disconnect to an agent with 403, and changes nothing", async () => {
    const n = fakeNumber();
    const denied = await connect("whatsapp", whatsappBody(n), agent);
    expect(denied.status).toBe(403);
    expect(h.graph.requests).toEqual([]);
    const deletion = await call("DELETE", `${base()}/${h.channelId}`, agent);
    expect(deletion.status).toBe(403);
    expect((await stored(PNID))[0]!.state).toBe("active");
    expect(await stored(n.id)).toEqual([]);
  });
});

describe("secrets", () => {
  it("never appear in any response of this file", () => {
    expect(secrets.length).toBeGreaterThan(10);
    const leaks = secrets.filter((s) => responses.some((text) => text.includes(s)));
    expect(leaks).toEqual([]);
  });
});
