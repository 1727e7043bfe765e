// Secrets at rest and in logs (issue 4): after channels are connected on all three platforms, an
// OpenAI key is set and messages have been answered with it, no table of the database and no log
// line (at debug level) holds any of the secrets in plain text.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/logger.js";
import { postWebhook, waText } from "./fakes/index.js";
import { api, type ApiUser, memberOf } from "./support/api-client.js";
import { type ChannelHarness, startChannelsCosbot } from "./support/channels.js";

const logLines: string[] = [];
const secrets: string[] = [];
const secret = (name: string) => {
  const value = `${name}_${Math.random().toString(36).slice(2)}${Math.random().toString(36).slice(2)}`;
  secrets.push(value);
  return value;
};
let ids = 0;
const newId = () => `${Date.now()}${String(++ids).padStart(3, "0")}`;

const authSecret = secret("auth_secret_at_least_32_characters_long");
const githubClientSecret = secret("github_client_secret");
let h: ChannelHarness;
let owner: ApiUser;

beforeAll(async () => {
  h = await startChannelsCosbot({
    env: { AUTH_SECRET: authSecret, GITHUB_CLIENT_ID: "Iv1.cosbot-test", GITHUB_CLIENT_SECRET: githubClientSecret, LOG_LEVEL: "debug" },
    overrides: { logger: createLogger("debug", { write: (line: string) => void logLines.push(line) }) },
  });
  owner = await memberOf(h, h.portfolioId, "owner");
});

afterAll(async () => {
  await h?.settle();
  await h?.close();
});

const portfolioPath = () => `/portfolios/${h.portfolioId}`;

/** Every row of every table of ours, as JSON text. */
async function dumpAllTables(): Promise<string> {
  const db = h.testDb.database.db;
  const rows = (result: unknown) => (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Record<string, string>[];
  const tables = rows(await db.execute(sql`select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`));
  let dump = "";
  for (const { table_name } of tables) {
    for (const row of rows(await db.execute(sql.raw(`select row_to_json(t)::text as j from "${table_name}" t`)))) dump += `${table_name}: ${row.j}\n`;
  }
  return dump;
}

describe("secrets at rest and in the logs", () => {
  it("keeps every credential, the OpenAI key and the server's own secrets out of the tables and the logs", async () => {
    // WhatsApp, with its own app secret and verify token; then a token Meta refuses (an error path).
    const number = { id: newId(), wabaId: newId(), token: secret("EAAG_WA"), verifiedName: "Corner Bakery" };
    h.graph.accounts.addWhatsAppNumber(number);
    const appSecret = secret("wa_app_secret");
    const whatsapp = { phoneNumberId: number.id, wabaId: number.wabaId, accessToken: number.token, appSecret, verifyToken: secret("wa_verify") };
    expect((await api(h, "POST", `${portfolioPath()}/channels/whatsapp`, { as: owner, body: whatsapp })).status).toBe(201);
    const refused = await api(h, "POST", `${portfolioPath()}/channels/whatsapp`, { as: owner, body: { ...whatsapp, phoneNumberId: newId(), accessToken: secret("EAAG_WRONG") } });
    expect(refused.status).toBe(400);

    // Messenger.
    const page = { id: newId(), token: secret("EAAB_PAGE"), name: "Corner Bakery Page" };
    h.graph.accounts.addPage(page);
    expect((await api(h, "POST", `${portfolioPath()}/channels/messenger`, { as: owner, body: { pageId: page.id, pageToken: page.token } })).status).toBe(201);

    // Instagram Login: the short-lived token is exchanged; the long-lived one must not show either.
    const account = { userId: newId(), shortLivedToken: secret("IGQ_SHORT"), username: "cornerbakery" };
    h.igGraph.accounts.addInstagramUser(account);
    h.igGraph.accounts.instagramAppSecret = secret("ig_app_secret");
    const ig = await api(h, "POST", `${portfolioPath()}/channels/instagram`, {
      as: owner,
      body: { accountId: account.userId, token: account.shortLivedToken, instagramAppSecret: h.igGraph.accounts.instagramAppSecret },
    });
    expect(ig.status).toBe(201);
    secrets.push((await h.credentials(ig.body.channel.id)).accessToken);

    // The portfolio's own OpenAI key, then a customer answered with it.
    const openaiKey = secret("sk-proj-portfolio");
    expect((await api(h, "PATCH", `${portfolioPath()}/agent`, { as: owner, body: { openaiApiKey: openaiKey } })).status).toBe(200);
    const inbound = waText({ pnid: number.id, from: "15557770003", id: "wamid.SECRETS_1", body: "Are you open today?" });
    expect((await postWebhook(h.url, "/webhooks/whatsapp", inbound, appSecret)).status).toBe(200);
    await h.settle();
    expect(h.openai.requests.some((r) => r.headers.authorization === `Bearer ${openaiKey}`)).toBe(true);
    expect(h.graph.requests.some((r) => r.headers.authorization === `Bearer ${number.token}`)).toBe(true);

    const dump = await dumpAllTables();
    expect(dump).toContain("wamid.SECRETS_1");
    const logs = logLines.join("");
    expect(logs.length).toBeGreaterThan(0);
    expect(secrets.filter((s) => dump.includes(s))).toEqual([]);
    expect(secrets.filter((s) => logs.includes(s))).toEqual([]);
  });
});
