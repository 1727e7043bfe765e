import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/client.js";
import { agents, channels, conversations, customers, messages, workItems } from "../src/db/schema/index.js";
import { SecretBox } from "../src/security/secret-box.js";
import { FakeGraphApi } from "./fakes/index.js";

// The real CLI in a child process, on a fresh PGlite directory. Each run costs a few seconds
// (tsx start-up, PGlite open), so the steps share one data dir and build on each other.
const root = fileURLToPath(new URL("..", import.meta.url));
const tsx = join(root, "node_modules", ".bin", "tsx");
const keyHex = randomBytes(32).toString("hex");
const accessToken = "EAAGm0PX4ZCpsBAtestaccesstoken9f3Kx7Wq";
const appSecret = "5f1e2d3c4b5a69788796a5b4c3d2e1f0";
const verifyToken = "verify-me-please-7781";

let dataDir: string;
// Both Graph hosts point at this fake: no CLI run can reach Meta.
const graph = new FakeGraphApi();

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
    ...process.env, DATA_DIR: dataDir, ENCRYPTION_KEY: keyHex, GRAPH_API_URL: graph.url, INSTAGRAM_GRAPH_API_URL: graph.url,
  };
  for (const name of ["DATABASE_URL", "META_APP_SECRET", "META_VERIFY_TOKEN", "META_APP_ID"]) delete env[name];
  return new Promise((resolve) => {
    execFile(tsx, ["src/cli/main.ts", ...args], { cwd: root, env, timeout: 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Opens the CLI's data dir in this process; only while no CLI run holds it. */
async function withDb<T>(fn: (db: Awaited<ReturnType<typeof openDatabase>>["db"]) => Promise<T>): Promise<T> {
  const database = await openDatabase({ dataDir: join(dataDir, "pglite") });
  try {
    return await fn(database.db);
  } finally {
    await database.close();
  }
}

describe("cosbot CLI", { timeout: 120_000 }, () => {
  let portfolioId = "";
  let channelId = "";
  let conversationId = "";

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "cosbot-cli-"));
    await graph.start();
  });
  afterAll(async () => {
    await graph.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("creates a portfolio with its default agent and prints the id", async () => {
    const run = await cli("portfolio", "create", "--name", "Acme Coffee");
    expect(run.code, run.stderr).toBe(0);
    portfolioId = run.stdout.trim();
    expect(portfolioId).toMatch(/^[0-9a-f-]{36}$/);
    expect(run.stderr).toContain("slug acme-coffee");
  });

  it("connects a WhatsApp number without echoing its secrets", async () => {
    graph.accounts.addWhatsAppNumber({ id: "106540352242922", wabaId: "102290129340398", token: accessToken });
    const run = await cli(
      "channel", "add-whatsapp", "--portfolio", "acme-coffee", "--phone-number-id", "106540352242922", "--waba-id", "102290129340398",
      "--access-token", accessToken, "--app-secret", appSecret, "--verify-token", verifyToken, "--display-name", "Acme +1 555 0100",
    );
    expect(run.code, run.stderr).toBe(0);
    channelId = run.stdout.trim();
    expect(channelId).toMatch(/^[0-9a-f-]{36}$/);
    for (const secret of [accessToken, appSecret, verifyToken]) expect(run.stdout + run.stderr).not.toContain(secret);
    // Checked with Meta as the API does: the number, its WABA, then the app subscribed to the WABA.
    expect(graph.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /v24.0/106540352242922", "GET /v24.0/102290129340398/phone_numbers", "POST /v24.0/102290129340398/subscribed_apps",
      "GET /v24.0/debug_token",
    ]);
    expect(graph.accounts.subscriptions).toMatchObject([{ objectId: "102290129340398", token: accessToken }]);
  });

  it("stores nothing when Meta refuses a WhatsApp token, naming the problem on one line", async () => {
    graph.reset();
    const refused = "EAAGrefusedtokenForWhatsApp00Qq1";
    graph.invalidTokens.add(refused);
    const run = await cli("channel", "add-whatsapp", "--portfolio", "acme-coffee", "--phone-number-id", "106540352200001", "--waba-id", "102290129340398", "--access-token", refused);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: WhatsApp phone number 106540352200001: Meta refused the access token \(.*Session has expired\); nothing was stored$/);
    expect(run.stderr).not.toContain(refused);
    expect(graph.accounts.subscriptions).toEqual([]);
    const stored = await withDb((db) => db.select().from(channels).where(eq(channels.externalId, "106540352200001")));
    expect(stored).toEqual([]);
  });

  it("refuses bad ids before calling Meta, naming the option", async () => {
    graph.reset();
    const run = await cli("channel", "add-whatsapp", "--portfolio", "acme-coffee", "--phone-number-id", "+1 555", "--waba-id", "1", "--access-token", "EAAx");
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("error: --phone-number-id must be the numeric phone number id from WhatsApp Manager\n");
    expect(graph.requests).toEqual([]);
  });

  it("sets the agent from an instructions file", async () => {
    const file = join(dataDir, "instructions.md");
    await writeFile(file, "You are Ada, the barista bot of Acme Coffee.\nAnswer briefly.\n");
    const run = await cli("agent", "set", "--portfolio", portfolioId, "--name", "Ada", "--instructions-file", file, "--model", "gpt-4.1-mini", "--enabled", "false");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/name\s+Ada/);
    expect(run.stdout).toMatch(/model\s+gpt-4\.1-mini/);
    expect(run.stdout).toMatch(/enabled\s+no/);
    expect(run.stdout).toContain("  You are Ada, the barista bot of Acme Coffee.\n  Answer briefly.");
  });

  it("lists the channel with only the token's last four characters", async () => {
    const run = await cli("channel", "list", "--portfolio", "acme-coffee");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(channelId);
    expect(run.stdout).toMatch(/whatsapp\s+active\s+106540352242922\s+never\s+…x7Wq\s/);
    expect(run.stdout).toContain("Acme +1 555 0100");
    for (const secret of [accessToken, appSecret, verifyToken]) expect(run.stdout + run.stderr).not.toContain(secret);
  });

  it("stores the credentials sealed, and the agent as set", async () => {
    await withDb(async (db) => {
      const [row] = await db.select().from(channels).where(eq(channels.id, channelId));
      expect(row).toMatchObject({ portfolioId, platform: "whatsapp", externalId: "106540352242922", accountId: "102290129340398", state: "active" });
      for (const secret of [accessToken, appSecret, verifyToken]) expect(row!.credentials).not.toContain(secret);
      expect(row!.credentials.startsWith("v1.")).toBe(true);
      expect(new SecretBox(Buffer.from(keyHex, "hex")).openJson(row!.credentials)).toEqual({ accessToken, appSecret, verifyToken });
      const [agent] = await db.select().from(agents).where(eq(agents.portfolioId, portfolioId));
      expect(agent).toMatchObject({ name: "Ada", model: "gpt-4.1-mini", enabled: false });
    });
  });

  it("lists no conversations on a new portfolio", async () => {
    const run = await cli("conversations", "list", "--portfolio", "acme-coffee");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("no conversations");
  });

  it("refuses a number that is already connected, with exit code 1", async () => {
    const run = await cli("channel", "add-whatsapp", "--portfolio", portfolioId, "--phone-number-id", "106540352242922", "--waba-id", "1", "--access-token", "EAAother");
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr.trim().split("\n")).toEqual([`error: whatsapp 106540352242922 is already connected to this portfolio as channel ${channelId}`]);
  });

  it("connects a disconnected number again in place, after Meta accepted it", async () => {
    graph.reset();
    graph.accounts.addWhatsAppNumber({ id: "106540352242922", wabaId: "102290129340398", token: accessToken });
    await withDb((db) => db.update(channels).set({ state: "disabled", stateReason: "disconnected by a test" }).where(eq(channels.id, channelId)));
    const run = await cli(
      "channel", "add-whatsapp", "--portfolio", "acme-coffee", "--phone-number-id", "106540352242922", "--waba-id", "102290129340398",
      "--access-token", accessToken, "--app-secret", appSecret, "--verify-token", verifyToken, "--display-name", "Acme +1 555 0100",
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(channelId);
    expect(graph.accounts.subscriptions).toMatchObject([{ objectId: "102290129340398" }]);
    const row = await withDb(async (db) => (await db.select().from(channels).where(eq(channels.id, channelId)))[0]!);
    expect(row).toMatchObject({ state: "active", stateReason: null });
  });

  it("shows a conversation in the order it was stored, with statuses, errors and reactions", async () => {
    conversationId = await seedConversation();
    const run = await cli("conversation", "show", conversationId);
    expect(run.code, run.stderr).toBe(0);
    const out = run.stdout;
    expect(out).not.toContain("\u001b");
    expect(out).toMatch(/customer\s+Eve \[red\] \(15550001111\)/);
    expect(out).toMatch(/mode\s+manual/);
    expect(out).toMatch(/attention\s+send_failed: The last reply could not be delivered/);
    const first = out.indexOf("2030-01-01T10:00:00.000Z  customer      text         Is the shop open?");
    const second = out.indexOf("2030-01-01T10:00:05.000Z  AI            text         Yes, until 6 pm.");
    const third = out.indexOf("2030-01-02T12:00:00.000Z  member        text         Following up");
    expect(first).toBeGreaterThan(-1);
    expect(second).toBeGreaterThan(first);
    expect(third).toBeGreaterThan(second);
    expect(out).toContain("                          On Sundays too?");
    expect(out).toContain("status: read (sent 2030-01-01T10:00:06.000Z, delivered 2030-01-01T10:00:07.000Z, read 2030-01-01T10:01:00.000Z)");
    expect(out).toContain("reaction: 👍");
    expect(out).toContain("status: failed (failed 2030-01-02T12:00:01.000Z): 131047 — Re-engagement message — More than 24 hours have passed");
  });

  it("lists the conversation with the customer's name", async () => {
    const run = await cli("conversations", "list", "--portfolio", portfolioId, "--limit", "10");
    expect(run.code, run.stderr).toBe(0);
    const [header, row, ...rest] = run.stdout.trim().split("\n");
    expect(header).toMatch(/^ID\s+PLATFORM\s+CUSTOMER\s+MODE\s+UNREAD\s+LAST MESSAGE\s+ATTENTION$/);
    expect(row).toMatch(new RegExp(`^${conversationId}\\s+whatsapp\\s+Eve \\[red\\]\\s+manual\\s+1\\s+2030-01-02T12:00:00.000Z\\s+send_failed$`));
    expect(rest).toEqual([]);
  });

  it("reports bad input on one line with exit code 1", async () => {
    const run = await cli("agent", "set", "--name", "Nobody");
    expect(run.code).toBe(1);
    expect(run.stderr).toBe("error: missing --portfolio\n");
  });

  it("prints the usage with exit code 2 for an unknown command", async () => {
    const run = await cli("portfolio", "explode");
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown command: portfolio explode");
    expect(run.stderr).toContain("channel add-whatsapp");
    expect(run.stderr).toContain("channel add-messenger");
    expect(run.stderr).toContain("channel add-instagram");
    expect(run.stderr).toContain("conversation show");
    expect(run.stderr).toContain("conversation reply");
    expect(run.stderr).toContain("conversation mode");
  });

  // ---- Messenger and Instagram channels ----

  const pageToken = "EAAGpagetokenMessenger0000zQ42";
  const shortLived = "IGQWRshortlivedtoken123456789Ab";
  const igAppSecret = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
  const fbPageToken = "EAAGpagetokenForInstagram777Lm3";
  const secrets = [accessToken, appSecret, verifyToken, pageToken, shortLived, igAppSecret, fbPageToken];
  const box = () => new SecretBox(Buffer.from(keyHex, "hex"));
  const channelRow = (id: string) => withDb(async (db) => (await db.select().from(channels).where(eq(channels.id, id)))[0]!);
  let messengerId = "";
  let instagramId = "";
  let longLivedToken = "";

  it("connects a Messenger Page without echoing its secrets", async () => {
    graph.reset();
    graph.accounts.addPage({ id: "108312345678901", token: pageToken, name: "Acme Coffee" });
    const run = await cli(
      "channel", "add-messenger", "--portfolio", "acme-coffee", "--page-id", "108312345678901", "--page-token", pageToken,
      "--app-secret", appSecret, "--verify-token", verifyToken, "--display-name", "Acme on Messenger",
    );
    expect(run.code, run.stderr).toBe(0);
    messengerId = run.stdout.trim();
    expect(messengerId).toMatch(/^[0-9a-f-]{36}$/);
    expect(run.stderr).toContain("connected Facebook Page 108312345678901 (Messenger) to acme-coffee, token …zQ42");
    for (const secret of secrets) expect(run.stdout + run.stderr).not.toContain(secret);
    const row = await channelRow(messengerId);
    expect(row).toMatchObject({ platform: "messenger", externalId: "108312345678901", displayName: "Acme on Messenger", tokenExpiresAt: null });
    expect(box().openJson(row.credentials)).toEqual({ accessToken: pageToken, appSecret, verifyToken });
    expect(graph.accounts.subscriptions).toMatchObject([{ objectId: "108312345678901", token: pageToken }]);
  });

  it("exchanges an Instagram Login token for a long-lived one and stores only that", async () => {
    graph.reset();
    graph.accounts.addInstagramUser({ userId: "17841405822304914", shortLivedToken: shortLived, username: "acmecoffee" });
    const before = Date.now();
    const run = await cli(
      "channel", "add-instagram", "--portfolio", "acme-coffee", "--account-id", "17841405822304914", "--token", shortLived,
      "--instagram-app-secret", igAppSecret, "--verify-token", verifyToken,
    );
    const after = Date.now();
    expect(run.code, run.stderr).toBe(0);
    instagramId = run.stdout.trim();
    expect(instagramId).toMatch(/^[0-9a-f-]{36}$/);
    expect(graph.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /access_token", "GET /v24.0/me", "POST /v24.0/me/subscribed_apps"]);
    expect(graph.requests[0]!.query).toEqual({ grant_type: "ig_exchange_token", client_secret: igAppSecret, access_token: shortLived });
    const row = await channelRow(instagramId);
    const creds = box().openJson<Record<string, unknown>>(row.credentials);
    longLivedToken = String(creds.accessToken);
    expect(longLivedToken).toMatch(/^IGQ_LONG_\d+_17841405822304914$/);
    expect(graph.accounts.subscriptions).toMatchObject([{ objectId: "me", token: longLivedToken }]);
    expect(creds).toEqual({ accessToken: longLivedToken, instagramAppSecret: igAppSecret, verifyToken, instagramLogin: "instagram" });
    expect(row).toMatchObject({ platform: "instagram", externalId: "17841405822304914", accountId: null, displayName: "@acmecoffee" });
    const issued = row.tokenIssuedAt!.getTime();
    expect(issued).toBeGreaterThanOrEqual(before - 1000);
    expect(issued).toBeLessThanOrEqual(after);
    expect(row.tokenExpiresAt!.getTime() - issued).toBe(5_184_000_000);
    expect(run.stderr).toContain("(Instagram Login) to acme-coffee");
    expect(run.stderr).toContain("exchanged for a long-lived one, expires");
    for (const secret of [...secrets, longLivedToken]) expect(run.stdout + run.stderr).not.toContain(secret);
  });

  it("stores nothing when Meta refuses the exchange, and says so on one line", async () => {
    graph.reset();
    graph.invalidTokens.add(shortLived);
    const run = await cli(
      "channel", "add-instagram", "--portfolio", "acme-coffee", "--account-id", "17841400000000002", "--token", shortLived, "--app-secret", igAppSecret,
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: could not exchange the token for a long-lived one \(Error validating access token.*\); .*nothing was stored$/);
    for (const secret of secrets) expect(run.stderr).not.toContain(secret);
    expect(graph.requests).toHaveLength(1);
    const stored = await withDb((db) => db.select().from(channels).where(eq(channels.externalId, "17841400000000002")));
    expect(stored).toEqual([]);
  });

  it("connects an Instagram account through its Page (Facebook Login) without an exchange", async () => {
    graph.reset();
    const missingPage = await cli("channel", "add-instagram", "--portfolio", "acme-coffee", "--account-id", "17841400000000003", "--token", fbPageToken, "--login", "facebook");
    expect(missingPage.code).toBe(1);
    expect(missingPage.stderr).toMatch(/^error: --page-id is required with login facebook/);
    graph.accounts.addPage({ id: "108300000000003", token: fbPageToken, name: "Acme Page", instagramAccountId: "17841400000000003" });
    const run = await cli(
      "channel", "add-instagram", "--portfolio", "acme-coffee", "--account-id", "17841400000000003", "--token", fbPageToken,
      "--login", "facebook", "--page-id", "108300000000003", "--app-secret", appSecret,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(graph.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      "GET /v24.0/108300000000003", "POST /v24.0/108300000000003/subscribed_apps", "GET /v24.0/debug_token",
    ]);
    const row = await channelRow(run.stdout.trim());
    expect(row).toMatchObject({
      platform: "instagram", externalId: "17841400000000003", accountId: "108300000000003", tokenExpiresAt: null, tokenIssuedAt: null, displayName: "Acme Page",
    });
    expect(box().openJson(row.credentials)).toEqual({ accessToken: fbPageToken, appSecret, instagramLogin: "facebook", pageId: "108300000000003" });
    for (const secret of secrets) expect(run.stdout + run.stderr).not.toContain(secret);
  });

  it("takes an already long-lived token as it is, expiring in 60 days", async () => {
    graph.reset();
    const token = "IGAAlonglivedalready0000000Xy9";
    graph.accounts.addInstagramUser({ userId: "17841400000000004", longLivedToken: token });
    const run = await cli("channel", "add-instagram", "--portfolio", "acme-coffee", "--account-id", "17841400000000004", "--token", token, "--long-lived");
    expect(run.code, run.stderr).toBe(0);
    // Not exchanged, but still checked and subscribed.
    expect(graph.requests.map((r) => `${r.method} ${r.path}`)).toEqual(["GET /v24.0/me", "POST /v24.0/me/subscribed_apps"]);
    expect(run.stderr).toContain("long-lived, expires");
    expect(run.stderr).toContain("warning: no app secret given");
    const row = await channelRow(run.stdout.trim());
    expect(box().openJson(row.credentials)).toEqual({ accessToken: token, instagramLogin: "instagram" });
    expect(row.tokenExpiresAt!.getTime() - row.tokenIssuedAt!.getTime()).toBe(60 * 86_400_000);
  });

  it("lists every platform with its state and token expiry", async () => {
    const run = await cli("channel", "list");
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^PORTFOLIO\s+ID\s+PLATFORM\s+STATE\s+EXTERNAL ID\s+LAST WEBHOOK\s+TOKEN\s+TOKEN EXPIRES\s+DISPLAY NAME$/);
    expect(lines).toHaveLength(6);
    const line = (id: string) => lines.find((l) => l.includes(id)) ?? "";
    expect(line(channelId)).toMatch(/whatsapp\s+active\s+106540352242922\s+never\s+…x7Wq\s+-\s+Acme \+1 555 0100$/);
    expect(line(messengerId)).toMatch(/messenger\s+active\s+108312345678901\s+never\s+…zQ42\s+-\s+Acme on Messenger$/);
    expect(line(instagramId)).toMatch(/instagram \(Instagram Login\)\s+active\s+17841405822304914\s+never\s+…4914\s+\d{4}-\d\d-\d\dT[\d:.]+Z \(in 59 d\)\s+@acmecoffee$/);
    expect(line("17841400000000003")).toMatch(/instagram \(Facebook Login\)\s+active\s+17841400000000003\s+never\s+…7Lm3\s+-\s+Acme Page$/);
    for (const secret of [...secrets, longLivedToken]) expect(run.stdout + run.stderr).not.toContain(secret);
  });

  // ---- a person answers, and hands back ----

  async function seedMessengerConversation(psid: string, lastInboundAgoMs: number): Promise<string> {
    return withDb(async (db) => {
      const at = new Date(Date.now() - lastInboundAgoMs);
      const [customer] = await db
        .insert(customers)
        .values({ portfolioId, channelId: messengerId, platformUserId: psid, profileName: "Lena", firstSeenAt: at, lastSeenAt: at })
        .returning();
      const [conversation] = await db
        .insert(conversations)
        .values({ portfolioId, channelId: messengerId, customerId: customer!.id, mode: "ai", unreadCount: 1, lastInboundAt: at, lastMessageAt: at })
        .returning();
      await db.insert(messages).values({
        portfolioId, channelId: messengerId, conversationId: conversation!.id, direction: "in", author: "customer", kind: "text",
        text: "Do you have oat milk?", platformMessageId: `m_IN_${psid}`, status: "received", occurredAt: at,
      });
      return conversation!.id;
    });
  }

  it("queues a person's reply for the server to send and turns the conversation manual", async () => {
    graph.reset();
    const id = await seedMessengerConversation("24701936452010001", 3_600_000);
    const run = await cli("conversation", "reply", id, "--portfolio", "acme-coffee", "--text", "Yes, oat and almond milk!");
    expect(run.code, run.stderr).toBe(0);
    const [messageId, status] = run.stdout.trim().split(" ");
    expect(status).toBe("queued");
    expect(run.stderr).toContain("the server sends it when it starts");
    await withDb(async (db) => {
      const [stored] = await db.select().from(messages).where(eq(messages.id, Number(messageId)));
      expect(stored).toMatchObject({ conversationId: id, direction: "out", author: "member", text: "Yes, oat and almond milk!", status: "queued" });
      const [conversation] = await db.select().from(conversations).where(eq(conversations.id, id));
      expect(conversation!.mode).toBe("manual");
      const work = await db.select().from(workItems).where(and(eq(workItems.kind, "send"), eq(workItems.subjectId, id)));
      expect(work.map((w) => w.state)).toEqual(["pending"]);
    });
    expect(graph.requests.filter((r) => r.method === "POST")).toEqual([]);
  });

  it("refuses a reply outside the 7-day window with its reason and exit code 1", async () => {
    const id = await seedMessengerConversation("24701936452010002", 8 * 86_400_000);
    const run = await cli("conversation", "reply", id, "--portfolio", portfolioId, "--text", "Sorry for the late answer");
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/^\d+ failed\n$/);
    const lines = run.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error: not sent: The customer last wrote 192 hours ago; on messenger a person may reply within 168 hours/);
    await withDb(async (db) => {
      const [stored] = await db.select().from(messages).where(eq(messages.id, Number(run.stdout.split(" ")[0])));
      expect(stored).toMatchObject({ status: "failed", errorCode: "window_closed" });
      const work = await db.select().from(workItems).where(eq(workItems.subjectId, id));
      expect(work).toEqual([]);
    });
  });

  it("hands a conversation back to the agent and takes it over again", async () => {
    const id = await seedMessengerConversation("24701936452010003", 60_000);
    const mode = async () => withDb(async (db) => (await db.select().from(conversations).where(eq(conversations.id, id)))[0]!.mode);
    const manual = await cli("conversation", "mode", id, "--portfolio", "acme-coffee", "manual");
    expect(manual.code, manual.stderr).toBe(0);
    expect(manual.stdout).toBe(`${id} manual\n`);
    expect(await mode()).toBe("manual");
    const ai = await cli("conversation", "mode", id, "--portfolio", "acme-coffee", "ai");
    expect(ai.code, ai.stderr).toBe(0);
    expect(await mode()).toBe("ai");
    const bad = await cli("conversation", "mode", id, "--portfolio", "acme-coffee", "robot");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error: the mode must be ai or manual/);
  });

  it("does not find another portfolio's conversation, nor a made-up one", async () => {
    const other = await cli("portfolio", "create", "--name", "Other Shop");
    expect(other.code, other.stderr).toBe(0);
    const id = await seedMessengerConversation("24701936452010004", 60_000);
    const foreign = await cli("conversation", "reply", id, "--portfolio", "other-shop", "--text", "hello");
    expect(foreign.code).toBe(1);
    expect(foreign.stderr).toBe(`error: no conversation ${id}\n`);
    const made = await cli("conversation", "mode", "not a real id", "--portfolio", "acme-coffee", "ai");
    expect(made.code).toBe(1);
    expect(made.stderr).toMatch(/^error: "not a real id" is not a conversation id/);
  });

  /** What the inbound pipeline and the reply runner would have stored. */
  async function seedConversation(): Promise<string> {
    return withDb(async (db) => {
      const t = (s: string) => new Date(`2030-01-0${s}Z`);
      const [customer] = await db
        .insert(customers)
        .values({ portfolioId, channelId, platformUserId: "15550001111", profileName: "Eve \u001b[31m[red]", firstSeenAt: t("1T10:00:00"), lastSeenAt: t("1T10:00:00") })
        .returning();
      const [conversation] = await db
        .insert(conversations)
        .values({
          portfolioId, channelId, customerId: customer!.id, mode: "manual", unreadCount: 1,
          lastInboundAt: t("1T10:00:00"), lastMessageAt: t("2T12:00:00"),
          attentionCode: "send_failed", attentionReason: "The last reply could not be delivered", attentionAt: t("2T12:00:01"),
        })
        .returning();
      const base = { portfolioId, channelId, conversationId: conversation!.id };
      // Inserted newest first: the order shown must come from the times, not from insertion.
      await db.insert(messages).values([
        {
          ...base, direction: "in", author: "customer", kind: "text", text: "Is the shop open?\nOn Sundays too?", platformMessageId: "wamid.IN1",
          status: "received", occurredAt: t("1T10:00:00"),
        },
        {
          ...base, direction: "out", author: "ai", kind: "text", text: "Yes, until 6 pm.", platformMessageId: "wamid.OUT1", status: "read",
          occurredAt: t("1T10:00:05"), sentAt: t("1T10:00:06"), deliveredAt: t("1T10:00:07"), readAt: t("1T10:01:00"), reaction: "👍",
        },
        {
          ...base, direction: "out", author: "member", kind: "text", text: "Following up", status: "failed", occurredAt: t("2T12:00:00"),
          failedAt: t("2T12:00:01"), errorCode: "131047", errorTitle: "Re-engagement message", errorDetail: "More than 24 hours have passed",
        },
      ]);
      return conversation!.id;
    });
  }
});
