import { describe, expect, it } from "vitest";
import type { InboundMessageEvent, ReactionEvent, StatusEvent } from "../../core/events.js";
import { parseWhatsAppWebhook, WebhookEnvelopeError } from "./parse-webhook.js";

const NOW = new Date("2026-03-01T12:00:00Z");
const parse = (body: unknown) => parseWhatsAppWebhook(body, { now: () => NOW });

const METADATA = { display_phone_number: "15550000000", phone_number_id: "PNID_TEST_1" };
const CONTACT_A = { profile: { name: "Test Customer A" }, wa_id: "15551230001" };

function webhook(value: Record<string, unknown>, field = "messages") {
  return {
    object: "whatsapp_business_account",
    entry: [{ id: "WABA_TEST_1", changes: [{ field, value: { messaging_product: "whatsapp", metadata: METADATA, ...value } }] }],
  };
}

function inbound(message: Record<string, unknown>, contacts: unknown[] = [CONTACT_A]) {
  return webhook({ contacts, messages: [{ from: "15551230001", id: "wamid.TEST_IN", timestamp: "1767225600", ...message }] });
}

function onlyMessage(body: unknown): InboundMessageEvent {
  const { events, skipped } = parse(body);
  expect(skipped).toEqual([]);
  expect(events).toHaveLength(1);
  const event = events[0];
  if (event?.type !== "message") throw new Error(`expected a message, got ${event?.type}`);
  return event;
}

describe("parseWhatsAppWebhook: message types", () => {
  const cases: { name: string; message: Record<string, unknown>; kind: string; text: string; details?: Record<string, unknown> }[] = [
    { name: "text", message: { type: "text", text: { body: "Do you open on Sunday?" } }, kind: "text", text: "Do you open on Sunday?" },
    { name: "text without body", message: { type: "text", text: {} }, kind: "text", text: "[empty message]" },
    {
      name: "image with caption",
      message: { type: "image", image: { caption: "this one", mime_type: "image/jpeg", sha256: "FAKEHASH=", id: "2000000000000001" } },
      kind: "image",
      text: "this one",
      details: { mediaId: "2000000000000001", mimeType: "image/jpeg", sha256: "FAKEHASH=", caption: "this one" },
    },
    { name: "image", message: { type: "image", image: { mime_type: "image/jpeg", sha256: "H=", id: "M1" } }, kind: "image", text: "[image]" },
    { name: "image without object", message: { type: "image" }, kind: "image", text: "[image]" },
    { name: "video", message: { type: "video", video: { mime_type: "video/mp4", sha256: "H=", id: "M2" } }, kind: "video", text: "[video]" },
    {
      name: "audio voice note",
      message: { type: "audio", audio: { mime_type: "audio/ogg; codecs=opus", sha256: "H=", id: "M3", voice: true } },
      kind: "audio",
      text: "[voice message]",
      details: { mediaId: "M3", voice: true },
    },
    { name: "audio file", message: { type: "audio", audio: { mime_type: "audio/mpeg", id: "M4", voice: false } }, kind: "audio", text: "[audio]" },
    {
      name: "document",
      message: { type: "document", document: { filename: "invoice.pdf", mime_type: "application/pdf", sha256: "H=", id: "M5" } },
      kind: "document",
      text: "[document: invoice.pdf]",
      details: { filename: "invoice.pdf", mediaId: "M5" },
    },
    { name: "document with caption", message: { type: "document", document: { caption: "my invoice", filename: "i.pdf", id: "M6" } }, kind: "document", text: "my invoice" },
    { name: "document without filename", message: { type: "document", document: { id: "M7" } }, kind: "document", text: "[document]" },
    {
      name: "sticker",
      message: { type: "sticker", sticker: { mime_type: "image/webp", sha256: "H=", id: "M8", animated: true } },
      kind: "sticker",
      text: "[sticker]",
      details: { animated: true },
    },
    {
      name: "location",
      message: { type: "location", location: { latitude: 52.52, longitude: 13.405, name: "Shop", address: "Main St 1" } },
      kind: "location",
      text: "[location: Shop, Main St 1 (52.52, 13.405)]",
      details: { latitude: 52.52, longitude: 13.405 },
    },
    { name: "location with coordinates only", message: { type: "location", location: { latitude: 1.5, longitude: -2 } }, kind: "location", text: "[location: (1.5, -2)]" },
    { name: "location without anything", message: { type: "location", location: {} }, kind: "location", text: "[location]" },
    {
      name: "contacts",
      message: {
        type: "contacts",
        contacts: [
          { name: { formatted_name: "Jane Roe", first_name: "Jane" }, phones: [{ phone: "+1 555 0100", wa_id: "15550100", type: "CELL" }] },
          { name: { first_name: "Bob", last_name: "Lee" }, phones: [] },
        ],
      },
      kind: "contacts",
      text: "[contact: Jane Roe / +1 555 0100; Bob Lee]",
    },
    { name: "contacts without cards", message: { type: "contacts", contacts: [{}] }, kind: "contacts", text: "[contact]" },
    {
      name: "interactive button_reply",
      message: { type: "interactive", interactive: { type: "button_reply", button_reply: { id: "btn_yes", title: "Yes please" } }, context: { from: "15550000000", id: "wamid.OUT_1" } },
      kind: "interactive",
      text: "Yes please",
      details: { interactiveType: "button_reply", id: "btn_yes", title: "Yes please" },
    },
    {
      name: "interactive list_reply",
      message: { type: "interactive", interactive: { type: "list_reply", list_reply: { id: "row_2", title: "Tuesday", description: "10-12" } } },
      kind: "interactive",
      text: "Tuesday",
      details: { interactiveType: "list_reply", id: "row_2", description: "10-12" },
    },
    {
      name: "interactive nfm_reply",
      message: { type: "interactive", interactive: { type: "nfm_reply", nfm_reply: { name: "flow", body: "Sent", response_json: "{\"a\":1}" } } },
      kind: "interactive",
      text: "[form reply]",
      details: { interactiveType: "nfm_reply", responseJson: "{\"a\":1}" },
    },
    { name: "interactive of an unknown kind", message: { type: "interactive", interactive: { type: "call_permission_reply" } }, kind: "interactive", text: "[interactive reply]" },
    {
      name: "button (template quick reply)",
      message: { type: "button", button: { payload: "STOP_PROMOS", text: "Stop promotions" }, context: { from: "15550000000", id: "wamid.OUT_2" } },
      kind: "interactive",
      text: "Stop promotions",
      details: { interactiveType: "button", payload: "STOP_PROMOS" },
    },
    {
      name: "order",
      message: {
        type: "order",
        order: {
          catalog_id: "CAT_1",
          product_items: [
            { product_retailer_id: "SKU1", quantity: 2, item_price: 9.5, currency: "EUR" },
            { product_retailer_id: "SKU2", quantity: 1, item_price: 3, currency: "EUR" },
          ],
        },
      },
      kind: "order",
      text: "[order: 2 items]",
      details: { catalogId: "CAT_1", productItems: [{ product_retailer_id: "SKU1", quantity: 2, item_price: 9.5, currency: "EUR" }, { product_retailer_id: "SKU2", quantity: 1, item_price: 3, currency: "EUR" }] },
    },
    { name: "order with a note", message: { type: "order", order: { text: "deliver Friday", product_items: [{}] } }, kind: "order", text: "[order: 1 item] deliver Friday" },
    {
      name: "system",
      message: { type: "system", system: { body: "User A changed from 15551230001 to 15551230009", wa_id: "15551230009", type: "user_changed_number" } },
      kind: "system",
      text: "User A changed from 15551230001 to 15551230009",
      details: { systemType: "user_changed_number", newWaId: "15551230009" },
    },
    {
      name: "unsupported",
      message: {
        type: "unsupported",
        errors: [{ code: 131051, title: "Message type unknown", error_data: { details: "Message type is currently not supported." } }],
        unsupported: { type: "edit" },
      },
      kind: "unsupported",
      text: "[unsupported message: edit]",
      details: { errors: [{ code: "131051", title: "Message type unknown", detail: "Message type is currently not supported." }] },
    },
    {
      name: "unknown",
      message: { type: "unknown", errors: [{ code: 131051, title: "Message type unknown", message: "Message type unknown" }] },
      kind: "unsupported",
      text: "[unsupported message: unknown]",
    },
    { name: "a type Meta adds later", message: { type: "poll_creation", poll_creation: { q: 1 } }, kind: "unsupported", text: "[unsupported message: poll_creation]" },
    { name: "no type at all", message: {}, kind: "unsupported", text: "[unsupported message: unknown]" },
  ];

  it.each(cases)("$name → $kind", ({ message, kind, text, details }) => {
    const body = inbound(message);
    const event = onlyMessage(body);
    expect(event.kind).toBe(kind);
    expect(event.text).toBe(text);
    expect(event.text.trim()).not.toBe("");
    expect(event.text).not.toContain("undefined");
    expect(JSON.stringify(event.details)).not.toContain("undefined");
    if (details) expect(event.details).toMatchObject(details);
    expect(event.raw).toEqual({ from: "15551230001", id: "wamid.TEST_IN", timestamp: "1767225600", ...message });
    expect(event).toMatchObject({
      platform: "whatsapp",
      channelExternalId: "PNID_TEST_1",
      platformMessageId: "wamid.TEST_IN",
      from: { platformUserId: "15551230001", profileName: "Test Customer A" },
    });
    expect(event.occurredAt.toISOString()).toBe("2026-01-01T00:00:00.000Z");
  });

  it("keeps the quoted message id and forward flags", () => {
    const event = onlyMessage(inbound({ type: "text", text: { body: "this" }, context: { from: "15550000000", id: "wamid.QUOTED", forwarded: true } }));
    expect(event.replyToPlatformId).toBe("wamid.QUOTED");
    expect(event.details).toMatchObject({ forwarded: true });
    const plain = onlyMessage(inbound({ type: "text", text: { body: "plain" } }));
    expect(plain.replyToPlatformId).toBeUndefined();
    expect(plain.details).not.toHaveProperty("forwarded");
  });

  it("keeps a click-to-WhatsApp referral", () => {
    const referral = { source_url: "https://example.invalid/ad", source_type: "ad", source_id: "AD_1", headline: "Sale" };
    const event = onlyMessage(inbound({ type: "text", text: { body: "Is this on sale?" }, referral }));
    expect(event.details).toMatchObject({ referral });
  });

  it("uses the current time for a missing or garbled timestamp", () => {
    for (const timestamp of [undefined, "", "soon", "-5", null, {}]) {
      expect(onlyMessage(inbound({ type: "text", text: { body: "x" }, timestamp })).occurredAt).toEqual(NOW);
    }
  });

  it("turns C14's unsupported message into kind unsupported and still parses the next one", () => {
    const body = webhook({
      contacts: [CONTACT_A],
      messages: [
        {
          from: "15551230001", id: "wamid.TEST_IN_0030", timestamp: "1767225600", type: "unsupported",
          errors: [{ code: 131051, title: "Message type unknown", error_data: { details: "Message type is currently not supported." } }],
        },
        { from: "15551230001", id: "wamid.TEST_IN_0031", timestamp: "1767225601", type: "text", text: { body: "did you get my photo?" } },
      ],
    });
    const { events, skipped } = parse(body);
    expect(skipped).toEqual([]);
    expect(events.map((e) => (e.type === "message" ? [e.platformMessageId, e.kind, e.text] : e.type))).toEqual([
      ["wamid.TEST_IN_0030", "unsupported", "[unsupported message: unsupported]"],
      ["wamid.TEST_IN_0031", "text", "did you get my photo?"],
    ]);
  });
});

describe("parseWhatsAppWebhook: batches and senders", () => {
  it("handles every entry and every message in order (C12)", () => {
    const body = {
      object: "whatsapp_business_account",
      entry: [
        { id: "WABA_TEST_1", changes: [{ field: "messages", value: {
          messaging_product: "whatsapp", metadata: METADATA,
          contacts: [{ profile: { name: "Test Customer A" }, wa_id: "15551230001" }],
          messages: [
            { from: "15551230001", id: "wamid.TEST_IN_0010", timestamp: "1767225600", type: "text", text: { body: "Hello" } },
            { from: "15551230001", id: "wamid.TEST_IN_0011", timestamp: "1767225601", type: "text", text: { body: "I want to cancel my order 4711" } },
          ] } }] },
        { id: "WABA_TEST_1", changes: [{ field: "messages", value: {
          messaging_product: "whatsapp", metadata: METADATA,
          contacts: [{ profile: { name: "Test Customer B" }, wa_id: "15551230002" }],
          messages: [{ from: "15551230002", id: "wamid.TEST_IN_0012", timestamp: "1767225602", type: "text", text: { body: "Hi there" } }] } }] },
      ],
    };
    const { events, skipped } = parse(body);
    expect(skipped).toEqual([]);
    expect(events.map((e) => (e.type === "message" ? [e.platformMessageId, e.from.platformUserId, e.from.profileName, e.text] : []))).toEqual([
      ["wamid.TEST_IN_0010", "15551230001", "Test Customer A", "Hello"],
      ["wamid.TEST_IN_0011", "15551230001", "Test Customer A", "I want to cancel my order 4711"],
      ["wamid.TEST_IN_0012", "15551230002", "Test Customer B", "Hi there"],
    ]);
  });

  it("matches each message to its own contact when a change has several", () => {
    const body = webhook({
      contacts: [{ profile: { name: "B" }, wa_id: "15551230002" }, { profile: { name: "A" }, wa_id: "15551230001" }],
      messages: [
        { from: "15551230001", id: "wamid.1", timestamp: "1767225600", type: "text", text: { body: "from A" } },
        { from: "15551230002", id: "wamid.2", timestamp: "1767225600", type: "text", text: { body: "from B" } },
      ],
    });
    expect(parse(body).events.map((e) => (e.type === "message" ? e.from : null))).toEqual([
      { platformUserId: "15551230001", profileName: "A" },
      { platformUserId: "15551230002", profileName: "B" },
    ]);
  });

  it("accepts a contact without profile (C19)", () => {
    const body = webhook({
      contacts: [{ wa_id: "15551230003" }],
      messages: [{ from: "15551230003", id: "wamid.TEST_IN_0080", timestamp: "1767225900", type: "text", text: { body: "hello" } }],
    });
    const event = onlyMessage(body);
    expect(event.from).toEqual({ platformUserId: "15551230003" });
    expect(event.text).toBe("hello");
  });

  it("accepts a message without contacts, keyed on from", () => {
    const body = webhook({ messages: [{ from: "15551230004", id: "wamid.X", timestamp: "1767225900", type: "text", text: { body: "hi" } }] });
    expect(onlyMessage(body).from).toEqual({ platformUserId: "15551230004" });
  });

  it.each([
    { variant: "from missing", extra: {} },
    { variant: "from empty", extra: { from: "" } },
    { variant: "from non-numeric", extra: { from: "US.TEST0000000001" } },
    { variant: "from_user_id", extra: { from: "", from_user_id: "US.TEST0000000001" } },
  ])("keys a username (BSUID) user on user_id ($variant) (C19)", ({ extra }) => {
    const body = webhook({
      contacts: [{ user_id: "US.TEST0000000001", profile: { name: "Test Customer C" } }],
      messages: [{ id: "wamid.TEST_IN_0081", timestamp: "1767225900", type: "text", text: { body: "hello" }, ...extra }],
    });
    const event = onlyMessage(body);
    expect(event.from).toEqual({ platformUserId: "US.TEST0000000001", profileName: "Test Customer C" });
    expect(event.details).toMatchObject({ sender: { userId: "US.TEST0000000001" } });
  });

  it("keys on wa_id when both wa_id and user_id are present, and keeps the BSUID", () => {
    const body = webhook({
      contacts: [{ wa_id: "15551230005", user_id: "US.TEST0000000005", profile: { name: "E", username: "@e" } }],
      messages: [{ from: "15551230005", from_user_id: "US.TEST0000000005", id: "wamid.E", timestamp: "1767225900", type: "text", text: { body: "yo" } }],
    });
    const event = onlyMessage(body);
    expect(event.from).toEqual({ platformUserId: "15551230005", profileName: "E" });
    expect(event.details).toMatchObject({ sender: { waId: "15551230005", userId: "US.TEST0000000005", username: "@e" } });
  });

  it("falls back to user_id when wa_id is an empty string", () => {
    const body = webhook({
      contacts: [{ wa_id: "", user_id: "US.TEST0000000006", profile: { name: "F" } }],
      messages: [{ from: "", from_user_id: "US.TEST0000000006", id: "wamid.F", timestamp: "1767225900", type: "text", text: { body: "hey" } }],
    });
    expect(onlyMessage(body).from).toEqual({ platformUserId: "US.TEST0000000006", profileName: "F" });
  });

  it("does not crash on broken contacts", () => {
    const body = webhook({
      contacts: [null, { profile: null, wa_id: 5 }, "x"],
      messages: [{ from: "15551230007", id: "wamid.G", timestamp: "1767225900", type: "text", text: { body: "hi" } }],
    });
    expect(onlyMessage(body).from).toEqual({ platformUserId: "15551230007" });
  });
});

describe("parseWhatsAppWebhook: reactions", () => {
  const reaction = (r: Record<string, unknown>) =>
    inbound({ id: "wamid.TEST_IN_0040", timestamp: "1767225700", type: "reaction", reaction: r });

  function onlyReaction(body: unknown): ReactionEvent {
    const { events, skipped } = parse(body);
    expect(skipped).toEqual([]);
    expect(events).toHaveLength(1);
    if (events[0]?.type !== "reaction") throw new Error("expected a reaction");
    return events[0];
  }

  it("turns an added reaction into a ReactionEvent, never a message (C15)", () => {
    const event = onlyReaction(reaction({ message_id: "wamid.TEST_OUT_0001", emoji: "👍" }));
    expect(event).toMatchObject({
      type: "reaction",
      platformMessageId: "wamid.TEST_IN_0040",
      targetPlatformMessageId: "wamid.TEST_OUT_0001",
      emoji: "👍",
      from: { platformUserId: "15551230001", profileName: "Test Customer A" },
      channelExternalId: "PNID_TEST_1",
    });
    expect(event.occurredAt.toISOString()).toBe("2026-01-01T00:01:40.000Z");
  });

  it.each([{ emoji: "" }, {}])("treats emoji %j as a removal", (extra) => {
    expect(onlyReaction(reaction({ message_id: "wamid.TEST_OUT_0001", ...extra })).emoji).toBeNull();
  });

  it("skips a reaction without a target", () => {
    const { events, skipped } = parse(reaction({ emoji: "👍" }));
    expect(events).toEqual([]);
    expect(skipped[0]?.reason).toMatch(/message_id/);
  });
});

describe("parseWhatsAppWebhook: statuses and errors", () => {
  it("parses a delivered status with lean contacts (C19)", () => {
    const body = webhook({
      contacts: [{ wa_id: "15551230001" }],
      statuses: [{ id: "wamid.FAKE_OUT_1", status: "delivered", timestamp: "1767225800", recipient_id: "15551230001", pricing: { billable: false } }],
    });
    const { events, skipped } = parse(body);
    expect(skipped).toEqual([]);
    expect(events).toEqual<StatusEvent[]>([
      {
        type: "status",
        platform: "whatsapp",
        channelExternalId: "PNID_TEST_1",
        occurredAt: new Date(1767225800 * 1000),
        platformMessageId: "wamid.FAKE_OUT_1",
        status: "delivered",
        recipientPlatformUserId: "15551230001",
      },
    ]);
  });

  it("keeps the code and reason of a failed status", () => {
    const body = webhook({
      statuses: [{
        id: "wamid.FAKE_OUT_2", status: "failed", timestamp: "1767312300", recipient_id: "15551230001",
        errors: [{ code: 131047, title: "Re-engagement message", message: "Re-engagement message", error_data: { details: "More than 24 hours have passed." } }],
      }],
    });
    const [event] = parse(body).events;
    expect(event).toMatchObject({ status: "failed", error: { code: "131047", title: "Re-engagement message", detail: "More than 24 hours have passed.", category: "window_closed" } });
  });

  it("uses the error message as detail when error_data is missing", () => {
    const body = webhook({ statuses: [{ id: "wamid.O", status: "failed", timestamp: "1", recipient_id: "1", errors: [{ code: 131026, message: "Message undeliverable" }] }] });
    expect(parse(body).events[0]).toMatchObject({ error: { code: "131026", title: "Message undeliverable", detail: "Message undeliverable" } });
  });

  it("uses recipient_user_id when the message went to a BSUID", () => {
    const body = webhook({ statuses: [{ id: "wamid.B", status: "read", timestamp: "1767225800", recipient_id: "", recipient_user_id: "US.TEST0000000001" }] });
    expect(parse(body).events[0]).toMatchObject({ status: "read", recipientPlatformUserId: "US.TEST0000000001" });
  });

  it.each(["played", "deleted", "warning"])("skips an unknown status %s", (status) => {
    const { events, skipped } = parse(webhook({ statuses: [{ id: "wamid.S", status, timestamp: "1767225800", recipient_id: "1" }] }));
    expect(events).toEqual([]);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.reason).toContain(status);
  });

  it("handles messages and statuses in one change", () => {
    const body = webhook({
      contacts: [CONTACT_A],
      messages: [{ from: "15551230001", id: "wamid.IN", timestamp: "1767225600", type: "text", text: { body: "thanks" } }],
      statuses: [{ id: "wamid.OUT", status: "read", timestamp: "1767225601", recipient_id: "15551230001" }],
    });
    const { events, skipped } = parse(body);
    expect(skipped).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(["message", "status"]);
  });

  it("turns value.errors into a platform_error event", () => {
    const body = webhook({ errors: [{ code: 130429, title: "Rate limit hit", message: "(#130429) Rate limit hit", error_data: { details: "Cloud API message throughput has been reached." } }] });
    expect(parse(body).events).toEqual([
      {
        type: "platform_error",
        platform: "whatsapp",
        channelExternalId: "PNID_TEST_1",
        occurredAt: NOW,
        errors: [{ code: "130429", title: "Rate limit hit", detail: "Cloud API message throughput has been reached." }],
      },
    ]);
  });
});

describe("parseWhatsAppWebhook: malformed items are skipped, never thrown", () => {
  it("skips a message without an id and parses the next one", () => {
    const body = webhook({
      contacts: [CONTACT_A],
      messages: [
        { from: "15551230001", timestamp: "1767225600", type: "text", text: { body: "no id" } },
        "not an object",
        { from: "15551230001", id: "wamid.OK", timestamp: "1767225601", type: "text", text: { body: "fine" } },
      ],
    });
    const { events, skipped } = parse(body);
    expect(events.map((e) => (e.type === "message" ? e.text : e.type))).toEqual(["fine"]);
    expect(skipped).toHaveLength(2);
    expect(skipped[0]?.reason).toMatch(/id/);
    expect(skipped[0]?.raw).toEqual({ from: "15551230001", timestamp: "1767225600", type: "text", text: { body: "no id" } });
  });

  it("skips a message nobody sent", () => {
    const { events, skipped } = parse(webhook({ messages: [{ id: "wamid.NOBODY", type: "text", text: { body: "?" } }] }));
    expect(events).toEqual([]);
    expect(skipped[0]?.reason).toMatch(/sender/);
  });

  it("skips a status without an id", () => {
    const { events, skipped } = parse(webhook({ statuses: [{ status: "read" }] }));
    expect(events).toEqual([]);
    expect(skipped).toHaveLength(1);
  });

  it("skips changes of other fields with a reason", () => {
    const { events, skipped } = parse(webhook({ items: [] }, "message_template_status_update"));
    expect(events).toEqual([]);
    expect(skipped[0]?.reason).toContain("message_template_status_update");
  });

  it("skips a change without metadata, an entry without changes, and non-array lists", () => {
    const body = {
      object: "whatsapp_business_account",
      entry: [
        { id: "WABA_TEST_1" },
        { id: "WABA_TEST_1", changes: [{ field: "messages", value: { messages: [] } }, { value: {} }] },
        { id: "WABA_TEST_1", changes: [{ field: "messages", value: { metadata: METADATA, messages: { id: "x" } } }] },
      ],
    };
    const { events, skipped } = parse(body);
    expect(events).toEqual([]);
    expect(skipped.map((s) => s.reason)).toEqual([
      "entry without a changes[] array",
      "messages change without value.metadata.phone_number_id",
      "change without a field name",
      "value.messages is not an array",
    ]);
  });

  it("accepts an empty entry list", () => {
    expect(parse({ object: "whatsapp_business_account", entry: [] })).toEqual({ events: [], skipped: [] });
  });
});

describe("parseWhatsAppWebhook: envelope errors", () => {
  it.each([
    { body: null, message: /not a JSON object/ },
    { body: "text", message: /not a JSON object/ },
    { body: [], message: /not a JSON object/ },
    { body: { entry: [] }, message: /"object".*missing/ },
    { body: { object: "page", entry: [] }, message: /"object".*"page"/ },
    { body: { object: "whatsapp_business_account" }, message: /"entry".*missing/ },
    { body: { object: "whatsapp_business_account", entry: {} }, message: /"entry" must be an array/ },
  ])("throws WebhookEnvelopeError for $body", ({ body, message }) => {
    expect(() => parse(body)).toThrow(WebhookEnvelopeError);
    expect(() => parse(body)).toThrow(message);
  });
});

describe("smb_message_echoes (numbers shared with the WhatsApp Business app)", () => {
  it("turns what the business typed in the app into echoes addressed to the customer", () => {
    const body = {
      object: "whatsapp_business_account",
      entry: [{ id: "WABA_TEST_1", changes: [{ field: "smb_message_echoes", value: {
        messaging_product: "whatsapp",
        metadata: { display_phone_number: "15550000000", phone_number_id: "PNID_TEST_1" },
        message_echoes: [
          { from: "15550000000", to: "15551230001", id: "wamid.ECHO_1", timestamp: "1767226000", type: "text", text: { body: "Hi, Ana here" } },
          { from: "15550000000", id: "wamid.ECHO_NO_TO", timestamp: "1767226001", type: "text", text: { body: "?" } },
        ] } }] }],
    };
    const { events, skipped } = parseWhatsAppWebhook(body);
    expect(events).toEqual([
      expect.objectContaining({
        type: "echo", platform: "whatsapp", channelExternalId: "PNID_TEST_1", platformMessageId: "wamid.ECHO_1",
        customer: { platformUserId: "15551230001" }, kind: "text", text: "Hi, Ana here",
        occurredAt: new Date(1767226000 * 1000),
      }),
    ]);
    expect(skipped.map((s) => s.reason)).toEqual(["business app echo without an id or a recipient"]);
  });
});
