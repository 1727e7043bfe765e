// Instagram end to end through POST /webhooks/instagram, for both setups: Instagram Login
// (graph.instagram.com, IG user token) and Facebook Login (graph.facebook.com, the Page's token).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { FakeGraphApi } from "./fakes/index.js";
import { igEvent, igMessage, signBody } from "./fakes/index.js";
import { APP_SECRET } from "./support/cosbot-under-test.js";
import {
  type ChannelHarness, INSTAGRAM_APP_SECRET, startChannelsCosbot, turnsOf, utf8Bytes, wellFormed,
} from "./support/channels.js";

const IG_LOGIN_ID = "IGBIZ_TEST_1";
const IG_LOGIN_TOKEN = "IGQ_USER_TOKEN_1";
const FB_LOGIN_ID = "IGBIZ_TEST_FB";
const FB_PAGE_ID = "PAGE_FOR_IG_1";
const FB_PAGE_TOKEN = "EAAG_PAGE_TOKEN_IG";

let h: ChannelHarness;
let igLogin: string;
let fbLogin: string;
beforeAll(async () => {
  h = await startChannelsCosbot();
  igLogin = await h.seedInstagram({ igId: IG_LOGIN_ID, token: IG_LOGIN_TOKEN, login: "instagram", instagramAppSecret: INSTAGRAM_APP_SECRET });
  fbLogin = await h.seedInstagram({ igId: FB_LOGIN_ID, token: FB_PAGE_TOKEN, login: "facebook", pageId: FB_PAGE_ID });
});
afterAll(async () => h?.close());
// A test that failed half-way must not leave work running into the next one.
beforeEach(async () => {
  await h.settle().catch(() => {});
  h.resetFakes();
});

let n = 0;
const newIgsid = () => `IGSID_I_${++n}`;

interface Flavour {
  name: string;
  igId: string;
  channel: () => string;
  /** The fake the sends must reach, and the one that must see nothing. */
  host: () => FakeGraphApi;
  otherHost: () => FakeGraphApi;
  senderId: string;
  token: string;
}
const flavours: Flavour[] = [
  { name: "Instagram Login", igId: IG_LOGIN_ID, channel: () => igLogin, host: () => h.igGraph, otherHost: () => h.graph, senderId: IG_LOGIN_ID, token: IG_LOGIN_TOKEN },
  { name: "Facebook Login", igId: FB_LOGIN_ID, channel: () => fbLogin, host: () => h.graph, otherHost: () => h.igGraph, senderId: FB_PAGE_ID, token: FB_PAGE_TOKEN },
];

describe.each(flavours)("an Instagram conversation ($name)", (f) => {
  const says = (igsid: string, mid: string, text: string) => igMessage({ igId: f.igId, igsid, mid, text });
  const outbound = async (igsid: string) => (await h.thread((await h.conversation(f.channel(), igsid)).id)).filter((m) => m.direction === "out");

  it("answers through /{sender}/messages on the right host with the right token, and a read by mid marks the reply read", async () => {
    const igsid = newIgsid();
    const outMid = `ig_mid_OUT_${f.igId}_1`;
    h.openai.reply = () => "Yes, it is still available in blue and red.";
    f.host().queueMessageIds(outMid);
    expect((await h.postInstagram(says(igsid, `ig_mid_IN_${f.igId}_1`, "Is this still available?"))).status).toBe(200);
    await h.settle();

    expect(h.openai.calls).toHaveLength(1);
    const sends = f.host().sends;
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({ pageId: f.senderId, to: igsid, token: f.token, version: "v24.0" });
    // meta-platform.md §5.3: {recipient, message}; an agent's reply is never tagged HUMAN_AGENT.
    expect(sends[0]!.body).toMatchObject({ recipient: { id: igsid }, message: { text: "Yes, it is still available in blue and red." } });
    expect(sends[0]!.body.tag).toBeUndefined();
    expect(sends[0]!.body.messaging_type ?? "RESPONSE").toBe("RESPONSE");
    expect(f.host().sendRequests.map((r) => r.path)).toEqual([`/v24.0/${f.senderId}/messages`]);
    expect(f.host().senderActions.filter((a) => a.action === "typing_on")).toEqual([expect.objectContaining({ accountId: f.senderId, to: igsid, token: f.token })]);
    expect(f.otherHost().requests).toHaveLength(0);
    expect(await outbound(igsid)).toEqual([expect.objectContaining({ author: "ai", status: "sent", platformMessageId: outMid })]);

    const read = igEvent(f.igId, { sender: { id: igsid }, recipient: { id: f.igId }, timestamp: Date.now(), read: { mid: outMid } });
    expect((await h.postInstagram(read)).status).toBe(200);
    const [reply] = await outbound(igsid);
    expect(reply!.status).toBe("read");
    expect(reply!.readAt).not.toBeNull();
    await h.settle();
    expect(h.openai.calls).toHaveLength(1);
  });

  it("a read that overtakes the Send API's answer is kept and applied once the mid is stored", async () => {
    const igsid = newIgsid();
    const outMid = `ig_mid_EARLY_READ_${f.igId}`;
    f.host().queueMessageIds(outMid);
    let early: number | undefined;
    const unsubscribe = f.host().onSend(async (send) => {
      if (send.messageId !== outMid) return;
      const read = igEvent(f.igId, { sender: { id: igsid }, recipient: { id: f.igId }, timestamp: Date.now(), read: { mid: outMid } });
      early = (await h.postInstagram(read)).status;
    });
    await h.postInstagram(says(igsid, `ig_mid_EARLY_READ_IN_${f.igId}`, "hello"));
    await h.settle();
    unsubscribe();
    expect(early).toBe(200);
    expect(f.host().hookErrors).toEqual([]);
    expect((await outbound(igsid)).map((m) => [m.platformMessageId, m.status])).toEqual([[outMid, "read"]]);
  });

  it("splits a long reply at 1000 UTF-8 bytes on whole characters and sends the parts in order", async () => {
    const sentence = "Both colours ship tomorrow 📦 and returns are free for 30 days ✅. ";
    const long = sentence.repeat(Math.ceil(2_600 / sentence.length)).trim();
    const solid = "ab😀".repeat(400); // 2400 bytes, no whitespace: the cut must fall between characters

    for (const text of [long, solid]) {
      h.resetFakes();
      h.openai.reply = () => text;
      const igsid = newIgsid();
      await h.postInstagram(says(igsid, `ig_mid_LONG_${igsid}`, "Tell me everything"));
      await h.settle();
      const parts = f.host().sends.map((s) => s.text ?? "");
      expect(parts.length).toBeGreaterThanOrEqual(3);
      for (const part of parts) {
        expect(utf8Bytes(part)).toBeLessThanOrEqual(1_000);
        expect(wellFormed(part)).toBe(true);
      }
      if (text === solid) expect(parts.join("")).toBe(solid);
      else expect(parts.join(" ").replace(/\s+/g, " ")).toBe(long.replace(/\s+/g, " "));
      const stored = await outbound(igsid);
      expect(stored.map((m) => m.text)).toEqual(parts);
      expect(stored.map((m) => m.platformMessageId)).toEqual(f.host().sends.map((s) => s.messageId));
    }
  });

  it("stores the customer's name (else the username) from the profile API, looked up once", async () => {
    const named = newIgsid();
    const handleOnly = newIgsid();
    f.host().setProfile(named, { name: "Jane Doe", username: "jane.doe", id: named });
    f.host().setProfile(handleOnly, { name: null, username: "shop.fan_42", id: handleOnly });
    await h.postInstagram(says(named, `ig_mid_PROF_${named}_1`, "hi"));
    await h.postInstagram(says(handleOnly, `ig_mid_PROF_${handleOnly}_1`, "hi"));
    await h.settle();
    expect((await h.customer(f.channel(), named))?.profileName).toBe("Jane Doe");
    expect((await h.customer(f.channel(), handleOnly))?.profileName).toBe("shop.fan_42");

    await h.postInstagram(says(named, `ig_mid_PROF_${named}_2`, "still there?"));
    await h.settle();
    const lookups = f.host().requests.filter((r) => r.method === "GET" && r.path === `/v24.0/${named}`);
    expect(lookups).toHaveLength(1);
    expect(lookups[0]!.headers.authorization).toBe(`Bearer ${f.token}`);
    expect(f.otherHost().requests).toHaveLength(0);
  });
});

describe("Instagram reactions (C15)", () => {
  it("are stored against ig_mid_TEST_OUT_0001, cleared on unreact, and never start the agent", async () => {
    const igsid = "IGSID_TEST_1";
    h.igGraph.queueMessageIds("ig_mid_TEST_OUT_0001");
    await h.postInstagram(igMessage({ igId: IG_LOGIN_ID, igsid, mid: "ig_mid_TEST_IN_0001", text: "Do you ship to Spain?" }));
    await h.settle();
    h.resetFakes();

    const t = Date.now();
    const react = igEvent(IG_LOGIN_ID, {
      sender: { id: igsid }, recipient: { id: IG_LOGIN_ID }, timestamp: t,
      reaction: { mid: "ig_mid_TEST_OUT_0001", action: "react", reaction: "love", emoji: "❤️" },
    });
    const unreact = igEvent(IG_LOGIN_ID, { sender: { id: igsid }, recipient: { id: IG_LOGIN_ID }, timestamp: t + 1_000, reaction: { mid: "ig_mid_TEST_OUT_0001", action: "unreact" } });
    const target = async () => (await h.byPlatformId(igLogin, "ig_mid_TEST_OUT_0001"))[0]!;

    expect((await h.postInstagram(react)).status).toBe(200);
    expect(await target()).toMatchObject({ reaction: "❤️", direction: "out" });
    expect((await h.postInstagram(react)).status).toBe(200); // re-delivered: no second row
    expect((await h.postInstagram(unreact)).status).toBe(200);
    expect((await target()).reaction).toBeNull();
    await h.settle();
    const reactions = (await h.thread((await target()).conversationId)).filter((m) => m.kind === "reaction");
    expect(reactions).toHaveLength(2);
    expect(reactions.every((r) => r.replyToPlatformId === "ig_mid_TEST_OUT_0001")).toBe(true);
    expect(h.openai.calls).toHaveLength(0);
    expect(h.igGraph.sends).toHaveLength(0);
    expect(h.igGraph.senderActions).toHaveLength(0);
  });
});

describe("Instagram attachment types (C16)", () => {
  it("stores the story / unsupported / story-reply batch without an error, and the model is told 0052 replies to a story", async () => {
    const igsid = "IGSID_TEST_1_C16";
    const t = Date.now();
    const item = (dt: number, message: Record<string, unknown>) => ({ sender: { id: igsid }, recipient: { id: IG_LOGIN_ID }, timestamp: t + dt, message });
    const batch = {
      object: "instagram",
      entry: [{
        id: IG_LOGIN_ID,
        time: t + 500,
        messaging: [
          item(0, { mid: "ig_mid_TEST_IN_0050", attachments: [{ type: "ig_story", payload: { url: "https://example.invalid/story/1" } }] }),
          item(1_000, { mid: "ig_mid_TEST_IN_0051", is_unsupported: true }),
          item(2_000, { mid: "ig_mid_TEST_IN_0052", text: "Is this still available?", reply_to: { story: { id: "STORY_TEST_1", url: "https://example.invalid/story/1" } } }),
        ],
      }],
    };
    const skippedBefore = h.cosbot.counters.get("webhook_item_skipped", { platform: "instagram" });
    expect((await h.postInstagram(batch)).status).toBe(200);
    await h.settle();
    expect(h.cosbot.counters.get("webhook_item_skipped", { platform: "instagram" })).toBe(skippedBefore);

    const [story] = await h.byPlatformId(igLogin, "ig_mid_TEST_IN_0050");
    expect(story).toMatchObject({ direction: "in", kind: "share" });
    expect(story!.text).toContain("https://example.invalid/story/1");
    expect(story!.details).toMatchObject({ attachments: [{ type: "ig_story", payload: { url: "https://example.invalid/story/1" } }] });
    expect(story!.raw).toMatchObject({ message: { attachments: [{ type: "ig_story" }] } });

    const [unsupported] = await h.byPlatformId(igLogin, "ig_mid_TEST_IN_0051");
    expect(unsupported).toMatchObject({ kind: "unsupported", text: "[unsupported message]" });

    const [storyReply] = await h.byPlatformId(igLogin, "ig_mid_TEST_IN_0052");
    expect(storyReply).toMatchObject({ kind: "text", text: "Is this still available?" });

    // One answer for the batch; its prompt says what "this" is.
    expect(h.openai.calls).toHaveLength(1);
    const turns = turnsOf(h.openai.calls[0]!.request);
    const last = turns.at(-1)!;
    expect(last[0]).toBe("user");
    expect(last[1]).toContain("Is this still available?");
    expect(last[1]).toMatch(/repl\w* to .*story/i);
    for (const [, content] of turns) expect(content).not.toMatch(/undefined|null/);
    expect(h.igGraph.sends).toHaveLength(1);
  });

  it("keeps ig_reel, reel, share, story_mention, ephemeral and unknown types as generic records with their raw payload", async () => {
    const igsid = newIgsid();
    const types = ["ig_reel", "reel", "share", "story_mention", "ephemeral", "ig_brand_new_type"];
    const t = Date.now();
    const batch = {
      object: "instagram",
      entry: [{
        id: IG_LOGIN_ID,
        time: t,
        messaging: types.map((type, i) => ({
          sender: { id: igsid }, recipient: { id: IG_LOGIN_ID }, timestamp: t + i,
          message: { mid: `ig_mid_TYPE_${type}`, attachments: [{ type, payload: type === "ephemeral" ? {} : { url: `https://example.invalid/${type}/1`, extra: { kept: true } } }] },
        })),
      }],
    };
    expect((await h.postInstagram(batch)).status).toBe(200);
    await h.settle();
    for (const type of types) {
      const [row] = await h.byPlatformId(igLogin, `ig_mid_TYPE_${type}`);
      expect(row, type).toBeDefined();
      expect(row!.text, type).toBeTruthy();
      expect(row!.text, type).not.toMatch(/undefined/);
      const attachment = (row!.details as { attachments: Array<Record<string, unknown>> }).attachments[0]!;
      expect(attachment.type, type).toBe(type);
      if (type !== "ephemeral") expect(attachment.payload, type).toEqual({ url: `https://example.invalid/${type}/1`, extra: { kept: true } });
      expect(row!.raw, type).toMatchObject({ message: { attachments: [{ type }] } });
    }
    expect(h.openai.calls).toHaveLength(1);
  });

  it("an unsent (is_deleted) message is marked deleted, dropped from the next model request, and not answered", async () => {
    const igsid = newIgsid();
    await h.postInstagram(igMessage({ igId: IG_LOGIN_ID, igsid, mid: "ig_mid_DEL_1", text: "my address is Calle Falsa 123" }));
    await h.settle();
    h.resetFakes();
    expect((await h.postInstagram(igMessage({ igId: IG_LOGIN_ID, igsid, mid: "ig_mid_DEL_1", isDeleted: true }))).status).toBe(200);
    await h.settle();
    expect((await h.byPlatformId(igLogin, "ig_mid_DEL_1"))[0]).toMatchObject({ deleted: true });
    expect(h.openai.calls).toHaveLength(0);
    expect(h.igGraph.sends).toHaveLength(0);

    await h.postInstagram(igMessage({ igId: IG_LOGIN_ID, igsid, mid: "ig_mid_DEL_2", text: "never mind, do you ship?" }));
    await h.settle();
    expect(h.openai.calls).toHaveLength(1);
    expect(JSON.stringify(h.openai.calls[0]!.request.messages)).not.toContain("Calle Falsa");
  });
});

describe("Instagram signatures", () => {
  it("accepts a signature made with the Meta app secret or with the Instagram app secret", async () => {
    const a = newIgsid();
    const b = newIgsid();
    expect((await h.postInstagram(igMessage({ igId: IG_LOGIN_ID, igsid: a, mid: "ig_mid_SIG_APP", text: "hi" }), { secret: APP_SECRET })).status).toBe(200);
    expect((await h.postInstagram(igMessage({ igId: IG_LOGIN_ID, igsid: b, mid: "ig_mid_SIG_IG", text: "hi" }), { secret: INSTAGRAM_APP_SECRET })).status).toBe(200);
    expect(await h.byPlatformId(igLogin, "ig_mid_SIG_APP")).toHaveLength(1);
    expect(await h.byPlatformId(igLogin, "ig_mid_SIG_IG")).toHaveLength(1);
    await h.settle();
    expect(h.igGraph.sends.map((s) => s.to).sort()).toEqual([a, b].sort());
  });

  it("refuses a bad or missing signature with 401 and stores nothing", async () => {
    const igsid = newIgsid();
    const payload = igMessage({ igId: IG_LOGIN_ID, igsid, mid: "ig_mid_SIG_BAD", text: "Café 😀" });
    expect((await h.postInstagram(payload, { secret: "not_our_secret" })).status).toBe(401);
    expect((await h.postInstagram(payload, { signature: signBody("tampered", INSTAGRAM_APP_SECRET) })).status).toBe(401);
    expect((await h.postInstagram(payload, { signature: null })).status).toBe(401);
    await h.settle();
    expect(await h.byPlatformId(igLogin, "ig_mid_SIG_BAD")).toHaveLength(0);
    expect(await h.customer(igLogin, igsid)).toBeUndefined();
    expect(h.openai.calls).toHaveLength(0);
  });

  it("does not let one account's Instagram app secret vouch for another account", async () => {
    // The Facebook Login account has no Instagram app secret: a webhook for it signed with
    // the other account's Instagram secret is not stored.
    const igsid = newIgsid();
    const res = await h.postInstagram(igMessage({ igId: FB_LOGIN_ID, igsid, mid: "ig_mid_SIG_FOREIGN", text: "hi" }), { secret: INSTAGRAM_APP_SECRET });
    expect(res.status).toBe(200);
    await h.settle();
    expect(await h.byPlatformId(fbLogin, "ig_mid_SIG_FOREIGN")).toHaveLength(0);
    expect(h.openai.calls).toHaveLength(0);
  });
});
