import { describe, expect, it } from "vitest";
import type { EchoEvent, InboundMessageEvent } from "../../core/events.js";
import { parseMessengerWebhook } from "./parse-webhook.js";

const NOW = new Date("2026-03-01T12:00:00Z");
const parse = (body: unknown) => parseMessengerWebhook(body, { now: () => NOW });
const T = 1767225600000;

function page(items: unknown[], key: "messaging" | "standby" = "messaging") {
  return { object: "page", entry: [{ id: "PAGE_TEST_1", time: T + 500, [key]: items }] };
}
const fromCustomer = (message: Record<string, unknown>) =>
  page([{ sender: { id: "PSID_TEST_1" }, recipient: { id: "PAGE_TEST_1" }, timestamp: T, message: { mid: "m_IN", ...message } }]);

function only<K extends "message" | "echo">(body: unknown, type: K) {
  const { events, skipped } = parse(body);
  expect(skipped).toEqual([]);
  expect(events).toHaveLength(1);
  const event = events[0];
  if (event?.type !== type) throw new Error(`expected ${type}, got ${event?.type}`);
  return event as K extends "message" ? InboundMessageEvent : EchoEvent;
}

describe("parseMessengerWebhook: customer messages", () => {
  it("maps the C03 payload to one text message", () => {
    const body = {
      object: "page",
      entry: [{ id: "PAGE_TEST_1", time: 1767225600500, messaging: [{
        sender: { id: "PSID_TEST_1" }, recipient: { id: "PAGE_TEST_1" }, timestamp: 1767225600000,
        message: { mid: "m_TEST_IN_0001", text: "What is the price of the basic plan?" } }] }],
    };
    const event = only(body, "message");
    expect(event).toEqual({
      type: "message",
      platform: "messenger",
      channelExternalId: "PAGE_TEST_1",
      occurredAt: new Date(1767225600000),
      platformMessageId: "m_TEST_IN_0001",
      from: { platformUserId: "PSID_TEST_1" },
      kind: "text",
      text: "What is the price of the basic plan?",
      details: {},
      raw: body.entry[0]?.messaging[0],
    });
  });

  it("keeps a quick reply's payload and its text; reply_to becomes replyToPlatformId", () => {
    const event = only(fromCustomer({ text: "Basic", quick_reply: { payload: "PLAN_BASIC" }, reply_to: { mid: "m_OUT_1" } }), "message");
    expect(event).toMatchObject({ kind: "text", text: "Basic", details: { quickReply: "PLAN_BASIC" }, replyToPlatformId: "m_OUT_1" });
  });

  const cases: { name: string; attachments: unknown[]; kind: string; text: string }[] = [
    { name: "image", attachments: [{ type: "image", payload: { url: "https://cdn.example/i.jpg" } }], kind: "image", text: "[image]" },
    { name: "audio", attachments: [{ type: "audio", payload: { url: "https://cdn.example/a.mp4" } }], kind: "audio", text: "[audio]" },
    { name: "video", attachments: [{ type: "video", payload: { url: "https://cdn.example/v.mp4" } }], kind: "video", text: "[video]" },
    { name: "file", attachments: [{ type: "file", payload: { url: "https://cdn.example/x/invoice%204711.pdf?_nc=1" } }], kind: "document", text: "[document: invoice 4711.pdf]" },
    { name: "file without a name", attachments: [{ type: "file", payload: {} }], kind: "document", text: "[document]" },
    { name: "location", attachments: [{ type: "location", title: "Pinned", payload: { coordinates: { lat: 52.52, long: 13.405 } } }], kind: "location", text: "[location: 52.52, 13.405]" },
    { name: "like sticker (as image)", attachments: [{ type: "image", payload: { url: "https://cdn.example/s.png", sticker_id: 369239263222822 } }], kind: "sticker", text: "[sticker: 👍]" },
    {
      name: "sticker sent both ways",
      attachments: [{ type: "image", payload: { url: "u", sticker_id: 1 } }, { type: "sticker", payload: { url: "u", sticker_id: 1 } }],
      kind: "sticker",
      text: "[sticker]",
    },
    { name: "fallback link", attachments: [{ type: "fallback", payload: { url: "https://shop.example/p/1", title: "Blue shoes" } }], kind: "share", text: "[shared link: Blue shoes]" },
    { name: "fallback with title beside a null payload", attachments: [{ type: "fallback", payload: null, title: "Sale", URL: "https://x.example" }], kind: "share", text: "[shared link: Sale]" },
    { name: "fallback with no payload", attachments: [{ type: "fallback" }], kind: "unsupported", text: "[shared link]" },
    { name: "ig_reel", attachments: [{ type: "ig_reel", payload: { url: "https://ig.example/r", title: "Our new bag", reel_video_id: 9 } }], kind: "share", text: "[shared reel: Our new bag]" },
    { name: "post with url only", attachments: [{ type: "post", payload: { url: "https://fb.example/p" } }], kind: "share", text: "[shared post: https://fb.example/p]" },
    { name: "unknown type, nothing readable", attachments: [{ type: "hologram", payload: {} }], kind: "unsupported", text: "[unsupported attachment: hologram]" },
    { name: "attachment that is not an object", attachments: ["??"], kind: "unsupported", text: "[unsupported attachment: unknown]" },
  ];
  for (const c of cases) {
    it(`maps a ${c.name} attachment`, () => {
      const event = only(fromCustomer({ attachments: c.attachments }), "message");
      expect({ kind: event.kind, text: event.text }).toEqual({ kind: c.kind, text: c.text });
      expect(event.details?.attachments).toHaveLength(c.name === "sticker sent both ways" ? 1 : c.attachments.length);
      expect(event.text).not.toContain("undefined");
    });
  }

  it("keeps the raw attachment of shares and the coordinates of locations", () => {
    const share = { type: "fallback", payload: { url: "https://shop.example/p/1", title: "Blue shoes" } };
    const event = only(fromCustomer({ attachments: [share] }), "message");
    expect(event.details).toEqual({ attachments: [{ type: "fallback", url: "https://shop.example/p/1", title: "Blue shoes", raw: share }] });
    const loc = only(fromCustomer({ attachments: [{ type: "location", payload: { coordinates: { lat: 1.5, long: -2 } } }] }), "message");
    expect(loc.details).toEqual({ attachments: [{ type: "location", latitude: 1.5, longitude: -2 }] });
  });

  it("turns several attachments into one event of the first kind, listing them all", () => {
    const event = only(
      fromCustomer({ attachments: [{ type: "image", payload: { url: "a" } }, { type: "image", payload: { url: "b" } }, { type: "video", payload: { url: "c" } }] }),
      "message",
    );
    expect(event.kind).toBe("image");
    expect(event.text).toBe("[image] [image] [video]");
    expect(event.details?.attachments).toEqual([{ type: "image", url: "a" }, { type: "image", url: "b" }, { type: "video", url: "c" }]);
  });

  it("keeps the customer's text next to a link preview", () => {
    const event = only(fromCustomer({ text: "https://shop.example/p/1", attachments: [{ type: "fallback", payload: { url: "https://shop.example/p/1", title: "Blue shoes" } }] }), "message");
    expect(event).toMatchObject({ kind: "share", text: "https://shop.example/p/1 [shared link: Blue shoes]" });
  });

  it("never produces empty text", () => {
    expect(only(fromCustomer({}), "message")).toMatchObject({ kind: "unsupported", text: "[empty message]" });
    expect(only(fromCustomer({ text: "  ", attachments: [] }), "message")).toMatchObject({ kind: "unsupported", text: "[empty message]" });
  });

  it("turns an unsent message into a delete event", () => {
    const { events } = parse(fromCustomer({ is_deleted: true }));
    expect(events).toEqual([
      { type: "delete", platform: "messenger", channelExternalId: "PAGE_TEST_1", occurredAt: new Date(T), platformMessageId: "m_IN", customerPlatformUserId: "PSID_TEST_1" },
    ]);
  });
});

describe("parseMessengerWebhook: echoes", () => {
  it("maps C08's echo of our own reply to an EchoEvent, never a customer message", () => {
    const body = {
      object: "page",
      entry: [{ id: "PAGE_TEST_1", time: 1767225700500, messaging: [{
        sender: { id: "PAGE_TEST_1" }, recipient: { id: "PSID_TEST_1" }, timestamp: 1767225700000,
        message: { mid: "m_TEST_OUT_0001", is_echo: true, app_id: "APP_TEST_OURS", text: "The basic plan costs 10 EUR per month." } }] }],
    };
    expect(only(body, "echo")).toEqual({
      type: "echo",
      platform: "messenger",
      channelExternalId: "PAGE_TEST_1",
      occurredAt: new Date(1767225700000),
      platformMessageId: "m_TEST_OUT_0001",
      customer: { platformUserId: "PSID_TEST_1" },
      appId: "APP_TEST_OURS",
      kind: "text",
      text: "The basic plan costs 10 EUR per month.",
      details: {},
      raw: body.entry[0]?.messaging[0],
    });
  });

  it("keeps C11's foreign app_id (a person in Meta's inbox), also when it is a number", () => {
    const body = {
      object: "page",
      entry: [{ id: "PAGE_TEST_1", time: 1767226000500, messaging: [
        { sender: { id: "PAGE_TEST_1" }, recipient: { id: "PSID_TEST_1" }, timestamp: 1767226000000,
          message: { mid: "m_TEST_HUMAN_0001", is_echo: true, app_id: "APP_TEST_META_INBOX", text: "Hi, this is Ana from the team, I'll take it from here." } },
        { sender: { id: "PAGE_TEST_1" }, recipient: { id: "PSID_TEST_1" }, timestamp: 1767226000001,
          message: { mid: "m_TEST_HUMAN_0002", is_echo: true, app_id: 263902037430900, metadata: "x", attachments: [{ type: "image", payload: { url: "u" } }] } },
      ] }],
    };
    const { events, skipped } = parse(body);
    expect(skipped).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(["echo", "echo"]);
    expect(events[0]).toMatchObject({ appId: "APP_TEST_META_INBOX", customer: { platformUserId: "PSID_TEST_1" }, text: "Hi, this is Ana from the team, I'll take it from here." });
    expect(events[1]).toMatchObject({ appId: "263902037430900", kind: "image", text: "[image]", details: { metadata: "x" } });
  });

  it("treats a message sent by the Page as an echo even without is_echo, and an echo without app_id has none", () => {
    const body = page([{ sender: { id: "PAGE_TEST_1" }, recipient: { id: "PSID_TEST_1" }, timestamp: T, message: { mid: "m_OUT_9", text: "hello" } }]);
    const echo = only(body, "echo");
    expect(echo.customer.platformUserId).toBe("PSID_TEST_1");
    expect(echo).not.toHaveProperty("appId");
  });

  it("takes the Page id from sender.id when entry.id is missing", () => {
    const body = { object: "page", entry: [{ messaging: [{ sender: { id: "PAGE_2" }, recipient: { id: "PSID_2" }, timestamp: T, message: { mid: "m_E", is_echo: true, text: "x" } }] }] };
    expect(only(body, "echo").channelExternalId).toBe("PAGE_2");
  });
});
