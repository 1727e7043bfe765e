import { type Context, Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import type { KeyValue } from "../cache/ports.js";
import { AppError } from "../core/errors.js";
import { withRequestId } from "../logger.js";
import type { Auth } from "../auth/create-auth.js";
import { type GuardDeps, mountApi } from "./api/mount.js";
import { errorResponse } from "./api/errors.js";
import { openApiDocument } from "./api/openapi.js";
import type { ApiRoute } from "./api/route.js";
import { bodySizeLimit } from "./middleware/body-size.js";
import { originCheck } from "./middleware/origin-check.js";
import { rateLimit } from "./middleware/rate-limit.js";
import { authRoutes } from "./routes/auth.js";
import { type CronDeps, cronRoutes } from "./routes/cron.js";
import { type OpsDeps, opsRoutes } from "./routes/ops.js";
import { webhookRoutes, type WebhookRouteDeps } from "./routes/webhooks.js";
import { webAppRoutes, type WebAppDeps } from "./routes/web-app.js";
import { type PublicPageFacts, publicPageRoutes } from "./routes/public-pages.js";
import { metaCallbackRoutes, type MetaCallbackDeps } from "./routes/meta-callbacks.js";

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
  /** Meta's data-deletion and deauthorize callbacks, and the deletion status page. */
  metaCallbacks?: MetaCallbackDeps;
  /** What /privacy and /data-deletion say about this installation. */
  publicPages?: PublicPageFacts;
  ops: OpsDeps;
  api: ApiEdgeDeps;
  /** The built web app (web/dist), served last with its client-side routes. */
  webApp?: WebAppDeps;
  log: {
    error(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
    info(obj: object, msg: string): void;
    debug(obj: object, msg: string): void;
  };
}

const probePaths = new Set(["/healthz", "/readyz", "/metrics"]);

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
  // The caller's (load balancer's) id when it is a sane token, else a fresh one; echoed back in X-Request-Id.
  app.use(requestId({ limitLength: 128 }));
  app.use((c, next) => withRequestId(c.get("requestId"), next));
  // The path only: query strings carry verify tokens and OAuth codes.
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    const line = { requestId: c.get("requestId"), method: c.req.method, path: c.req.path, status: c.res.status, ms: Math.round(performance.now() - started) };
    // Probes and scrapes come every few seconds, and accepted webhooks up to a thousand a second
    // (counted in /metrics): at info they would drown the lines that matter.
    const routine = c.res.status < 500 && (probePaths.has(c.req.path) || (c.res.status < 400 && c.req.path.startsWith("/webhooks/")));
    if (routine) deps.log.debug(line, "request");
    else deps.log.info(line, "request");
  });
  app.route("/webhooks", webhookRoutes(deps.webhooks));
  app.route("/cron", cronRoutes(deps.cron));
  if (deps.metaCallbacks) app.route("/meta", metaCallbackRoutes(deps.metaCallbacks));
  if (deps.publicPages) app.route("/", publicPageRoutes(deps.publicPages));
  app.route("/", opsRoutes(deps.ops));

  const { api } = deps;
  const limit = (bucket: string, perMinute: number) =>
    rateLimit({ kv: api.kv, bucket, perMinute, trustProxy: api.limits.trustProxy, onError: (err) => deps.log.warn({ err }, "rate limit not counted") });
  app.use("/api/*", originCheck(api.publicUrl));
  app.use("/api/auth/*", limit("sign-in", api.limits.signInPerMinute));
  app.use("/api/*", limit("api", api.limits.apiPerMinute));
  app.use("/api/*", bodySizeLimit({ maxSize: apiMaxBodyBytes, onError: (c) => tooLarge(c) }));
  app.route("/api/auth", authRoutes(api.auth));
  const openapi = openApiDocument(api.routes, { version: api.version, serverUrl: api.publicUrl });
  app.get("/api/openapi.json", (c) => c.json(openapi));
  app.route("/api", mountApi(api.routes, api.guard));
  if (deps.webApp) app.route("/", webAppRoutes(deps.webApp));

  app.notFound((c) => failure(c, "not_found", `no route for ${c.req.method} ${c.req.path}`));
  app.onError((error, c) => {
    // Middleware refusals (bearer auth, body limits) carry their own response.
    if (error instanceof HTTPException) return error.getResponse();
    deps.log.error({ err: error, requestId: c.get("requestId"), path: c.req.path }, "request failed");
    return failure(c, "internal", "internal error");
  });
  return app;
}
