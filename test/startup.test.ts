import { randomBytes } from "node:crypto";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { memoryCache } from "../src/cache/memory.js";
import { createCosbot } from "../src/compose.js";
import { ConfigError, loadConfig } from "../src/config.js";
import { openDatabase } from "../src/db/client.js";
import { DataDirInUse } from "../src/db/data-dir-lock.js";
import { channels, portfolios } from "../src/db/schema/index.js";

const base = () => ({ NODE_ENV: "test", LOG_LEVEL: "silent", DATA_DIR: mkdtempSync(join(tmpdir(), "cosbot-start-")) });

describe("start-up", () => {
  it("refuses a second process on the same embedded data folder, and allows it once the first closed", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cosbot-lock-"));
    const first = await openDatabase({ dataDir: dir });
    await expect(openDatabase({ dataDir: dir })).rejects.toThrow(DataDirInUse);
    await expect(openDatabase({ dataDir: dir })).rejects.toThrow(/in use by process \d+/);
    await first.close();
    const second = await openDatabase({ dataDir: dir });
    await second.close();
  });

  it("stops with a message naming ENCRYPTION_KEY when stored credentials were sealed with another key", async () => {
    const env = { ...base(), ENCRYPTION_KEY: randomBytes(32).toString("hex") };
    const first = await createCosbot(loadConfig(env), { cache: memoryCache() });
    await first.database.db.insert(portfolios).values({ id: "p1", name: "P", slug: "p" });
    await first.database.db.insert(channels).values({
      id: "c1", portfolioId: "p1", platform: "whatsapp", externalId: "PN1", credentials: first.box.sealJson({ accessToken: "t" }),
    });
    await first.close();
    const other = loadConfig({ ...env, ENCRYPTION_KEY: randomBytes(32).toString("hex") });
    const attempt = createCosbot(other, { cache: memoryCache() });
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(createCosbot(other, { cache: memoryCache() })).rejects.toThrow(/ENCRYPTION_KEY .* cannot open the credentials of 1 channel/);
  });

  it("names DATABASE_URL and REDIS_URL when they are not usable URLs", () => {
    expect(() => loadConfig({ ...base(), DATABASE_URL: "localhost:5432" })).toThrow(/DATABASE_URL/);
    expect(() => loadConfig({ ...base(), REDIS_URL: "127.0.0.1:6379" })).toThrow(/REDIS_URL/);
  });

  it("names REDIS_URL when Redis cannot be reached", async () => {
    const config = loadConfig({ ...base(), REDIS_URL: "redis://127.0.0.1:1" });
    await expect(createCosbot(config)).rejects.toThrow(/REDIS_URL/);
  });
});
