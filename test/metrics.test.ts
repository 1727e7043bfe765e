import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../src/logger.js";
import { graphErrors, waText } from "./fakes/index.js";
import { startCosbot, type Harness } from "./support/cosbot-under-test.js";
import { customerText } from "./support/payloads.js";

const token = "metrics-token-0123456789abcdef";

/** One sample of the exposition text: the line of `name` carrying every given label (0 when absent). */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return 0;
}

describe("/metrics", () => {
  let h: Harness;
  const scrape = async () => {
    const res = await fetch(`${h.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    return res.text();
  };

  beforeAll(async () => {
    h = await startCosbot({ env: { METRICS_TOKEN: token } });
  });
  afterAll(async () => h?.close());

  it("asks for the token when one is configured", async () => {
    expect((await fetch(`${h.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${h.url}/metrics`, { headers: { authorization: "Bearer wrong-token-0123456789" } })).status).toBe(401);
    const text = await scrape();
    // Process metrics from prom-client's defaults, on this app's own registry.
    expect(text).toContain("process_cpu_user_seconds_total");
    expect(text).toContain("nodejs_eventloop_lag_seconds");
  });

  it("counts signed webhooks, signature failures and dropped duplicates, per platform", async () => {
    const before = await scrape();
    const payload = customerText("wamid.METRICS_1", "Hello metrics", "15551239001");
    expect((await h.post(payload)).status).toBe(200);
    expect((await h.post(payload)).status).toBe(200);
    expect((await h.post(payload, { signature: "sha256=00" })).status).toBe(401);
    await h.settle();
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    expect(delta("cosbot_webhooks_received_total", { platform: "whatsapp" })).toBe(2);
    expect(delta("cosbot_webhook_signature_failures_total", { platform: "whatsapp" })).toBe(1);
    expect(delta("cosbot_webhook_duplicates_dropped_total", { platform: "whatsapp", by: "cache" })).toBe(1);
    // The one reply that went out was timed from the message to the Graph API's acceptance.
    expect(h.graph.sends).toHaveLength(1);
    expect(delta("cosbot_reply_latency_seconds_count", { platform: "whatsapp" })).toBe(1);
    expect(sample(after, "cosbot_reply_latency_seconds_sum", { platform: "whatsapp" })).toBeGreaterThan(0);
  });

  it("counts model and Graph API errors", async () => {
    const before = await scrape();
    h.openai.failNext(1, { status: 500 });
    h.graph.failNext(1, graphErrors.reengagement());
    expect((await h.post(customerText("wamid.METRICS_2", "Are you there?", "15551239002"))).status).toBe(200);
    await h.settle();
    const after = await scrape();
    const delta = (name: string, labels: Record<string, string>) => sample(after, name, labels) - sample(before, name, labels);
    expect(h.openai.calls).toHaveLength(3); // the earlier reply, the failure and its retry
    expect(delta("cosbot_model_errors_total", { kind: "retryable" })).toBe(1);
    expect(delta("cosbot_graph_api_errors_total", { platform: "whatsapp", retryable: "false" })).toBe(1);
  });

  it("shows work items by state, read from the database at scrape time", async () => {
    await h.cosbot.runner.stop();
    try {
      await h.post(customerText("wamid.METRICS_3", "Pending for now", "15551239003"));
      const text = await scrape();
      expect(sample(text, "cosbot_work_items", { state: "pending" })).toBe(1);
      expect(text).toMatch(/^cosbot_work_items\{state="dead"\} \d+$/m);
    } finally {
      h.cosbot.runner.start();
    }
    await h.settle();
    expect(sample(await scrape(), "cosbot_work_items", { state: "pending" })).toBe(0);
  });
});

describe("/metrics without METRICS_TOKEN", () => {
  it("is open, and every response carries a request id, the caller's when it is sane", async () => {
    const h = await startCosbot({ seed: false });
    try {
      const res = await fetch(`${h.url}/metrics`);
      expect(res.status).toBe(200);
      expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
      const own = await fetch(`${h.url}/healthz`, { headers: { "x-request-id": "lb-trace-42" } });
      expect(own.headers.get("x-request-id")).toBe("lb-trace-42");
      const odd = await fetch(`${h.url}/healthz`, { headers: { "x-request-id": "no spaces\tor tabs" } });
      expect(odd.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
      // Two apps in one process keep separate registries: no "already registered" clash.
      expect(h.cosbot.counters.registry).not.toBe((await import("prom-client")).register);
    } finally {
      await h.close();
    }
  });
});

describe("request ids in the logs", () => {
  it("puts the request's id on its request line and on what is logged while handling it", async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(JSON.parse(String(chunk)) as Record<string, unknown>), done()) });
    const h = await startCosbot({ overrides: { logger: createLogger("debug", sink) } });
    try {
      const unknownChannel = `PNID_UNKNOWN_${randomBytes(4).toString("hex")}`;
      const payload = waText({ pnid: unknownChannel, from: "15551239009", id: "wamid.METRICS_9", body: "hi", timestamp: String(Math.floor(Date.now() / 1000)) });
      const res = await h.post(payload, { headers: { "x-request-id": "meta-delivery-77" } });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-request-id")).toBe("meta-delivery-77");
      const warning = lines.find((l) => typeof l.msg === "string" && l.msg.startsWith("webhook for a channel that is not connected"));
      expect(warning).toMatchObject({ requestId: "meta-delivery-77", level: 40 });
      // An accepted webhook is routine (up to a thousand a second): its line is at debug, not info.
      expect(lines.find((l) => l.msg === "request" && l.path === "/webhooks/whatsapp")).toMatchObject({ requestId: "meta-delivery-77", status: 200, level: 20 });
      // Work a request schedules runs later, for no request: its lines do not borrow that request's id.
      h.openai.failNext(1, { status: 500 });
      expect((await h.post(customerText("wamid.METRICS_10", "hello", "15551239010"), { headers: { "x-request-id": "meta-delivery-78" } })).status).toBe(200);
      await h.settle();
      expect(h.graph.sends).toHaveLength(1);
      const retry = lines.find((l) => l.msg === "work item failed; will retry");
      expect(retry).toBeDefined();
      expect(retry?.requestId).toBeUndefined();
    } finally {
      await h.close();
    }
  });
});
