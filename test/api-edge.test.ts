// The API's edge (issue 4): CSRF origin check, rate limits on the API and the sign-in routes, and
// the OpenAPI document generated from the route table.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, type ApiUser, memberOf } from "./support/api-client.js";
import { startCosbot, type Harness } from "./support/cosbot-under-test.js";

const publicUrl = "https://inbox.cosbot.test";

describe("the origin check on state-changing routes", () => {
  let h: Harness;
  let owner: ApiUser;
  beforeAll(async () => {
    h = await startCosbot({ env: { PUBLIC_URL: publicUrl } });
    owner = await memberOf(h, h.portfolioId, "owner");
  });
  afterAll(async () => {
    await h?.close();
  });

  const rename = (headers: Record<string, string>) =>
    api(h, "PATCH", `/portfolios/${h.portfolioId}`, { as: owner, body: { name: "Renamed" }, headers });

  it("refuses another site's Origin with 403 and changes nothing", async () => {
    const res = await rename({ origin: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain("https://evil.example");
    const read = await api(h, "GET", `/portfolios/${h.portfolioId}`, { as: owner });
    expect(read.body.portfolio.name).toBe("Test Shop");
  });

  it("refuses a cross-site request that carries no Origin but says so in Sec-Fetch-Site", async () => {
    expect((await rename({ "sec-fetch-site": "cross-site" })).status).toBe(403);
  });

  it("lets the app's own origin, and clients that send no Origin, through", async () => {
    expect((await rename({ origin: publicUrl })).status).toBe(200);
    expect((await rename({})).status).toBe(200);
  });

  it("lets reads from anywhere through: they change nothing", async () => {
    const res = await api(h, "GET", `/portfolios/${h.portfolioId}`, { as: owner, headers: { origin: "https://evil.example" } });
    expect(res.status).toBe(200);
  });
});

/**
 * Counts live in the cache, shared by every process (and, on Redis, by every test file running at
 * once): each test speaks for a client address of its own, through a trusted proxy's header.
 */
const asClient = () => ({ "x-forwarded-for": `198.51.100.${Math.floor(Math.random() * 250) + 1}, 10.0.0.1` });

describe("rate limits", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startCosbot({ env: { API_RATE_LIMIT_PER_MINUTE: "5", SIGN_IN_RATE_LIMIT_PER_MINUTE: "3", TRUST_PROXY: "true" } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("answers 429 with Retry-After once a client passes the API's limit, and counts each client apart", async () => {
    const headers = asClient();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await api(h, "GET", "/me", { headers })).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    const limited = await api(h, "GET", "/me", { headers });
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(limited.body.error.code).toBe("rate_limited");
    let other = asClient();
    while (other["x-forwarded-for"] === headers["x-forwarded-for"]) other = asClient();
    expect((await api(h, "GET", "/me", { headers: other })).status).toBe(401);
  });

});

describe("the sign-in routes' stricter limit", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startCosbot({ env: { API_RATE_LIMIT_PER_MINUTE: "1000", SIGN_IN_RATE_LIMIT_PER_MINUTE: "3", TRUST_PROXY: "true" } });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("refuses the fourth sign-in request in a minute while the rest of the API still answers", async () => {
    const headers = asClient();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await api(h, "GET", "/auth/ok", { headers })).status);
    expect(statuses.slice(0, 3).every((s) => s !== 429)).toBe(true);
    expect(statuses[3]).toBe(429);
    expect((await api(h, "GET", "/me", { headers })).status).toBe(401);
  });
});

describe("the OpenAPI document", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startCosbot({ seed: false });
  });
  afterAll(async () => {
    await h?.close();
  });

  it("describes every route the server mounts, with its access rule", async () => {
    const res = await api(h, "GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(res.body.openapi).toMatch(/^3\./);
    for (const r of h.cosbot.apiRoutes) {
      const operation = res.body.paths[`/api${r.path.replace(/:(\w+)/g, "{$1}")}`]?.[r.method.toLowerCase()];
      expect(operation, `${r.method} ${r.path}`).toBeDefined();
      expect(operation["x-access"]).toBe(r.access);
    }
  });
});
