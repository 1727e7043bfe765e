// The operator's view of the demo: what /metrics counted while the conversations played.
import { check, say } from "./harness.js";

/** `name{labels} value` lines of the Prometheus text format, summed per metric name. */
function totals(text: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const line of text.split("\n")) {
    const match = /^([a-z_:]+)(?:\{[^}]*\})? ([0-9.e+-]+)$/i.exec(line);
    if (match) sums.set(match[1]!, (sums.get(match[1]!) ?? 0) + Number(match[2]));
  }
  return sums;
}

export async function showMetrics(url: string, platforms: string[]): Promise<void> {
  const res = await fetch(`${url}/metrics`);
  const text = await res.text();
  check("GET /metrics answers in the Prometheus text format", res.status === 200 && text.includes("# TYPE cosbot_webhooks_received_total counter"));
  const sum = totals(text);
  say("What /metrics counted during the demo:");
  for (const name of ["cosbot_webhooks_received_total", "cosbot_webhook_duplicates_dropped_total", "cosbot_webhook_statuses_total", "cosbot_reply_latency_seconds_count"]) {
    say(`  ${name.padEnd(42)} ${sum.get(name) ?? 0}`);
  }
  for (const platform of platforms) {
    const line = text.split("\n").find((l) => l.startsWith(`cosbot_webhooks_received_total{platform="${platform}"}`));
    check(`/metrics counted the ${platform} webhooks`, Number(line?.split(" ").pop() ?? 0) > 0, line ?? "no line");
  }
  check("/metrics counted the replies' latency", (sum.get("cosbot_reply_latency_seconds_count") ?? 0) > 0);
}
