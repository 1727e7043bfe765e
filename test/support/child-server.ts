import { type ChildProcess, spawn } from "node:child_process";

export interface ChildServer {
  child: ChildProcess;
  /** Everything written to stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or signal) once the process ended. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** A real server process, started the way an operator starts it; output is kept for assertions. */
export function spawnServer(command: string, args: string[], env: Record<string, string | undefined>): ChildServer {
  const child = spawn(command, args, { cwd: process.cwd(), env: env as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  return { child, output: () => out, exited };
}

/** Waits until `url` answers 200, failing early with the output when the process exits. */
export async function waitForOk(server: ChildServer, url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let ended = false;
  void server.exited.then(() => (ended = true));
  while (Date.now() < deadline) {
    if (ended) throw new Error(`the server exited before ${url} answered:\n${server.output()}`);
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms:\n${server.output()}`);
}

/** Environment for a child: the test runner's own settings left out, so only what is given applies. */
export function childEnv(settings: Record<string, string | undefined>): Record<string, string | undefined> {
  const dropped = /^(VITEST|DATABASE_URL$|REDIS_URL$|NODE_ENV$)/;
  const rest = Object.fromEntries(Object.entries(process.env).filter(([k]) => !dropped.test(k)));
  return { ...rest, ...settings };
}
