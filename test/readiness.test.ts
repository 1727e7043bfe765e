import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCosbot, type Cosbot } from "../src/compose.js";
import { loadConfig } from "../src/config.js";
import { rowsOf } from "../src/db/client.js";
import { OwnRedis } from "./support/redis-server.js";
import { openTestDatabase, type TestDatabase } from "./support/test-database.js";

type Readyz = { ready: boolean; checks: Record<string, { ok: boolean; error?: string; skipped?: string }> };

async function readyz(cosbot: Cosbot): Promise<{ status: number; body: Readyz }> {
  const res = await cosbot.app.request("/readyz");
  return { status: res.status, body: (await res.json()) as Readyz };
}

/** Polls until /readyz answers `status` (Redis reconnects on its own schedule). */
async function until(cosbot: Cosbot, status: number, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  let last = await readyz(cosbot);
  while (last.status !== status && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    last = await readyz(cosbot);
  }
  return last;
}

describe("health and readiness", () => {
  let redis: OwnRedis;
  let testDb: TestDatabase;
  let cosbot: Cosbot;

  beforeAll(async () => {
    redis = await OwnRedis.start();
    testDb = await openTestDatabase();
    const config = loadConfig({
      NODE_ENV: "test",
      LOG_LEVEL: "silent",
      DATA_DIR: mkdtempSync(join(tmpdir(), "cosbot-ready-")),
      REDIS_URL: redis.url,
      AUTH_SECRET: "test-auth-secret-that-is-long-enough-0123456789",
    });
    cosbot = await createCosbot(config, { database: testDb.database });
  });
  afterAll(async () => {
    await cosbot?.close();
    await testDb?.drop();
    await redis?.stop();
  });

  it("is live and ready while Postgres and Redis answer and the migrations are applied", async () => {
    expect((await cosbot.app.request("/healthz")).status).toBe(200);
    const { status, body } = await readyz(cosbot);
    expect(status).toBe(200);
    expect(body.ready).toBe(true);
    expect(Object.keys(body.checks).sort()).toEqual(["database", "migrations", "redis"]);
    expect(body.checks.redis).toMatchObject({ ok: true });
    expect(body.checks.redis?.skipped).toBeUndefined();
  });

  it("turns unready naming redis when Redis stops, stays live, and is ready again when it returns", async () => {
    await redis.stop();
    const down = await until(cosbot, 503);
    expect(down.status).toBe(503);
    expect(down.body.ready).toBe(false);
    expect(down.body.checks.redis).toMatchObject({ ok: false });
    expect(down.body.checks.redis?.error).toBeTruthy();
    expect(down.body.checks.database).toMatchObject({ ok: true });
    // Liveness does not follow a dependency: restarting the process would not bring Redis back.
    expect((await cosbot.app.request("/healthz")).status).toBe(200);

    await redis.start();
    const up = await until(cosbot, 200);
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ ready: true, checks: { redis: { ok: true } } });
  }, 40_000);

  it("turns unready naming migrations when the database lacks the newest one this build ships", async () => {
    const { db } = testDb.database;
    const [newest] = rowsOf<{ id: number; hash: string; created_at: string }>(
      await db.execute(sql`select id, hash, created_at from drizzle.__drizzle_migrations order by created_at desc limit 1`),
    );
    await db.execute(sql`delete from drizzle.__drizzle_migrations where id = ${newest!.id}`);
    try {
      const { status, body } = await readyz(cosbot);
      expect(status).toBe(503);
      expect(body.checks.migrations).toMatchObject({ ok: false });
      expect(body.checks.migrations?.error).toMatch(/db:migrate/);
      expect(body.checks.database).toMatchObject({ ok: true });
    } finally {
      await db.execute(sql`insert into drizzle.__drizzle_migrations (id, hash, created_at) values (${newest!.id}, ${newest!.hash}, ${newest!.created_at})`);
    }
    expect((await readyz(cosbot)).status).toBe(200);
  });
});

describe("readiness on the embedded defaults", () => {
  it("reports Redis as not in use rather than failing", async () => {
    const testDb = await openTestDatabase();
    const config = loadConfig({ NODE_ENV: "test", LOG_LEVEL: "silent", DATA_DIR: mkdtempSync(join(tmpdir(), "cosbot-ready-")) });
    const cosbot = await createCosbot(config, { database: testDb.database });
    try {
      const { status, body } = await readyz(cosbot);
      expect(status).toBe(200);
      expect(body.checks.redis?.skipped).toMatch(/REDIS_URL/);
    } finally {
      await cosbot.close();
      await testDb.drop();
    }
  });
});
