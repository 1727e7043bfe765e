import { join } from "node:path";
import { ConfigError, loadDatabaseConfig } from "./config.js";
import { applyMigrations, openDatabase } from "./db/client.js";
import { DataDirInUse } from "./db/data-dir-lock.js";

/** `npm run db:migrate`: the same migrations start-up applies, as a deploy step of its own. */
async function migrate(): Promise<void> {
  const config = loadDatabaseConfig();
  const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATABASE_URL ? undefined : join(config.DATA_DIR, "pglite") });
  try {
    await applyMigrations(database, config.DATABASE_URL);
  } finally {
    await database.close();
  }
  console.log(`Migrations applied (${config.DATABASE_URL ? "DATABASE_URL" : `embedded database in ${config.DATA_DIR}`}).`);
}

migrate().catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof DataDirInUse;
  console.error(known ? (error as Error).message : error);
  process.exit(1);
});
