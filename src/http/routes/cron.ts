import { Hono } from "hono";
import { bearerAuth } from "hono/bearer-auth";

export interface CronDeps {
  cronSecret?: string;
  refreshTokens(): Promise<unknown>;
  /** Runs due work (and work whose process died) until none is left. */
  sweep(): Promise<unknown>;
}

/** The schedules, as routes a serverless scheduler (Vercel cron) calls with `Authorization: Bearer CRON_SECRET`. */
export function cronRoutes(deps: CronDeps): Hono {
  const app = new Hono();
  app.use("*", async (c, next) => {
    if (!deps.cronSecret) return c.json({ error: "CRON_SECRET is not configured" }, 403);
    return bearerAuth({ token: deps.cronSecret })(c, next);
  });
  app.on(["GET", "POST"], "/refresh-tokens", async (c) => c.json(await deps.refreshTokens()));
  app.on(["GET", "POST"], "/sweep", async (c) => c.json(await deps.sweep()));
  return app;
}
