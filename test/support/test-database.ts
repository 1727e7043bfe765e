import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import postgres from "postgres";
import { inject } from "vitest";
import { type Database, openDatabase } from "../../src/db/client.js";
import { withDatabase } from "./postgres-url.js";

export interface TestDatabase {
  database: Database;
  /** The database's own URL on real Postgres (for a second server process); undefined on PGlite. */
  url?: string;
  drop(): Promise<void>;
}

/**
 * A fresh, migrated database for one test file: a copy of the run's template on real Postgres
 * when DATABASE_URL is set, else PGlite loaded from the run's dump.
 */
export async function openTestDatabase(): Promise<TestDatabase> {
  const template = inject("postgresTemplate");
  const baseUrl = process.env.DATABASE_URL;
  if (template && baseUrl) {
    const name = template.replace(/_template$/, `_${randomBytes(4).toString("hex")}`);
    const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
    await admin.unsafe(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    const url = withDatabase(baseUrl, name);
    const database = await openDatabase({ url });
    return {
      database,
      url,
      async drop() {
        await database.close();
        await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.end();
      },
    };
  }
  const dump = await readFile(inject("pgliteDump"));
  const database = await openDatabase({ pgliteDump: new Blob([dump]) });
  return { database, drop: () => database.close() };
}
