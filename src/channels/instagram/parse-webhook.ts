import type { InboundMessageEvent, ParsedWebhook } from "../../core/events.js";
import { describeGot } from "../meta/describe-got.js";
import { own } from "../meta/own.js";
import { compact, describeMessage, filled } from "./describe-message.js";
import * as ig from "./webhook-schema.js";

/** The body is not an Instagram webhook at all. Anything wrong further down is skipped, never thrown. */
export class InstagramEnvelopeError extends Error {
  override name = "InstagramEnvelopeError";
}

export interface ParseOptions {
  /** Clock for events without a usable timestamp. */
  now?: () => Date;
}

interface Context {
  out: ParsedWebhook;
  now: () => Date;
}

/** What every item of one entry shares. */
interface Item {
  raw: unknown;
  data: ig.MessagingItem;
  /** The IG professional account id: entry.id, else the business side of the item. */
  entryId: string | undefined;
  entryTime: number | undefined;
  standby: boolean;
}

const HANDOVER_KEYS = ["pass_thread_control", "take_thread_control", "request_thread_control", "app_roles", "messaging_handover"];
const ENVELOPE_KEYS = new Set(["sender", "recipient", "timestamp"]);

/** Meta's reaction names, for the rare event that names the reaction but carries no emoji. */
const REACTION_EMOJI: Readonly<Record<string, string>> = {
  love: "❤️", like: "👍", dislike: "👎", smile: "😆", wow: "😮", sad: "😢", angry: "😡",
};

/** Turns one Instagram webhook POST into events: every entry × messaging[] and standby[] item (C12). */
export function parseInstagramWebhook(body: unknown, options: ParseOptions = {}): ParsedWebhook {
  const envelope = readEnvelope(body);
  const ctx: Context = { out: { events: [], skipped: [] }, now: options.now ?? (() => new Date()) };
  for (const entry of envelope.entry) {
    const parsed = ig.entrySchema.safeParse(entry);
    if (!parsed.success) {
      skip(ctx, "entry is not an object", entry);
      continue;
    }
    const { id: entryId, time: entryTime, messaging, standby } = parsed.data;
    if (!messaging && !standby) skip(ctx, "entry without messaging[] or standby[]", entry);
    for (const raw of messaging ?? []) parseItem(raw, entryId, entryTime, false, ctx);
    // Another app owns these threads: the messages are kept but never answered (§8.14).
    for (const raw of standby ?? []) parseItem(raw, entryId, entryTime, true, ctx);
  }
  return ctx.out;
}

function readEnvelope(body: unknown) {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new InstagramEnvelopeError("webhook body is not a JSON object");
  }
  const parsed = ig.envelopeSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const { object, entry } = body as { object?: unknown; entry?: unknown };
  if (object !== "instagram") {
    const got = describeGot(object);
    throw new InstagramEnvelopeError(`"object" must be "instagram" (${got})`);
  }
  const got = entry === undefined ? "it is missing" : `got ${typeof entry}`;
  throw new InstagramEnvelopeError(`"entry" must be an array (${got})`);
}

function parseItem(raw: unknown, entryId: string | undefined, entryTime: number | undefined, standby: boolean, ctx: Context): void {
  const parsed = ig.messagingSchema.safeParse(raw);
  if (!parsed.success) return skip(ctx, "messaging item is not an object", raw);
  const item: Item = { raw, data: parsed.data, entryId, entryTime, standby };
  const d = parsed.data;
  if (d.message !== undefined) return parseMessage(item, ctx);
  if (d.reaction !== undefined) return parseReaction(item, ctx);
  if (d.read !== undefined) return parseRead(item, ctx);
  if (d.postback !== undefined) return parsePostback(item, ctx);
  if (d.referral !== undefined) return skip(ctx, "referral events are not handled", raw);
  const keys = typeof raw === "object" && raw !== null ? Object.keys(raw).filter((k) => !ENVELOPE_KEYS.has(k)) : [];
  const handover = keys.find((k) => HANDOVER_KEYS.includes(k));
  if (handover) return skip(ctx, `handover event "${handover}" is not handled`, raw);
  skip(ctx, keys.length ? `event "${keys.join(", ")}" is not handled` : "messaging item without an event", raw);
}

function parseMessage(item: Item, ctx: Context): void {
  const message = ig.readContent(ig.messageSchema, item.data.message);
  if (!message.mid) return skip(ctx, "message without a mid", item.raw);
  const senderId = item.data.sender?.id;
  const recipientId = item.data.recipient?.id;
  const channelExternalId = item.entryId ?? (message.is_echo ? senderId : recipientId);
  if (!channelExternalId) return skip(ctx, "message without an Instagram account id", item.raw);
  // Our own sends and a person writing from Instagram's app both come back from the business (C08).
  const fromBusiness = message.is_echo === true || senderId === channelExternalId;
  const customerId = fromBusiness ? recipientId : senderId;
  if (!customerId) return skip(ctx, "message without a customer id", item.raw);
  const base = { platform: "instagram" as const, channelExternalId, occurredAt: occurredAt(item, ctx) };

  if (message.is_deleted) {
    ctx.out.events.push({ ...base, type: "delete", platformMessageId: message.mid, customerPlatformUserId: customerId });
    return;
  }

  const described = describeMessage(message);
  if (fromBusiness) {
    ctx.out.events.push({
      ...base,
      type: "echo",
      platformMessageId: message.mid,
      customer: { platformUserId: customerId },
      ...(message.app_id ? { appId: message.app_id } : {}),
      kind: described.kind,
      text: described.text,
      details: described.details,
      raw: item.raw,
    });
    return;
  }

  const event: InboundMessageEvent = {
    ...base,
    type: "message",
    platformMessageId: message.mid,
    from: { platformUserId: customerId },
    kind: described.kind,
    text: described.text,
    details: described.details,
    raw: item.raw,
  };
  if (described.replyToPlatformId) event.replyToPlatformId = described.replyToPlatformId;
  if (described.replyContext) event.replyContext = described.replyContext;
  if (item.standby) event.standby = true;
  ctx.out.events.push(event);
}

function parseReaction(item: Item, ctx: Context): void {
  const reaction = ig.readContent(ig.reactionSchema, item.data.reaction);
  const senderId = item.data.sender?.id;
  const channelExternalId = item.entryId ?? item.data.recipient?.id;
  if (!reaction.mid) return skip(ctx, "reaction without reaction.mid", item.raw);
  if (!senderId || !channelExternalId) return skip(ctx, "reaction without sender or account id", item.raw);
  if (senderId === channelExternalId) return skip(ctx, "reaction by the business itself", item.raw);

  const unreact = reaction.action === "unreact";
  const name = filled(reaction.reaction);
  const emoji = unreact ? null : (filled(reaction.emoji) ?? (name ? (own(REACTION_EMOJI, name) ?? name) : undefined));
  if (emoji === undefined) return skip(ctx, "reaction without an emoji", item.raw);

  // Reactions carry no id of their own; this one is stable across Meta's re-deliveries (C15).
  const action = unreact ? "unreact" : "react";
  const platformMessageId = `reaction:${reaction.mid}:${senderId}:${stableTime(item)}:${action}`;
  ctx.out.events.push({
    type: "reaction",
    platform: "instagram",
    channelExternalId,
    occurredAt: occurredAt(item, ctx),
    platformMessageId,
    from: { platformUserId: senderId },
    targetPlatformMessageId: reaction.mid,
    emoji,
    raw: item.raw,
  });
}

function parseRead(item: Item, ctx: Context): void {
  const read = ig.readContent(ig.readSchema, item.data.read);
  const senderId = item.data.sender?.id;
  const channelExternalId = item.entryId ?? item.data.recipient?.id;
  if (!senderId || !channelExternalId) return skip(ctx, "read without sender or account id", item.raw);
  if (senderId === channelExternalId) return skip(ctx, "read by the business itself", item.raw);
  const base = { platform: "instagram" as const, channelExternalId, occurredAt: occurredAt(item, ctx) };
  if (read.mid) {
    // Instagram reads name the message, unlike Messenger's watermarks.
    ctx.out.events.push({ ...base, type: "status", platformMessageId: read.mid, status: "read", recipientPlatformUserId: senderId });
  } else if (read.watermark !== undefined) {
    // A watermark past the largest Date (e.g. 1e300) would fail the store and make Meta retry for days.
    const upTo = new Date(read.watermark);
    if (Number.isNaN(upTo.getTime())) return skip(ctx, "read with a watermark that is not a time", item.raw);
    ctx.out.events.push({ ...base, type: "watermark", customerPlatformUserId: senderId, status: "read", upTo });
  } else {
    skip(ctx, "read without read.mid", item.raw);
  }
}

function parsePostback(item: Item, ctx: Context): void {
  const postback = ig.readContent(ig.postbackSchema, item.data.postback);
  const senderId = item.data.sender?.id;
  const channelExternalId = item.entryId ?? item.data.recipient?.id;
  if (!senderId || !channelExternalId) return skip(ctx, "postback without sender or account id", item.raw);
  const event: InboundMessageEvent = {
    type: "message",
    platform: "instagram",
    channelExternalId,
    occurredAt: occurredAt(item, ctx),
    // Ice breakers may come without a mid; derive one that re-deliveries repeat.
    platformMessageId: postback.mid ?? `postback:${senderId}:${stableTime(item)}`,
    from: { platformUserId: senderId },
    kind: "interactive",
    text: filled(postback.title) ?? filled(postback.payload) ?? "[button tapped]",
    details: compact({ interactiveType: "postback", payload: postback.payload, title: postback.title }),
    raw: item.raw,
  };
  if (item.standby) event.standby = true;
  ctx.out.events.push(event);
}

/** Instagram timestamps are Unix ms numbers; entry.time (when Meta sent the POST), else now. */
function occurredAt(item: Item, ctx: Context): Date {
  const ms = item.data.timestamp ?? item.entryTime;
  const date = ms === undefined ? undefined : new Date(ms);
  return date && !Number.isNaN(date.getTime()) ? date : ctx.now();
}

function stableTime(item: Item): string {
  return String(item.data.timestamp ?? item.entryTime ?? "notime");
}

function skip(ctx: Context, reason: string, raw: unknown): void {
  ctx.out.skipped.push({ reason, raw });
}
