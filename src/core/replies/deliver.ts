import { RetryLater } from "../errors.js";
import type { LiveEvents } from "../live/ports.js";
import type { Metrics } from "../metrics.js";
import { type ChannelSender, type OutboundTarget, SendError, type SendOptions } from "../ports.js";
import { attentionForFailure, needsReauth } from "./attention.js";
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

export interface DeliveryDeps {
  store: ReplyStore;
  live: LiveEvents;
  metrics?: Metrics;
}

export interface DeliveryOptions extends SendOptions {
  /** Asked before every part after the first: false stops the rest (a person took over). */
  stillWanted?(): Promise<boolean>;
  /** Called once the Graph API accepted the first part. */
  onFirstSent?(): void;
}

/**
 * A channel that cannot send (its token was refused, or it was disabled): the messages are kept as
 * failed with the reason, nothing reaches the Graph API, and admins are told.
 */
export async function refuseOnInactiveChannel(ctx: ReplyContext, parts: OutboundPart[], store: ReplyStore): Promise<boolean> {
  if (ctx.channel.state === "active") return false;
  const reason = `The channel is ${ctx.channel.state === "needs_reauth" ? "waiting to be reconnected" : "disabled"}, so nothing can be sent`;
  await store.markFailed(ctx, parts.map((p) => p.id), { code: `channel_${ctx.channel.state}`, title: reason });
  const attention = ctx.channel.state === "needs_reauth" ? needsReauth : { code: "send_failed" as const, reason };
  await store.flag(ctx, attention.code, attention.reason);
  return true;
}

/** Waits between tries to record a send: about 10 s in all, well inside a work item's lease. */
const keepSentDelaysMs = [100, 200, 400, ...Array<number>(19).fill(500)];

/**
 * The part is out: if its platform id is not stored, the retry sends it again (the Graph API has no
 * idempotency key). A database that is briefly away (a restart, a failover) is waited for here.
 */
async function keepSent(store: ReplyStore, ctx: ReplyContext, partId: number, platformMessageId: string): Promise<void> {
  for (const delay of [...keepSentDelaysMs, undefined]) {
    try {
      await store.markSent(ctx, partId, platformMessageId);
      return;
    } catch (error) {
      if (delay === undefined) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/**
 * Sends stored parts in order, recording each platform id as it is accepted. A passing fault is
 * thrown to be retried (parts already sent are skipped next time); a permanent refusal is stored
 * on this part and the rest, and shown to admins; a refused token also marks the channel.
 */
export async function deliverParts(
  ctx: ReplyContext,
  parts: OutboundPart[],
  sender: ChannelSender,
  deps: DeliveryDeps,
  options: DeliveryOptions = {},
): Promise<void> {
  const { stillWanted, onFirstSent, ...sendOptions } = options;
  for (const [index, part] of parts.entries()) {
    if (index > 0 && stillWanted && !(await stillWanted())) {
      await deps.store.discardUnsent(ctx, parts.slice(index).map((p) => p.id));
      return;
    }
    try {
      const result = await sender.sendText(targetOf(ctx), part.text, sendOptions).catch((error: unknown) => {
        const retryable = !(error instanceof SendError) || error.retryable;
        deps.metrics?.inc("graph_api_error", { platform: ctx.channel.platform, retryable: String(retryable) });
        throw error;
      });
      if (index === 0) onFirstSent?.();
      await keepSent(deps.store, ctx, part.id, result.platformMessageId);
    } catch (error) {
      if (!(error instanceof SendError) || error.retryable) {
        const message = error instanceof Error ? error.message : String(error);
        throw new RetryLater(message, error instanceof SendError ? error.retryAfterMs : undefined);
      }
      await deps.store.markFailed(ctx, parts.slice(index).map((p) => p.id), error.error);
      if (error.tokenInvalid) {
        await deps.store.channelNeedsReauth(ctx, error.message);
        await deps.live.publish(ctx.portfolioId, { type: "channel.state", channelId: ctx.channel.id, state: "needs_reauth", reason: error.message });
      }
      const attention = attentionForFailure(error.tokenInvalid ? { ...error.error, category: "token_invalid" } : error.error);
      await deps.store.flag(ctx, attention.code, attention.reason);
      return;
    }
  }
}
