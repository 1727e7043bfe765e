import { Hono } from "hono";
import type { Auth } from "../../auth/create-auth.js";

/**
 * The better-auth paths reachable over HTTP: sign-in with GitHub and its callback, the local
 * sign-in link, sign-out. (Who is signed in: `GET /api/me`; better-auth's get-session would put
 * the session token itself into a JSON body.) Everything else better-auth (and its organization plugin)
 * could serve is answered 404, so that membership changes only go through the API's tenant guard.
 */
export const authPaths = [
  "/sign-in/social",
  "/callback/github",
  "/magic-link/verify",
  "/sign-out",
  "/error",
  "/ok",
] as const;

export function authRoutes(auth: Auth): Hono {
  const app = new Hono();
  for (const path of authPaths) app.on(["GET", "POST"], path, (c) => auth.handler(c.req.raw));
  app.all("*", (c) => c.json({ error: { code: "not_found", message: `no auth route ${c.req.path}` } }, 404));
  return app;
}
