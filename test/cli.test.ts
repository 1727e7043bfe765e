import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDatabase } from "../src/db/client.js";
import { agents, channels, conversations, customers, messages } from "../src/db/schema/index.js";
import { SecretBox } from "../src/security/secret-box.js";

// The real CLI in a child process, on a fresh PGlite directory. Each run costs a few seconds
// (tsx start-up, PGlite open), so the steps share one data dir and build on each other.
const root = fileURLToPath(new URL("..", import.meta.url));
const tsx = join(root, "node_modules", ".bin", "tsx");
const keyHex = randomBytes(32).toString("hex");
const accessToken = "EAAGm0PX4ZCpsBAtestaccesstoken9f3Kx7Wq";
const appSecret = "5f1e2d3c4b5a69788796a5b4c3d2e1f0";
const verifyToken = "verify-me-please-7781";

let dataDir: string;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(...args: string[]): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, ENCRYPTION_KEY: keyHex };
  delete env.DATABASE_URL;
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
  });
  afterAll(async () => {
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
    const run = await cli(
      "channel", "add-whatsapp", "--portfolio", "acme-coffee", "--phone-number-id", "106540352242922", "--waba-id", "102290129340398",
      "--access-token", accessToken, "--app-secret", appSecret, "--verify-token", verifyToken, "--display-name", "Acme +1 555 0100",
    );
    expect(run.code, run.stderr).toBe(0);
    channelId = run.stdout.trim();
    expect(channelId).toMatch(/^[0-9a-f-]{36}$/);
    for (const secret of [accessToken, appSecret, verifyToken]) expect(run.stdout + run.stderr).not.toContain(secret);
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
    expect(header).toMatch(/^ID\s+CUSTOMER\s+MODE\s+UNREAD\s+LAST MESSAGE\s+ATTENTION$/);
    expect(row).toMatch(new RegExp(`^${conversationId}\\s+Eve \\[red\\]\\s+manual\\s+1\\s+2030-01-02T12:00:00.000Z\\s+send_failed$`));
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
    expect(run.stderr).toContain("conversation show");
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
