import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeGraphApi } from "../../../test/fakes/graph-api.js";
import { SendError } from "../../core/ports.js";
import { createGraphClient } from "../meta/graph-client.js";
import { createInstagramTokenRefresher, exchangeForLongLivedToken, refreshDue, refreshLongLivedToken } from "./tokens.js";

const fake = new FakeGraphApi();
let api: ReturnType<typeof createGraphClient>;

const DAY = 24 * 3_600_000;
const NOW = new Date("2026-03-01T12:00:00Z");
const SIXTY_DAYS_S = 5_184_000;

beforeAll(async () => {
  const { url } = await fake.start();
  // A trailing slash must not produce "//access_token".
  api = createGraphClient({ baseUrl: `${url}/`, version: "v24.0", timeoutMs: 1000 });
});
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

describe("exchangeForLongLivedToken", () => {
  it("calls the unversioned /access_token and dates the new token", async () => {
    const token = await exchangeForLongLivedToken(api, "IGQ_SHORT", "IG_APP_SECRET", NOW);
    expect(token.accessToken).toMatch(/^IGQ_FAKE_/);
    expect(token.expiresAt).toEqual(new Date(NOW.getTime() + SIXTY_DAYS_S * 1000));
    const [request] = fake.requests;
    expect(request?.path).toBe("/access_token");
    expect(request?.query).toEqual({ grant_type: "ig_exchange_token", client_secret: "IG_APP_SECRET", access_token: "IGQ_SHORT" });
  });
});

describe("refreshLongLivedToken", () => {
  it("calls the unversioned /refresh_access_token", async () => {
    const token = await refreshLongLivedToken(api, "IGQ_LONG", NOW);
    expect(token.expiresAt).toEqual(new Date(NOW.getTime() + SIXTY_DAYS_S * 1000));
    expect(fake.requests[0]?.path).toBe("/refresh_access_token");
    expect(fake.requests[0]?.query).toEqual({ grant_type: "ig_refresh_token", access_token: "IGQ_LONG" });
  });

  it("turns 190 into a tokenInvalid SendError, not a retry (C22)", async () => {
    fake.invalidTokens.add("IGQ_EXPIRED");
    const error = (await refreshLongLivedToken(api, "IGQ_EXPIRED", NOW).catch((e: unknown) => e)) as SendError;
    expect(error).toBeInstanceOf(SendError);
    expect(error.tokenInvalid).toBe(true);
    expect(error.retryable).toBe(false);
    expect(error.error).toMatchObject({ code: "190", category: "token_invalid" });
  });

  it("treats an answer without access_token as a retryable hiccup", async () => {
    const answers = createGraphClient({ baseUrl: "http://127.0.0.1:9", version: "v24.0", timeoutMs: 1000, fetch: async () => new Response(JSON.stringify({ token_type: "bearer" })) });
    const error = (await refreshLongLivedToken(answers, "IGQ_LONG", NOW).catch((e: unknown) => e)) as SendError;
    expect(error).toBeInstanceOf(SendError);
    expect(error.retryable).toBe(true);
  });

  it("reports an unreachable host as a retryable network error", async () => {
    const down = createGraphClient({ baseUrl: "http://127.0.0.1:9", version: "v24.0", timeoutMs: 1000, fetch: () => Promise.reject(new TypeError("fetch failed")) });
    const error = (await refreshLongLivedToken(down, "IGQ_LONG", NOW).catch((e: unknown) => e)) as SendError;
    expect(error.error.code).toBe("network_error");
    expect(error.retryable).toBe(true);
  });
});

describe("refreshDue", () => {
  const issued = new Date("2026-01-01T00:00:00Z");
  const expires = new Date(issued.getTime() + 60 * DAY);
  const at = (days: number) => new Date(issued.getTime() + days * DAY);

  it.each([
    ["2 hours old", new Date(issued.getTime() + 2 * 3_600_000), false],
    ["day 30", at(30), false],
    ["day 49 (11 days left)", at(49), false],
    ["day 50 (10 days left)", at(50), true],
    ["day 54", at(54), true],
    ["day 59", at(59), true],
    ["day 60 (expired)", at(60), false],
    ["day 61", at(61), false],
  ])("%s → %s", (_name, now, due) => {
    expect(refreshDue(issued, expires, now)).toBe(due);
  });

  it("never refreshes a token younger than 24 hours, even one about to expire", () => {
    const young = new Date(NOW.getTime() - 23 * 3_600_000);
    expect(refreshDue(young, new Date(NOW.getTime() + DAY), NOW)).toBe(false);
    expect(refreshDue(new Date(NOW.getTime() - DAY), new Date(NOW.getTime() + DAY), NOW)).toBe(true);
  });
});

describe("createInstagramTokenRefresher", () => {
  it("refreshes Instagram Login tokens with the same due policy", async () => {
    const refresher = createInstagramTokenRefresher(api);
    const ig = { accessToken: "IGQ_LONG", instagramLogin: "instagram" as const };
    const monthOld = new Date(NOW.getTime() - 59 * DAY);
    expect(refresher.due(ig, monthOld, new Date(NOW.getTime() + DAY), NOW)).toBe(true);
    expect(refresher.due(ig, new Date(NOW.getTime() - 2 * 3_600_000), new Date(NOW.getTime() + 60 * DAY), NOW)).toBe(false);
    const renewed = await refresher.refresh({ accessToken: "IGQ_LONG", instagramLogin: "instagram" }, NOW);
    expect(renewed.expiresAt).toEqual(new Date(NOW.getTime() + SIXTY_DAYS_S * 1000));
    expect(fake.requests[0]?.query.access_token).toBe("IGQ_LONG");
  });

  it("does not send a Facebook Login Page token to graph.instagram.com", async () => {
    const refresher = createInstagramTokenRefresher(api);
    const page = { accessToken: "PAGE_TOKEN", instagramLogin: "facebook" as const, pageId: "P1" };
    expect(refresher.due(page, new Date(NOW.getTime() - 59 * DAY), new Date(NOW.getTime() + DAY), NOW)).toBe(false);
    const error = (await refresher.refresh(page, NOW).catch((e: unknown) => e)) as SendError;
    expect(error).toBeInstanceOf(SendError);
    expect(error.tokenInvalid).toBe(false);
    expect(fake.requests).toEqual([]);
  });
});
