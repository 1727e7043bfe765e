// Live fan-out between server processes (issue 5). With DATABASE_URL and REDIS_URL set (CI), two
// real server processes share Postgres and Redis: a webhook posted to process A reaches an SSE
// client connected to process B, and B replays from the shared log what a reconnecting client
// missed. On the embedded defaults (no REDIS_URL) the fan-out is per process by design: two
// servers on one database do not hear each other, and a server started that way says so.
import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postWebhook } from "./fakes/index.js";
import { type ApiUser, memberOf } from "./support/api-client.js";
import { type ChildServer, childEnv, spawnServer, waitForOk } from "./support/child-server.js";
import { APP_SECRET, type Harness, startCosbot } from "./support/cosbot-under-test.js";
import { customerText } from "./support/payloads.js";
import { freePort } from "./support/redis-server.js";
import { openSse, type SseEvent, type SseStream } from "./support/sse-client.js";

const ENCRYPTION_KEY = randomBytes(32).toString("hex");
/** The harness's own AUTH_SECRET: a session made in the test is valid on every process. */
const AUTH_SECRET = "test-auth-secret-that-is-long-enough-0123456789";
const opened: SseStream[] = [];
const created = (text: string) => (e: SseEvent) => e.event === "message.created" && e.json?.text === text;

async function stream(baseUrl: string, portfolioId: string, as: ApiUser, lastEventId?: string): Promise<SseStream> {
  const s = await openSse(`${baseUrl}/api/portfolios/${portfolioId}/events`, { cookie: as.cookie, lastEventId });
  opened.push(s);
  expect(s.status).toBe(200);
  await s.waitFor((e) => e.event === "ready");
  return s;
}

afterAll(() => opened.forEach((s) => s.close()));

if (process.env.DATABASE_URL && process.env.REDIS_URL) {
  describe("two server processes on one Postgres and one Redis", () => {
    let h: Harness;
    let owner: ApiUser;
    let a: { server: ChildServer; url: string };
    let b: { server: ChildServer; url: string };

    async function start(): Promise<{ server: ChildServer; url: string }> {
      const port = await freePort();
      const server = spawnServer(process.execPath, ["scripts/run.mjs", "main"], childEnv({
        PORT: String(port),
        LOG_LEVEL: "warn",
        DATABASE_URL: h.testDb.url,
        REDIS_URL: process.env.REDIS_URL,
        ENCRYPTION_KEY,
        AUTH_SECRET,
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        LOCAL_SIGN_IN: "off",
        OPENAI_API_KEY: "sk-test",
        OPENAI_BASE_URL: `${h.openai.url}/v1`,
        GRAPH_API_URL: h.graph.url,
        REPLY_QUIET_MS: "100",
        SWEEP_INTERVAL_MS: "200",
        API_RATE_LIMIT_PER_MINUTE: "100000",
      }));
      const url = `http://127.0.0.1:${port}`;
      await waitForOk(server, `${url}/healthz`);
      return { server, url };
    }

    beforeAll(async () => {
      // The in-process harness seeds the data and signs the user in; the two children serve.
      h = await startCosbot({ env: { ENCRYPTION_KEY } });
      owner = await memberOf(h, h.portfolioId, "owner");
      [a, b] = await Promise.all([start(), start()]);
    }, 90_000);

    afterAll(async () => {
      for (const p of [a, b]) {
        if (!p) continue;
        p.server.child.kill("SIGTERM");
        await p.server.exited;
      }
      await h?.close();
    }, 30_000);

    it("passes an event raised on process A to a browser connected to process B", async () => {
      const onB = await stream(b.url, h.portfolioId, owner);
      const res = await postWebhook(a.url, "/webhooks/whatsapp", customerText("wamid.TWO_PROC_1", "Do you deliver to Oslo?", "15557002001"), APP_SECRET);
      expect(res.status).toBe(200);
      const seen = await onB.waitFor(created("Do you deliver to Oslo?"), 20_000);
      expect(seen.json).toMatchObject({ type: "message.created", author: "customer", direction: "in" });
      // The agent's answer, whichever process ran it, reaches B too.
      await onB.waitFor((e) => e.event === "message.created" && e.json?.author === "ai", 20_000);
      onB.close();
    });

    it("lets a browser that reconnects to B catch up on what A raised meanwhile", async () => {
      const first = await stream(b.url, h.portfolioId, owner);
      await postWebhook(a.url, "/webhooks/whatsapp", customerText("wamid.TWO_PROC_2", "One more question", "15557002002"), APP_SECRET);
      const lastSeen = (await first.waitFor(created("One more question"), 20_000)).id!;
      first.close();
      await postWebhook(a.url, "/webhooks/whatsapp", customerText("wamid.TWO_PROC_3", "Are you there?", "15557002003"), APP_SECRET);
      // A's own browser sees it live; B replays it from the shared log on reconnect.
      const onA = await stream(a.url, h.portfolioId, owner, lastSeen);
      await onA.waitFor(created("Are you there?"), 20_000);
      const back = await stream(b.url, h.portfolioId, owner, lastSeen);
      const replayed = back.events.slice(0, back.events.findIndex((e) => e.event === "ready"));
      expect(replayed.find(created("Are you there?"))).toBeDefined();
      expect(replayed.find(created("One more question"))).toBeUndefined();
      const ids = replayed.map((e) => e.id);
      expect(new Set(ids).size).toBe(ids.length);
    });
  });
} else {
  describe("live fan-out without a shared Redis", () => {
    let a: Harness;
    let b: Harness;
    let owner: ApiUser;

    beforeAll(async () => {
      a = await startCosbot();
      b = await startCosbot({ shareDatabase: a.testDb });
      owner = await memberOf(a, a.portfolioId, "owner");
    }, 60_000);
    afterAll(async () => {
      await b?.close();
      await a?.close();
    });

    it(process.env.REDIS_URL ? "crosses between two servers on one Redis" : "stays within the process that raised it", async () => {
      const onA = await stream(a.url, a.portfolioId, owner);
      const onB = await stream(b.url, b.portfolioId, owner);
      await a.post(customerText("wamid.ONE_PROC_1", "Hello from one process", "15557003001"));
      await onA.waitFor(created("Hello from one process"));
      await a.settle();
      // Both servers store into the same database; only the bus decides who hears about it.
      const crossed = async () => onB.events.some(created("Hello from one process"));
      if (process.env.REDIS_URL) await onB.waitFor(created("Hello from one process"));
      else {
        // B's stream is alive (its own events arrive) while A's never do.
        await b.post(customerText("wamid.ONE_PROC_2", "Hello from the other", "15557003002"));
        await onB.waitFor(created("Hello from the other"));
        expect(await crossed()).toBe(false);
      }
    });

    // Only meaningful without Redis; with REDIS_URL alone (no shared Postgres) the test above covers the fan-out.
    if (!process.env.REDIS_URL) it("is said by a server started without REDIS_URL", async () => {
      const port = await freePort();
      const server = spawnServer(process.execPath, ["scripts/run.mjs", "main"], childEnv({
        PORT: String(port),
        LOG_LEVEL: "warn",
        DATA_DIR: mkdtempSync(join(tmpdir(), "cosbot-live-")),
        LOCAL_SIGN_IN: "off",
      }));
      try {
        await waitForOk(server, `http://127.0.0.1:${port}/healthz`);
        await expect.poll(() => server.output(), { timeout: 10_000 }).toContain("REDIS_URL is not set: live updates reach only browsers connected to this process");
      } finally {
        server.child.kill("SIGTERM");
        await server.exited;
      }
    }, 60_000);
  });
}
