// C22: Instagram Login tokens are renewed ahead of expiry; a dead token (190) stops sends cleanly,
// marks the channel needs_reauth and never loops against Graph; inbound keeps being stored.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { LiveEvent } from "../src/core/live/ports.js";
import { disableChannel } from "../src/db/repositories/channel-repository.js";
import { channels, workItems } from "../src/db/schema/index.js";
import { igMessage } from "./fakes/index.js";
import { startCosbot } from "./support/cosbot-under-test.js";
import { type ChannelHarness, DAY_MS, eventually, HOUR_MS, startChannelsCosbot } from "./support/channels.js";

const CRON_SECRET = "cron_secret_test_0123456789";

let h: ChannelHarness;
beforeAll(async () => {
  h = await startChannelsCosbot({ env: { CRON_SECRET } });
});
afterAll(async () => h?.close());
// A test that failed half-way must not leave work running into the next one.
beforeEach(async () => {
  await h.settle().catch(() => {});
  h.resetFakes();
});

let n = 0;
const ids = () => {
  const i = ++n;
  return { igId: `IGBIZ_TOK_${i}`, token: `IGQ_TOKEN_${i}`, igsid: `IGSID_TOK_${i}` };
};
const ago = (ms: number) => new Date(Date.now() - ms);
const fromNow = (ms: number) => new Date(Date.now() + ms);
const refreshCalls = (token?: string) =>
  h.igGraph.requests.filter((r) => r.path === "/refresh_access_token" && (token === undefined || r.query.access_token === token));

async function listenLive(): Promise<{ events: LiveEvent[]; stop: () => Promise<void> }> {
  const events: LiveEvent[] = [];
  const stop = await h.cosbot.live.subscribe(h.portfolioId, (e) => events.push(JSON.parse(e.data) as LiveEvent));
  return { events, stop };
}

describe("the token refresh job", () => {
  it("renews a token issued 59 days ago (1 day left): new token and ~60 days stored, and later sends use it", async () => {
    const a = ids();
    const channelId = await h.seedInstagram({ igId: a.igId, token: a.token, login: "instagram", tokenIssuedAt: ago(59 * DAY_MS), tokenExpiresAt: fromNow(DAY_MS) });
    const before = Date.now();
    await h.cosbot.refreshTokens();

    const calls = refreshCalls(a.token);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.method).toBe("GET");
    expect(calls[0]!.query.grant_type).toBe("ig_refresh_token");
    expect(h.graph.requests).toHaveLength(0);

    const row = await h.channel(channelId);
    const creds = await h.credentials(channelId);
    expect(creds.accessToken).not.toBe(a.token);
    expect(creds.accessToken).toMatch(/^IGQ_FAKE_\d+$/);
    expect(creds).toMatchObject({ instagramLogin: "instagram" });
    expect(row.state).toBe("active");
    expect(row.tokenIssuedAt!.getTime()).toBeGreaterThanOrEqual(before - 1_000);
    expect(Math.abs(row.tokenExpiresAt!.getTime() - (before + 60 * DAY_MS))).toBeLessThan(5 * 60_000);

    // Freshly renewed: the next run leaves it alone.
    await h.cosbot.refreshTokens();
    expect(refreshCalls()).toHaveLength(1);

    await h.postInstagram(igMessage({ igId: a.igId, igsid: a.igsid, mid: "ig_mid_TOK_A_1", text: "hello" }));
    await h.settle();
    expect(h.igGraph.sends).toHaveLength(1);
    expect(h.igGraph.sends[0]!.token).toBe(creds.accessToken);
    expect(h.igGraph.requests.some((r) => r.headers.authorization === `Bearer ${a.token}`)).toBe(false);
  });

  it("also renews at day 54 (6 days left), but not a token issued 2 hours ago, one that already expired, or a Facebook Login Page token", async () => {
    const day54 = ids();
    const young = ids();
    const expired = ids();
    const c54 = await h.seedInstagram({ igId: day54.igId, token: day54.token, login: "instagram", tokenIssuedAt: ago(54 * DAY_MS), tokenExpiresAt: fromNow(6 * DAY_MS) });
    const youngExpiry = fromNow(60 * DAY_MS - 2 * HOUR_MS);
    const cYoung = await h.seedInstagram({ igId: young.igId, token: young.token, login: "instagram", tokenIssuedAt: ago(2 * HOUR_MS), tokenExpiresAt: youngExpiry });
    await h.seedInstagram({ igId: expired.igId, token: expired.token, login: "instagram", tokenIssuedAt: ago(61 * DAY_MS), tokenExpiresAt: ago(DAY_MS) });
    // A Facebook Login account holds a Page token, which graph.instagram.com cannot renew.
    const page = ids();
    await h.seedInstagram({ igId: page.igId, token: page.token, login: "facebook", pageId: "PAGE_TOK_FB", tokenIssuedAt: ago(55 * DAY_MS), tokenExpiresAt: fromNow(5 * DAY_MS) });
    await h.cosbot.refreshTokens();

    expect(refreshCalls(day54.token)).toHaveLength(1);
    expect((await h.credentials(c54)).accessToken).not.toBe(day54.token);
    expect(refreshCalls(young.token)).toHaveLength(0);
    expect((await h.credentials(cYoung)).accessToken).toBe(young.token);
    expect((await h.channel(cYoung)).tokenExpiresAt!.getTime()).toBe(youngExpiry.getTime());
    // Meta cannot renew an expired token: asking would be pointless.
    expect(refreshCalls(expired.token)).toHaveLength(0);
    expect(h.igGraph.requests.some((r) => r.query.access_token === page.token)).toBe(false);
    expect(h.graph.requests).toHaveLength(0);
  });

  it("marks the channel needs_reauth when the refresh is answered with 190, and does not ask again", async () => {
    const d = ids();
    const channelId = await h.seedInstagram({ igId: d.igId, token: d.token, login: "instagram", tokenIssuedAt: ago(55 * DAY_MS), tokenExpiresAt: fromNow(5 * DAY_MS) });
    h.igGraph.invalidTokens.add(d.token);
    await h.cosbot.refreshTokens();
    expect(refreshCalls(d.token)).toHaveLength(1);
    const row = await h.channel(channelId);
    expect(row.state).toBe("needs_reauth");
    expect(row.stateReason).toMatch(/190/);
    expect((await h.credentials(channelId)).accessToken).toBe(d.token);
    await h.cosbot.refreshTokens();
    expect(refreshCalls(d.token)).toHaveLength(1);
  });

  it("leaves a channel disconnected while its refresh was on the way disconnected, without the new token", async () => {
    const d = ids();
    const channelId = await h.seedInstagram({ igId: d.igId, token: d.token, login: "instagram", tokenIssuedAt: ago(59 * DAY_MS), tokenExpiresAt: fromNow(DAY_MS) });
    h.igGraph.tokenDelayMs = 300;
    const refreshing = h.cosbot.refreshTokens();
    await eventually(() => refreshCalls(d.token).length === 1);
    expect(await disableChannel(h.testDb.database.db, h.cosbot.box, h.portfolioId, channelId, "disconnected by a test")).toBeDefined();
    await refreshing;
    const row = await h.channel(channelId);
    expect(row.state).toBe("disabled");
    expect(row.tokenExpiresAt).toBeNull();
    expect((await h.credentials(channelId)).accessToken).toBe("");
  });

  it("tells the live inbox when a refresh answered with 190 leaves the channel needing reauthorisation", async () => {
    const d = ids();
    const channelId = await h.seedInstagram({ igId: d.igId, token: d.token, login: "instagram", tokenIssuedAt: ago(55 * DAY_MS), tokenExpiresAt: fromNow(5 * DAY_MS) });
    h.igGraph.invalidTokens.add(d.token);
    const live = await listenLive();
    try {
      await h.cosbot.refreshTokens();
      await eventually(() => expect(live.events).toContainEqual(expect.objectContaining({ type: "channel.state", channelId, state: "needs_reauth" })), 2_000);
    } finally {
      await live.stop();
    }
  });
});

/** An Instagram Login channel whose customer was answered while the token was good; then day 61 comes. */
async function channelAtDay61() {
  const f = ids();
  const channelId = await h.seedInstagram({ igId: f.igId, token: f.token, login: "instagram", tokenIssuedAt: ago(DAY_MS), tokenExpiresAt: fromNow(59 * DAY_MS) });
  await h.postInstagram(igMessage({ igId: f.igId, igsid: f.igsid, mid: `ig_mid_${f.igId}_IN_1`, text: "hi" }));
  await h.settle();
  expect(h.igGraph.sends).toHaveLength(1);
  await h.testDb.database.db
    .update(channels)
    .set({ tokenIssuedAt: ago(61 * DAY_MS), tokenExpiresAt: ago(DAY_MS) })
    .where(eq(channels.id, channelId));
  h.resetFakes();
  h.igGraph.invalidTokens.add(f.token);
  return { ...f, channelId };
}

describe("a send answered with 190 (day 61, C22)", () => {
  it("marks the channel needs_reauth and the reply failed, never sent, without retrying; inbound is still stored and sends stop", async () => {
    const f = await channelAtDay61();
    await h.postInstagram(igMessage({ igId: f.igId, igsid: f.igsid, mid: `ig_mid_${f.igId}_IN_2`, text: "are you there?" }));
    await h.settle();

    expect(h.openai.calls).toHaveLength(1);
    expect(h.igGraph.sendRequests).toHaveLength(1);
    expect(h.igGraph.sends).toHaveLength(0);
    const conversation = await h.conversation(f.channelId, f.igsid);
    const reply = (await h.thread(conversation.id)).filter((m) => m.direction === "out").at(-1)!;
    expect(reply).toMatchObject({ author: "ai", status: "failed", errorCode: "190", platformMessageId: null, sentAt: null });
    expect(await h.channel(f.channelId)).toMatchObject({ state: "needs_reauth" });
    expect(conversation.attentionCode).toBe("needs_reauth");
    const items = await h.testDb.database.db.select().from(workItems).where(eq(workItems.subjectId, conversation.id));
    expect(items.every((i) => i.state === "done")).toBe(true);

    // Later: the customer writes again and a new customer writes. Both are stored; nothing is asked or sent.
    const requestsBefore = h.igGraph.requests.length;
    expect((await h.postInstagram(igMessage({ igId: f.igId, igsid: f.igsid, mid: `ig_mid_${f.igId}_IN_3`, text: "hello??" }))).status).toBe(200);
    expect((await h.postInstagram(igMessage({ igId: f.igId, igsid: "IGSID_NEWCOMER", mid: `ig_mid_${f.igId}_NEW_1`, text: "hi" }))).status).toBe(200);
    await h.settle();
    expect(await h.byPlatformId(f.channelId, `ig_mid_${f.igId}_IN_3`)).toHaveLength(1);
    expect(await h.byPlatformId(f.channelId, `ig_mid_${f.igId}_NEW_1`)).toHaveLength(1);
    expect(h.openai.calls).toHaveLength(1);
    expect(h.igGraph.requests.length).toBe(requestsBefore);
    expect(refreshCalls()).toHaveLength(0);
  });

  it("tells the live inbox that the channel needs reauthorisation, as the refresh job does", async () => {
    const live = await listenLive();
    try {
      const f = await channelAtDay61();
      await h.postInstagram(igMessage({ igId: f.igId, igsid: f.igsid, mid: `ig_mid_${f.igId}_IN_2`, text: "are you there?" }));
      await h.settle();
      expect(await h.channel(f.channelId)).toMatchObject({ state: "needs_reauth" });
      await eventually(
        () => expect(live.events).toContainEqual(expect.objectContaining({ type: "channel.state", channelId: f.channelId, state: "needs_reauth" })),
        2_000,
      );
    } finally {
      await live.stop();
    }
  });

  it("a person's reply on a channel that needs reauthorisation is stored as failed with the reason and not sent to Graph", async () => {
    const f = await channelAtDay61();
    await h.postInstagram(igMessage({ igId: f.igId, igsid: f.igsid, mid: `ig_mid_${f.igId}_IN_2`, text: "are you there?" }));
    await h.settle();
    expect(await h.channel(f.channelId)).toMatchObject({ state: "needs_reauth" });
    const conversation = await h.conversation(f.channelId, f.igsid);
    const sendsBefore = h.igGraph.sendRequests.length;

    await h.manualReply(conversation.id, "Sorry, we had a hiccup. Yes, we are here!");
    await h.settle();
    // A token Graph already refused is not tried again for every message a person writes.
    expect(h.igGraph.sendRequests.length).toBe(sendsBefore);
    const member = (await h.thread(conversation.id)).find((m) => m.author === "member");
    expect(member).toMatchObject({ status: "failed", platformMessageId: null });
    expect(member!.errorTitle ?? member!.errorDetail).toBeTruthy();
  });
});

describe("the /cron/refresh-tokens route", () => {
  it("is refused (403) when CRON_SECRET is not configured", async () => {
    const bare = await startCosbot({ shareDatabase: h.testDb });
    try {
      const res = await fetch(`${bare.url}/cron/refresh-tokens`, { method: "POST", headers: { authorization: `Bearer ${CRON_SECRET}` } });
      expect(res.status).toBe(403);
      expect((await fetch(`${bare.url}/cron/refresh-tokens`)).status).toBe(403);
    } finally {
      await bare.close();
    }
  });

  it("answers 401 to a missing or wrong bearer and refreshes nothing", async () => {
    const g = ids();
    const channelId = await h.seedInstagram({ igId: g.igId, token: g.token, login: "instagram", tokenIssuedAt: ago(58 * DAY_MS), tokenExpiresAt: fromNow(2 * DAY_MS) });
    expect((await fetch(`${h.url}/cron/refresh-tokens`, { method: "POST" })).status).toBe(401);
    expect((await fetch(`${h.url}/cron/refresh-tokens`, { method: "POST", headers: { authorization: "Bearer wrong_secret_0123456789" } })).status).toBe(401);
    expect(refreshCalls()).toHaveLength(0);
    expect((await h.credentials(channelId)).accessToken).toBe(g.token);

    // The right bearer runs the job.
    const res = await fetch(`${h.url}/cron/refresh-tokens`, { method: "POST", headers: { authorization: `Bearer ${CRON_SECRET}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ refreshed: 1, failed: 0 });
    expect(refreshCalls(g.token)).toHaveLength(1);
    expect((await h.credentials(channelId)).accessToken).not.toBe(g.token);
  });
});
