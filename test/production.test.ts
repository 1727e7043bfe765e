import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import postgres from "postgres";
import { beforeAll, describe, expect, it } from "vitest";
import { childEnv, spawnServer, waitForOk } from "./support/child-server.js";
import { withDatabase } from "./support/postgres-url.js";
import { freePort } from "./support/redis-server.js";

const run = promisify(execFile);

/** Everything production asks for, on a database and Redis of this test's own where it has them. */
function productionSettings(port: number, databaseUrl: string, redisUrl: string): Record<string, string> {
  return {
    NODE_ENV: "production",
    PORT: String(port),
    LOG_LEVEL: "debug",
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    ENCRYPTION_KEY: randomBytes(32).toString("hex"),
    AUTH_SECRET: randomBytes(32).toString("hex"),
    PUBLIC_URL: "https://cosbot.example.com",
    META_APP_SECRET: "meta-app-secret-test",
    METRICS_TOKEN: "metrics-token-0123456789abcdef",
  };
}

/** A fresh, empty database on the shared Postgres (migrated by the code under test, not by the suite). */
async function emptyDatabase(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `cosbot_prod_${process.pid}_${randomBytes(3).toString("hex")}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`CREATE DATABASE ${name}`);
  return {
    url: withDatabase(baseUrl, name),
    async drop() {
      await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
    },
  };
}

describe("the production build", () => {
  beforeAll(async () => {
    // What an operator runs; tsc is incremental enough that this stays a few seconds.
    await run("npm", ["run", "build:server", "--silent"], { cwd: process.cwd() });
  }, 120_000);

  it("compiles the server to dist with its SQL migrations beside the compiled client", () => {
    expect(existsSync("dist/main.js")).toBe(true);
    expect(existsSync("dist/migrate.js")).toBe(true);
    const journal = JSON.parse(readFileSync("dist/db/migrations/meta/_journal.json", "utf8")) as { entries: { tag: string }[] };
    const shipped = JSON.parse(readFileSync("src/db/migrations/meta/_journal.json", "utf8")) as { entries: { tag: string }[] };
    expect(journal.entries.map((e) => e.tag)).toEqual(shipped.entries.map((e) => e.tag));
    for (const { tag } of journal.entries) expect(existsSync(`dist/db/migrations/${tag}.sql`)).toBe(true);
    expect(existsSync("dist/config.test.js")).toBe(false);
  });

  it("refuses to start in production without ENCRYPTION_KEY, naming it", async () => {
    const settings = productionSettings(await freePort(), "postgres://cosbot@127.0.0.1:1/none", "redis://127.0.0.1:1");
    delete (settings as Partial<typeof settings>).ENCRYPTION_KEY;
    const server = spawnServer("npm", ["start", "--silent"], childEnv(settings));
    const { code } = await server.exited;
    expect(code).toBe(1);
    expect(server.output()).toContain("Missing required setting(s) for production: ENCRYPTION_KEY");
  }, 30_000);

  it("names every missing production setting in one error", async () => {
    const server = spawnServer("npm", ["start", "--silent"], childEnv({ NODE_ENV: "production", DATA_DIR: mkdtempSync(join(tmpdir(), "cosbot-prod-")) }));
    const { code } = await server.exited;
    expect(code).toBe(1);
    expect(server.output()).toContain(
      "Missing required setting(s) for production: DATABASE_URL, REDIS_URL, ENCRYPTION_KEY, AUTH_SECRET, PUBLIC_URL, META_APP_SECRET",
    );
  }, 30_000);

  // Production needs Postgres and Redis: with them the real production start is run; on the
  // embedded backend the same compiled code is started in development mode on PGlite.
  it("migrates with the compiled db:migrate, starts the compiled server, answers /healthz and /readyz, and stops on SIGTERM", async () => {
    const port = await freePort();
    const external = process.env.DATABASE_URL && process.env.REDIS_URL ? await emptyDatabase(process.env.DATABASE_URL) : undefined;
    try {
      const settings = external
        ? productionSettings(port, external.url, process.env.REDIS_URL!)
        : { DATA_DIR: mkdtempSync(join(tmpdir(), "cosbot-dist-")), PORT: String(port), LOG_LEVEL: "debug", METRICS_TOKEN: "metrics-token-0123456789abcdef" };
      const env = childEnv(settings);
      const migrated = external
        ? await run("npm", ["run", "db:migrate", "--silent"], { env: env as NodeJS.ProcessEnv })
        : await run(process.execPath, ["dist/migrate.js"], { env: env as NodeJS.ProcessEnv });
      expect(migrated.stdout).toContain(external ? "Migrations applied (DATABASE_URL)" : "Migrations applied (embedded database");
      // What `npm start` runs; a supervisor should signal node itself, as npm dies of the signal first.
      const server = spawnServer(process.execPath, external ? ["scripts/run.mjs", "main"] : ["dist/main.js"], env);
      try {
        await waitForOk(server, `http://127.0.0.1:${port}/healthz`);
        const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
        expect(ready.status).toBe(200);
        expect(await ready.json()).toMatchObject({ ready: true, checks: { database: { ok: true }, redis: { ok: true }, migrations: { ok: true } } });
        expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
      } finally {
        server.child.kill("SIGTERM");
      }
      expect(await server.exited).toMatchObject({ code: 0 });
      // JSON lines: the request lines carry their request id (probes log theirs at debug).
      const lines = server.output().split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines.find((l) => l.msg === "request" && l.path === "/readyz")).toMatchObject({ requestId: expect.any(String), status: 200 });
      expect(lines.some((l) => l.msg === "stopped")).toBe(true);
    } finally {
      await external?.drop();
    }
  }, 90_000);
});
