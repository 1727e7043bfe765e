// What every part of the demo shares: output, checks, the loopback guard and the running stage.
import { inArray } from "drizzle-orm";
import type { CliContext } from "../../src/cli/context.js";
import type { Cosbot } from "../../src/compose.js";
import type { Config } from "../../src/config.js";
import type { Db } from "../../src/db/client.js";
import type { Portfolio } from "../../src/db/repositories/portfolio-repository.js";
import { workItems } from "../../src/db/schema/index.js";
import type { FakeGraphApi, FakeOpenAI } from "../../test/fakes/index.js";
import { clock } from "./report.js";

export const say = (line = "") => console.log(line);
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
export const step = (text: string) => say(`${clock(new Date())}  ${text}`);
export const yes = (b: boolean) => (b ? "yes" : "NO");

// ---- checks -----------------------------------------------------------------------------------
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}
export const checks: Check[] = [];
export function check(name: string, ok: boolean, detail = ""): boolean {
  checks.push({ name, ok, detail });
  return ok;
}

export class StepFailed extends Error {}
/** A check the rest of the script depends on. */
export function must(name: string, ok: boolean, detail = ""): void {
  if (!check(name, ok, detail)) throw new StepFailed(`${name}${detail ? ` (${detail})` : ""}`);
}

// ---- loopback only ----------------------------------------------------------------------------
/** Origins something tried to reach off this machine. */
export const offLoopback: string[] = [];

/** The server's HTTP clients use fetch; refuse anything that would leave this machine. */
export function guardLoopback(): void {
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(typeof input === "string" ? input : input instanceof URL ? input.href : input.url);
    if (url.hostname !== "127.0.0.1") {
      offLoopback.push(url.origin);
      return Promise.reject(new Error(`demo: refusing to reach ${url.origin}, only 127.0.0.1 is allowed`));
    }
    return realFetch(input, init);
  };
}

// ---- the running server -----------------------------------------------------------------------
export interface Stage {
  url: string;
  config: Config;
  cosbot: Cosbot;
  db: Db;
  /** Stands in for graph.facebook.com (WhatsApp, Messenger). */
  graph: FakeGraphApi;
  /** Stands in for graph.instagram.com (Instagram Login accounts). */
  igGraph: FakeGraphApi;
  openai: FakeOpenAI;
  portfolio: Portfolio;
  business: string;
  agent: string;
  /** Waits until the server has nothing left to do: no reply due or running. */
  settle(timeoutMs?: number): Promise<void>;
}

export function settler(cosbot: Cosbot, db: Db): Stage["settle"] {
  const pendingWork = async () => (await db.select({ id: workItems.id }).from(workItems).where(inArray(workItems.state, ["pending", "running"]))).length;
  return async (timeoutMs = 15_000) => {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      if ((await pendingWork()) === 0) {
        await cosbot.runner.idle();
        if ((await pendingWork()) === 0) return;
      }
      await sleep(25);
    }
    throw new StepFailed(`the server's work did not settle within ${timeoutMs} ms`);
  };
}

/** Runs an admin CLI command in this process, on the server's own database (PGlite has one owner). */
export async function runCli(stage: Stage, command: (ctx: CliContext, argv: string[]) => Promise<void>, argv: string[]) {
  const out: string[] = [];
  const info: string[] = [];
  const ctx: CliContext = {
    config: stage.config,
    database: async () => ({ db: stage.db, box: stage.cosbot.box }),
    out: (line) => void out.push(line),
    info: (line) => void info.push(line),
  };
  await command(ctx, argv);
  stage.cosbot.directory.invalidate();
  return { out, info };
}
