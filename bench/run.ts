// npm run bench: Cosbot's webhook intake under load, against two reference servers, on real
// Postgres and Redis; writes bench/results.json and bench/RESULTS.md and prints the table.
// Settings (environment):
//   DATABASE_URL   default postgres://postgres@127.0.0.1:5432/cosbot_bench (dropped and created each run)
//   REDIS_URL      default redis://127.0.0.1:6379/9 (a database index of its own, flushed each run)
//   BENCH_SECONDS (30), BENCH_MESSAGES (100000), BENCH_CONNECTIONS (50), BENCH_RATE (500),
//   BENCH_CONVERSATIONS (200), BENCH_MODEL_LATENCY_MS (200), BENCH_CUSTOMERS (10000),
//   BENCH_QUICK=1: short phases for development (writes *-quick files, not the committed ones),
//   BENCH_COMPILED=1: run dist/main.js (after npm run build) instead of the sources.
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import postgres from "postgres";
import { installCleanup, killAll } from "./children.js";
import { type Business, countRows, prepareDatabase } from "./database.js";
import { type LoadResult, runLoad } from "./load.js";
import { runPaced } from "./paced.js";
import { countRoundTrips, measureOverhead } from "./pipeline.js";
import { type Running, settleMemory, startCosbot, startFakes, startReference } from "./processes.js";
import { checksOf, markdown, type Results } from "./report.js";
import { WebhookFactory } from "./webhooks.js";

const env = process.env;
const quick = env.BENCH_QUICK === "1";
const num = (name: string, full: number, short: number) => Number(env[name] ?? (quick ? short : full));
const settings = {
  databaseUrl: env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/cosbot_bench",
  redisUrl: env.REDIS_URL ?? "redis://127.0.0.1:6379/9",
  seconds: num("BENCH_SECONDS", 30, 3),
  // Warm-up by count, not time: a slow start (JIT, lazy imports, statements prepared per pooled
  // connection) must be behind every server before it is measured.
  warmupMessages: quick ? 500 : 5000,
  messages: num("BENCH_MESSAGES", 100_000, 2000),
  connections: num("BENCH_CONNECTIONS", 50, 50),
  rate: num("BENCH_RATE", 500, 500),
  conversations: num("BENCH_CONVERSATIONS", 200, 30),
  roundTripMessages: quick ? 10 : 50,
  modelLatencyMs: num("BENCH_MODEL_LATENCY_MS", 200, 200),
  customers: num("BENCH_CUSTOMERS", 10_000, 10_000),
  replyQuietMs: 2000,
};

const say = (line = "") => console.log(line);

async function main(): Promise<void> {
  installCleanup();
  const workDir = mkdtempSync(join(tmpdir(), "cosbot-bench-"));
  const business: Business = {
    phoneNumberId: "106540352242922",
    wabaId: "102290129340398",
    appSecret: randomBytes(16).toString("hex"),
    accessToken: `EAAGbench${randomBytes(24).toString("hex")}`,
    encryptionKey: randomBytes(32).toString("hex"),
  };
  say(`Cosbot bench${quick ? " (QUICK: not representative)" : ""}: logs in ${workDir}`);
  say(`  database ${settings.databaseUrl} (recreated), redis ${settings.redisUrl} (flushed)`);
  await prepareDatabase(settings.databaseUrl, business);
  const redis = new Redis(settings.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  await redis.flushdb();
  const redisVersion = /redis_version:(\S+)/.exec(await redis.info("server"))?.[1] ?? "?";
  redis.disconnect();
  const pg = postgres(settings.databaseUrl, { max: 1, onnotice: () => {} });
  const [{ server_version: postgresVersion }] = (await pg`show server_version`) as unknown as [{ server_version: string }];

  const fakes = await startFakes(workDir, settings.modelLatencyMs);
  const stats = async () => (await (await fetch(`${fakes.url}/__bench/stats`)).json()) as { sends: number; completions: number };
  const tag = (name: string) => `${name}${randomBytes(3).toString("hex").toUpperCase()}`;
  const load = (target: Running, factory: WebhookFactory, extra: { seconds?: number; amount?: number }) =>
    runLoad({ url: target.url, path: "/webhooks/whatsapp", factory, customers: settings.customers, connections: settings.connections, serverPid: target.child.pid, ...extra });
  const warmAndMeasure = async (name: string, target: Running, factory: WebhookFactory): Promise<LoadResult> => {
    await load(target, factory, { amount: settings.warmupMessages });
    const result = await load(target, factory, { seconds: settings.seconds });
    say(`  ${name.padEnd(8)} ${result.perSecond.toFixed(0).padStart(6)} msg/s  ack p50 ${result.latencyMs.p50} ms  p99 ${result.latencyMs.p99} ms  refused/failed ${result.non2xx + result.errors + result.timeouts}  server CPU ${result.serverCpuMsPerMessage?.toFixed(2)} ms/msg`);
    return result;
  };

  say(`\n1. Ingestion throughput: ${settings.connections} connections, ${settings.seconds} s each`);
  const ceilingServer = await startReference("ceiling", workDir, settings.databaseUrl, business);
  const ceiling = await warmAndMeasure("ceiling", ceilingServer, new WebhookFactory(business, tag("C")));
  await ceilingServer.child.stop();
  const floorServer = await startReference("floor", workDir, settings.databaseUrl, business);
  const floorFactory = new WebhookFactory(business, tag("F"));
  const floorWarm = await load(floorServer, floorFactory, { amount: settings.warmupMessages });
  const floor = await load(floorServer, floorFactory, { seconds: settings.seconds });
  say(`  floor    ${floor.perSecond.toFixed(0).padStart(6)} msg/s  ack p50 ${floor.latencyMs.p50} ms  p99 ${floor.latencyMs.p99} ms  refused/failed ${floor.non2xx + floor.errors + floor.timeouts}  server CPU ${floor.serverCpuMsPerMessage?.toFixed(2)} ms/msg`);
  await floorServer.child.stop();

  // Intake alone, as the floor does it: the replies it schedules fall due a day later, after the
  // bench (the next phase drops them). The same work as in production up to Meta's 200.
  const intakeServer = await startCosbot({
    databaseUrl: settings.databaseUrl, redisUrl: settings.redisUrl, fakesUrl: fakes.url, business, logDir: workDir,
    dataDir: join(workDir, "data"), name: "cosbot-intake", env: { REPLY_QUIET_MS: String(24 * 3_600_000) },
  });
  const intakeFactory = new WebhookFactory(business, tag("I"));
  let acknowledged = (await load(intakeServer, intakeFactory, { amount: settings.warmupMessages })).ok;
  const intake = await load(intakeServer, intakeFactory, { seconds: settings.seconds });
  acknowledged += intake.ok;
  say(`  intake   ${intake.perSecond.toFixed(0).padStart(6)} msg/s  ack p50 ${intake.latencyMs.p50} ms  p99 ${intake.latencyMs.p99} ms  refused/failed ${intake.non2xx + intake.errors + intake.timeouts}  server CPU ${intake.serverCpuMsPerMessage?.toFixed(2)} ms/msg`);
  const paced = (target: Running, factory: WebhookFactory) =>
    runPaced({
      url: target.url, path: "/webhooks/whatsapp", factory, customers: settings.customers, connections: settings.connections,
      rate: settings.rate, seconds: settings.seconds, serverPid: target.child.pid,
    });
  const intakeAtRate = await paced(intakeServer, intakeFactory);
  acknowledged += intakeAtRate.ok;
  say(`  intake at ${settings.rate} msg/s offered: achieved ${intakeAtRate.perSecond.toFixed(0)} msg/s, ack p50 ${intakeAtRate.latencyMs.p50.toFixed(1)} ms, p99 ${intakeAtRate.latencyMs.p99.toFixed(1)} ms`);
  await intakeServer.child.stop();
  await pg`update work_item set state = 'done', lease_until = null where state in ('pending', 'running')`;

  // Production-like: default quiet period, agent on, replies running while the load lasts.
  const cosbotServer = await startCosbot({
    databaseUrl: settings.databaseUrl, redisUrl: settings.redisUrl, fakesUrl: fakes.url, business, logDir: workDir,
    dataDir: join(workDir, "data"), name: "cosbot", env: { REPLY_QUIET_MS: String(settings.replyQuietMs) },
  });
  const factory = new WebhookFactory(business, tag("W"));
  acknowledged += (await load(cosbotServer, factory, { amount: settings.warmupMessages })).ok;
  const before = await stats();
  const cosbot = await load(cosbotServer, factory, { seconds: settings.seconds });
  const after = await stats();
  // Replies that fell due during the phase and still wait: how far the agent is behind the intake.
  const [{ due }] = (await pg`select count(*)::int as due from work_item where kind = 'reply' and state = 'pending' and run_after <= now()`) as unknown as [{ due: number }];
  acknowledged += cosbot.ok;
  say(`  cosbot   ${cosbot.perSecond.toFixed(0).padStart(6)} msg/s  ack p50 ${cosbot.latencyMs.p50} ms  p99 ${cosbot.latencyMs.p99} ms  refused/failed ${cosbot.non2xx + cosbot.errors + cosbot.timeouts}  server CPU ${cosbot.serverCpuMsPerMessage?.toFixed(2)} ms/msg`);
  say(`           ${after.sends - before.sends} replies sent, ${after.completions - before.completions} model calls meanwhile, ${due} replies due and still waiting`);

  say(`\n2. Ingestion latency at ${settings.rate} msg/s offered, ${settings.seconds} s, while the agent answers what phase 1 left`);
  const atRate = await paced(cosbotServer, factory);
  acknowledged += atRate.ok;
  say(`  achieved ${atRate.perSecond.toFixed(0)} msg/s, ack p50 ${atRate.latencyMs.p50.toFixed(1)} ms, p99 ${atRate.latencyMs.p99.toFixed(1)} ms`);

  say(`\n3. Memory: RSS before and after ${settings.messages.toLocaleString("en")} messages`);
  const rssBefore = await settleMemory(cosbotServer.child);
  const memoryLoad = await load(cosbotServer, factory, { amount: settings.messages });
  acknowledged += memoryLoad.ok;
  const rssAfter = await settleMemory(cosbotServer.child);
  const growthPercent = ((rssAfter - rssBefore) / rssBefore) * 100;
  say(`  ${(rssBefore / 1048576).toFixed(0)} MB -> ${(rssAfter / 1048576).toFixed(0)} MB (${growthPercent.toFixed(1)} %), sent at ${memoryLoad.perSecond.toFixed(0)} msg/s`);
  await cosbotServer.child.stop();
  const rows = await countRows(settings.databaseUrl);
  // The reply backlog of the load phases is not the next server's business: it would skew its counts.
  await pg`update work_item set state = 'done', lease_until = null where state in ('pending', 'running')`;

  say(`\n4. Pipeline overhead and round trips (one message at a time, REPLY_QUIET_MS=0, model ${settings.modelLatencyMs} ms)`);
  // Two servers: the counting hook (postgres.js' debug) costs a little per query, so the overhead is timed without it.
  const quietServer = (name: string, counting: boolean) =>
    startCosbot({
      databaseUrl: settings.databaseUrl, redisUrl: settings.redisUrl, fakesUrl: fakes.url, business, logDir: workDir,
      dataDir: join(workDir, "data"), name, env: { REPLY_QUIET_MS: "0", SWEEP_INTERVAL_MS: "600000", DB_QUERY_COUNTING: String(counting) },
    });
  const pipelineFactory = new WebhookFactory(business, tag("P"));
  const timed = await quietServer("cosbot-quiet", false);
  const overhead = await measureOverhead({ url: timed.url, fakesUrl: fakes.url, factory: pipelineFactory, firstCustomer: 5_000_000 }, settings.conversations, 20, settings.modelLatencyMs, 0);
  say(`  overhead p50 ${overhead.p50.toFixed(1)} ms, p99 ${overhead.p99.toFixed(1)} ms (arrival to Graph send ${overhead.totalP50.toFixed(1)} ms at p50)`);
  await timed.child.stop();
  const counting = await quietServer("cosbot-counting", true);
  const roundTrips = await countRoundTrips({ url: counting.url, fakesUrl: fakes.url, factory: pipelineFactory, firstCustomer: 6_000_000 }, settings.roundTripMessages);
  say(`  round trips per message: store ${roundTrips.store.median}, reply ${roundTrips.reply.median}`);
  await counting.child.stop();
  await fakes.child.stop();
  await pg.end({ timeout: 5 });

  const partial: Omit<Results, "checks"> = {
    meta: {
      date: new Date().toISOString(), quick, node: process.versions.node, cpus: cpus().length, cpuModel: cpus()[0]?.model.trim() ?? "?",
      postgres: postgresVersion, redis: redisVersion, seconds: settings.seconds, warmupMessages: settings.warmupMessages,
      connections: settings.connections, customers: settings.customers, replyQuietMs: settings.replyQuietMs,
      server: env.BENCH_COMPILED === "1" ? "dist/main.js" : "scripts/run.mjs main (tsx)", logLevel: "info",
    },
    throughput: {
      intake, cosbot, floor, ceiling, ratioToFloor: intake.perSecond / floor.perSecond, ratioWithAgent: cosbot.perSecond / floor.perSecond,
      repliesSent: after.sends - before.sends, modelCalls: after.completions - before.completions, repliesDueWaiting: due,
    },
    latencyAtRate: { ...atRate, offeredRate: settings.rate },
    intakeLatencyAtRate: { ...intakeAtRate, offeredRate: settings.rate },
    overhead,
    roundTrips,
    memory: { messages: settings.messages, load: memoryLoad, rssBeforeBytes: rssBefore, rssAfterBytes: rssAfter, growthPercent },
    storage: { acknowledged, stored: rows.inbound, floorAcknowledged: floorWarm.ok + floor.ok, floorStored: rows.floor },
  };
  const results: Results = { ...partial, checks: checksOf(partial) };
  const suffix = quick ? "-quick" : "";
  const here = new URL(".", import.meta.url).pathname;
  writeFileSync(join(here, `results${suffix}.json`), JSON.stringify(results, null, 2) + "\n");
  const table = markdown(results);
  writeFileSync(join(here, `RESULTS${suffix}.md`), table);
  say(`\n${table}`);
  say(`Written: bench/results${suffix}.json, bench/RESULTS${suffix}.md`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error("bench failed:", error);
    killAll();
    process.exit(1);
  },
);
