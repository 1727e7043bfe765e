import { type Context, Hono } from "hono";
import { dataDeletionPage } from "../public-pages/data-deletion.js";
import type { PublicPageFacts } from "../public-pages/facts.js";
import { publicPagePolicy } from "../public-pages/html.js";
import { privacyPage } from "../public-pages/privacy.js";
import { dataDeletionPath, privacyPath } from "../public-pages/site.js";

export type { PublicPageFacts } from "../public-pages/facts.js";

/**
 * The privacy policy and the data-deletion instructions: public, server-rendered, no session.
 * Rendered once: they depend on the configuration only.
 */
export function publicPageRoutes(facts: PublicPageFacts): Hono {
  const pages = { [privacyPath]: privacyPage(facts), [dataDeletionPath]: dataDeletionPage(facts) };
  const serve = (body: string) => (c: Context) => {
    c.header("Cache-Control", "public, max-age=300");
    // No scripts, frames or outside assets on these pages: the policy says so to the browser too.
    c.header("Content-Security-Policy", publicPagePolicy);
    c.header("X-Content-Type-Options", "nosniff");
    return c.html(body);
  };
  const app = new Hono();
  for (const [path, body] of Object.entries(pages)) app.get(path, serve(body));
  return app;
}
