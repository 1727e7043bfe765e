import { Hono } from "hono";
import { bearerAuth } from "hono/bearer-auth";

export interface OpsDeps {
  readiness(): Promise<{ ready: boolean; checks: Record<string, unknown> }>;
  scrape(): Promise<{ body: string; contentType: string }>;
  /** Bearer token for /metrics; unset, the metrics are open. */
  metricsToken?: string;
}

/** What an operator's probes and Prometheus call: liveness, readiness, metrics. */
export function opsRoutes(deps: OpsDeps): Hono {
  const app = new Hono();
  // Liveness only: it must not fail because a dependency is down, or the orchestrator restarts in a loop.
  app.get("/healthz", (c) => c.json({ ok: true }));
  app.get("/readyz", async (c) => {
    const result = await deps.readiness();
    c.header("Cache-Control", "no-store");
    return c.json(result, result.ready ? 200 : 503);
  });
  if (deps.metricsToken) app.use("/metrics", bearerAuth({ token: deps.metricsToken }));
  app.get("/metrics", async (c) => {
    const { body, contentType } = await deps.scrape();
    return c.body(body, 200, { "Content-Type": contentType, "Cache-Control": "no-store" });
  });
  return app;
}
