import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { type CronDeps, cronRoutes } from "./routes/cron.js";
import { webhookRoutes, type WebhookRouteDeps } from "./routes/webhooks.js";

export interface HttpDeps {
  webhooks: WebhookRouteDeps;
  cron: CronDeps;
  log: { error(obj: object, msg: string): void };
}

export function createHttpApp(deps: HttpDeps): Hono {
  const app = new Hono();
  app.route("/webhooks", webhookRoutes(deps.webhooks));
  app.route("/cron", cronRoutes(deps.cron));
  app.get("/healthz", (c) => c.json({ ok: true }));
  app.notFound((c) => c.json({ error: `no route for ${c.req.method} ${c.req.path}` }, 404));
  app.onError((error, c) => {
    // Middleware refusals (bearer auth, body limits) carry their own response.
    if (error instanceof HTTPException) return error.getResponse();
    deps.log.error({ err: error, path: c.req.path }, "request failed");
    return c.json({ error: "internal error" }, 500);
  });
  return app;
}
