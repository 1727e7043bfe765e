import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve, type ServerType } from "@hono/node-server";
import { testUtils } from "better-auth/plugins";
import { and, asc, eq, inArray } from "drizzle-orm";
import type { Cache } from "../../src/cache/index.js";
import { memoryCache } from "../../src/cache/memory.js";
import { redisCache } from "../../src/cache/redis.js";
import { createCosbot, type Cosbot, type Overrides } from "../../src/compose.js";
import { loadConfig } from "../../src/config.js";
import { agents, channels, conversations, customers, messages, portfolios, workItems } from "../../src/db/schema/index.js";
import { FakeGraphApi, FakeOpenAI, postWebhook, type PostWebhookOptions } from "../fakes/index.js";
import { openTestDatabase, type TestDatabase } from "./test-database.js";

export const APP_SECRET = "app_secret_test";
export const VERIFY_TOKEN = "verify_token_test";
export const PNID = "PNID_TEST_1";
export const AGENT_INSTRUCTIONS = "You are the assistant of Test Shop. Answer briefly and politely.";

export interface Harness {
  url: string;
  graph: FakeGraphApi;
  openai: FakeOpenAI;
  cosbot: Cosbot;
  cache: Cache;
  testDb: TestDatabase;
  portfolioId: string;
  channelId: string;
  post(payload: object | string, options?: PostWebhookOptions): Promise<Response>;
  /** Waits until no reply work is pending or running (and the runner is idle). */
  settle(timeoutMs?: number): Promise<void>;
  messages(): Promise<(typeof messages.$inferSelect)[]>;
  conversations(): Promise<(typeof conversations.$inferSelect)[]>;
  customers(): Promise<(typeof customers.$inferSelect)[]>;
  workItems(): Promise<(typeof workItems.$inferSelect)[]>;
  /** Forgets this channel's dedup markers, as if Redis had lost them. */
  forgetDedupMarkers(): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  env?: Record<string, string | undefined>;
  /** Reuse another harness's database (a second server on the same data). */
  shareDatabase?: TestDatabase;
  seed?: boolean;
  overrides?: Pick<Overrides, "onLocalSignInLink" | "logger" | "webDistDir">;
  /** Listen on this port (0: any free one); a browser test needs it known up front for PUBLIC_URL. */
  port?: number;
}

/**
 * The real server, on a real port, with its real database (PGlite or a fresh Postgres database)
 * and cache (memory or Redis), talking to fake Graph API and OpenAI servers on loopback.
 */
export async function startCosbot(options: HarnessOptions = {}): Promise<Harness> {
  const graph = new FakeGraphApi();
  const openai = new FakeOpenAI();
  await Promise.all([graph.start(), openai.start()]);
  const testDb = options.shareDatabase ?? (await openTestDatabase());
  const cache = process.env.REDIS_URL ? await redisCache(process.env.REDIS_URL) : memoryCache();
  const config = loadConfig({
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    DATA_DIR: mkdtempSync(join(tmpdir(), "cosbot-data-")),
    ENCRYPTION_KEY: sharedKey,
    OPENAI_API_KEY: "sk-test",
    OPENAI_BASE_URL: `${openai.url}/v1`,
    GRAPH_API_URL: graph.url,
    REPLY_QUIET_MS: "100",
    SWEEP_INTERVAL_MS: "200",
    WORK_BACKOFF_BASE_MS: "50",
    MODEL_TIMEOUT_MS: "5000",
    GRAPH_TIMEOUT_MS: "2000",
    AUTH_SECRET: "test-auth-secret-that-is-long-enough-0123456789",
    API_RATE_LIMIT_PER_MINUTE: "100000",
    SIGN_IN_RATE_LIMIT_PER_MINUTE: "100000",
    ...options.env,
  });
  const cosbot = await createCosbot(config, { database: testDb.database, cache, authPlugins: [testUtils()], ...options.overrides });
  const server: ServerType = serve({ fetch: cosbot.app.fetch, port: options.port ?? 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cosbot.runner.start();

  const db = testDb.database.db;
  let portfolioId = "";
  let channelId = "";
  if (options.seed !== false) {
    const [existing] = await db.select().from(channels).where(eq(channels.externalId, PNID));
    if (existing) {
      portfolioId = existing.portfolioId;
      channelId = existing.id;
    } else {
      portfolioId = randomUUID();
      channelId = randomUUID();
      await db.insert(portfolios).values({ id: portfolioId, name: "Test Shop", slug: `test-shop-${portfolioId.slice(0, 8)}` });
      await db.insert(agents).values({ portfolioId, name: "Ava", instructions: AGENT_INSTRUCTIONS, model: "gpt-4o-mini" });
      await db.insert(channels).values({
        id: channelId,
        portfolioId,
        platform: "whatsapp",
        externalId: PNID,
        accountId: "WABA_TEST_1",
        credentials: cosbot.box.sealJson({ accessToken: "EAAG_TEST_TOKEN", appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN }),
      });
    }
    cosbot.directory.invalidate();
  }

  const pendingWork = async () =>
    (await db.select().from(workItems).where(inArray(workItems.state, ["pending", "running"]))).length;

  return {
    url,
    graph,
    openai,
    cosbot,
    cache,
    testDb,
    portfolioId,
    channelId,
    post: (payload, opts) => postWebhook(url, "/webhooks/whatsapp", payload, APP_SECRET, opts),
    async settle(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if ((await pendingWork()) === 0) {
          await cosbot.runner.idle();
          if ((await pendingWork()) === 0) return;
        }
        await new Promise((r) => setTimeout(r, 25));
      }
      throw new Error(`work did not settle within ${timeoutMs} ms`);
    },
    messages: () => db.select().from(messages).where(eq(messages.portfolioId, portfolioId)).orderBy(asc(messages.id)),
    conversations: () => db.select().from(conversations).where(eq(conversations.portfolioId, portfolioId)),
    customers: () => db.select().from(customers).where(eq(customers.portfolioId, portfolioId)),
    workItems: () => db.select().from(workItems).where(and(eq(workItems.portfolioId, portfolioId))),
    async forgetDedupMarkers() {
      const keys = await cache.kv.keys(`dedup:${channelId}:`);
      await cache.kv.delete(...keys);
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      await closed;
      await cosbot.close();
      await cache.close();
      await Promise.all([graph.stop(), openai.stop()]);
      if (!options.shareDatabase) await testDb.drop();
    },
  };
}

/** One key for the whole run, so servers sharing a database can read each other's credentials. */
const sharedKey = randomBytes(32).toString("hex");
