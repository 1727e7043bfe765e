// Real-format webhook payloads of all three platforms (meta-platform.md §2, §4.1, §5.2), built with
// the same builders the other tests use. The fuzzer mutates these; `rows` is how many message rows
// the unmutated payload stores when its recipient is connected (a sanity check on the oracle).
import type { Platform } from "../../src/core/events.js";
import { igEvent, igMessage, pageEvent, pageMessage, waBusinessAppEcho, waEnvelope, waMessage, waStatus, waText, type WebhookPayload } from "../fakes/index.js";
import { META_INBOX_APP_ID, OUR_APP_ID } from "../support/channels.js";

/** The recipient ids a seed addresses, and a tag that makes its platform ids unique to one case. */
export interface SeedIds {
  tag: string;
  recipient: string;
}

export interface Seed {
  name: string;
  rows: number;
  build(ids: SeedIds): WebhookPayload;
}

const sec = () => String(Math.floor(Date.now() / 1000));
const ms = () => Date.now();
const WA_USER = "15551230001";
const PSID = "6100000000000001";
const IGSID = "1780000000000001";

const wa = (name: string, rows: number, message: (t: string) => Record<string, unknown>): Seed => ({
  name: `whatsapp ${name}`,
  rows,
  build: ({ tag, recipient }) => waMessage(recipient, { from: WA_USER, id: `wamid.${tag}`, timestamp: sec(), ...message(tag) }),
});

const media = (type: string, extra: Record<string, unknown>) =>
  wa(type, 1, (t) => ({ type, [type]: { mime_type: "image/jpeg", sha256: "FAKEHASH=", id: `20000${t}`, ...extra } }));

export const whatsappSeeds: Seed[] = [
  {
    name: "whatsapp text quoting a message",
    rows: 1,
    build: ({ tag, recipient }) => waText({ pnid: recipient, from: WA_USER, id: `wamid.${tag}`, body: "Do you open on Sunday? Café 😀", contextId: `wamid.OUT_${tag}` }),
  },
  wa("text from an ad", 1, () => ({
    type: "text",
    text: { body: "Is this still available?" },
    referral: { source_url: "https://fb.me/x", source_id: "1", source_type: "ad", headline: "Sale", ctwa_clid: "abc" },
  })),
  media("image", { caption: "this one" }),
  media("video", {}),
  media("audio", { voice: true }),
  media("document", { filename: "menu.pdf", caption: "menu" }),
  media("sticker", { animated: false }),
  wa("location", 1, () => ({ type: "location", location: { latitude: 48.85, longitude: 2.35, name: "Shop", address: "1 Main St" } })),
  wa("contacts", 1, () => ({
    type: "contacts",
    contacts: [{ name: { formatted_name: "Jane Doe", first_name: "Jane" }, phones: [{ phone: "+1 555 123", wa_id: "1555123", type: "CELL" }] }],
  })),
  wa("button reply", 1, (t) => ({ type: "interactive", interactive: { type: "button_reply", button_reply: { id: "yes", title: "Yes" } }, context: { from: "15550000000", id: `wamid.OUT_${t}` } })),
  wa("list reply", 1, () => ({ type: "interactive", interactive: { type: "list_reply", list_reply: { id: "r1", title: "Row", description: "d" } } })),
  wa("flow reply", 1, () => ({ type: "interactive", interactive: { type: "nfm_reply", nfm_reply: { name: "flow", body: "Sent", response_json: "{\"a\":1}" } } })),
  wa("template button", 1, () => ({ type: "button", button: { payload: "STOP", text: "Stop promotions" } })),
  wa("reaction", 1, (t) => ({ type: "reaction", reaction: { message_id: `wamid.OUT_${t}`, emoji: "👍" } })),
  wa("reaction removed", 1, (t) => ({ type: "reaction", reaction: { message_id: `wamid.OUT_${t}` } })),
  wa("order", 1, () => ({
    type: "order",
    order: { catalog_id: "cat1", text: "asap", product_items: [{ product_retailer_id: "sku1", quantity: 2, item_price: 9.5, currency: "EUR" }] },
  })),
  wa("system", 1, () => ({ type: "system", system: { body: "User changed number", wa_id: "15559999999", type: "user_changed_number" } })),
  wa("unsupported", 1, () => ({ type: "unsupported", unsupported: { type: "poll_creation" }, errors: [{ code: 131051, title: "Message type unknown" }] })),
  {
    name: "whatsapp username user (empty wa_id)",
    rows: 1,
    build: ({ tag, recipient }) =>
      waMessage(recipient, { from_user_id: `US.${tag}`, id: `wamid.${tag}`, timestamp: sec(), type: "text", text: { body: "hi" } }, [
        { profile: { name: "Jane", username: "@jane" }, wa_id: "", user_id: `US.${tag}` },
      ]),
  },
  {
    name: "whatsapp batch of two messages and a status",
    rows: 2,
    build: ({ tag, recipient }) =>
      waEnvelope(recipient, {
        contacts: [{ profile: { name: "A" }, wa_id: WA_USER }, { profile: { name: "B" }, wa_id: "15551230002" }],
        messages: [
          { from: WA_USER, id: `wamid.${tag}.1`, timestamp: sec(), type: "text", text: { body: "one" } },
          { from: "15551230002", id: `wamid.${tag}.2`, timestamp: sec(), type: "text", text: { body: "two" } },
        ],
        statuses: [{ id: `wamid.OUT_${tag}`, status: "read", timestamp: sec(), recipient_id: WA_USER }],
      }),
  },
  ...(["sent", "delivered", "read"] as const).map((status) => ({
    name: `whatsapp status ${status}`,
    rows: 0,
    build: ({ tag, recipient }: SeedIds) =>
      waStatus({
        pnid: recipient,
        id: `wamid.OUT_${tag}`,
        status,
        recipient: WA_USER,
        pricing: { billable: false, pricing_model: "PMP", type: "free_customer_service", category: "service" },
      }),
  })),
  {
    name: "whatsapp status failed",
    rows: 0,
    build: ({ tag, recipient }) =>
      waStatus({
        pnid: recipient,
        id: `wamid.OUT_${tag}`,
        status: "failed",
        recipient: WA_USER,
        errors: [{ code: 131047, title: "Re-engagement message", message: "Re-engagement message", error_data: { details: "more than 24 hours" } }],
      }),
  },
  {
    name: "whatsapp value.errors",
    rows: 0,
    build: ({ recipient }) => waEnvelope(recipient, { errors: [{ code: 130429, title: "Rate limit hit", message: "Rate limit hit", error_data: { details: "x" } }] }),
  },
  {
    name: "whatsapp business app echo",
    rows: 1,
    build: ({ tag, recipient }) => waBusinessAppEcho(recipient, { to: WA_USER, id: `wamid.${tag}`, timestamp: sec(), body: "typed in the app" }),
  },
];

export const messengerSeeds: Seed[] = [
  { name: "messenger text", rows: 1, build: ({ tag, recipient }) => pageMessage({ pageId: recipient, psid: PSID, mid: `m_${tag}`, text: "hi, price? 👨‍👩‍👧" }) },
  {
    name: "messenger image",
    rows: 1,
    build: ({ tag, recipient }) => pageMessage({ pageId: recipient, psid: PSID, mid: `m_${tag}`, attachments: [{ type: "image", payload: { url: "https://cdn.example/x.jpg", sticker_id: 369239263222822 } }] }),
  },
  {
    name: "messenger link share",
    rows: 1,
    build: ({ tag, recipient }) =>
      pageMessage({ pageId: recipient, psid: PSID, mid: `m_${tag}`, text: "https://example.com/p", attachments: [{ type: "fallback", payload: { url: "https://example.com/p", title: "P" } }] }),
  },
  { name: "messenger quick reply", rows: 1, build: ({ tag, recipient }) => pageMessage({ pageId: recipient, psid: PSID, mid: `m_${tag}`, text: "Yes", quickReply: "YES" }) },
  { name: "messenger reply", rows: 1, build: ({ tag, recipient }) => pageMessage({ pageId: recipient, psid: PSID, mid: `m_${tag}`, text: "this", replyTo: `m_OUT_${tag}` }) },
  { name: "messenger standby", rows: 1, build: ({ tag, recipient }) => pageMessage({ pageId: recipient, psid: PSID, mid: `m_${tag}`, text: "hello?", standby: true }) },
  { name: "messenger our echo", rows: 0, build: ({ tag, recipient }) => pageMessage({ pageId: recipient, psid: PSID, mid: `m_${tag}`, text: "our reply", isEcho: true, appId: OUR_APP_ID }) },
  { name: "messenger inbox echo", rows: 1, build: ({ tag, recipient }) => pageMessage({ pageId: recipient, psid: PSID, mid: `m_${tag}`, text: "typed by a person", isEcho: true, appId: META_INBOX_APP_ID }) },
  {
    name: "messenger reaction",
    rows: 1,
    build: ({ tag, recipient }) =>
      pageEvent(recipient, { sender: { id: PSID }, recipient: { id: recipient }, timestamp: ms(), reaction: { mid: `m_OUT_${tag}`, action: "react", reaction: "love", emoji: "❤" } }),
  },
  {
    name: "messenger unreact",
    rows: 1,
    build: ({ tag, recipient }) => pageEvent(recipient, { sender: { id: PSID }, recipient: { id: recipient }, timestamp: ms(), reaction: { mid: `m_OUT_${tag}`, action: "unreact" } }),
  },
  { name: "messenger read", rows: 0, build: ({ recipient }) => pageEvent(recipient, { sender: { id: PSID }, recipient: { id: recipient }, timestamp: ms(), read: { watermark: ms() } }) },
  {
    name: "messenger delivery",
    rows: 0,
    build: ({ tag, recipient }) => pageEvent(recipient, { sender: { id: PSID }, recipient: { id: recipient }, timestamp: ms(), delivery: { mids: [`m_OUT_${tag}`], watermark: ms() } }),
  },
  {
    name: "messenger postback",
    rows: 1,
    build: ({ tag, recipient }) =>
      pageEvent(recipient, { sender: { id: PSID }, recipient: { id: recipient }, timestamp: ms(), postback: { mid: `m_${tag}`, title: "Get Started", payload: "GET_STARTED" } }),
  },
  {
    name: "messenger unsent message",
    rows: 0,
    build: ({ tag, recipient }) => pageEvent(recipient, { sender: { id: PSID }, recipient: { id: recipient }, timestamp: ms(), message: { mid: `m_${tag}`, is_deleted: true } }),
  },
];

export const instagramSeeds: Seed[] = [
  { name: "instagram text", rows: 1, build: ({ tag, recipient }) => igMessage({ igId: recipient, igsid: IGSID, mid: `aWdf_${tag}`, text: "price? مرحبا" }) },
  {
    name: "instagram image",
    rows: 1,
    build: ({ tag, recipient }) => igMessage({ igId: recipient, igsid: IGSID, mid: `aWdf_${tag}`, attachments: [{ type: "image", payload: { url: "https://lookaside.example/i" } }] }),
  },
  {
    name: "instagram share",
    rows: 1,
    build: ({ tag, recipient }) => igMessage({ igId: recipient, igsid: IGSID, mid: `aWdf_${tag}`, attachments: [{ type: "ig_reel", payload: { url: "https://ig.example/r", title: "reel" } }] }),
  },
  {
    name: "instagram story reply",
    rows: 1,
    build: ({ tag, recipient }) =>
      igMessage({ igId: recipient, igsid: IGSID, mid: `aWdf_${tag}`, text: "love it", replyTo: { story: { id: "1800000", url: "https://ig.example/s" } } }),
  },
  { name: "instagram unsupported", rows: 1, build: ({ tag, recipient }) => igMessage({ igId: recipient, igsid: IGSID, mid: `aWdf_${tag}`, isUnsupported: true }) },
  { name: "instagram echo", rows: 1, build: ({ tag, recipient }) => igMessage({ igId: recipient, igsid: IGSID, mid: `aWdf_${tag}`, text: "typed in the app", isEcho: true }) },
  { name: "instagram deleted", rows: 0, build: ({ tag, recipient }) => igMessage({ igId: recipient, igsid: IGSID, mid: `aWdf_${tag}`, isDeleted: true }) },
  {
    name: "instagram reaction",
    rows: 1,
    build: ({ tag, recipient }) =>
      igEvent(recipient, { sender: { id: IGSID }, recipient: { id: recipient }, timestamp: ms(), reaction: { mid: `aWdf_OUT_${tag}`, action: "react", reaction: "love", emoji: "❤️" } }),
  },
  {
    name: "instagram unreact",
    rows: 1,
    build: ({ tag, recipient }) => igEvent(recipient, { sender: { id: IGSID }, recipient: { id: recipient }, timestamp: ms(), reaction: { mid: `aWdf_OUT_${tag}`, action: "unreact" } }),
  },
  { name: "instagram read", rows: 0, build: ({ tag, recipient }) => igEvent(recipient, { sender: { id: IGSID }, recipient: { id: recipient }, timestamp: ms(), read: { mid: `aWdf_OUT_${tag}` } }) },
  {
    name: "instagram postback",
    rows: 1,
    build: ({ tag, recipient }) => igEvent(recipient, { sender: { id: IGSID }, recipient: { id: recipient }, timestamp: ms(), postback: { mid: `aWdf_${tag}`, title: "Prices", payload: "PRICES" } }),
  },
];

export const seedsByPlatform: Record<Platform, Seed[]> = { whatsapp: whatsappSeeds, messenger: messengerSeeds, instagram: instagramSeeds };
