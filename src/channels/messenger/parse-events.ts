import type { InboundMessageEvent, ReactionEvent } from "../../core/events.js";
import { own } from "../meta/own.js";
import { compact, filled, msToDate, pageIdOf, skip, type ItemContext } from "./parse-context.js";
import * as ms from "./webhook-schema.js";

/** Meta sends `emoji` with each reaction; these cover payloads that give only the name. */
const REACTION_EMOJI: Readonly<Record<string, string>> = {
  smile: "😆",
  angry: "😠",
  sad: "😢",
  wow: "😮",
  love: "❤",
  like: "👍",
  dislike: "👎",
};

/** The customer and Page of a customer event, or a skip when either is missing. */
function customerSide(ctx: ItemContext, what: string) {
  const pageId = pageIdOf(ctx, false);
  if (!ctx.senderId || !pageId) {
    skip(ctx, `${what} without sender.id or a Page id`, ctx.raw);
    return undefined;
  }
  // The Page reacting or tapping its own button is not the customer speaking.
  if (ctx.senderId === ctx.entryId) {
    skip(ctx, `${what} sent by the Page itself`, ctx.raw);
    return undefined;
  }
  return { channelExternalId: pageId, customerId: ctx.senderId };
}

/** A button, Get Started or persistent-menu tap. Postbacks in standby carry no payload. */
export function parsePostback(value: unknown, ctx: ItemContext): void {
  const side = customerSide(ctx, "postback");
  if (!side) return;
  const p = ms.readContent(ms.postbackSchema, value);
  // Older postbacks have no mid; the raw timestamp makes the derived id the same on redelivery.
  const mid = filled(p.mid) ?? (ctx.timestamp !== undefined ? `postback:${side.customerId}:${ctx.timestamp}` : undefined);
  if (!mid) return skip(ctx, "postback without mid or timestamp", ctx.raw);
  const event: InboundMessageEvent = {
    type: "message",
    platform: "messenger",
    channelExternalId: side.channelExternalId,
    occurredAt: ctx.occurredAt,
    platformMessageId: mid,
    from: { platformUserId: side.customerId },
    kind: "interactive",
    text: filled(p.title) ?? filled(p.payload) ?? "[button tap]",
    details: compact({ postbackPayload: filled(p.payload), title: filled(p.title), referral: p.referral }),
    raw: ctx.raw,
  };
  if (ctx.standby) event.standby = true;
  ctx.out.events.push(event);
}

export function parseReaction(value: unknown, ctx: ItemContext): void {
  const side = customerSide(ctx, "reaction");
  if (!side) return;
  const r = ms.readContent(ms.reactionSchema, value);
  const target = filled(r.mid);
  if (!target) return skip(ctx, "reaction without reaction.mid", ctx.raw);
  if (r.action !== "react" && r.action !== "unreact") return skip(ctx, `reaction action "${String(r.action)}" is not handled`, ctx.raw);
  if (ctx.timestamp === undefined) return skip(ctx, "reaction without a timestamp to derive its id from", ctx.raw);

  let emoji: string | null = null;
  if (r.action === "react") {
    const name = filled(r.reaction);
    const shown = filled(r.emoji) ?? (name ? (own(REACTION_EMOJI, name) ?? name) : undefined);
    if (!shown) return skip(ctx, "reaction without emoji or reaction name", ctx.raw);
    emoji = shown;
  }
  const event: ReactionEvent = {
    type: "reaction",
    platform: "messenger",
    channelExternalId: side.channelExternalId,
    occurredAt: ctx.occurredAt,
    // Reactions have no id of their own; this one is stable across redeliveries.
    platformMessageId: `reaction:${target}:${side.customerId}:${ctx.timestamp}:${r.action}`,
    from: { platformUserId: side.customerId },
    targetPlatformMessageId: target,
    emoji,
    raw: ctx.raw,
  };
  ctx.out.events.push(event);
}

/** Per-message statuses when Meta lists mids, and always the watermark (mids may be missing). */
export function parseDelivery(value: unknown, ctx: ItemContext): void {
  const side = customerSide(ctx, "delivery");
  if (!side) return;
  const d = ms.readContent(ms.deliverySchema, value);
  const mids = (d.mids ?? []).filter((m): m is string => typeof m === "string" && m.trim() !== "");
  for (const mid of mids) {
    ctx.out.events.push({
      type: "status",
      platform: "messenger",
      channelExternalId: side.channelExternalId,
      occurredAt: ctx.occurredAt,
      platformMessageId: mid,
      status: "delivered",
      recipientPlatformUserId: side.customerId,
    });
  }
  if (d.watermark !== undefined && d.watermark > 0) {
    pushWatermark(ctx, side, "delivered", d.watermark);
  } else if (mids.length === 0) {
    skip(ctx, "delivery without mids or watermark", ctx.raw);
  }
}

/** Reads have no ids: everything the Page sent up to the watermark was read. */
export function parseRead(value: unknown, ctx: ItemContext): void {
  const side = customerSide(ctx, "read");
  if (!side) return;
  const { watermark } = ms.readContent(ms.readSchema, value);
  if (watermark === undefined || watermark <= 0) return skip(ctx, "read without a watermark", ctx.raw);
  pushWatermark(ctx, side, "read", watermark);
}

function pushWatermark(
  ctx: ItemContext,
  side: { channelExternalId: string; customerId: string },
  status: "delivered" | "read",
  watermark: number,
): void {
  ctx.out.events.push({
    type: "watermark",
    platform: "messenger",
    channelExternalId: side.channelExternalId,
    occurredAt: ctx.occurredAt,
    customerPlatformUserId: side.customerId,
    status,
    upTo: msToDate(watermark, ctx.now),
  });
}
