import type { EchoEvent, InboundMessageEvent } from "../../core/events.js";
import { describeAttachments, type Described } from "./describe-attachments.js";
import { compact, filled, pageIdOf, skip, type ItemContext } from "./parse-context.js";
import * as ms from "./webhook-schema.js";

/**
 * A `message` item: from the customer (InboundMessageEvent), from the Page (EchoEvent), or an
 * unsent message (DeleteEvent). Echoes never become customer messages, or the bot answers itself (C08).
 */
export function parseMessage(value: unknown, ctx: ItemContext): void {
  const m = ms.readContent(ms.messageSchema, value);
  const mid = filled(m.mid);
  if (!mid) return skip(ctx, "message without a mid", ctx.raw);

  // Meta flags echoes; a message "from" the Page itself is one too, flag or not.
  const fromPage = m.is_echo === true || (ctx.senderId !== undefined && ctx.senderId === ctx.entryId);
  const channelExternalId = pageIdOf(ctx, fromPage);
  if (!channelExternalId) return skip(ctx, "message without a Page id (entry.id, sender or recipient)", ctx.raw);
  const base = { platform: "messenger" as const, channelExternalId, occurredAt: ctx.occurredAt, platformMessageId: mid };

  if (fromPage) {
    if (!ctx.recipientId) return skip(ctx, "echo without recipient.id", ctx.raw);
    if (m.is_deleted) return skip(ctx, "deleted echo is not handled", ctx.raw);
    const { kind, text, details } = describeMessage(m);
    Object.assign(details, compact({ metadata: filled(m.metadata) }));
    const echo: EchoEvent = { ...base, type: "echo", customer: { platformUserId: ctx.recipientId }, kind, text, details, raw: ctx.raw };
    if (m.app_id) echo.appId = m.app_id;
    ctx.out.events.push(echo);
    return;
  }

  if (!ctx.senderId) return skip(ctx, "message without sender.id", ctx.raw);
  if (m.is_deleted) {
    ctx.out.events.push({ ...base, type: "delete", customerPlatformUserId: ctx.senderId });
    return;
  }
  const { kind, text, details } = describeMessage(m);
  Object.assign(
    details,
    compact({
      quickReply: filled(m.quick_reply?.payload),
      isSelfReply: m.reply_to?.is_self_reply || undefined,
      referral: m.referral,
    }),
  );
  const event: InboundMessageEvent = { ...base, type: "message", from: { platformUserId: ctx.senderId }, kind, text, details, raw: ctx.raw };
  const replyTo = filled(m.reply_to?.mid);
  if (replyTo) event.replyToPlatformId = replyTo;
  if (ctx.standby) event.standby = true;
  ctx.out.events.push(event);
}

/** Text, attachments, or both (a pasted link is its url as text plus a `fallback` preview). */
function describeMessage(m: ms.MessengerMessage): Described {
  const text = filled(m.text);
  const attachments = describeAttachments(m.attachments ?? []);
  if (attachments) return { ...attachments, text: text ? `${text} ${attachments.text}` : attachments.text };
  if (text) return { kind: "text", text, details: {} };
  return { kind: "unsupported", text: m.is_unsupported ? "[unsupported message]" : "[empty message]", details: {} };
}
