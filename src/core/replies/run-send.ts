import type { Platform } from "../events.js";
import type { LiveEvents } from "../live/ports.js";
import type { Metrics } from "../metrics.js";
import type { ChannelSender } from "../ports.js";
import { windowClosed } from "./attention.js";
import { deliverParts, refuseOnInactiveChannel, sinceCustomerSpoke } from "./deliver.js";
import type { ReplyStore } from "./ports.js";

export interface SendDeps {
  store: ReplyStore;
  live: LiveEvents;
  senders: Partial<Record<Platform, ChannelSender>>;
  now(): Date;
  metrics?: Metrics;
}

/**
 * Sends the messages people wrote in a conversation, oldest first. Past the standard 24 hours
 * they go with the human-agent tag where the platform has one; past a person's window they fail.
 */
export async function runSend(conversationId: string, deps: SendDeps): Promise<void> {
  const ctx = await deps.store.loadContext(conversationId);
  if (!ctx) return;
  const sender = deps.senders[ctx.channel.platform];
  if (!sender) throw new Error(`no sender for ${ctx.channel.platform}`);
  const parts = await deps.store.queuedPersonMessages(ctx);
  if (parts.length === 0) return;
  if (await refuseOnInactiveChannel(ctx, parts, deps.store)) return;
  const since = sinceCustomerSpoke(ctx, deps.now());
  if (since > sender.window.humanMs) {
    const error = { code: "window_closed", title: "The messaging window closed before the message could be sent", category: "window_closed" as const };
    await deps.store.markFailed(ctx, parts.map((p) => p.id), error);
    await deps.store.flag(ctx, windowClosed.code, windowClosed.reason);
    return;
  }
  await deliverParts(ctx, parts, sender, deps, { humanAgent: since >= sender.window.aiMs });
}

/**
 * When sending a person's messages gave up after its retries: they are marked failed with the
 * reason and admins are told, rather than left `queued` with nothing left to send them.
 */
export async function recordSendGaveUp(conversationId: string, reason: string, deps: Pick<SendDeps, "store">): Promise<void> {
  const ctx = await deps.store.loadContext(conversationId);
  if (!ctx) return;
  const queued = await deps.store.queuedPersonMessages(ctx);
  if (queued.length === 0) return;
  await deps.store.markFailed(ctx, queued.map((p) => p.id), { code: "send_gave_up", title: "The message could not be sent", detail: reason });
  await deps.store.flag(ctx, "send_failed", reason);
}
