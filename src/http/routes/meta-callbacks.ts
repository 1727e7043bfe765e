import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { verifySignedRequest } from "../../channels/meta/signed-request.js";
import { AppError } from "../../core/errors.js";
import { handleMetaDataDeletion, type DataDeletionDeps } from "../../core/lifecycle/handle-meta-data-deletion.js";
import { handleMetaDeauthorize } from "../../core/lifecycle/handle-meta-deauthorize.js";
import { errorResponse } from "../api/errors.js";
import { publicPagePolicy } from "../public-pages/html.js";
import { metaDeletionStatusPath } from "../public-pages/site.js";
import { deletionStatusPage, unknownCodePage } from "./meta-deletion-status-page.js";

export interface MetaCallbackDeps extends DataDeletionDeps {
  appSecret: string | undefined;
  publicUrl: string;
}

const MAX_BODY_BYTES = 16 * 1024;
const CODE = /^[A-Za-z0-9]{8,64}$/;
const bad = (c: Context, message: string) => errorResponse(c, new AppError("bad_request", message));

const refusal = { malformed: "bad_request", bad_signature: "forbidden", unconfigured: "unavailable" } as const;

/** The verified user id, or the response refusing the request (400 malformed, 403 not signed by us, 503 no app secret). */
async function signedUser(c: Context, appSecret: string | undefined): Promise<string | Response> {
  const type = (c.req.header("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
  if (type !== "application/x-www-form-urlencoded") return bad(c, "expected a form-encoded body (application/x-www-form-urlencoded) with signed_request");
  const form = new URLSearchParams(await c.req.text());
  const verified = verifySignedRequest(form.get("signed_request") ?? undefined, appSecret);
  if (verified.ok) return verified.request.userId;
  return errorResponse(c, new AppError(refusal[verified.problem], `${verified.message}; nothing was done`));
}

/** Meta's data-deletion and deauthorize callbacks (meta-platform.md §6), and the deletion status page. */
export function metaCallbackRoutes(deps: MetaCallbackDeps): Hono {
  const app = new Hono();
  app.use("*", bodyLimit({ maxSize: MAX_BODY_BYTES, onError: (c) => errorResponse(c, new AppError("payload_too_large", `the body may be at most ${MAX_BODY_BYTES} bytes`)) }));

  app.post("/data-deletion", async (c) => {
    const user = await signedUser(c, deps.appSecret);
    if (user instanceof Response) return user;
    const { confirmationCode } = await handleMetaDataDeletion(user, deps);
    // The public pages print this same path, so the instructions and the answer agree.
    const url = `${deps.publicUrl}${metaDeletionStatusPath}?code=${confirmationCode}`;
    return c.json({ url, confirmation_code: confirmationCode });
  });

  app.get("/data-deletion/status", async (c) => {
    const code = c.req.query("code") ?? "";
    const request = CODE.test(code) ? await deps.requests.find(code) : undefined;
    c.header("Cache-Control", "no-store");
    c.header("Content-Security-Policy", publicPagePolicy);
    c.header("X-Content-Type-Options", "nosniff");
    return request ? c.html(deletionStatusPage(request)) : c.html(unknownCodePage(), 404);
  });

  app.post("/deauthorize", async (c) => {
    const user = await signedUser(c, deps.appSecret);
    if (user instanceof Response) return user;
    await handleMetaDeauthorize(user, deps);
    return c.json({ ok: true });
  });
  return app;
}
