import type { PublicPageFacts } from "./facts.js";
import { type Html, html, type PageLink } from "./html.js";

export const privacyPath = "/privacy";
export const dataDeletionPath = "/data-deletion";
/** Served by the Meta callbacks (src/http/routes/meta-callbacks.ts). */
export const metaDeletionCallbackPath = "/meta/data-deletion";
export const metaDeletionStatusPath = "/meta/data-deletion/status";
export const metaDeauthorizePath = "/meta/deauthorize";

/** A path of this installation as people and Meta see it (config.ts strips PUBLIC_URL's trailing slash). */
export const publicAddress = (f: PublicPageFacts, path: string) => `${f.publicUrl}${path}`;

export const pageLinks: PageLink[] = [
  { href: privacyPath, label: "Privacy policy" },
  { href: dataDeletionPath, label: "Deleting your data" },
  { href: "/", label: "Sign in" },
];

/** "Acme Ltd" or a neutral description when OPERATOR_NAME is unset. */
export const operator = (f: PublicPageFacts) => f.operatorName ?? "the operator of this Cosbot installation";
export const siteName = (f: PublicPageFacts) => (f.operatorName ? `Cosbot · ${f.operatorName}` : "Cosbot");

export const mailLink = (email: string) => html`<a href="${`mailto:${email}`}">${email}</a>`;

/** Ends a sentence such as "Questions: …": how to reach the operator, or plainly that nobody said. */
export function contact(f: PublicPageFacts): Html {
  if (f.contactEmail) return html`write to ${mailLink(f.contactEmail)}`;
  return html`no privacy contact address has been published here by ${operator(f)} yet, so ask the business you are dealing with`;
}

export function databaseHost(f: PublicPageFacts): Html {
  if (f.database === "neon") return html`a PostgreSQL database hosted by <strong>Neon</strong> (Neon, Inc.)`;
  if (f.database === "postgres") return html`a <strong>PostgreSQL</strong> database run by ${operator(f)} or its database provider (for example Neon)`;
  return html`an embedded <strong>PostgreSQL</strong> database (PGlite) on the disk of the server itself; no database provider is involved`;
}

export function cacheHost(f: PublicPageFacts): Html {
  if (f.cache === "upstash") return html`a Redis cache hosted by <strong>Upstash</strong> (Upstash, Inc.)`;
  if (f.cache === "redis") return html`a <strong>Redis</strong> cache run by ${operator(f)} or its provider (for example Upstash)`;
  return html`the memory of the server process itself (no <strong>Redis</strong> cache provider is involved; the keys are lost when it restarts)`;
}

export function modelProvider(f: PublicPageFacts): Html {
  if (f.model === "openai") return html`<strong>OpenAI</strong> (OpenAI, L.L.C.), through its API`;
  return html`an <strong>OpenAI</strong>-compatible model provider that ${operator(f)} configured instead of OpenAI itself`;
}
