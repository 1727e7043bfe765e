// Headless Chromium for the end-to-end tests: Debian's `chromium` package driven by playwright-core
// (no downloaded browser: the machines have no internet; .ci/run installs the package).
import { existsSync } from "node:fs";
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium } from "playwright-core";

export const CHROMIUM_PATH = "/usr/bin/chromium";

const flags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--no-first-run",
  "--disable-component-update",
  "--disable-sync",
  "--disable-quic",
];

export interface TestBrowser {
  browser: Browser;
  /** A fresh context (own cookies and storage) that reaches only loopback, except for what a test routes itself. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
  close(): Promise<void>;
}

/** Launches Chromium (Playwright gives each launch a fresh temporary profile); throws a message saying how to install it when it is missing. */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `The end-to-end tests need Debian's Chromium at ${CHROMIUM_PATH}: run \`apt-get install -y chromium\` (.ci/run does). ` +
        "Never `npx playwright install`: it downloads a browser from the internet.",
    );
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: flags, timeout: 30_000 });
  const contexts: BrowserContext[] = [];
  return {
    browser,
    async newContext(options = {}) {
      const context = await browser.newContext({ locale: "en-GB", timezoneId: "Europe/Amsterdam", ...options });
      // Nothing leaves the machine: anything not on loopback is refused (a test's page.route comes first).
      await context.route(
        (url) => url.hostname !== "127.0.0.1" && url.hostname !== "localhost",
        (route) => route.abort("blockedbyclient"),
      );
      contexts.push(context);
      return context;
    },
    async close() {
      await Promise.allSettled(contexts.map((c) => c.close()));
      await browser.close();
    },
  };
}
