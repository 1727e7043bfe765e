import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import { type CounterName, Counters, type HistogramName } from "../core/metrics.js";

interface CounterSpec {
  metric: string;
  help: string;
  labels: string[];
}

/** Each core counter and its Prometheus name; labels are fixed here so cardinality stays known. */
const counterSpecs: Record<CounterName, CounterSpec> = {
  webhook_received: { metric: "cosbot_webhooks_received_total", help: "Verified webhook POSTs, per platform", labels: ["platform"] },
  webhook_signature_failure: { metric: "cosbot_webhook_signature_failures_total", help: "Webhook POSTs refused for a missing or wrong signature", labels: ["platform"] },
  webhook_duplicate: { metric: "cosbot_webhook_duplicates_dropped_total", help: "Re-delivered events dropped, by the cache or the database key", labels: ["platform", "by"] },
  webhook_unknown_recipient: { metric: "cosbot_webhook_unknown_recipients_total", help: "Events for a channel that is not connected", labels: ["platform"] },
  webhook_foreign_signature: { metric: "cosbot_webhook_foreign_signatures_total", help: "Events signed by another app than the channel's", labels: ["platform"] },
  webhook_item_skipped: { metric: "cosbot_webhook_items_skipped_total", help: "Webhook items Cosbot does not handle", labels: ["platform"] },
  webhook_echo: { metric: "cosbot_webhook_echoes_total", help: "Echoes of sent messages, by outcome", labels: ["platform", "outcome"] },
  webhook_status: { metric: "cosbot_webhook_statuses_total", help: "Delivery statuses, by outcome", labels: ["platform", "outcome"] },
  webhook_platform_error: { metric: "cosbot_webhook_platform_errors_total", help: "Errors the platform reported in a webhook", labels: ["platform"] },
  model_error: { metric: "cosbot_model_errors_total", help: "Model calls that failed, by kind (retryable or permanent)", labels: ["kind"] },
  graph_api_error: { metric: "cosbot_graph_api_errors_total", help: "Sends the Graph API refused or that did not reach it", labels: ["platform", "retryable"] },
};

export type WorkCounts = Record<"pending" | "running" | "dead", number>;

export interface PrometheusOptions {
  /** Read at scrape time: work items by state, straight from the database. */
  workCounts(): Promise<WorkCounts>;
  /** Queries sent to Postgres so far (DB_QUERY_COUNTING); the counter exists only when given. */
  dbQueries?(): number;
}

/**
 * The metrics port on prom-client, with a registry of its own so several apps in one process
 * (tests) do not collide. Keeps the in-memory counts too, for a synchronous read.
 */
export class PrometheusMetrics extends Counters {
  readonly registry = new Registry();
  private readonly counters = new Map<CounterName, Counter>();
  private readonly latency: Histogram;

  constructor(options: PrometheusOptions) {
    super();
    collectDefaultMetrics({ register: this.registry });
    for (const [name, spec] of Object.entries(counterSpecs) as [CounterName, CounterSpec][]) {
      this.counters.set(name, new Counter({ name: spec.metric, help: spec.help, labelNames: spec.labels, registers: [this.registry] }));
    }
    this.latency = new Histogram({
      name: "cosbot_reply_latency_seconds",
      help: "From the customer's message to the Graph API accepting the agent's reply (includes the quiet period)",
      labelNames: ["platform"],
      buckets: [0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60, 120, 300],
      registers: [this.registry],
    });
    const dbQueries = options.dbQueries;
    if (dbQueries) {
      new Counter({
        name: "cosbot_db_queries_total",
        help: "Queries sent to Postgres by this process (DB_QUERY_COUNTING=true)",
        registers: [this.registry],
        collect() {
          this.reset();
          this.inc(dbQueries());
        },
      });
    }
    new Gauge({
      name: "cosbot_work_items",
      help: "Durable work items by state (dead ones gave up and wait for a person)",
      labelNames: ["state"],
      registers: [this.registry],
      async collect() {
        const counts = await options.workCounts();
        for (const [state, n] of Object.entries(counts)) this.set({ state }, n);
      },
    });
  }

  override inc(name: CounterName, labels: Record<string, string> = {}, by = 1): void {
    super.inc(name, labels, by);
    const counter = this.counters.get(name);
    if (!counter) return;
    const spec = counterSpecs[name];
    counter.inc(Object.fromEntries(spec.labels.map((l) => [l, labels[l] ?? ""])), by);
  }

  override observe(name: HistogramName, value: number, labels: Record<string, string> = {}): void {
    super.observe(name, value, labels);
    if (name === "reply_latency_seconds") this.latency.observe({ platform: labels.platform ?? "" }, value);
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ body: string; contentType: string }> {
    return { body: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
