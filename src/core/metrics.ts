/** What the webhook path and the reply worker count; the Prometheus side lives in src/observability. */
export type CounterName =
  | "webhook_received"
  | "webhook_signature_failure"
  | "webhook_duplicate"
  | "webhook_unknown_recipient"
  | "webhook_foreign_signature"
  | "webhook_item_skipped"
  | "webhook_echo"
  | "webhook_status"
  | "webhook_platform_error"
  | "model_error"
  | "graph_api_error";

export type HistogramName = "reply_latency_seconds";

/** The metrics port: core raises counters and observations, and knows nothing of the exporter. */
export interface Metrics {
  inc(name: CounterName, labels?: Record<string, string>, by?: number): void;
  observe(name: HistogramName, value: number, labels?: Record<string, string>): void;
}

/** In-memory counts with a synchronous read: the default where nothing exports, and what tests read. */
export class Counters implements Metrics {
  private readonly values = new Map<string, number>();

  inc(name: CounterName, labels: Record<string, string> = {}, by = 1): void {
    this.add(name, labels, by);
  }

  /** Only how many observations were made is kept here (read as `<name>_count`). */
  observe(name: HistogramName, _value: number, labels: Record<string, string> = {}): void {
    this.add(`${name}_count`, labels, 1);
  }

  private add(name: string, labels: Record<string, string>, by: number): void {
    const key = name + JSON.stringify(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }

  get(name: string, labels: Record<string, string> = {}): number {
    return this.values.get(name + JSON.stringify(labels)) ?? 0;
  }

  snapshot(): Record<string, number> {
    return Object.fromEntries(this.values);
  }
}
