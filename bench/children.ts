// Child processes of the bench (server, reference servers, fakes): every one is killed when the
// bench ends, fails or is interrupted (Ctrl-C), so no server is left holding a port.
import { type ChildProcess, spawn } from "node:child_process";
import { openSync } from "node:fs";
import { createInterface } from "node:readline";

const children = new Set<ChildProcess>();

export interface Child {
  proc: ChildProcess;
  pid: number;
  /** Resolves with the first stdout line matching the pattern (the child announcing its URL). */
  line?: Promise<string>;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  args: string[];
  env: Record<string, string | undefined>;
  /** Where the child's output goes (a file); stdout is read instead when `announce` is set. */
  logFile: string;
  /** A line on stdout the child prints once ready, e.g. /^listening (.+)$/. */
  announce?: RegExp;
}

export function spawnChild(name: string, options: SpawnOptions): Child {
  const log = openSync(options.logFile, "a");
  const proc = spawn(process.execPath, options.args, {
    cwd: new URL("..", import.meta.url).pathname,
    env: options.env as NodeJS.ProcessEnv,
    stdio: ["ignore", options.announce ? "pipe" : log, log],
  });
  children.add(proc);
  const stopping = new Set<ChildProcess>();
  const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
  proc.once("exit", (code, signal) => {
    children.delete(proc);
    if (!stopping.has(proc)) console.error(`bench: ${name} exited unexpectedly (code ${code}, signal ${signal}); see ${options.logFile}`);
  });
  let line: Promise<string> | undefined;
  if (options.announce && proc.stdout) {
    const pattern = options.announce;
    const reader = createInterface({ input: proc.stdout });
    line = new Promise((resolve, reject) => {
      reader.on("line", (text) => {
        const match = pattern.exec(text);
        if (match) resolve(match[1] ?? text);
      });
      proc.once("exit", () => reject(new Error(`${name} exited before it was ready; see ${options.logFile}`)));
    });
  }
  return {
    proc,
    pid: proc.pid ?? -1,
    line,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      stopping.add(proc);
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Kills what is still running; synchronous so it also works from an exit handler. */
export function killAll(): void {
  for (const proc of children) {
    try {
      proc.kill("SIGKILL");
    } catch {
      // already gone
    }
  }
  children.clear();
}

let installed = false;
/** Ctrl-C, SIGTERM, an uncaught error or a normal exit: no child outlives the bench. */
export function installCleanup(): void {
  if (installed) return;
  installed = true;
  process.on("exit", killAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      console.error(`\nbench: ${signal}, stopping the child processes`);
      killAll();
      process.exit(130);
    });
  }
}

/** Polls a URL until it answers (any status below 500). */
export async function waitForHttp(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.status < 500) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
