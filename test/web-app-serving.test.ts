// Serving the built web app (issue 5): files from the dist folder with their cache headers, the
// app's index.html for client-side routes, and never for the server's own paths.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startCosbot, type Harness } from "./support/cosbot-under-test.js";

const INDEX = '<!doctype html><html><body><div id="root" data-marker="cosbot-spa"></div></body></html>';
const ASSET = "console.log('hashed asset');";
const page = { accept: "text/html,application/xhtml+xml,*/*;q=0.8" };

describe("the built web app", () => {
  let h: Harness;
  let bare: Harness;
  beforeAll(async () => {
    const dist = mkdtempSync(join(tmpdir(), "cosbot-web-"));
    mkdirSync(join(dist, "assets"));
    writeFileSync(join(dist, "index.html"), INDEX);
    writeFileSync(join(dist, "assets", "index-Ab12Cd34.js"), ASSET);
    writeFileSync(join(dist, "robots.txt"), "User-agent: *\n");
    h = await startCosbot({ overrides: { webDistDir: dist } });
    bare = await startCosbot({ shareDatabase: h.testDb, seed: false, overrides: { webDistDir: join(dist, "not-built") } });
  });
  afterAll(async () => {
    await bare?.close();
    await h?.close();
  });

  const get = (path: string, headers: Record<string, string> = {}, on = h) => fetch(`${on.url}${path}`, { headers, redirect: "manual" });

  it("serves index.html at / and revalidates it on every load", async () => {
    const res = await get("/", page);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("cache-control")).toBe("no-cache");
    expect(await res.text()).toBe(INDEX);
  });

  it("serves hashed assets with a year-long immutable cache", async () => {
    const res = await get("/assets/index-Ab12Cd34.js");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("javascript");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await res.text()).toBe(ASSET);
  });

  it("serves other files of the folder with a short cache", async () => {
    const res = await get("/robots.txt");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=3600");
  });

  it("answers a client-side route a browser asks for with index.html", async () => {
    for (const path of ["/p/abc/inbox/def", "/sign-in", "/p/abc/settings/channels?x=1"]) {
      const res = await get(path, page);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("cache-control")).toBe("no-cache");
      expect(await res.text()).toBe(INDEX);
    }
  });

  it("never answers the server's own paths with the app, even for a browser", async () => {
    for (const path of ["/api/nothing-here", "/api", "/webhooks/nothing", "/meta/nothing", "/cron/nothing"]) {
      const res = await get(path, page);
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(await res.text(), path).not.toContain("cosbot-spa");
    }
    const api = await get("/api/nothing-here", page);
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe("not_found");
  });

  it("keeps the JSON 404 for requests that do not want a page, and for missing assets", async () => {
    const script = await get("/p/abc/inbox", { accept: "application/json" });
    expect(script.status).toBe(404);
    expect(((await script.json()) as { error: { code: string } }).error.code).toBe("not_found");
    const asset = await get("/assets/index-gone.js", page);
    expect(asset.status).toBe(404);
    expect(await asset.text()).not.toContain("cosbot-spa");
  });

  it("does not answer other methods with the app", async () => {
    const res = await fetch(`${h.url}/p/abc/inbox`, { method: "POST", headers: page });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain("cosbot-spa");
  });

  it("still serves the server's own routes next to it", async () => {
    const res = await get("/healthz", page);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true });
  });

  it("says how to build the app when the folder is missing", async () => {
    const res = await get("/", page, bare);
    expect(res.status).toBe(503);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.text()).toContain("npm run build:web");
    const deep = await get("/p/abc/inbox", page, bare);
    expect(await deep.text()).toContain("npm run build:web");
    const api = await get("/api/nothing-here", page, bare);
    expect(api.status).toBe(404);
  });
});
