import type { DeliveryStatus, InboundMessageEvent, MessageKind, ParsedWebhook, Sender, StatusEvent } from "../../core/events.js";
import * as wa from "./webhook-schema.js";

/** The body is not a WhatsApp webhook at all. Anything wrong further down is skipped, never thrown. */
export class WebhookEnvelopeError extends Error {
  override name = "WebhookEnvelopeError";
}

export interface ParseOptions {
  /** Clock for events without a usable timestamp. */
  now?: () => Date;
}

interface Context {
  out: ParsedWebhook;
  now: () => Date;
}

type ChangeHandler = (value: unknown, ctx: Context) => void;

/** One handler per subscribed `field`; `smb_message_echoes` (coexistence numbers) will slot in here. */
const CHANGE_HANDLERS: Readonly<Record<string, ChangeHandler>> = { messages: handleMessagesChange };

const DELIVERY_STATUSES: readonly string[] = ["sent", "delivered", "read", "failed"] satisfies DeliveryStatus[];

/** Turns one WhatsApp Cloud API webhook POST into events: every entry × change × item (C12). */
export function parseWhatsAppWebhook(body: unknown, options: ParseOptions = {}): ParsedWebhook {
  const envelope = readEnvelope(body);
  const ctx: Context = { out: { events: [], skipped: [] }, now: options.now ?? (() => new Date()) };
  for (const entry of envelope.entry) {
    const parsedEntry = wa.entrySchema.safeParse(entry);
    if (!parsedEntry.success) {
      skip(ctx, "entry without a changes[] array", entry);
      continue;
    }
    for (const change of parsedEntry.data.changes) {
      const parsedChange = wa.changeSchema.safeParse(change);
      if (!parsedChange.success) {
        skip(ctx, "change without a field name", change);
        continue;
      }
      const handler = CHANGE_HANDLERS[parsedChange.data.field];
      if (handler) handler(parsedChange.data.value, ctx);
      else skip(ctx, `change field "${parsedChange.data.field}" is not handled`, change);
    }
  }
  return ctx.out;
}

function readEnvelope(body: unknown) {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new WebhookEnvelopeError("webhook body is not a JSON object");
  }
  const parsed = wa.envelopeSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const { object, entry } = body as { object?: unknown; entry?: unknown };
  if (object !== "whatsapp_business_account") {
    const got = object === undefined ? "it is missing" : `got ${JSON.stringify(object)}`;
    throw new WebhookEnvelopeError(`"object" must be "whatsapp_business_account" (${got})`);
  }
  const got = entry === undefined ? "it is missing" : `got ${typeof entry}`;
  throw new WebhookEnvelopeError(`"entry" must be an array (${got})`);
}

function handleMessagesChange(value: unknown, ctx: Context): void {
  const parsed = wa.messagesValueSchema.safeParse(value);
  if (!parsed.success) {
    skip(ctx, "messages change without value.metadata.phone_number_id", value);
    return;
  }
  const v = parsed.data;
  const channelExternalId = v.metadata.phone_number_id;
  const contacts = listOf(v.contacts, "contacts", ctx, value)
    .map((c) => wa.contactSchema.safeParse(c))
    .flatMap((r) => (r.success ? [r.data] : []));

  for (const item of listOf(v.messages, "messages", ctx, value)) parseMessage(item, channelExternalId, contacts, ctx);
  for (const item of listOf(v.statuses, "statuses", ctx, value)) parseStatus(item, channelExternalId, ctx);

  const errors = listOf(v.errors, "errors", ctx, value);
  if (errors.length > 0) {
    ctx.out.events.push({
      type: "platform_error",
      platform: "whatsapp",
      channelExternalId,
      occurredAt: ctx.now(),
      errors: errors.map(wa.readPlatformError),
    });
  }
}

function parseMessage(item: unknown, channelExternalId: string, contacts: wa.WhatsAppContact[], ctx: Context): void {
  const parsed = wa.messageBaseSchema.safeParse(item);
  if (!parsed.success) {
    skip(ctx, "message without an id", item);
    return;
  }
  const message = parsed.data;
  const sender = resolveSender(message, contacts);
  if (!sender) {
    skip(ctx, "message without a sender (no from, from_user_id or contact)", item);
    return;
  }
  const raw = item as Record<string, unknown>;
  const type = message.type?.trim() || "unknown";
  const base = {
    platform: "whatsapp" as const,
    channelExternalId,
    occurredAt: toDate(message.timestamp, ctx.now),
    platformMessageId: message.id,
    from: sender.from,
    raw: item,
  };

  if (type === "reaction") {
    const reaction = wa.readContent(wa.reactionSchema, raw.reaction);
    if (!reaction.message_id) {
      skip(ctx, "reaction without reaction.message_id", item);
      return;
    }
    // An absent or empty emoji means the customer removed the reaction (C15).
    const emoji = reaction.emoji ? reaction.emoji : null;
    ctx.out.events.push({ ...base, type: "reaction", targetPlatformMessageId: reaction.message_id, emoji });
    return;
  }

  const { kind, text, details } = describeMessage(type, raw, message);
  Object.assign(details, commonDetails(message), sender.details);
  const event: InboundMessageEvent = { ...base, type: "message", kind, text, details };
  if (message.context?.id) event.replyToPlatformId = message.context.id;
  ctx.out.events.push(event);
}

interface Described {
  kind: MessageKind;
  /** Never empty, never "undefined": the model and the inbox read it (C14). */
  text: string;
  details: Record<string, unknown>;
}

function describeMessage(type: string, raw: Record<string, unknown>, message: wa.WhatsAppMessageBase): Described {
  switch (type) {
    case "text": {
      const { body } = wa.readContent(wa.textSchema, raw.text);
      return { kind: "text", text: filled(body) ?? "[empty message]", details: {} };
    }
    case "image":
    case "video":
    case "audio":
    case "document":
    case "sticker":
      return describeMedia(type, wa.readContent(wa.mediaSchema, raw[type]));
    case "location": {
      const loc = wa.readContent(wa.locationSchema, raw.location);
      const place = [filled(loc.name), filled(loc.address)].filter(isString).join(", ");
      const coords = loc.latitude !== undefined && loc.longitude !== undefined ? `(${loc.latitude}, ${loc.longitude})` : "";
      const inner = [place, coords].filter(Boolean).join(" ");
      return { kind: "location", text: inner ? `[location: ${inner}]` : "[location]", details: compact({ ...loc }) };
    }
    case "contacts": {
      const cards = Array.isArray(raw.contacts) ? raw.contacts : [];
      const parts = cards.map((c) => describeSharedContact(wa.readContent(wa.sharedContactSchema, c))).filter(Boolean);
      return { kind: "contacts", text: parts.length ? `[contact: ${parts.join("; ")}]` : "[contact]", details: { contacts: cards } };
    }
    case "interactive":
      return describeInteractive(wa.readContent(wa.interactiveSchema, raw.interactive));
    case "button": {
      // A tap on a template quick-reply button.
      const button = wa.readContent(wa.buttonSchema, raw.button);
      const text = filled(button.text) ?? filled(button.payload) ?? "[button reply]";
      return { kind: "interactive", text, details: compact({ interactiveType: "button", payload: button.payload, title: button.text }) };
    }
    case "order": {
      const order = wa.readContent(wa.orderSchema, raw.order);
      const items = order.product_items ?? [];
      const summary = `[order: ${items.length} ${items.length === 1 ? "item" : "items"}]`;
      const note = filled(order.text);
      return { kind: "order", text: note ? `${summary} ${note}` : summary, details: compact({ catalogId: order.catalog_id, note, productItems: items }) };
    }
    case "system": {
      const system = wa.readContent(wa.systemSchema, raw.system);
      const text = filled(system.body) ?? `[system: ${filled(system.type) ?? "update"}]`;
      return { kind: "system", text, details: compact({ systemType: system.type, newWaId: system.wa_id, newUserId: system.user_id }) };
    }
    default: {
      // unsupported, unknown, and any type Meta adds later (edit, poll, …) (C14).
      const unsupported = wa.readContent(wa.unsupportedSchema, raw.unsupported);
      const shownType = filled(unsupported.type) ?? type;
      return {
        kind: "unsupported",
        text: `[unsupported message: ${shownType}]`,
        details: compact({ type, unsupportedType: unsupported.type, errors: message.errors?.map(wa.readPlatformError) }),
      };
    }
  }
}

type Media = ReturnType<typeof wa.mediaSchema.parse>;

function describeMedia(type: "image" | "video" | "audio" | "document" | "sticker", media: Media): Described {
  const details = compact({
    mediaId: media.id,
    mimeType: media.mime_type,
    sha256: media.sha256,
    url: media.url,
    caption: media.caption,
    filename: media.filename,
    voice: media.voice,
    animated: media.animated,
  });
  const caption = filled(media.caption);
  const filename = filled(media.filename);
  let placeholder: string;
  if (type === "audio") placeholder = media.voice ? "[voice message]" : "[audio]";
  else if (type === "document") placeholder = filename ? `[document: ${filename}]` : "[document]";
  else placeholder = `[${type}]`;
  return { kind: type, text: caption ?? placeholder, details };
}

function describeInteractive(reply: ReturnType<typeof wa.interactiveSchema.parse>): Described {
  const choice = reply.button_reply ?? reply.list_reply;
  if ((reply.type === "button_reply" || reply.type === "list_reply" || !reply.type) && choice) {
    const description = reply.list_reply?.description;
    const text = filled(choice.title) ?? filled(choice.id) ?? "[interactive reply]";
    return { kind: "interactive", text, details: compact({ interactiveType: reply.type, id: choice.id, title: choice.title, description }) };
  }
  if (reply.type === "nfm_reply") {
    const form = reply.nfm_reply;
    return { kind: "interactive", text: "[form reply]", details: compact({ interactiveType: "nfm_reply", name: form?.name, body: form?.body, responseJson: form?.response_json }) };
  }
  return { kind: "interactive", text: "[interactive reply]", details: compact({ interactiveType: reply.type }) };
}

function describeSharedContact(card: ReturnType<typeof wa.sharedContactSchema.parse>): string {
  const name =
    filled(card.name?.formatted_name) ?? ([filled(card.name?.first_name), filled(card.name?.last_name)].filter(isString).join(" ") || undefined);
  const phones = (card.phones ?? []).map((p) => filled(p.phone) ?? filled(p.wa_id)).filter(isString);
  return [name, phones.join(", ")].filter(Boolean).join(" / ");
}

function commonDetails(message: wa.WhatsAppMessageBase): Record<string, unknown> {
  return compact({
    forwarded: message.context?.forwarded || undefined,
    frequentlyForwarded: message.context?.frequently_forwarded || undefined,
    referredProduct: message.context?.referred_product,
    referral: message.referral,
  });
}

/**
 * Keys the customer on wa_id, falling back to the BSUID (`user_id`) when wa_id is missing or "" (C19).
 * The contact is matched by wa_id === from, else by user_id, else it is the only contact.
 */
function resolveSender(message: wa.WhatsAppMessageBase, contacts: wa.WhatsAppContact[]) {
  const from = filled(message.from);
  const fromUserId = filled(message.from_user_id);
  const contact =
    contacts.find((c) => from !== undefined && filled(c.wa_id) === from) ??
    contacts.find((c) => {
      const userId = filled(c.user_id);
      return userId !== undefined && (userId === fromUserId || userId === from);
    }) ??
    (contacts.length === 1 ? contacts[0] : undefined);

  const waId = filled(contact?.wa_id) ?? (from && /^\d+$/.test(from) ? from : undefined);
  const userId = filled(contact?.user_id) ?? fromUserId;
  const platformUserId = filled(contact?.wa_id) ?? filled(contact?.user_id) ?? from ?? fromUserId;
  if (!platformUserId) return undefined;

  const sender: Sender = { platformUserId };
  const profileName = filled(contact?.profile?.name);
  if (profileName) sender.profileName = profileName;
  // With a BSUID or username, all ids travel with the message so the pipeline can link a customer
  // whose phone number later disappears from webhooks (usernames, 2026).
  const username = filled(contact?.profile?.username);
  const details = userId || username ? { sender: compact({ waId, userId, username }) } : {};
  return { from: sender, details };
}

function parseStatus(item: unknown, channelExternalId: string, ctx: Context): void {
  const parsed = wa.statusSchema.safeParse(item);
  if (!parsed.success) {
    skip(ctx, "status without an id or status", item);
    return;
  }
  const s = parsed.data;
  if (!DELIVERY_STATUSES.includes(s.status)) {
    skip(ctx, `status "${s.status}" is not handled`, item);
    return;
  }
  const event: StatusEvent = {
    type: "status",
    platform: "whatsapp",
    channelExternalId,
    occurredAt: toDate(s.timestamp, ctx.now),
    platformMessageId: s.id,
    status: s.status as DeliveryStatus,
  };
  const recipient = filled(s.recipient_id) ?? filled(s.recipient_user_id);
  if (recipient) event.recipientPlatformUserId = recipient;
  if (s.errors && s.errors.length > 0) event.error = wa.readPlatformError(s.errors[0]);
  ctx.out.events.push(event);
}

/** WhatsApp timestamps are Unix seconds as strings; a missing or garbled one means "now". */
function toDate(timestamp: string | undefined, now: () => Date): Date {
  const seconds = timestamp === undefined || timestamp.trim() === "" ? Number.NaN : Number(timestamp);
  const date = new Date(seconds * 1000);
  return seconds > 0 && !Number.isNaN(date.getTime()) ? date : now();
}

function listOf(value: unknown, name: string, ctx: Context, raw: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  skip(ctx, `value.${name} is not an array`, raw);
  return [];
}

function skip(ctx: Context, reason: string, raw: unknown): void {
  ctx.out.skipped.push({ reason, raw });
}

function filled(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== "" ? value : undefined;
}

function isString(value: string | undefined): value is string {
  return value !== undefined;
}

function compact(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}
