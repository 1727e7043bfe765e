// The live inbox end to end (issue 5): headless Chromium against the real server serving the built
// web app, with GitHub, the Graph API and OpenAI faked on loopback. A business signs in with GitHub,
// names itself, connects WhatsApp, watches a customer's message and the agent's answer arrive,
// takes over, replies, and sees the ticks of its reply turn delivered and read, all without a
// reload. The run also saves the screenshots in docs/screenshots/. With REDIS_URL set, a browser on
// a second server sharing Postgres and Redis sees a message that arrived at the first.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { eq } from "drizzle-orm";
import type { BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { conversations } from "../../src/db/schema/index.js";
import { FakeGitHub, githubUser, postWebhook, waStatus, waText } from "../fakes/index.js";
import { launchBrowser, type TestBrowser } from "../support/browser.js";
import { startCosbot, type Harness } from "../support/cosbot-under-test.js";
import { githubUrl, routeGithubFetch } from "../support/github-fetch.js";
import { freePort } from "../support/redis-server.js";
import { builtWebApp } from "../support/web-build.js";

const screenshots = fileURLToPath(new URL("../../docs/screenshots/", import.meta.url));
const desktop = { width: 1280, height: 800 };
const phone = { width: 390, height: 844 };
/** Long enough for a loaded machine, shorter than the app's 15 s polling fallback: what shows up came live. */
const LIVE_MS = 10_000;

// The business's WhatsApp number as Meta knows it, and its customers.
const number = { id: "106540352242922", wabaId: "102290129340398", token: "EAAG_E2E_SYSTEM_USER_TOKEN", displayPhoneNumber: "+31 20 555 0100", verifiedName: "Corner Bakery" };
const APP_SECRET = "e2e_whatsapp_app_secret";
const maria = { waId: "31612345678", name: "Maria Jansen" };
const tom = { waId: "31687654321", name: "Tom Bakker" };
const QUESTION = "Hi! Do you still have sourdough today?";
const AI_ANSWER = "Good morning Maria! Yes, we still have sourdough loaves until 5 pm.";
const REPLY = "Hi Maria, I put one aside for you under your name. See you soon!";

let github: FakeGitHub;
let restoreFetch: (() => void) | undefined;
let h: Harness;
let browser: TestBrowser;
let context: BrowserContext;
let page: Page;
/** Uncaught errors in the app's scripts. */
const pageErrors: string[] = [];
/** Lets the agent's answer out once the conversation is open, so it has to arrive live. */
let releaseAnswer: () => void = () => {};
let webDistDir = "";
/** What the first steps created, for the later ones. */
let portfolioId = "";
let conversationId = "";

/** Text sends to one customer (`to` is the wa_id with a leading +). */
const sendsTo = (waId: string) => h.graph.sends.filter((s) => s.to.replace(/\D/g, "") === waId);
const conversationMode = async (id: string) =>
  (await h.testDb.database.db.select({ mode: conversations.mode }).from(conversations).where(eq(conversations.id, id)))[0]?.mode;
const webhook = (payload: object) => postWebhook(h.url, "/webhooks/whatsapp", payload, APP_SECRET);
const messageBy = (author: string, text: string) => page.locator(`[data-testid="message"][data-author="${author}"]`).filter({ hasText: text });
const visible = (selector: string) => page.locator(selector).filter({ visible: true });

/** True while the page is the document marked when the inbox opened: nothing reloaded it. */
const sameDocument = () => page.evaluate(() => (globalThis as { e2eSameDocument?: boolean }).e2eSameDocument === true);

/** Saves docs/screenshots/<name>-<desktop|phone>.png of the page, or of one element of it. */
async function shoot(name: string, size: { width: number; height: number }, ready: () => Promise<unknown>, element?: string) {
  await page.setViewportSize(size);
  await ready();
  const options = { path: join(screenshots, `${name}-${size === desktop ? "desktop" : "phone"}.png`), animations: "disabled" as const };
  await (element ? visible(element).screenshot(options) : page.screenshot(options));
}

beforeAll(async () => {
  github = new FakeGitHub();
  await github.start();
  restoreFetch = routeGithubFetch(github);
  let port: number;
  [webDistDir, port] = await Promise.all([builtWebApp(), freePort()]);
  const publicUrl = `http://127.0.0.1:${port}`;
  h = await startCosbot({
    seed: false,
    port,
    env: { PUBLIC_URL: publicUrl, GITHUB_CLIENT_ID: github.clientId, GITHUB_CLIENT_SECRET: github.clientSecret },
    overrides: { webDistDir },
  });
  github.callbackUrl = `${publicUrl}/api/auth/callback/github`;
  github.signedIn = githubUser("corner-bakery-owner", { name: "Bea Baker" });
  h.graph.accounts.addWhatsAppNumber(number);
  const gate = new Promise<void>((resolve) => (releaseAnswer = resolve));
  h.openai.reply = async (request) => {
    const last = request.messages.at(-1);
    if (typeof last?.content === "string" && last.content.includes("sourdough")) {
      await gate;
      return AI_ANSWER;
    }
    return "Thanks for your message! We will get back to you shortly.";
  };

  browser = await launchBrowser();
  context = await browser.newContext({ viewport: desktop });
  page = await context.newPage();
  // A step that cannot happen fails within the test's time, naming what it waited for.
  page.setDefaultTimeout(15_000);
  page.on("pageerror", (error) => pageErrors.push(error.message));
  // The browser's trip to github.com: the fake approves at once and sends it back to our callback.
  await page.route("https://github.com/**", async (route) => {
    const approved = await fetch(githubUrl(github, route.request().url()), { redirect: "manual" });
    const location = approved.headers.get("location");
    if (approved.status !== 302 || !location) return route.fulfill({ status: approved.status, body: await approved.text() });
    return route.fulfill({ status: 302, headers: { location } });
  });
  mkdirSync(screenshots, { recursive: true });
}, 120_000);

afterAll(async () => {
  releaseAnswer();
  try {
    await browser?.close();
    await h?.settle().catch(() => {});
    await h?.close();
  } finally {
    restoreFetch?.();
    await github?.stop();
  }
});

describe("the live inbox in a browser", () => {

  it("signs in with GitHub and names the business", async () => {
    await page.goto(h.url);
    await page.waitForURL("**/sign-in");
    await page.getByTestId("sign-in-github").click();
    await page.waitForURL("**/welcome");
    const authorize = github.requests.find((r) => r.path === "/login/oauth/authorize");
    expect(authorize?.query).toMatchObject({ client_id: github.clientId, redirect_uri: github.callbackUrl });

    await page.getByTestId("portfolio-name").fill("Corner Bakery");
    await page.getByRole("button", { name: "Continue" }).click();
    await page.waitForURL(/\/p\/[^/]+\/start$/);
    portfolioId = /\/p\/([^/]+)\/start$/.exec(page.url())![1]!;
    await page.getByRole("heading", { name: "Set up Corner Bakery" }).waitFor();
  });

  it("connects a WhatsApp number in the settings, checked against the Graph API", async () => {
    await page.getByRole("link", { name: "Connect", exact: true }).click();
    await page.waitForURL(`**/p/${portfolioId}/settings/channels`);
    await page.getByTestId("connect-channel").click();
    await page.getByTestId("connect-phoneNumberId").fill(number.id);
    await page.getByTestId("connect-wabaId").fill(number.wabaId);
    await page.getByTestId("connect-accessToken").fill(number.token);
    await page.getByTestId("connect-appSecret").fill(APP_SECRET);
    await page.getByTestId("connect-submit").click();

    const channel = page.locator('[data-testid="channel"][data-state="active"]');
    await channel.waitFor({ timeout: LIVE_MS });
    expect(await channel.textContent()).toContain("Corner Bakery");
    expect(h.graph.accounts.subscriptions.map((s) => s.objectId)).toEqual([number.wabaId]);
    // The token went to Meta and nowhere near the page.
    expect(await page.content()).not.toContain(number.token);
  });

  it("shows a customer's message and the agent's answer as they arrive, without a reload", async () => {
    await page.getByRole("link", { name: "Inbox", exact: true }).first().click();
    await page.waitForURL(`**/p/${portfolioId}/inbox`);
    await page.getByText("No conversations yet").waitFor();
    await page.locator('[data-testid="live-state"][data-state="live"]').first().waitFor({ timeout: LIVE_MS });
    await page.evaluate(() => ((globalThis as { e2eSameDocument?: boolean }).e2eSameDocument = true));

    expect((await webhook(waText({ pnid: number.id, waba: number.wabaId, from: maria.waId, id: "wamid.E2E_MARIA_1", body: QUESTION, name: maria.name }))).status).toBe(200);
    const item = page.getByTestId("conversation-item").filter({ hasText: maria.name });
    await item.waitFor({ timeout: LIVE_MS });
    expect(await item.textContent()).toContain(QUESTION);
    expect(await item.getAttribute("data-unread")).toBe("1");

    await item.click();
    conversationId = (await item.getAttribute("data-conversation-id"))!;
    await messageBy("customer", QUESTION).waitFor();
    // The agent was held until now: its answer has to come in over the live stream.
    expect(await messageBy("ai", AI_ANSWER).count()).toBe(0);
    releaseAnswer();
    await messageBy("ai", AI_ANSWER).waitFor({ timeout: LIVE_MS });
    await expect.poll(() => item.textContent(), { timeout: LIVE_MS }).toContain(AI_ANSWER);
    await expect.poll(() => item.getAttribute("data-unread"), { timeout: LIVE_MS }).toBe("0");

    // A second customer shows up in the list while the first conversation stays open.
    expect((await webhook(waText({ pnid: number.id, waba: number.wabaId, from: tom.waId, id: "wamid.E2E_TOM_1", body: "Are you open on Sunday?", name: tom.name }))).status).toBe(200);
    await page.getByTestId("conversation-item").filter({ hasText: tom.name }).waitFor({ timeout: LIVE_MS });
    await h.settle();
    expect(sendsTo(maria.waId).map((s) => s.text)).toEqual([AI_ANSWER]);
    expect(await sameDocument()).toBe(true);
  });

  it("switches the conversation to manual and sends exactly the admin's reply", async () => {
    const mode = visible('[data-testid="mode-switch"]');
    expect(await mode.getAttribute("data-mode")).toBe("ai");
    await visible('[data-testid="mode-toggle"]').click();
    await expect.poll(() => mode.getAttribute("data-mode"), { timeout: LIVE_MS }).toBe("manual");
    await expect.poll(async () => conversationMode(conversationId), { timeout: LIVE_MS }).toBe("manual");

    await visible('[data-testid="composer-input"]').fill(REPLY);
    await visible('[data-testid="composer-send"]').click();
    const reply = messageBy("member", REPLY);
    await reply.waitFor({ timeout: LIVE_MS });
    expect(await reply.textContent()).toContain(REPLY);
    await expect.poll(() => reply.getAttribute("data-status"), { timeout: LIVE_MS }).toBe("sent");

    await h.settle();
    const toMaria = sendsTo(maria.waId);
    expect(toMaria.map((s) => s.text)).toEqual([AI_ANSWER, REPLY]);
    expect(toMaria.filter((s) => s.text === REPLY)).toHaveLength(1);
    expect(toMaria[1]).toMatchObject({ phoneNumberId: number.id, token: number.token, type: "text" });
    await expect.poll(() => visible('[data-testid="composer-input"]').inputValue()).toBe("");
  });

  it("turns the reply's ticks to delivered, then read, as the statuses arrive", async () => {
    const sent = h.graph.sends.find((s) => s.text === REPLY)!;
    const tick = messageBy("member", REPLY).getByTestId("message-status");
    expect(await tick.getAttribute("data-status")).toBe("sent");

    expect((await webhook(waStatus({ pnid: number.id, waba: number.wabaId, id: sent.messageId, status: "delivered", recipient: maria.waId }))).status).toBe(200);
    await expect.poll(() => tick.getAttribute("data-status"), { timeout: LIVE_MS }).toBe("delivered");
    expect(await tick.getAttribute("title")).toMatch(/^Delivered /);

    expect((await webhook(waStatus({ pnid: number.id, waba: number.wabaId, id: sent.messageId, status: "read", recipient: maria.waId }))).status).toBe(200);
    await expect.poll(() => tick.getAttribute("data-status"), { timeout: LIVE_MS }).toBe("read");
    expect(await tick.getAttribute("title")).toMatch(/^Read /);
    // The AI's answer got no status: its tick stays at sent.
    expect(await messageBy("ai", AI_ANSWER).getByTestId("message-status").getAttribute("data-status")).toBe("sent");
    expect(await sameDocument()).toBe(true);
  });

  it("saves screenshots of the inbox, a conversation, the customer panel and the settings", async () => {
    // A note, so the customer panel shows one.
    await page.goto(`${h.url}/p/${portfolioId}/inbox/${conversationId}/customer`);
    await visible('[data-testid="note-input"]').fill("Prefers sourdough; picks up on Saturdays.");
    await visible('[data-testid="customer-panel"]').getByRole("button", { name: "Add note" }).click();
    await visible('[data-testid="note"]').waitFor({ timeout: LIVE_MS });

    const inbox = `${h.url}/p/${portfolioId}/inbox`;
    const thread = () => visible('[data-testid="message-list"]').getByText(REPLY).waitFor();
    const note = () => visible('[data-testid="note"]').waitFor();
    // At 1280 px the inbox shows the list beside the open thread; the customer route puts the panel
    // in the list's place (wide screens show all three). A phone shows one at a time.
    await page.goto(`${inbox}/${conversationId}`);
    await shoot("inbox", desktop, async () => Promise.all([thread(), visible('[data-testid="conversation-list"]').getByText(maria.name).waitFor()]));
    await page.goto(`${inbox}/${conversationId}/customer`);
    await shoot("conversation", desktop, async () => Promise.all([thread(), note()]));
    await shoot("customer", desktop, note, '[data-testid="customer-panel"]');
    await page.goto(inbox);
    await shoot("inbox", phone, () => visible('[data-testid="conversation-list"]').getByText(maria.name).waitFor());
    await page.goto(`${inbox}/${conversationId}`);
    await shoot("conversation", phone, thread);
    await page.goto(`${inbox}/${conversationId}/customer`);
    await shoot("customer", phone, note);
    for (const size of [desktop, phone]) {
      await page.goto(`${h.url}/p/${portfolioId}/settings/channels`);
      await shoot("settings", size, () => visible('[data-testid="channel"]').waitFor());
    }
    expect(pageErrors).toEqual([]);
  });
});

// With Redis, a second server on the same Postgres and Redis: a browser on it sees what a webhook
// to the first one brought in. (Without Redis each server has its own in-memory fan-out by design;
// test/live-two-processes.test.ts covers real processes.)
if (process.env.REDIS_URL) {
  describe("a browser on a second server sharing Postgres and Redis", () => {
    let second: Harness | undefined;
    afterAll(async () => {
      await second?.settle().catch(() => {});
      await second?.close();
    });

    it("shows a message that arrived at the first server, live", async () => {
      const port = await freePort();
      second = await startCosbot({
        shareDatabase: h.testDb,
        seed: false,
        port,
        env: { PUBLIC_URL: `http://127.0.0.1:${port}`, GITHUB_CLIENT_ID: github.clientId, GITHUB_CLIENT_SECRET: github.clientSecret },
        overrides: { webDistDir },
      });
      // Cookies do not depend on the port: the session from GitHub sign-in is valid on both.
      const other = await context.newPage();
      other.setDefaultTimeout(15_000);
      other.on("pageerror", (error) => pageErrors.push(error.message));
      await other.goto(`${second.url}/p/${portfolioId}/inbox/${conversationId}`);
      await other.locator('[data-testid="live-state"][data-state="live"]').first().waitFor({ timeout: LIVE_MS });
      await other.locator('[data-testid="message"][data-author="member"]').filter({ hasText: REPLY }).waitFor();

      const text = "Could you add a croissant as well?";
      expect((await webhook(waText({ pnid: number.id, waba: number.wabaId, from: maria.waId, id: "wamid.E2E_MARIA_2", body: text, name: maria.name }))).status).toBe(200);
      await other.locator('[data-testid="message"][data-author="customer"]').filter({ hasText: text }).waitFor({ timeout: LIVE_MS });
      await expect.poll(() => other.getByTestId("conversation-item").filter({ hasText: maria.name }).textContent(), { timeout: LIVE_MS }).toContain(text);
      // Manual mode: the agent stays silent on both servers.
      await Promise.all([h.settle(), second.settle()]);
      expect(sendsTo(maria.waId).map((s) => s.text)).toEqual([AI_ANSWER, REPLY]);
      expect(pageErrors).toEqual([]);
      await other.close();
    });
  });
}
