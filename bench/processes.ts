// Starting the processes under test: the real Cosbot server, the reference servers, the fakes.
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { type Child, spawnChild, waitForHttp } from "./children.js";
import type { Business } from "./database.js";

const root = new URL("..", import.meta.url).pathname;
const tsx = ["--import", "tsx"];

/** The environment a child gets: only what it needs, nothing of the caller's settings. */
function baseEnv(): Record<string, string | undefined> {
  return { PATH: process.env.PATH, HOME: process.env.HOME, TZ: "UTC" };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface Running {
  child: Child;
  url: string;
}

export async function startFakes(logDir: string, modelLatencyMs: number): Promise<Running> {
  const child = spawnChild("fakes", {
    args: [...tsx, join(root, "bench/fakes-server.ts")],
    env: { ...baseEnv(), FAKE_MODEL_LATENCY_MS: String(modelLatencyMs) },
    logFile: join(logDir, "fakes.log"),
    announce: /^listening (.+)$/,
  });
  return { child, url: await child.line! };
}

export async function startReference(mode: "floor" | "ceiling", logDir: string, databaseUrl: string, business: Business): Promise<Running> {
  const child = spawnChild(mode, {
    args: [...tsx, join(root, "bench/reference/server.ts"), mode],
    env: { ...baseEnv(), APP_SECRET: business.appSecret, DATABASE_URL: databaseUrl },
    logFile: join(logDir, `${mode}.log`),
    announce: /^listening (.+)$/,
  });
  return { child, url: await child.line! };
}

export interface ServerSettings {
  databaseUrl: string;
  redisUrl: string;
  fakesUrl: string;
  business: Business;
  dataDir: string;
  logDir: string;
  name: string;
  /** Extra settings for this run (REPLY_QUIET_MS, DB_QUERY_COUNTING, ...). */
  env: Record<string, string>;
}

/**
 * The real server as `npm start` runs it (scripts/run.mjs: the TypeScript sources through tsx),
 * or dist/main.js with BENCH_COMPILED=1 after `npm run build`. Not NODE_ENV=production, whose
 * https-only PUBLIC_URL this loopback run cannot meet; nothing on the webhook path depends on it.
 * --expose-gc and gc-signal.cjs let the bench ask for a full GC (SIGUSR2) before reading memory.
 */
export async function startCosbot(s: ServerSettings): Promise<Running> {
  const port = await freePort();
  const compiled = process.env.BENCH_COMPILED === "1";
  if (compiled && !existsSync(join(root, "dist/main.js"))) throw new Error("BENCH_COMPILED=1 needs dist/main.js: run npm run build first");
  const entry = compiled ? [join(root, "dist/main.js")] : [join(root, "scripts/run.mjs"), "main"];
  const child = spawnChild(s.name, {
    // BENCH_PROFILE=1: a V8 CPU profile per server, written next to its log when it stops.
    args: ["--expose-gc", "--require", join(root, "bench/gc-signal.cjs"), ...(process.env.BENCH_PROFILE === "1" ? ["--cpu-prof", `--cpu-prof-dir=${s.logDir}`] : []), ...entry],
    env: {
      ...baseEnv(),
      NODE_ENV: "development",
      PORT: String(port),
      LOG_LEVEL: "info",
      DATA_DIR: s.dataDir,
      DATABASE_URL: s.databaseUrl,
      REDIS_URL: s.redisUrl,
      ENCRYPTION_KEY: s.business.encryptionKey,
      AUTH_SECRET: randomBytes(32).toString("hex"),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      LOCAL_SIGN_IN: "off",
      OPENAI_API_KEY: "sk-bench-not-a-real-key",
      OPENAI_BASE_URL: `${s.fakesUrl}/v1`,
      GRAPH_API_URL: s.fakesUrl,
      INSTAGRAM_GRAPH_API_URL: s.fakesUrl,
      ...s.env,
    },
    logFile: join(s.logDir, `${s.name}.log`),
  });
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/healthz`);
  return { child, url };
}

/** Resident set size of a process, in bytes (Linux). */
export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = /^VmRSS:\s+(\d+) kB/m.exec(status);
  if (!kb) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(kb[1]) * 1024;
}

/** CPU time (user + system) a process has used so far, in ms (Linux, from /proc/<pid>/stat). */
export function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / clockTicksPerSecond;
}
/** USER_HZ: 100 on every Linux the bench runs on. */
const clockTicksPerSecond = 100;

/** A full GC in the server (gc-signal.cjs), then a pause for the heap to be given back. */
export async function settleMemory(child: Child, pauseMs = 2000): Promise<number> {
  child.proc.kill("SIGUSR2");
  await new Promise((r) => setTimeout(r, 500));
  child.proc.kill("SIGUSR2");
  await new Promise((r) => setTimeout(r, pauseMs));
  return rssBytes(child.pid);
}

/** A number from the server's /metrics (a counter or gauge without labels). */
export async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = new RegExp(`^${name}(?:\\{\\})? ([0-9.e+]+)$`, "m").exec(text);
  if (!line) throw new Error(`${name} is not on ${url}/metrics`);
  return Number(line[1]);
}
