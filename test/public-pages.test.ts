// The public pages (issue 6 item 4): the privacy policy and the data-deletion instructions are
// served without a session, name the configured contact and every processor, link to each other,
// and escape whatever the operator configured.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataDeletionPage } from "../src/http/public-pages/data-deletion.js";
import { publicPageFacts } from "../src/http/public-pages/facts.js";
import { privacyPage } from "../src/http/public-pages/privacy.js";
import { type Harness, startCosbot } from "./support/cosbot-under-test.js";

const operatorName = `Acme <b>"Bakery"</b> & Sons`;
const contactEmail = "o'brien+privacy@example.test";
const pages = ["/privacy", "/data-deletion"];
const PUBLIC_URL = "https://cosbot.example.test";

let h: Harness;
let bare: Harness;

beforeAll(async () => {
  h = await startCosbot({ env: { OPERATOR_NAME: operatorName, PRIVACY_CONTACT_EMAIL: contactEmail, PUBLIC_URL }, seed: false });
  // The same server without either setting.
  bare = await startCosbot({ seed: false, shareDatabase: h.testDb });
}, 60_000);

afterAll(async () => {
  await bare?.close();
  await h?.close();
});

const get = (server: Harness, path: string) => fetch(`${server.url}${path}`, { redirect: "manual" });
const hrefs = (page: string) => [...page.matchAll(/href="([^"]*)"/g)].map((m) => m[1]!);

describe("the public pages", () => {
  it.each(pages)("%s answers 200 HTML to anyone, without a session, setting no cookie and running no script", async (path) => {
    const res = await get(h, path);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html; charset=utf-8/i);
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    const page = await res.text();
    expect(page).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(page).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(page).toMatch(/<h1>[^<]+<\/h1>/);
    expect(page).not.toMatch(/<script|<img|<iframe|https?:\/\/[^"]*\.(css|js)/i);
  });

  it.each(pages)("%s names the configured contact and operator, escaped", async (path) => {
    const page = await (await get(h, path)).text();
    expect(page).toContain('<a href="mailto:o&#39;brien+privacy@example.test">o&#39;brien+privacy@example.test</a>');
    expect(page).toContain("Acme &lt;b&gt;&quot;Bakery&quot;&lt;/b&gt; &amp; Sons");
    expect(page).not.toContain("<b>");
    expect(page).not.toContain(contactEmail);
  });

  it.each(pages)("%s says plainly that no contact was configured when none was", async (path) => {
    const page = await (await get(bare, path)).text();
    expect(page).toContain("no privacy contact address has been published here");
    expect(page).toContain("the operator of this Cosbot installation");
    expect(page).not.toContain("mailto:");
  });

  it("link to each other, and every link between them answers", async () => {
    const privacy = await (await get(h, "/privacy")).text();
    const deletion = await (await get(h, "/data-deletion")).text();
    expect(hrefs(privacy)).toContain("/data-deletion");
    expect(hrefs(deletion)).toContain("/privacy");
    for (const page of [privacy, deletion]) {
      expect(page).toContain('aria-current="page"');
      for (const href of hrefs(page).filter((l) => pages.includes(l))) expect((await get(h, href)).status).toBe(200);
    }
  });

  it("the privacy policy mentions every processor and the facts the code implements", async () => {
    const page = await (await get(h, "/privacy")).text();
    for (const processor of ["Meta", "OpenAI", "PostgreSQL", "Redis", "Vercel", "GitHub"]) expect(page).toContain(processor);
    for (const fact of [
      "AES-256-GCM",
      "the agent's instructions and the conversation",
      "does not download or keep pictures",
      "expire within 24 hours",
      "expires after 7 days",
      `<code>${PUBLIC_URL}/meta/data-deletion</code>`,
      `${PUBLIC_URL}/meta/data-deletion/status?code=`,
      "the Facebook user id in a request is removed once it has completed",
      "download everything",
    ]) {
      expect(page).toContain(fact);
    }
  });

  it("the data-deletion page walks each kind of person through it, with this installation's callback and status addresses", async () => {
    const page = await (await get(h, "/data-deletion")).text();
    for (const part of ['id="customer"', 'id="facebook"', 'id="business"', "{\"confirm\":\"erase\"}"]) expect(page).toContain(part);
    // The addresses Meta is given, and the one the callback answers with (meta-data-deletion.test.ts checks that answer).
    for (const path of ["/meta/data-deletion", "/meta/deauthorize", "/meta/data-deletion/status?code="]) expect(page).toContain(`<code>${PUBLIC_URL}${path}`);
    // A customer is told to ask the business (and the contact address), not to look for Facebook's app settings.
    const customer = page.slice(page.indexOf('id="customer"'), page.indexOf('id="facebook"'));
    expect(customer).toContain("Ask the business");
    expect(customer).toContain("mailto:");
    expect(customer).toContain("does not reach it");
  });
});

describe("what the pages say about the hosts", () => {
  const secretUrls = {
    PUBLIC_URL: "https://cosbot.example.test",
    DATABASE_URL: "postgres://owner:db-password-123@ep-quiet-lake.eu-central-1.aws.neon.tech/cosbot?sslmode=require",
    REDIS_URL: "rediss://default:redis-password-456@eu1-happy-owl.upstash.io:6379",
  };

  it("names Neon and Upstash from their URLs without showing any address or password", () => {
    const facts = publicPageFacts(secretUrls);
    expect(facts).toMatchObject({ database: "neon", cache: "upstash", model: "openai" });
    for (const page of [privacyPage(facts), dataDeletionPage(facts)]) {
      for (const secret of ["db-password-123", "redis-password-456", "ep-quiet-lake", "happy-owl"]) expect(page).not.toContain(secret);
    }
    expect(privacyPage(facts)).toContain("hosted by <strong>Neon</strong>");
    expect(privacyPage(facts)).toContain("hosted by <strong>Upstash</strong>");
  });

  it("says when the database and cache are embedded, and when the model is not OpenAI's own", () => {
    const facts = publicPageFacts({ PUBLIC_URL: "http://localhost:3000", OPENAI_BASE_URL: "http://127.0.0.1:9999/v1" });
    expect(facts).toMatchObject({ database: "embedded", cache: "memory", model: "compatible" });
    const page = privacyPage(facts);
    expect(page).toContain("embedded <strong>PostgreSQL</strong> database (PGlite)");
    expect(page).toContain("memory of the server process");
    expect(page).toContain("OpenAI</strong>-compatible model provider");
    expect(page).not.toContain("127.0.0.1");
  });
});
