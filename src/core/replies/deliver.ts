import { RetryLater } from "../errors.js";
import { type ChannelSender, type OutboundTarget, SendError, type SendOptions } from "../ports.js";
import { attentionForFailure } from "./attention.js";
import type { OutboundPart, ReplyContext, ReplyStore } from "./ports.js";

export function targetOf(ctx: ReplyContext): OutboundTarget {
  return {
    channelExternalId: ctx.channel.externalId,
    credentials: ctx.channel.credentials,
    recipientPlatformUserId: ctx.customer.platformUserId,
  };
}

/** Time since the customer's last message, or Infinity when they never wrote. */
export function sinceCustomerSpoke(ctx: ReplyContext, now: Date): number {
  return ctx.lastInboundAt ? now.getTime() - ctx.lastInboundAt.getTime() : Number.POSITIVE_INFINITY;
}

/**
 * Sends stored parts in order, recording each platform id as it is accepted. A passing fault is
 * thrown to be retried (parts already sent are skipped next time); a permanent refusal is stored
 * on this part and the rest, and shown to admins.
 */
export async function deliverParts(
  ctx: ReplyContext,
  parts: OutboundPart[],
  sender: ChannelSender,
  store: ReplyStore,
  options: SendOptions = {},
): Promise<void> {
  for (const [index, part] of parts.entries()) {
    try {
      const result = await sender.sendText(targetOf(ctx), part.text, options);
      await store.markSent(ctx, part.id, result.platformMessageId);
    } catch (error) {
      if (!(error instanceof SendError) || error.retryable) {
        const message = error instanceof Error ? error.message : String(error);
        throw new RetryLater(message, error instanceof SendError ? error.retryAfterMs : undefined);
      }
      await store.markFailed(ctx, parts.slice(index).map((p) => p.id), error.error);
      if (error.tokenInvalid) await store.channelNeedsReauth(ctx, error.message);
      const attention = attentionForFailure(error.tokenInvalid ? { ...error.error, category: "token_invalid" } : error.error);
      await store.flag(ctx, attention.code, attention.reason);
      return;
    }
  }
}
