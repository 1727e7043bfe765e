// Issue 7 §2: Redis goes down. Redis is only the fast path of deduplication and the live fan-out:
// webhooks must still be acknowledged and stored exactly once (Postgres' unique key decides), and
// once Redis is back, browsers receive live updates again, and a tab whose stream lived through the
// outage learns that it missed events (its stream is ended; on reconnect it gets a resync). The
// Redis is this test's own, stopped and started again on the same port; the shared one is never touched.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiUser, memberOf } from "../support/api-client.js";
import { eventually } from "../support/channels.js";
import { type Harness, startCosbot } from "../support/cosbot-under-test.js";
import { inboundCounts, newKey, numbered, type RunningServer, sendsTo, startServer, unfinishedWork } from "../support/fault-servers.js";
import { openRealDatabase, type RealDatabase } from "../support/own-postgres.js";
import { OwnRedis } from "../support/redis-server.js";
import { openSse, type SseEvent, type SseStream } from "../support/sse-client.js";

/**
 * An inbox tab: one stream at a time; when the server ends it, it reconnects with the last id it
 * saw, as EventSource does, retrying while the server refuses. Every event of every stream is kept.
 */
class Browser {
  readonly events: SseEvent[] = [];
  readonly statuses: number[] = [];
  reconnects = 0;
  private current: SseStream | undefined;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly cookie: string,
  ) {}

  async open(): Promise<void> {
    while (!this.closed) {
      const lastEventId = [...this.events].reverse().find((e) => e.id)?.id;
      const stream = await openSse(this.url, { cookie: this.cookie, lastEventId }).catch(() => undefined);
      this.statuses.push(stream?.status ?? 0);
      if (stream?.status === 200) {
        this.current = stream;
        const seen = new Set<SseEvent>();
        // Mirror the stream's events as they come, and reconnect when it ends.
        const copy = () => stream.events.filter((e) => !seen.has(e)).forEach((e) => (seen.add(e), this.events.push(e)));
        const timer = setInterval(copy, 20);
        void stream.ended.then(() => {
          clearInterval(timer);
          copy();
          if (this.closed) return;
          this.reconnects++;
          void this.open();
        });
        return;
      }
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  waitFor(match: (e: SseEvent) => boolean, timeoutMs: number): Promise<SseEvent> {
    return eventually(() => {
      const found = this.events.find(match);
      if (!found) throw new Error(`no matching event in ${timeoutMs} ms; got ${this.events.map((e) => e.event).join(", ")}`);
      return found;
    }, timeoutMs, 20);
  }

  close(): void {
    this.closed = true;
    this.current?.close();
  }
}

const created = (text: string) => (e: SseEvent) => e.event === "message.created" && e.json?.text === text;

describe("Redis is down", () => {
  const key = newKey();
  let db: RealDatabase;
  let redis: OwnRedis;
  let h: Harness;
  let owner: ApiUser;
  let server: RunningServer | undefined;
  let browser: Browser | undefined;

  beforeAll(async () => {
    db = await openRealDatabase();
    redis = await OwnRedis.start();
    // The in-process harness only seeds the data and signs the owner in; the child serves.
    h = await startCosbot({ shareDatabase: db, env: { ENCRYPTION_KEY: key } });
    await h.cosbot.runner.stop();
    owner = await memberOf(h, h.portfolioId, "owner");
    server = await startServer({ databaseUrl: db.url, redisUrl: redis.url, encryptionKey: key, graph: h.graph, openai: h.openai });
  }, 60_000);

  afterAll(async () => {
    browser?.close();
    await server?.kill();
    await h?.close();
    await redis?.stop();
    await db?.drop();
  }, 30_000);

  it("acknowledges and stores each message once while Redis is away, and live updates resume when it is back", async () => {
    const s = server!;
    browser = new Browser(`${s.url}/api/portfolios/${h.portfolioId}/events`, owner.cookie);
    await browser.open();
    await browser.waitFor((e) => e.event === "ready", 10_000);
    const before = numbered("REDIS_UP", 1);
    expect(await s.post(before.payload)).toBe(200);
    await browser.waitFor(created(before.text), 10_000);

    await redis.stop();
    // Five messages, each delivered three times at once and once more afterwards, as Meta may.
    const during = [2, 3, 4, 5, 6].map((n) => numbered("REDIS_DOWN", n));
    const first = await Promise.all(during.flatMap((m) => [m, m, m]).map((m) => s.post(m.payload)));
    const again = await Promise.all(during.map((m) => s.post(m.payload)));
    expect([...first, ...again]).toEqual(Array(20).fill(200));
    const stored = await inboundCounts(h.testDb.database.db, h.channelId);
    expect(during.map((m) => stored.get(m.wamid))).toEqual([1, 1, 1, 1, 1]);
    // Replies do not need Redis either: each customer is answered once.
    await eventually(async () => expect(await unfinishedWork(h.testDb.database.db, h.portfolioId)).toBe(0), 20_000, 100);
    expect(during.map((m) => sendsTo(h.graph, m.from))).toEqual([1, 1, 1, 1, 1]);

    await redis.start();
    // The server ends the streams that lived through the outage: the tab reconnects with its last
    // id, and as the restarted Redis kept no log, it is told to refetch what it shows (resync).
    await browser.waitFor((e) => e.event === "resync", 20_000);
    expect(browser.reconnects).toBeGreaterThanOrEqual(1);
    // Live delivery resumes once the server's connections are back: a new message reaches the tab.
    let probe = 0;
    await eventually(async () => {
      const m = numbered("REDIS_BACK", 10 + ++probe);
      expect(await s.post(m.payload)).toBe(200);
      await browser!.waitFor(created(m.text), 2_000);
    }, 25_000, 0);
    const stored2 = await inboundCounts(h.testDb.database.db, h.channelId);
    expect([...stored2.values()].every((c) => c === 1)).toBe(true);
  }, 60_000);
});
