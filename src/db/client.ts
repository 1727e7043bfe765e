import { mkdirSync } from "node:fs";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import { lockDataDir } from "./data-dir-lock.js";
import { postgresOptions } from "./postgres-options.js";
import * as schema from "./schema/index.js";

export type Schema = typeof schema;
/** The one database type the code base uses, whichever driver is underneath. */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction handle; repositories accept either. */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];
export type DbOrTx = Db | Tx;

export interface Database {
  db: Db;
  driver: "pglite" | "postgres";
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** postgres:// URL; when absent the embedded PGlite is used. */
  url?: string;
  /** Folder for PGlite's files; in memory when absent. */
  dataDir?: string;
  /** A PGlite data dump to start from (tests load a migrated dump instead of migrating again). */
  pgliteDump?: Blob;
  poolSize?: number;
  /** A serverless function instance (small pool, short idle time). */
  serverless?: boolean;
  /** Called for every query sent to Postgres (not PGlite), for DB_QUERY_COUNTING. */
  onQuery?(): void;
}

export const migrationsFolder = fileURLToPath(new URL("./migrations", import.meta.url));

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  if (options.url) {
    const sql = postgres(options.url, postgresOptions(options.url, options));
    const db = drizzlePostgres(sql, { schema }) as unknown as Db;
    return { db, driver: "postgres", close: () => sql.end({ timeout: 5 }) };
  }
  if (options.dataDir) mkdirSync(resolve(options.dataDir), { recursive: true });
  const unlock = options.dataDir ? lockDataDir(options.dataDir) : () => {};
  const client = new PGlite({
    ...(options.dataDir ? { dataDir: resolve(options.dataDir) } : {}),
    ...(options.pgliteDump ? { loadDataDir: options.pgliteDump } : {}),
  });
  try {
    await client.waitReady;
  } catch (error) {
    unlock();
    throw error;
  }
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
    driver: "pglite",
    close: async () => {
      await client.close();
      unlock();
    },
  };
}

/** Applies the committed migrations. On Postgres an advisory lock keeps concurrent start-ups apart. */
export async function applyMigrations(database: Database, url?: string): Promise<void> {
  if (database.driver === "pglite") {
    await migratePglite(database.db as never, { migrationsFolder });
    return;
  }
  if (!url) throw new Error("applyMigrations needs the Postgres URL");
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(727274)`;
    await migratePostgres(drizzlePostgres(sql), { migrationsFolder });
    await sql`select pg_advisory_unlock(727274)`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}

/** Rows of a raw `db.execute` result: postgres.js returns an array, PGlite an object with rows. */
export function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
