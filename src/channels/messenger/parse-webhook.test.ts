import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import { pageMessage } from "../../../test/fakes/meta-webhook.js";
import { verifyMetaSignature } from "../meta/signature.js";
import { MessengerEnvelopeError, parseMessengerWebhook } from "./parse-webhook.js";

const NOW = new Date("2026-03-01T12:00:00Z");
const parse = (body: unknown) => parseMessengerWebhook(body, { now: () => NOW });
const T = 1767225600000;
const PSID = "PSID_TEST_1";
const PAGE = "PAGE_TEST_1";

const item = (event: Record<string, unknown>, timestamp = T) => ({ sender: { id: PSID }, recipient: { id: PAGE }, timestamp, ...event });
const page = (items: unknown[], key: "messaging" | "standby" = "messaging") => ({ object: "page", entry: [{ id: PAGE, time: T + 500, [key]: items }] });

describe("parseMessengerWebhook: envelope", () => {
  it.each([
    ["a string", "hello"],
    ["null", null],
    ["an array", []],
    ["another platform", { object: "whatsapp_business_account", entry: [] }],
    ["entry missing", { object: "page" }],
    ["entry not an array", { object: "page", entry: {} }],
  ])("throws MessengerEnvelopeError for %s", (_name, body) => {
    expect(() => parse(body)).toThrow(MessengerEnvelopeError);
  });

  it("accepts an empty batch", () => {
    expect(parse({ object: "page", entry: [] })).toEqual({ events: [], skipped: [] });
  });
});

describe("parseMessengerWebhook: batches (C12)", () => {
  it("handles every entry and every messaging item", () => {
    const body = {
      object: "page",
      entry: [
        { id: PAGE, time: T, messaging: [item({ message: { mid: "m_1", text: "Hello" } }), item({ message: { mid: "m_2", text: "Cancel order 4711" } }, T + 1)] },
        { id: "PAGE_TEST_2", time: T, messaging: [{ sender: { id: "PSID_B" }, recipient: { id: "PAGE_TEST_2" }, timestamp: T + 2, message: { mid: "m_3", text: "Hi there" } }] },
      ],
    };
    const { events, skipped } = parse(body);
    expect(skipped).toEqual([]);
    expect(events.map((e) => [e.type, e.channelExternalId, "platformMessageId" in e ? e.platformMessageId : "", "text" in e ? e.text : ""])).toEqual([
      ["message", PAGE, "m_1", "Hello"],
      ["message", PAGE, "m_2", "Cancel order 4711"],
      ["message", "PAGE_TEST_2", "m_3", "Hi there"],
    ]);
  });

  it("skips garbage items with a reason and keeps the others", () => {
    const body = {
      object: "page",
      entry: [
        "not an entry",
        { id: PAGE, messaging: "nope" },
        { id: PAGE, changes: [{ field: "feed" }] },
        {
          id: PAGE,
          messaging: [
            42,
            item({}),
            item({ message: { text: "no mid" } }),
            { recipient: { id: PAGE }, timestamp: T, message: { mid: "m_nosender", text: "x" } },
            item({ message_edit: { mid: "m_1", text: "edited", num_edit: 1 } }),
            item({ optin: { ref: "x" } }),
            item({ message: { mid: "m_ok", text: "still here" } }),
            item({ reaction: { action: "react" } }),
            item({ read: {} }),
          ],
        },
      ],
    };
    const { events, skipped } = parse(body);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ platformMessageId: "m_ok", text: "still here" });
    expect(skipped).toHaveLength(11);
    expect(skipped.map((s) => s.reason)).toEqual([
      "entry is not an object",
      "entry.messaging is not an array",
      expect.stringContaining("without messaging[] or standby[]"),
      "messaging item is not an object",
      "messaging item without an event",
      "message without a mid",
      "message without sender.id",
      'messaging event "message_edit" is not handled',
      'messaging event "optin" is not handled',
      "reaction without reaction.mid",
      "read without a watermark",
    ]);
  });

  it("falls back to recipient.id for the Page and to now for a missing timestamp", () => {
    const body = { object: "page", entry: [{ messaging: [{ sender: { id: PSID }, recipient: { id: PAGE }, message: { mid: "m_1", text: "x" } }] }] };
    expect(parse(body).events[0]).toMatchObject({ channelExternalId: PAGE, occurredAt: NOW });
  });
});

describe("parseMessengerWebhook: standby", () => {
  it("marks customer messages and postbacks in standby[], and emits other events normally", () => {
    const body = page(
      [
        item({ message: { mid: "m_1", text: "Is anyone there?" } }),
        item({ postback: { title: "Get Started" } }, T + 1),
        item({ read: { watermark: T - 10 } }, T + 2),
        { sender: { id: PAGE }, recipient: { id: PSID }, timestamp: T + 3, message: { mid: "m_2", is_echo: true, app_id: "263902037430900", text: "Hi!" } },
      ],
      "standby",
    );
    const { events, skipped } = parse(body);
    expect(skipped).toEqual([]);
    expect(events[0]).toMatchObject({ type: "message", standby: true, text: "Is anyone there?" });
    expect(events[1]).toMatchObject({ type: "message", standby: true, kind: "interactive", text: "Get Started", details: { title: "Get Started" } });
    expect(events[2]).toMatchObject({ type: "watermark", status: "read" });
    expect(events[3]).toMatchObject({ type: "echo", appId: "263902037430900" });
    expect(events[3]).not.toHaveProperty("standby");
  });

  it("reads messaging[] and standby[] of the same entry", () => {
    const body = { object: "page", entry: [{ id: PAGE, messaging: [item({ message: { mid: "m_1", text: "a" } })], standby: [item({ message: { mid: "m_2", text: "b" } })] }] };
    const { events } = parse(body);
    expect(events.map((e) => ("standby" in e ? e.standby : undefined))).toEqual([undefined, true]);
  });
});

describe("parseMessengerWebhook: postbacks", () => {
  it("maps a postback with mid to an interactive message", () => {
    const { events } = parse(page([item({ postback: { mid: "m_PB", title: "Talk to sales", payload: "SALES" } })]));
    expect(events).toEqual([
      {
        type: "message", platform: "messenger", channelExternalId: PAGE, occurredAt: new Date(T), platformMessageId: "m_PB",
        from: { platformUserId: PSID }, kind: "interactive", text: "Talk to sales", details: { postbackPayload: "SALES", title: "Talk to sales" },
        raw: expect.anything(),
      },
    ]);
  });

  it("derives a stable id for a postback without mid, and falls back to the payload for text", () => {
    const body = page([item({ postback: { payload: "GET_STARTED" } })]);
    const first = parse(body).events[0];
    expect(first).toMatchObject({ platformMessageId: `postback:${PSID}:${T}`, text: "GET_STARTED" });
    expect(parse(structuredClone(body)).events[0]).toMatchObject({ platformMessageId: `postback:${PSID}:${T}` });
  });
});

describe("parseMessengerWebhook: reactions", () => {
  it("maps react and unreact with stable derived ids", () => {
    const { events, skipped } = parse(
      page([
        item({ reaction: { mid: "m_OUT_1", action: "react", reaction: "love", emoji: "❤️" } }),
        item({ reaction: { mid: "m_OUT_1", action: "unreact" } }, T + 5),
        item({ reaction: { mid: "m_OUT_2", action: "react", reaction: "like" } }, T + 6),
      ]),
    );
    expect(skipped).toEqual([]);
    expect(events[0]).toEqual({
      type: "reaction", platform: "messenger", channelExternalId: PAGE, occurredAt: new Date(T),
      platformMessageId: `reaction:m_OUT_1:${PSID}:${T}:react`, from: { platformUserId: PSID },
      targetPlatformMessageId: "m_OUT_1", emoji: "❤️", raw: expect.anything(),
    });
    expect(events[1]).toMatchObject({ platformMessageId: `reaction:m_OUT_1:${PSID}:${T + 5}:unreact`, emoji: null });
    expect(events[2]).toMatchObject({ emoji: "👍" });
  });

  it("skips reactions it cannot read", () => {
    const { events, skipped } = parse(page([item({ reaction: { mid: "m_1", action: "shrug" } }), item({ reaction: { mid: "m_1", action: "react" } })]));
    expect(events).toEqual([]);
    expect(skipped.map((s) => s.reason)).toEqual(['reaction action "shrug" is not handled', "reaction without emoji or reaction name"]);
  });

  it("skips reactions and postbacks the Page sent itself", () => {
    const fromPage = (event: Record<string, unknown>) => ({ sender: { id: PAGE }, recipient: { id: PSID }, timestamp: T, ...event });
    const { events, skipped } = parse(page([fromPage({ reaction: { mid: "m_IN_1", action: "react", emoji: "👍" } }), fromPage({ postback: { title: "x" } })]));
    expect(events).toEqual([]);
    expect(skipped.map((s) => s.reason)).toEqual(["reaction sent by the Page itself", "postback sent by the Page itself"]);
  });
});

describe("parseMessengerWebhook: deliveries and reads", () => {
  it("emits a delivered status per mid and the watermark", () => {
    const { events } = parse(page([item({ delivery: { mids: ["m_OUT_1", "m_OUT_2"], watermark: T - 1000 } })]));
    expect(events).toEqual([
      { type: "status", platform: "messenger", channelExternalId: PAGE, occurredAt: new Date(T), platformMessageId: "m_OUT_1", status: "delivered", recipientPlatformUserId: PSID },
      { type: "status", platform: "messenger", channelExternalId: PAGE, occurredAt: new Date(T), platformMessageId: "m_OUT_2", status: "delivered", recipientPlatformUserId: PSID },
      { type: "watermark", platform: "messenger", channelExternalId: PAGE, occurredAt: new Date(T), customerPlatformUserId: PSID, status: "delivered", upTo: new Date(T - 1000) },
    ]);
  });

  it("emits only the watermark when mids are missing", () => {
    const { events } = parse(page([item({ delivery: { watermark: T - 1000 } })]));
    expect(events).toEqual([expect.objectContaining({ type: "watermark", status: "delivered", upTo: new Date(T - 1000) })]);
  });

  it("turns a read into a read watermark", () => {
    const { events } = parse(page([item({ read: { watermark: T - 1 } })]));
    expect(events).toEqual([
      { type: "watermark", platform: "messenger", channelExternalId: PAGE, occurredAt: new Date(T), customerPlatformUserId: PSID, status: "read", upTo: new Date(T - 1) },
    ]);
  });
});

describe("parseMessengerWebhook: raw bodies and the shared fakes", () => {
  it("parses a signed raw body with escaped unicode exactly as Meta sends it (C21)", () => {
    const raw = `{"object":"page","entry":[{"id":"${PAGE}","time":${T},"messaging":[{"sender":{"id":"${PSID}"},"recipient":{"id":"${PAGE}"},"timestamp":${T},"message":{"mid":"m_TEST_IN_0090","text":"Caf\\u00e9 open 10\\/12? \\ud83d\\ude00"}}]}]}`;
    const bytes = new TextEncoder().encode(raw);
    const header = `sha256=${createHmac("sha256", "app_secret_test").update(bytes).digest("hex")}`;
    expect(JSON.stringify(JSON.parse(raw))).not.toBe(raw);
    expect(verifyMetaSignature(bytes, header, ["app_secret_test"])).toBe("app_secret_test");
    expect(parse(JSON.parse(raw)).events[0]).toMatchObject({ text: "Café open 10/12? 😀" });
  });

  it("reads the webhook fake's Messenger builders", () => {
    const inbound = parse(pageMessage({ pageId: PAGE, psid: PSID, mid: "m_F1", text: "hi", quickReply: "Q", replyTo: "m_0", timestamp: T, standby: true }));
    expect(inbound.events[0]).toMatchObject({ type: "message", standby: true, text: "hi", replyToPlatformId: "m_0", details: { quickReply: "Q" } });
    const echo = parse(pageMessage({ pageId: PAGE, psid: PSID, mid: "m_F2", text: "ok", isEcho: true, appId: "APP_TEST_OURS" }));
    expect(echo.events[0]).toMatchObject({ type: "echo", appId: "APP_TEST_OURS", customer: { platformUserId: PSID } });
  });
});
