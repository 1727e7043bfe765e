// The Vercel function entry (api/index.ts), called the way Vercel's Node.js runtime calls it: a Web
// Request in, a Response out, inside a request context whose waitUntil the test collects and awaits.
import { AsyncLocalStorage } from "node:async_hooks";
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Cosbot } from "../src/compose.js";
import { agents, channels, portfolios, workItems } from "../src/db/schema/index.js";
import { FakeGraphApi, FakeOpenAI, metaJson, signBody } from "./fakes/index.js";
import { customerText } from "./support/payloads.js";
import { APP_SECRET, PNID, VERIFY_TOKEN } from "./support/cosbot-under-test.js";
import { openTestDatabase, type TestDatabase } from "./support/test-database.js";

const CRON_SECRET = "cron-secret-for-the-vercel-test-0123";
const ORIGIN = "https://cosbot-test.vercel.app";

/** What Vercel puts behind Symbol.for("@vercel/request-context"): a per-request store with waitUntil. */
interface RequestContext {
  waitUntil(promise: Promise<unknown>): void;
}
const contexts = new AsyncLocalStorage<RequestContext>();
const contextSymbol = Symbol.for("@vercel/request-context");

type Entry = typeof import("../api/index.js");
type Module = typeof import("../src/serverless/vercel.js");

let entry: Entry["default"];
let serverless: Module;
let graph: FakeGraphApi;
let openai: FakeOpenAI;
let testDb: TestDatabase | undefined;
let cosbot: Cosbot;
const savedEnv = { ...process.env };

/** Calls the handler as Vercel does; resolves with the response and the request's waitUntil promises. */
async function call(path: string, init: RequestInit = {}): Promise<{ response: Response; later: Promise<unknown>[] }> {
  const later: Promise<unknown>[] = [];
  const response = await contexts.run({ waitUntil: (p) => void later.push(p) }, () => entry.fetch(new Request(`${ORIGIN}${path}`, init)));
  return { response, later };
}

function signedWebhook(payload: object): RequestInit {
  const raw = metaJson(payload);
  return {
    method: "POST",
    body: raw,
    headers: { "content-type": "application/json", "x-hub-signature-256": signBody(raw, APP_SECRET), "x-forwarded-for": "173.252.88.1" },
  };
}

beforeAll(async () => {
  graph = new FakeGraphApi();
  openai = new FakeOpenAI();
  await Promise.all([graph.start(), openai.start()]);
  (globalThis as Record<symbol, unknown>)[contextSymbol] = { get: () => contexts.getStore() ?? {} };

  // The entry reads its configuration from the environment, as on Vercel.
  if (process.env.DATABASE_URL) {
    testDb = await openTestDatabase();
    process.env.DATABASE_URL = testDb.url;
  }
  Object.assign(process.env, {
    VERCEL: "1",
    NODE_ENV: "test",
    LOG_LEVEL: "silent",
    DATA_DIR: mkdtempSync(join(tmpdir(), "cosbot-vercel-")),
    ENCRYPTION_KEY: randomBytes(32).toString("hex"),
    AUTH_SECRET: "vercel-test-auth-secret-long-enough-0123456789",
    PUBLIC_URL: ORIGIN,
    OPENAI_API_KEY: "sk-test",
    OPENAI_BASE_URL: `${openai.url}/v1`,
    GRAPH_API_URL: graph.url,
    // Long enough that the 200 comes back well before the reply could run.
    REPLY_QUIET_MS: "1000",
    WORK_BACKOFF_BASE_MS: "50",
    MODEL_TIMEOUT_MS: "5000",
    GRAPH_TIMEOUT_MS: "2000",
    CRON_SECRET,
  });

  entry = (await import("../api/index.js")).default;
  serverless = await import("../src/serverless/vercel.js");
  cosbot = await serverless.functionCosbot();
  const db = cosbot.database.db;
  const portfolioId = randomUUID();
  await db.insert(portfolios).values({ id: portfolioId, name: "Vercel Shop", slug: `vercel-shop-${portfolioId.slice(0, 8)}` });
  await db.insert(agents).values({ portfolioId, name: "Ava", instructions: "Answer briefly.", model: "gpt-4o-mini" });
  await db.insert(channels).values({
    id: randomUUID(),
    portfolioId,
    platform: "whatsapp",
    externalId: PNID,
    accountId: "WABA_VERCEL_1",
    credentials: cosbot.box.sealJson({ accessToken: "EAAG_VERCEL_TOKEN", appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN }),
  });
  cosbot.directory.invalidate();
});

afterAll(async () => {
  await serverless?.closeFunctionCosbot();
  await testDb?.drop();
  await Promise.all([graph?.stop(), openai?.stop()]);
  delete (globalThis as Record<symbol, unknown>)[contextSymbol];
  process.env = savedEnv;
});

describe("the Vercel function entry", () => {
  it("builds one Cosbot per function instance, without in-process schedules", async () => {
    expect(await serverless.functionCosbot()).toBe(cosbot);
    expect(cosbot.app).toBeDefined();
    const { response } = await call("/healthz");
    expect(response.status).toBe(200);
    // Migrated (by db:migrate, or by the test template), and the instance reaches its database and cache.
    const ready = await call("/readyz");
    expect(ready.response.status).toBe(200);
    expect(await ready.response.json()).toMatchObject({ ready: true });
  });

  it("answers a signed WhatsApp webhook with 200 and sends the reply in waitUntil, after the response", async () => {
    // Vercel appends the rewrite's captured path to the query; the entry takes it off again.
    const { response, later } = await call("/webhooks/whatsapp?cosbot_rest=whatsapp", signedWebhook(customerText("wamid.VERCEL_IN_1", "Do you ship to Lyon?")));
    expect(response.status).toBe(200);
    expect(later.length).toBeGreaterThan(0);
    // The response is back; the quiet period has not passed, so nothing has been sent yet.
    expect(graph.sends).toHaveLength(0);

    await Promise.all(later);
    expect(graph.sends).toHaveLength(1);
    expect(graph.sends[0]).toMatchObject({ to: "+15551230001", text: "Reply to: Do you ship to Lyon?", token: "EAAG_VERCEL_TOKEN" });
    const reply = await cosbot.database.db.select().from(workItems).where(eq(workItems.kind, "reply"));
    expect(reply.map((w) => w.state)).toEqual(["done"]);
  });

  it("answers a burst sent in two requests once, though each request hands over its own waitUntil", async () => {
    const first = await call("/webhooks/whatsapp", signedWebhook(customerText("wamid.VERCEL_IN_3", "One more thing:")));
    const second = await call("/webhooks/whatsapp", signedWebhook(customerText("wamid.VERCEL_IN_4", "is Sunday delivery possible?")));
    expect([first.response.status, second.response.status]).toEqual([200, 200]);
    expect(first.later.length).toBeGreaterThan(0);
    expect(second.later.length).toBeGreaterThan(0);
    await Promise.all([...first.later, ...second.later]);
    expect(graph.sends).toHaveLength(2);
    expect(graph.sends[1]!.text).toBe("Reply to: is Sunday delivery possible?");
  });

  it("refuses a webhook with a bad signature and schedules nothing", async () => {
    const init = signedWebhook(customerText("wamid.VERCEL_IN_2", "Hello?"));
    (init.headers as Record<string, string>)["x-hub-signature-256"] = `sha256=${"0".repeat(64)}`;
    const { response, later } = await call("/webhooks/whatsapp", init);
    expect(response.status).toBe(401);
    expect(later).toHaveLength(0);
  });

  it("runs the cron routes only with Vercel's Bearer CRON_SECRET", async () => {
    expect((await call("/cron/sweep")).response.status).toBe(401);
    expect((await call("/cron/sweep", { headers: { authorization: "Bearer not-the-secret-at-all" } })).response.status).toBe(401);
    const swept = await call("/cron/sweep", { headers: { authorization: `Bearer ${CRON_SECRET}` } });
    expect(swept.response.status).toBe(200);
    expect(await swept.response.json()).toEqual({ ok: true });
    const refreshed = await call("/cron/refresh-tokens?cosbot_rest=refresh-tokens", { headers: { authorization: `Bearer ${CRON_SECRET}` } });
    expect(refreshed.response.status).toBe(200);
  });

  it("has vercel.json send the function's paths to it, schedule the crons, and fall back to the SPA", async () => {
    const config = JSON.parse(readFileSync(new URL("../vercel.json", import.meta.url), "utf8")) as {
      rewrites: { source: string; destination: string }[];
      crons: { path: string; schedule: string }[];
      outputDirectory: string;
    };
    const toFunction = config.rewrites.filter((r) => r.destination === "/api").map((r) => r.source);
    for (const prefix of ["webhooks", "api", "cron", "meta"]) expect(toFunction).toContain(`/${prefix}/:${serverless.rewriteParam}*`);
    for (const path of ["/healthz", "/readyz", "/metrics", "/privacy", "/data-deletion"]) expect(toFunction).toContain(path);
    expect(config.rewrites.at(-1)).toEqual({ source: "/(.*)", destination: "/index.html" });
    expect(config.outputDirectory).toBe("web/dist");
    expect(config.crons.map((c) => c.path).sort()).toEqual(["/cron/refresh-tokens", "/cron/sweep"]);
    for (const cron of config.crons) {
      const { response } = await call(cron.path, { headers: { authorization: `Bearer ${CRON_SECRET}` } });
      expect(response.status).toBe(200);
    }
  });
});
