// DB_QUERY_COUNTING: the counter the benchmark reads to count Postgres round trips per message.
import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.js";
import { postgresOptions } from "../src/db/postgres-options.js";
import { PrometheusMetrics } from "../src/observability/prometheus.js";

const noWork = async () => ({ pending: 0, running: 0, dead: 0 });

describe("DB_QUERY_COUNTING", () => {
  it("is off unless set to true, and refuses anything but true or false", () => {
    expect(loadConfig({ DATA_DIR: "/tmp/cosbot-config-test", ENCRYPTION_KEY: "a".repeat(64), AUTH_SECRET: "s".repeat(32) }).DB_QUERY_COUNTING).toBe(false);
    expect(loadConfig({ DATA_DIR: "/tmp/cosbot-config-test", ENCRYPTION_KEY: "a".repeat(64), AUTH_SECRET: "s".repeat(32), DB_QUERY_COUNTING: "true" }).DB_QUERY_COUNTING).toBe(true);
    expect(() => loadConfig({ DATA_DIR: "/tmp/cosbot-config-test", ENCRYPTION_KEY: "a".repeat(64), DB_QUERY_COUNTING: "yes" })).toThrow(/DB_QUERY_COUNTING/);
  });

  it("hands the hook to postgres.js as its per-query debug callback, and only when asked", () => {
    const onQuery = () => {};
    const url = "postgres://u@127.0.0.1:5432/app";
    expect((postgres(url, postgresOptions(url, { onQuery })).options as { debug?: unknown }).debug).toBe(onQuery);
    expect((postgres(url, postgresOptions(url)).options as { debug?: unknown }).debug).toBeFalsy();
  });

  it("shows the count on /metrics as cosbot_db_queries_total, read at scrape time", async () => {
    let queries = 3;
    const metrics = new PrometheusMetrics({ workCounts: noWork, dbQueries: () => queries });
    expect((await metrics.scrape()).body).toMatch(/^cosbot_db_queries_total 3$/m);
    queries = 11;
    expect((await metrics.scrape()).body).toMatch(/^cosbot_db_queries_total 11$/m);
    const without = new PrometheusMetrics({ workCounts: noWork });
    expect((await without.scrape()).body).not.toContain("cosbot_db_queries_total");
  });
});
