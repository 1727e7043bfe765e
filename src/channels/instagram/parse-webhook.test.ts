import { describe, expect, it } from "vitest";
import type { ChannelEvent, InboundMessageEvent } from "../../core/events.js";
import { InstagramEnvelopeError, parseInstagramWebhook } from "./parse-webhook.js";

const NOW = new Date("2026-03-01T12:00:00Z");
const parse = (body: unknown) => parseInstagramWebhook(body, { now: () => NOW });

const BIZ = "IGBIZ_TEST_1";
const CUSTOMER = "IGSID_TEST_1";
const TS = 1767226200000;

const webhook = (...messaging: unknown[]) => ({ object: "instagram", entry: [{ id: BIZ, time: TS + 500, messaging }] });
const fromCustomer = (event: Record<string, unknown>, timestamp = TS) => ({ sender: { id: CUSTOMER }, recipient: { id: BIZ }, timestamp, ...event });
const inbound = (message: Record<string, unknown>) => webhook(fromCustomer({ message: { mid: "ig_mid_TEST_IN", ...message } }));

function only(body: unknown): ChannelEvent {
  const { events, skipped } = parse(body);
  expect(skipped).toEqual([]);
  expect(events).toHaveLength(1);
  return events[0]!;
}

function onlyMessage(body: unknown): InboundMessageEvent {
  const event = only(body);
  if (event.type !== "message") throw new Error(`expected a message, got ${event.type}`);
  return event;
}

describe("parseInstagramWebhook: envelope", () => {
  it.each([
    ["a string", "hello"],
    ["null", null],
    ["an array", []],
    ["another object", { object: "page", entry: [] }],
    ["no object", { entry: [] }],
    ["entry not an array", { object: "instagram", entry: {} }],
  ])("throws InstagramEnvelopeError for %s", (_name, body) => {
    expect(() => parse(body)).toThrow(InstagramEnvelopeError);
  });

  it("accepts an empty batch", () => {
    expect(parse({ object: "instagram", entry: [] })).toEqual({ events: [], skipped: [] });
  });
});

describe("parseInstagramWebhook: customer messages", () => {
  it("reads text, the account id, the IGSID and the ms timestamp", () => {
    const event = onlyMessage(inbound({ text: "price?" }));
    expect(event).toMatchObject({
      type: "message",
      platform: "instagram",
      channelExternalId: BIZ,
      platformMessageId: "ig_mid_TEST_IN",
      from: { platformUserId: CUSTOMER },
      kind: "text",
      text: "price?",
      occurredAt: new Date(TS),
    });
    expect(event.standby).toBeUndefined();
    expect(event.replyContext).toBeUndefined();
  });

  it.each([
    ["image", "image", "[image]"],
    ["video", "video", "[video]"],
    ["audio", "audio", "[audio]"],
    ["file", "document", "[document]"],
    ["share", "share", "[shared post: https://example.invalid/a]"],
    ["ig_post", "share", "[shared post: https://example.invalid/a]"],
    ["ig_story", "share", "[shared story: https://example.invalid/a]"],
    ["story_mention", "share", "[story mention: https://example.invalid/a]"],
    ["ig_reel", "share", "[shared reel: https://example.invalid/a]"],
    ["reel", "share", "[shared reel: https://example.invalid/a]"],
    ["brand_new_type", "share", "[attachment (brand_new_type): https://example.invalid/a]"],
  ])("maps a %s attachment to kind %s", (type, kind, text) => {
    const payload = { url: "https://example.invalid/a", extra: { id: "X1" } };
    const event = onlyMessage(inbound({ attachments: [{ type, payload }] }));
    expect(event.kind).toBe(kind);
    expect(event.text).toBe(text);
    // The raw payload is kept whatever the type (C16).
    expect(event.details?.attachments).toEqual([{ type, url: "https://example.invalid/a", payload }]);
  });

  it("describes disappearing media, which comes without a URL", () => {
    const event = onlyMessage(inbound({ attachments: [{ type: "ephemeral" }] }));
    expect(event).toMatchObject({ kind: "share", text: "[disappearing photo or video]" });
  });

  it("keeps a shared post's title and tolerates garbled attachments", () => {
    const event = onlyMessage(inbound({ attachments: [{ type: "ig_post", payload: { url: "https://example.invalid/p", title: "Summer sale" } }, 42, { payload: "x" }] }));
    expect(event.kind).toBe("share");
    expect(event.text).toBe('[shared post: "Summer sale" https://example.invalid/p] [attachment (unknown)] [attachment (unknown)]');
  });

  it("joins text and several attachments", () => {
    const event = onlyMessage(inbound({ text: "these two", attachments: [{ type: "image", payload: { url: "u1" } }, { type: "image", payload: { url: "u2" } }] }));
    expect(event).toMatchObject({ kind: "image", text: "these two [image] [image]" });
  });

  it("keeps the quick-reply payload and the quoted message", () => {
    const event = onlyMessage(inbound({ text: "Yes", quick_reply: { payload: "CONFIRM" }, reply_to: { mid: "ig_mid_TEST_OUT_0001" } }));
    expect(event.details).toEqual({ quickReplyPayload: "CONFIRM" });
    expect(event.replyToPlatformId).toBe("ig_mid_TEST_OUT_0001");
  });

  it("turns a message without content into a readable placeholder", () => {
    const event = onlyMessage(inbound({ text: "  " }));
    expect(event).toMatchObject({ kind: "unsupported", text: "[message without content]" });
  });

  it("falls back to entry.time, then to now, for a missing timestamp", () => {
    const body = { object: "instagram", entry: [{ id: BIZ, time: TS + 500, messaging: [{ sender: { id: CUSTOMER }, recipient: { id: BIZ }, message: { mid: "m1", text: "a" } }] }] };
    expect(onlyMessage(body).occurredAt).toEqual(new Date(TS + 500));
    const noTime = { object: "instagram", entry: [{ id: BIZ, messaging: [{ sender: { id: CUSTOMER }, recipient: { id: BIZ }, timestamp: "soon", message: { mid: "m1", text: "a" } }] }] };
    expect(onlyMessage(noTime).occurredAt).toEqual(NOW);
  });
});

describe("parseInstagramWebhook: C16 batch", () => {
  const body = {
    object: "instagram",
    entry: [{ id: BIZ, time: 1767226200500, messaging: [
      fromCustomer({ message: { mid: "ig_mid_TEST_IN_0050", attachments: [{ type: "ig_story", payload: { url: "https://example.invalid/story/1" } }] } }, 1767226200000),
      fromCustomer({ message: { mid: "ig_mid_TEST_IN_0051", is_unsupported: true } }, 1767226201000),
      fromCustomer({ message: { mid: "ig_mid_TEST_IN_0052", text: "Is this still available?", reply_to: { story: { id: "STORY_TEST_1", url: "https://example.invalid/story/1" } } } }, 1767226202000),
    ] }],
  };

  it("keeps all three messages, with a placeholder and a story context", () => {
    const { events, skipped } = parse(body);
    expect(skipped).toEqual([]);
    const messages = events as InboundMessageEvent[];
    expect(messages.map((e) => [e.platformMessageId, e.kind, e.text])).toEqual([
      ["ig_mid_TEST_IN_0050", "share", "[shared story: https://example.invalid/story/1]"],
      ["ig_mid_TEST_IN_0051", "unsupported", "[unsupported message]"],
      ["ig_mid_TEST_IN_0052", "text", "Is this still available?"],
    ]);
    expect(messages[0]?.details?.attachments).toEqual([{ type: "ig_story", url: "https://example.invalid/story/1", payload: { url: "https://example.invalid/story/1" } }]);
    expect(messages[2]?.replyContext).toBe("the business's Instagram story (https://example.invalid/story/1)");
    expect(messages[2]?.details?.story).toEqual({ id: "STORY_TEST_1", url: "https://example.invalid/story/1" });
    expect(messages[2]?.replyToPlatformId).toBeUndefined();
    for (const event of messages) expect(event.text).not.toMatch(/undefined|^\s*$/);
  });
});

describe("parseInstagramWebhook: echoes, deletes, reactions, reads, postbacks", () => {
  it("turns is_echo into an EchoEvent addressed to the customer (C08)", () => {
    const body = webhook({ sender: { id: BIZ }, recipient: { id: CUSTOMER }, timestamp: TS, message: { mid: "ig_mid_TEST_OUT_0001", is_echo: true, app_id: 1234, text: "The basic plan costs 10 EUR per month." } });
    expect(only(body)).toMatchObject({
      type: "echo",
      channelExternalId: BIZ,
      platformMessageId: "ig_mid_TEST_OUT_0001",
      customer: { platformUserId: CUSTOMER },
      appId: "1234",
      kind: "text",
      text: "The basic plan costs 10 EUR per month.",
    });
  });

  it("treats a message sent by the business account as an echo even without is_echo (C08)", () => {
    const body = webhook({ sender: { id: BIZ }, recipient: { id: CUSTOMER }, timestamp: TS, message: { mid: "m_out", attachments: [{ type: "image", payload: { url: "u" } }] } });
    const event = only(body);
    expect(event).toMatchObject({ type: "echo", customer: { platformUserId: CUSTOMER }, kind: "image", text: "[image]" });
    expect(event).not.toHaveProperty("appId");
  });

  it("turns is_deleted into a DeleteEvent", () => {
    expect(only(inbound({ mid: "ig_mid_GONE", is_deleted: true }))).toEqual({
      type: "delete", platform: "instagram", channelExternalId: BIZ, occurredAt: new Date(TS),
      platformMessageId: "ig_mid_GONE", customerPlatformUserId: CUSTOMER,
    });
  });

  it("models react and unreact with a stable derived id (C15)", () => {
    const react = webhook(fromCustomer({ reaction: { mid: "ig_mid_TEST_OUT_0001", action: "react", reaction: "love", emoji: "❤️" } }, 1767225900000));
    const unreact = webhook(fromCustomer({ reaction: { mid: "ig_mid_TEST_OUT_0001", action: "unreact" } }, 1767225960000));
    const added = only(react);
    expect(added).toMatchObject({
      type: "reaction",
      platformMessageId: `reaction:ig_mid_TEST_OUT_0001:${CUSTOMER}:1767225900000:react`,
      from: { platformUserId: CUSTOMER },
      targetPlatformMessageId: "ig_mid_TEST_OUT_0001",
      emoji: "❤️",
    });
    expect(only(react)).toEqual(added); // a re-delivery yields the same id
    expect(only(unreact)).toMatchObject({
      type: "reaction",
      platformMessageId: `reaction:ig_mid_TEST_OUT_0001:${CUSTOMER}:1767225960000:unreact`,
      targetPlatformMessageId: "ig_mid_TEST_OUT_0001",
      emoji: null,
    });
  });

  it("falls back to the reaction name when the emoji is missing, and skips an empty reaction", () => {
    expect(only(webhook(fromCustomer({ reaction: { mid: "m1", action: "react", reaction: "like" } })))).toMatchObject({ emoji: "👍" });
    const { events, skipped } = parse(webhook(fromCustomer({ reaction: { mid: "m1", action: "react" } }), fromCustomer({ reaction: { action: "react", emoji: "👍" } })));
    expect(events).toEqual([]);
    expect(skipped.map((s) => s.reason)).toEqual(["reaction without an emoji", "reaction without reaction.mid"]);
  });

  it("turns read{mid} into a read status for that message", () => {
    expect(only(webhook(fromCustomer({ read: { mid: "ig_mid_TEST_OUT_0001" } })))).toEqual({
      type: "status", platform: "instagram", channelExternalId: BIZ, occurredAt: new Date(TS),
      platformMessageId: "ig_mid_TEST_OUT_0001", status: "read", recipientPlatformUserId: CUSTOMER,
    });
  });

  it("turns a postback into an interactive message, deriving an id when there is no mid", () => {
    const withMid = onlyMessage(webhook(fromCustomer({ postback: { mid: "ig_mid_PB", title: "Opening hours", payload: "HOURS" } })));
    expect(withMid).toMatchObject({ platformMessageId: "ig_mid_PB", kind: "interactive", text: "Opening hours", details: { interactiveType: "postback", payload: "HOURS", title: "Opening hours" } });
    const noMid = onlyMessage(webhook(fromCustomer({ postback: { title: "Prices", payload: "PRICES" } })));
    expect(noMid.platformMessageId).toBe(`postback:${CUSTOMER}:${TS}`);
  });
});

describe("parseInstagramWebhook: batches, standby and garbage", () => {
  it("handles every entry and every item of a multi-entry batch (C12)", () => {
    const body = {
      object: "instagram",
      entry: [
        { id: BIZ, time: TS, messaging: [fromCustomer({ message: { mid: "a1", text: "one" } }), fromCustomer({ message: { mid: "a2", text: "two" } })] },
        { id: "IGBIZ_TEST_2", time: TS, messaging: [{ sender: { id: "IGSID_TEST_2" }, recipient: { id: "IGBIZ_TEST_2" }, timestamp: TS, message: { mid: "b1", text: "three" } }] },
      ],
    };
    const { events, skipped } = parse(body);
    expect(skipped).toEqual([]);
    expect(events.map((e) => [e.channelExternalId, (e as InboundMessageEvent).platformMessageId])).toEqual([
      [BIZ, "a1"], [BIZ, "a2"], ["IGBIZ_TEST_2", "b1"],
    ]);
  });

  it("marks standby messages, which another app's thread owns", () => {
    const body = { object: "instagram", entry: [{ id: BIZ, time: TS, standby: [fromCustomer({ message: { mid: "s1", text: "hello?" } }), fromCustomer({ postback: { title: "Hi" } })] }] };
    const { events, skipped } = parse(body);
    expect(skipped).toEqual([]);
    expect(events).toHaveLength(2);
    for (const event of events) expect(event).toMatchObject({ type: "message", standby: true });
  });

  it("skips garbage with a reason and keeps the good items around it", () => {
    const body = {
      object: "instagram",
      entry: [
        "not an entry",
        { id: BIZ, changes: [{ field: "comments", value: {} }] },
        { id: BIZ, time: TS, messaging: [
          null,
          fromCustomer({ message: { text: "no mid" } }),
          { recipient: { id: BIZ }, timestamp: TS, message: { mid: "m_no_sender", text: "hi" } },
          fromCustomer({ referral: { ref: "ad_1", source: "ADS" } }),
          fromCustomer({ pass_thread_control: { new_owner_app_id: "1" } }),
          fromCustomer({ something_new: {} }),
          fromCustomer({ read: {} }),
          fromCustomer({ message: { mid: "ok", text: "still here" } }),
        ] },
      ],
    };
    const { events, skipped } = parse(body);
    expect(events.map((e) => (e as InboundMessageEvent).platformMessageId)).toEqual(["ok"]);
    expect(skipped.map((s) => s.reason)).toEqual([
      "entry is not an object",
      "entry without messaging[] or standby[]",
      "messaging item is not an object",
      "message without a mid",
      "message without a customer id",
      "referral events are not handled",
      'handover event "pass_thread_control" is not handled',
      'event "something_new" is not handled',
      "read without read.mid",
    ]);
  });
});
