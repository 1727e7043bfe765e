import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import type { TestProject } from "vitest/node";
import { migrationsFolder } from "../../src/db/client.js";
import { templateDatabase, withDatabase } from "./postgres-url.js";

declare module "vitest" {
  export interface ProvidedContext {
    pgliteDump: string;
    postgresTemplate: string;
  }
}

/**
 * Migrates once per run: a PGlite dump that each test file loads in a fraction of a second, and,
 * when DATABASE_URL is set, a template database each file copies into a fresh database of its own.
 */
export default async function setup(project: TestProject) {
  const pg = new PGlite();
  await migrate(drizzle(pg), { migrationsFolder });
  const dump = await pg.dumpDataDir("gzip");
  await pg.close();
  const dumpPath = join(tmpdir(), `cosbot-test-${process.pid}.tar.gz`);
  await writeFile(dumpPath, Buffer.from(await dump.arrayBuffer()));
  project.provide("pgliteDump", dumpPath);

  const url = process.env.DATABASE_URL;
  if (!url) {
    project.provide("postgresTemplate", "");
    return;
  }
  const admin = postgres(url, { max: 1, onnotice: () => {} });
  const template = templateDatabase(process.pid);
  await admin.unsafe(`DROP DATABASE IF EXISTS ${template}`);
  await admin.unsafe(`CREATE DATABASE ${template}`);
  const sql = postgres(withDatabase(url, template), { max: 1, onnotice: () => {} });
  await migratePostgres(drizzlePostgres(sql), { migrationsFolder });
  await sql.end();
  project.provide("postgresTemplate", template);
  return async () => {
    const stale = await admin<{ datname: string }[]>`SELECT datname FROM pg_database WHERE datname LIKE ${`cosbot_t${process.pid}_%`} OR datname = ${template}`;
    for (const { datname } of stale) await admin.unsafe(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    await admin.end();
  };
}
