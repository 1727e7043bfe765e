// Real server processes for the fault tests (test/faults/): one WhatsApp channel seeded into a real
// Postgres, children started as an operator starts them, talking to loopback fakes.
import { randomBytes, randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Db } from "../../src/db/client.js";
import { agents, channels, messages, portfolios, workItems } from "../../src/db/schema/index.js";
import { SecretBox } from "../../src/security/secret-box.js";
import { FakeGraphApi, FakeOpenAI, postWebhook } from "../fakes/index.js";
import { type ChildServer, childEnv, spawnServer, waitForOk } from "./child-server.js";
import { APP_SECRET, PNID } from "./cosbot-under-test.js";
import { customerText } from "./payloads.js";
import { openRealDatabase, type RealDatabase } from "./own-postgres.js";
import { freePort, OwnRedis } from "./redis-server.js";

export const AUTH_SECRET = "test-auth-secret-that-is-long-enough-0123456789";

export interface Seeded {
  portfolioId: string;
  channelId: string;
}

/** One portfolio with an enabled agent and the WhatsApp channel PNID, sealed with `keyHex`. */
export async function seedWhatsApp(db: Db, keyHex: string): Promise<Seeded> {
  const portfolioId = randomUUID();
  const channelId = randomUUID();
  await db.insert(portfolios).values({ id: portfolioId, name: "Fault Shop", slug: `fault-${portfolioId.slice(0, 8)}` });
  await db.insert(agents).values({ portfolioId, name: "Ava", instructions: "Answer briefly.", model: "gpt-4o-mini" });
  await db.insert(channels).values({
    id: channelId, portfolioId, platform: "whatsapp", externalId: PNID, accountId: "WABA_TEST_1",
    credentials: new SecretBox(Buffer.from(keyHex, "hex")).sealJson({ accessToken: "EAAG_TEST_TOKEN", appSecret: APP_SECRET }),
  });
  return { portfolioId, channelId };
}

export const newKey = () => randomBytes(32).toString("hex");

export interface ServerSettings {
  databaseUrl: string;
  redisUrl: string;
  encryptionKey: string;
  graph: FakeGraphApi;
  openai: FakeOpenAI;
  env?: Record<string, string>;
}

export interface RunningServer {
  server: ChildServer;
  url: string;
  /** POSTs a signed WhatsApp webhook; a refused or dropped connection is status 0. */
  post(payload: object): Promise<number>;
  /** SIGKILL: no shutdown hook runs, leases stay held until they expire. */
  kill(): Promise<void>;
  /** SIGTERM and wait (the normal end of a test). */
  stop(): Promise<void>;
}

/** `npm start` as an operator runs it, on real Postgres and Redis; resolves once /readyz says ready. */
export async function startServer(s: ServerSettings): Promise<RunningServer> {
  const port = await freePort();
  const server = spawnServer(process.execPath, ["scripts/run.mjs", "main"], childEnv({
    NODE_ENV: "development",
    PORT: String(port),
    LOG_LEVEL: "warn",
    DATABASE_URL: s.databaseUrl,
    REDIS_URL: s.redisUrl,
    ENCRYPTION_KEY: s.encryptionKey,
    AUTH_SECRET,
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    LOCAL_SIGN_IN: "off",
    OPENAI_API_KEY: "sk-test",
    OPENAI_BASE_URL: `${s.openai.url}/v1`,
    GRAPH_API_URL: s.graph.url,
    REPLY_QUIET_MS: "50",
    SWEEP_INTERVAL_MS: "200",
    WORK_BACKOFF_BASE_MS: "100",
    // Short, so a killed process's work is taken up soon; renewed every second while a run lives.
    WORK_LEASE_MS: "3000",
    MODEL_TIMEOUT_MS: "10000",
    GRAPH_TIMEOUT_MS: "10000",
    API_RATE_LIMIT_PER_MINUTE: "100000",
    ...s.env,
  }));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForOk(server, `${url}/readyz`);
  } catch (error) {
    server.child.kill("SIGKILL");
    throw error;
  }
  const ended = async (signal: NodeJS.Signals) => {
    if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill(signal);
    await server.exited;
  };
  return {
    server,
    url,
    post: (payload) =>
      postWebhook(url, "/webhooks/whatsapp", payload, APP_SECRET).then(
        async (r) => (await r.arrayBuffer(), r.status),
        () => 0,
      ),
    kill: () => ended("SIGKILL"),
    stop: () => ended("SIGTERM"),
  };
}

/** A customer's text whose wamid and sender are derived from `n`, so replies can be traced back. */
export function numbered(prefix: string, n: number, text = `question ${prefix} ${n}`) {
  const from = `1555${String(n).padStart(7, "0")}`;
  return { wamid: `wamid.${prefix}_${n}`, from, text, payload: customerText(`wamid.${prefix}_${n}`, text, from) };
}

/** Stored inbound rows per platform message id of one channel. */
export async function inboundCounts(db: Db, channelId: string): Promise<Map<string, number>> {
  const rows = await db
    .select({ id: messages.platformMessageId })
    .from(messages)
    .where(and(eq(messages.channelId, channelId), eq(messages.direction, "in")));
  const counts = new Map<string, number>();
  for (const { id } of rows) if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
}

/** Work items not yet finished (pending or running) of a portfolio. */
export async function unfinishedWork(db: Db, portfolioId: string): Promise<number> {
  const rows = await db.select({ state: workItems.state }).from(workItems).where(eq(workItems.portfolioId, portfolioId));
  return rows.filter((r) => r.state === "pending" || r.state === "running").length;
}

/** Graph API text sends per recipient. */
export function sendsTo(graph: FakeGraphApi, from: string): number {
  return graph.sends.filter((s) => s.to.replace(/^\+/, "") === from).length;
}

/** The run's Redis when REDIS_URL is set, else a redis-server of this test's own (the embedded defaults have none). */
export async function realRedis(): Promise<{ url: string; close(): Promise<void> }> {
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, close: async () => {} };
  const own = await OwnRedis.start();
  return { url: own.url, close: () => own.stop() };
}

/** What every fault test stands on: the fakes, a real Postgres and Redis, one seeded WhatsApp channel. */
export interface FaultWorld {
  graph: FakeGraphApi;
  openai: FakeOpenAI;
  key: string;
  db: RealDatabase;
  redis: { url: string; close(): Promise<void> };
  seeded: Seeded;
  /** Starts a server process on this world; `close` kills every one still running. */
  start(env?: Record<string, string>): Promise<RunningServer>;
  close(): Promise<void>;
}

export async function startFaultWorld(options: { ownPostgres?: boolean } = {}): Promise<FaultWorld> {
  const graph = new FakeGraphApi();
  const openai = new FakeOpenAI();
  const key = newKey();
  await Promise.all([graph.start(), openai.start()]);
  const db = await openRealDatabase({ own: options.ownPostgres });
  const redis = await realRedis();
  const seeded = await seedWhatsApp(db.database.db, key);
  const servers: RunningServer[] = [];
  return {
    graph,
    openai,
    key,
    db,
    redis,
    seeded,
    async start(env) {
      const server = await startServer({ databaseUrl: db.url, redisUrl: redis.url, encryptionKey: key, graph, openai, env });
      servers.push(server);
      return server;
    },
    async close() {
      await Promise.allSettled(servers.map((s) => s.kill()));
      await Promise.allSettled([graph.stop(), openai.stop()]);
      await redis.close();
      await db.drop();
    },
  };
}
