import type { DeliveryStatus, EchoEvent, InboundMessageEvent, ParsedWebhook, Sender, StatusEvent } from "../../core/events.js";
import { describeGot } from "../meta/describe-got.js";
import { own } from "../meta/own.js";
import { compact, describeMessage, filled } from "./describe-message.js";
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

/** One handler per subscribed `field`. */
const CHANGE_HANDLERS: Readonly<Record<string, ChangeHandler>> = {
  messages: handleMessagesChange,
  smb_message_echoes: handleBusinessAppEchoes,
};

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
      const handler = own(CHANGE_HANDLERS, parsedChange.data.field);
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
    const got = describeGot(object);
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

/**
 * Numbers shared with the WhatsApp Business app ("coexistence") report what the business typed in
 * the app as `message_echoes`: a person answered, so the pipeline treats them as a takeover.
 */
function handleBusinessAppEchoes(value: unknown, ctx: Context): void {
  const parsed = wa.echoesValueSchema.safeParse(value);
  if (!parsed.success) {
    skip(ctx, "smb_message_echoes change without value.metadata.phone_number_id", value);
    return;
  }
  const channelExternalId = parsed.data.metadata.phone_number_id;
  for (const item of listOf(parsed.data.message_echoes, "message_echoes", ctx, value)) {
    const echo = wa.messageBaseSchema.extend({ to: wa.messageBaseSchema.shape.from }).safeParse(item);
    const to = echo.success ? filled(echo.data.to) : undefined;
    if (!echo.success || !to) {
      skip(ctx, "business app echo without an id or a recipient", item);
      continue;
    }
    const { kind, text, details } = describeMessage(echo.data.type?.trim() || "unknown", item as Record<string, unknown>, echo.data);
    const event: EchoEvent = {
      type: "echo",
      platform: "whatsapp",
      channelExternalId,
      occurredAt: toDate(echo.data.timestamp, ctx.now),
      platformMessageId: echo.data.id,
      customer: { platformUserId: to },
      kind,
      text,
      details,
      raw: item,
    };
    ctx.out.events.push(event);
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
