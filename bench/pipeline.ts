// Measured one message at a time on a quiet server: the pipeline's own overhead (arrival to the
// Graph API send, minus the model's fixed latency) and the Postgres round trips per message.
import { performance } from "node:perf_hooks";
import { metric } from "./processes.js";
import type { WebhookFactory } from "./webhooks.js";

const wallNow = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PipelineTarget {
  url: string;
  fakesUrl: string;
  factory: WebhookFactory;
  /** Index of the first customer of this phase: each conversation gets a new customer. */
  firstCustomer: number;
}

async function post(url: string, hook: { body: string; headers: Record<string, string> }): Promise<void> {
  const res = await fetch(`${url}/webhooks/whatsapp`, { method: "POST", body: hook.body, headers: hook.headers });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`webhook answered ${res.status}: ${text}`);
}

/** When the fake Graph API took the reply to this wa_id (its clock: the same machine's wall clock). */
async function sentAt(fakesUrl: string, waId: string): Promise<number> {
  const res = await fetch(`${fakesUrl}/__bench/sent?to=${encodeURIComponent(`+${waId}`)}&timeoutMs=30000`);
  if (res.status !== 200) throw new Error(`no reply reached the Graph API for ${waId} within 30 s`);
  return ((await res.json()) as { at: number }).at;
}

export interface OverheadResult {
  conversations: number;
  modelLatencyMs: number;
  quietMs: number;
  /** Arrival to Graph send, minus model latency and quiet period, in ms. */
  p50: number;
  p99: number;
  mean: number;
  max: number;
  /** Arrival to Graph send, unadjusted. */
  totalP50: number;
}

export async function measureOverhead(t: PipelineTarget, conversations: number, warmup: number, modelLatencyMs: number, quietMs: number): Promise<OverheadResult> {
  const samples: number[] = [];
  const totals: number[] = [];
  for (let i = 0; i < warmup + conversations; i++) {
    const hook = t.factory.next(t.firstCustomer + i, "Do you have gluten-free bread?");
    const arrived = wallNow();
    await post(t.url, hook);
    const sent = await sentAt(t.fakesUrl, hook.from);
    if (i >= warmup) {
      totals.push(sent - arrived);
      samples.push(sent - arrived - modelLatencyMs - quietMs);
    }
    // Let the reply's last writes (sent status, work item done) finish before the next one.
    await sleep(30);
  }
  return { conversations, modelLatencyMs, quietMs, ...summary(samples), totalP50: percentile(totals, 50) };
}

export interface RoundTrips {
  messages: number;
  /** Queries from the webhook's arrival to its 200. */
  store: Stats;
  /** Queries of the reply: from the 200 until the server is idle again (model call and send included). */
  reply: Stats;
  /** Queries one /metrics scrape makes itself (subtracted). */
  perScrape: number;
}
interface Stats {
  median: number;
  min: number;
  max: number;
}

/**
 * Counts with cosbot_db_queries_total (DB_QUERY_COUNTING=true). A scrape makes a query of its
 * own (work items by state): measured first and subtracted from every difference.
 */
export async function countRoundTrips(t: PipelineTarget, messages: number): Promise<RoundTrips> {
  const q = () => metric(t.url, "cosbot_db_queries_total");
  const costs: number[] = [];
  for (let i = 0; i < 3; i++) {
    const a = await q();
    costs.push((await q()) - a);
  }
  const perScrape = Math.min(...costs);
  const store: number[] = [];
  const reply: number[] = [];
  for (let i = 0; i < messages; i++) {
    const hook = t.factory.next(t.firstCustomer + i, "What are your opening hours?");
    const q0 = await q();
    await post(t.url, hook);
    const q1 = await q();
    store.push(q1 - q0 - perScrape);
    await sentAt(t.fakesUrl, hook.from);
    // Idle again when two scrapes in a row, 50 ms apart, see no query but their own.
    let last = q1;
    let scrapes = 0;
    let quiet = 0;
    while (quiet < 2) {
      await sleep(50);
      const now = await q();
      scrapes++;
      quiet = now - last === perScrape ? quiet + 1 : 0;
      last = now;
    }
    reply.push(last - q1 - scrapes * perScrape);
  }
  return { messages, store: stats(store), reply: stats(reply), perScrape };
}

function stats(values: number[]): Stats {
  return { median: percentile(values, 50), min: Math.min(...values), max: Math.max(...values) };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

function summary(values: number[]) {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { p50: percentile(values, 50), p99: percentile(values, 99), mean, max: Math.max(...values) };
}
