import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import { type Context, Hono, type MiddlewareHandler } from "hono";

export interface WebAppDeps {
  /** The folder `npm run build:web` writes (web/dist). */
  distDir: string;
}

/** Paths that belong to the server: never answered with the app, so their 404s stay JSON. */
const serverPaths = /^\/(api|webhooks|meta|cron)(\/|$)/;

const immutable = "public, max-age=31536000, immutable";

const missingPage = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Cosbot</title>
<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem;color:#0f172a">
<h1 style="font-size:1.25rem">The web app is not built yet</h1>
<p>Run <code>npm run build:web</code> (or use <code>npm run dev</code> while developing), then reload this page.</p>
<p>The API is running: <a href="/api/openapi.json">/api/openapi.json</a>.</p></body></html>`;

/**
 * The built single-page app: files from web/dist (Vite's hashed assets cached for good,
 * index.html revalidated on every load) and index.html for any other page a browser asks for,
 * so that deep links like /p/…/inbox/… work on reload. Mounted last.
 */
export function webAppRoutes(deps: WebAppDeps): Hono {
  const app = new Hono();
  const indexPath = join(deps.distDir, "index.html");
  // Created on first use: the folder may be built after the server started.
  let files: MiddlewareHandler | undefined;
  const built = () => existsSync(indexPath);
  const wantsPage = (c: Context) => (c.req.header("accept") ?? "").includes("text/html");

  app.get("*", async (c, next) => {
    if (serverPaths.test(c.req.path)) return next();
    if (!built()) {
      if (c.req.path === "/" || wantsPage(c)) return c.html(missingPage, 503, { "Cache-Control": "no-store" });
      return next();
    }
    files ??= serveStatic({ root: deps.distDir });
    const served = await files(c, async () => {});
    if (served instanceof Response) {
      const html = (served.headers.get("content-type") ?? "").startsWith("text/html");
      served.headers.set("Cache-Control", html ? "no-cache" : c.req.path.startsWith("/assets/") ? immutable : "public, max-age=3600");
      return served;
    }
    // A page of the app (a client-side route): the app itself decides what to show.
    if (wantsPage(c) && !c.req.path.startsWith("/assets/")) {
      return c.html(await readFile(indexPath, "utf8"), 200, { "Cache-Control": "no-cache" });
    }
    return next();
  });
  return app;
}
