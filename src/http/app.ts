import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import type { KeyValue } from "../cache/ports.js";
import { AppError } from "../core/errors.js";
import type { Auth } from "../auth/create-auth.js";
import { type GuardDeps, mountApi } from "./api/mount.js";
import { errorResponse } from "./api/errors.js";
import { openApiDocument } from "./api/openapi.js";
import type { ApiRoute } from "./api/route.js";
import { originCheck } from "./middleware/origin-check.js";
import { rateLimit } from "./middleware/rate-limit.js";
import { authRoutes } from "./routes/auth.js";
import { type CronDeps, cronRoutes } from "./routes/cron.js";
import { webhookRoutes, type WebhookRouteDeps } from "./routes/webhooks.js";

export interface ApiEdgeDeps {
  auth: Auth;
  routes: ApiRoute[];
  guard: GuardDeps;
  kv: KeyValue;
  publicUrl: string;
  version: string;
  limits: { apiPerMinute: number; signInPerMinute: number; trustProxy: boolean };
}

export interface HttpDeps {
  webhooks: WebhookRouteDeps;
  cron: CronDeps;
  api: ApiEdgeDeps;
  log: { error(obj: object, msg: string): void; warn(obj: object, msg: string): void; debug(obj: object, msg: string): void };
}

/** Far above any settings body (instructions are at most 20,000 characters); refused before it is read. */
const apiMaxBodyBytes = 1024 * 1024;

/** Refused unread: the connection is closed, since the rest of the body would still be on it. */
function tooLarge(c: Context): Response {
  c.header("Connection", "close");
  return errorResponse(c, new AppError("payload_too_large", `the body may be at most ${apiMaxBodyBytes} bytes`));
}

const failure = (c: Context, code: "not_found" | "internal", message: string) => errorResponse(c, new AppError(code, message));

export function createHttpApp(deps: HttpDeps): Hono {
  const app = new Hono();
  // The path only: query strings carry verify tokens and OAuth codes.
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    deps.log.debug({ method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) }, "request");
  });
  app.route("/webhooks", webhookRoutes(deps.webhooks));
  app.route("/cron", cronRoutes(deps.cron));
  app.get("/healthz", (c) => c.json({ ok: true }));

  const { api } = deps;
  const limit = (bucket: string, perMinute: number) =>
    rateLimit({ kv: api.kv, bucket, perMinute, trustProxy: api.limits.trustProxy, onError: (err) => deps.log.warn({ err }, "rate limit not counted") });
  app.use("/api/*", originCheck(api.publicUrl));
  app.use("/api/auth/*", limit("sign-in", api.limits.signInPerMinute));
  app.use("/api/*", limit("api", api.limits.apiPerMinute));
  app.use("/api/*", bodyLimit({ maxSize: apiMaxBodyBytes, onError: (c) => tooLarge(c) }));
  app.route("/api/auth", authRoutes(api.auth));
  const openapi = openApiDocument(api.routes, { version: api.version, serverUrl: api.publicUrl });
  app.get("/api/openapi.json", (c) => c.json(openapi));
  app.route("/api", mountApi(api.routes, api.guard));

  app.notFound((c) => failure(c, "not_found", `no route for ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    // Middleware refusals (bearer auth, body limits) carry their own response.
    if (error instanceof HTTPException) return error.getResponse();
    deps.log.error({ err: error, path: c.req.path }, "request failed");
    return failure(c, "internal", "internal error");
  });
  return app;
}
