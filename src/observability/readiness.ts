import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import type { Cache } from "../cache/index.js";
import { type Database, migrationsFolder, rowsOf } from "../db/client.js";

export type CheckResult = { ok: true; ms: number } | { ok: false; error: string };
export type Readiness = { ready: boolean; checks: Record<string, CheckResult | { ok: true; skipped: string }> };

export interface ReadinessDeps {
  database: Database;
  cache: Cache;
  /** Per check: a dependency that does not answer in time is as good as down. */
  timeoutMs?: number;
}

/** The newest migration this build ships: the database must have it applied. */
function latestShippedMigration(): number {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, "meta", "_journal.json"), "utf8")) as { entries: { when: number }[] };
  return Math.max(...journal.entries.map((e) => e.when));
}

async function timed(run: () => Promise<void>, timeoutMs: number): Promise<CheckResult> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      run(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return { ok: true, ms: Math.round(performance.now() - started) };
  } catch (error) {
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  } finally {
    clearTimeout(timer);
  }
}

/** Whether this process can serve: Postgres answers, Redis answers (when used), migrations applied. */
export function readinessCheck(deps: ReadinessDeps): () => Promise<Readiness> {
  const shipped = latestShippedMigration();
  const timeoutMs = deps.timeoutMs ?? 2000;
  const { db } = deps.database;
  return async () => {
    const [database, redis, migrations] = await Promise.all([
      timed(async () => {
        await db.execute(sql`select 1`);
      }, timeoutMs),
      deps.cache.ping ? timed(() => deps.cache.ping!(), timeoutMs) : Promise.resolve({ ok: true as const, skipped: "no REDIS_URL: in-memory cache" }),
      timed(async () => {
        const result = await db.execute(sql`select max(created_at) as applied from drizzle.__drizzle_migrations`);
        const applied = Number(rowsOf<{ applied: string | number | null }>(result)[0]?.applied ?? 0);
        if (applied < shipped) throw new Error("the database lacks migrations this build ships: run npm run db:migrate");
      }, timeoutMs),
    ]);
    const checks = { database, redis, migrations };
    return { ready: Object.values(checks).every((c) => c.ok), checks };
  };
}
