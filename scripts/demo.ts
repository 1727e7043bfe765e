// npm run demo: Cosbot answering customers on WhatsApp, Messenger and Instagram, end to end, on
// this machine only.
//
// The real server (PGlite in a temporary folder, in-memory cache) is started on 127.0.0.1 with
// fake Meta Graph API (graph.facebook.com and graph.instagram.com) and OpenAI servers, also on
// 127.0.0.1. Scripts of signed, real-format webhooks are played against it, one conversation per
// platform, then each conversation is read back from the database, printed, and checked.
// Exit code 0 when every check passed, 1 otherwise.
// DATABASE_URL / REDIS_URL / OPENAI_* in the environment are ignored on purpose.
// DEMO_LOG_LEVEL=info (or debug) shows the server's own logs.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { serve, type ServerType } from "@hono/node-server";
import { createCosbot, type Cosbot } from "../src/compose.js";
import { loadConfig } from "../src/config.js";
import { defaultAgentFields, upsertAgent } from "../src/db/repositories/agent-repository.js";
import { createPortfolio } from "../src/db/repositories/portfolio-repository.js";
import { FakeGraphApi, FakeOpenAI } from "../test/fakes/index.js";
import { check, checks, guardLoopback, offLoopback, say, settler, sleep, type Stage, StepFailed } from "./demo/harness.js";
import { connectInstagram, connectMessenger, OUR_APP_ID } from "./demo/meta-channels.js";
import { confirmUnanswered, playDm, quietUntil } from "./demo/meta-dm.js";
import { bakeryInstructions, shopAssistantReply } from "./demo/shop-assistant.js";
import { connectWhatsApp, playWhatsApp, REPLY_QUIET_MS } from "./demo/whatsapp.js";
import { showMetrics } from "./demo/metrics.js";

const BUSINESS = "Demo Bakery";
const AGENT = "Mia";
const DEADLINE_MS = 60_000;

guardLoopback();

interface Running {
  graph: FakeGraphApi;
  igGraph: FakeGraphApi;
  openai: FakeOpenAI;
  dataDir: string;
  cosbot?: Cosbot;
  server?: ServerType;
}

async function main(): Promise<number> {
  const started = Date.now();
  const deadline = setTimeout(() => {
    console.error(`\nDEMO FAILED: did not finish within ${DEADLINE_MS / 1000} s`);
    process.exit(1);
  }, DEADLINE_MS);
  deadline.unref();

  const run: Running = {
    graph: new FakeGraphApi(),
    igGraph: new FakeGraphApi(),
    openai: new FakeOpenAI(),
    dataDir: mkdtempSync(join(tmpdir(), "cosbot-demo-")),
  };
  let failure: unknown;
  try {
    await play(run);
  } catch (error) {
    failure = error;
  } finally {
    await shutDown(run).catch((error: unknown) => check("shut down cleanly", false, String(error)));
  }

  const failed = checks.filter((c) => !c.ok);
  say();
  if (failure && !(failure instanceof StepFailed)) {
    console.error("DEMO FAILED with an unexpected error:");
    console.error(failure);
    return 1;
  }
  if (failed.length) {
    console.error(`DEMO FAILED: ${failed.length} of ${checks.length} checks did not hold:`);
    for (const c of failed) console.error(`  - ${c.name}${c.detail ? `: ${c.detail}` : ""}`);
    return 1;
  }
  say(`All ${checks.length} checks passed in ${((Date.now() - started) / 1000).toFixed(1)} s. Everything was shut down and the temporary data removed.`);
  return 0;
}

async function play(run: Running): Promise<void> {
  const { graph, igGraph, openai } = run;
  await Promise.all([graph.start(), igGraph.start(), openai.start()]);
  openai.reply = (request) => shopAssistantReply(request);

  // Only what the demo sets: nothing from the environment (no DATABASE_URL, no REDIS_URL).
  const config = loadConfig({
    NODE_ENV: "development",
    LOG_LEVEL: process.env.DEMO_LOG_LEVEL ?? "silent",
    DATA_DIR: run.dataDir,
    ENCRYPTION_KEY: randomBytes(32).toString("hex"),
    OPENAI_API_KEY: "sk-demo-not-a-real-key",
    OPENAI_BASE_URL: `${openai.url}/v1`,
    GRAPH_API_URL: graph.url,
    INSTAGRAM_GRAPH_API_URL: igGraph.url,
    META_APP_ID: OUR_APP_ID,
    REPLY_QUIET_MS: String(REPLY_QUIET_MS),
    SWEEP_INTERVAL_MS: "200",
    WORK_BACKOFF_BASE_MS: "100",
    MODEL_TIMEOUT_MS: "5000",
    GRAPH_TIMEOUT_MS: "3000",
  });
  const cosbot = await createCosbot(config);
  run.cosbot = cosbot;
  const server = serve({ fetch: cosbot.app.fetch, port: 0, hostname: "127.0.0.1" });
  run.server = server;
  await new Promise<void>((resolve, reject) => {
    server.once("listening", () => resolve());
    server.once("error", reject);
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  cosbot.runner.start();
  const db = cosbot.database.db;

  say(`Cosbot demo: ${BUSINESS} on WhatsApp, Messenger and Instagram, entirely on this machine`);
  say(`  server       ${url}  (database ${cosbot.database.driver} in ${run.dataDir}, cache ${cosbot.cache.driver})`);
  say(`  fake Meta    ${graph.url} (graph.facebook.com), ${igGraph.url} (graph.instagram.com)`);
  say(`  fake OpenAI  ${openai.url}`);

  // ---- seed the business ----
  const { portfolio } = await createPortfolio(db, { name: BUSINESS, model: config.DEFAULT_MODEL });
  await upsertAgent(db, portfolio.id, { name: AGENT, instructions: bakeryInstructions }, defaultAgentFields(BUSINESS, config.DEFAULT_MODEL));
  const stage: Stage = { url, config, cosbot, db, graph, igGraph, openai, portfolio, business: BUSINESS, agent: AGENT, settle: settler(cosbot, db) };
  say(`  seeded       portfolio "${portfolio.name}" (${portfolio.slug}), agent ${AGENT}, and its channels:`);
  const whatsapp = await connectWhatsApp(stage);
  const messenger = await connectMessenger(stage);
  const instagram = await connectInstagram(stage);
  say();

  await playWhatsApp(stage, whatsapp);
  const unanswered = [await playDm(stage, messenger), await playDm(stage, instagram)];

  // A reply to the follow-ups would be due after the quiet period: wait it out, then look.
  say();
  const wait = quietUntil(unanswered, REPLY_QUIET_MS) - Date.now();
  say(`Waiting ${(Math.max(0, wait) / 1000).toFixed(1)} s (past the ${REPLY_QUIET_MS / 1000} s quiet period) to be sure the follow-ups stay unanswered...`);
  await sleep(wait);
  await stage.settle();
  const quiet = await Promise.all(unanswered.map((u) => confirmUnanswered(stage, u)));
  check("nothing tried to leave 127.0.0.1 (whole demo)", offLoopback.length === 0, offLoopback.join(", "));
  say(`Follow-ups left to the team: ${unanswered.map((u, i) => `${u.dm.app} ${quiet[i] ? "unanswered" : "ANSWERED"}`).join(", ")}`);
  say();
  await showMetrics(url, ["whatsapp", "messenger", "instagram"]);
}

async function shutDown(run: Running): Promise<void> {
  if (run.server) {
    const server = run.server;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
    await closed;
  }
  await run.cosbot?.close();
  await Promise.all([run.graph.stop(), run.igGraph.stop(), run.openai.stop()]);
  rmSync(run.dataDir, { recursive: true, force: true });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error("DEMO FAILED:", error);
    process.exitCode = 1;
  },
);
