// One autocannon run of signed webhooks: every request is built fresh (its own wamid, signature).
import autocannon from "autocannon";
import { cpuMs } from "./processes.js";
import type { WebhookFactory } from "./webhooks.js";

export interface LoadOptions {
  url: string;
  path: string;
  factory: WebhookFactory;
  customers: number;
  connections: number;
  /** Run for this long... */
  seconds?: number;
  /** ...or until this many requests were sent. */
  amount?: number;
  /** Requests per second over all connections (a fixed offered load); unset: as fast as acknowledged. */
  overallRate?: number;
  /** The server's pid: its CPU time during the run is reported per acknowledged message. */
  serverPid?: number;
}

export interface LoadResult {
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  seconds: number;
  perSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** Server CPU time (user + system) per acknowledged message, in ms; robust to a busy machine. */
  serverCpuMsPerMessage?: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  let i = 0;
  const cpuBefore = options.serverPid ? cpuMs(options.serverPid) : 0;
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    ...(options.seconds !== undefined ? { duration: options.seconds } : {}),
    ...(options.amount !== undefined ? { amount: options.amount } : {}),
    ...(options.overallRate !== undefined ? { overallRate: options.overallRate } : {}),
    timeout: 30,
    requests: [
      {
        method: "POST",
        path: options.path,
        setupRequest: (request) => {
          const hook = options.factory.next(i++ % options.customers);
          return { ...request, body: hook.body, headers: hook.headers };
        },
      },
    ],
  });
  const ok = result["2xx"];
  const cpu = options.serverPid ? cpuMs(options.serverPid) - cpuBefore : undefined;
  return {
    requests: result.requests.total,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    seconds: result.duration,
    perSecond: ok / result.duration,
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
    ...(cpu !== undefined && ok > 0 ? { serverCpuMsPerMessage: cpu / ok } : {}),
  };
}
