// An open-loop load at a fixed rate: one webhook every 1/rate s, evenly spaced, over up to
// `connections` keep-alive sockets. autocannon's overallRate is not used here: it sends each
// connection's quota back to back at the top of every second, so its p99 is that of a burst.
// Latency counts from when a request was due, not when a socket was free (no coordinated omission).
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
import type { LoadResult } from "./load.js";
import { percentile } from "./pipeline.js";
import { cpuMs } from "./processes.js";
import type { WebhookFactory } from "./webhooks.js";

export interface PacedOptions {
  url: string;
  path: string;
  factory: WebhookFactory;
  customers: number;
  connections: number;
  rate: number;
  seconds: number;
  serverPid?: number;
}

export async function runPaced(o: PacedOptions): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: o.connections });
  const target = new URL(o.path, o.url);
  const latencies: number[] = [];
  let ok = 0;
  let non2xx = 0;
  let errors = 0;
  let sent = 0;
  const total = Math.round(o.rate * o.seconds);
  const cpuBefore = o.serverPid ? cpuMs(o.serverPid) : 0;
  const start = performance.now();
  const inFlight = new Set<Promise<void>>();

  const send = (dueAt: number) => {
    const hook = o.factory.next(sent % o.customers);
    const done = new Promise<void>((resolve) => {
      const req = request(target, { method: "POST", agent, headers: { ...hook.headers, "content-length": Buffer.byteLength(hook.body) } }, (res) => {
        res.resume();
        res.on("end", () => {
          latencies.push(performance.now() - dueAt);
          if (res.statusCode && res.statusCode >= 200 && res.statusCode < 300) ok++;
          else non2xx++;
          resolve();
        });
      });
      req.setTimeout(30_000, () => req.destroy(new Error("timeout")));
      req.on("error", () => {
        errors++;
        resolve();
      });
      req.end(hook.body);
    });
    inFlight.add(done);
    void done.then(() => inFlight.delete(done));
  };

  while (sent < total) {
    // Catch up on every request that fell due since the last tick (timers are ~1 ms coarse).
    const due = Math.min(total, Math.floor(((performance.now() - start) / 1000) * o.rate) + 1);
    while (sent < due) {
      send(start + (sent / o.rate) * 1000);
      sent++;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all([...inFlight]);
  const seconds = (performance.now() - start) / 1000;
  agent.destroy();
  const cpu = o.serverPid ? cpuMs(o.serverPid) - cpuBefore : undefined;
  return {
    requests: sent,
    ok,
    non2xx,
    errors,
    timeouts: 0,
    seconds,
    perSecond: ok / seconds,
    latencyMs: { p50: percentile(latencies, 50), p90: percentile(latencies, 90), p99: percentile(latencies, 99), max: Math.max(...latencies) },
    ...(cpu !== undefined && ok > 0 ? { serverCpuMsPerMessage: cpu / ok } : {}),
  };
}
