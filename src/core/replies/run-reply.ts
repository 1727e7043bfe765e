import { generateReply, missingKeyMessage, ModelError, type ModelSettings } from "../agent/generate-reply.js";
import { checkReply } from "../agent/output-guard.js";
import { RetryLater } from "../errors.js";
import type { Platform } from "../events.js";
import type { LiveEvents } from "../live/ports.js";
import type { Metrics } from "../metrics.js";
import type { ChannelSender } from "../ports.js";
import { needsReauth, windowClosed } from "./attention.js";
import { deliverParts, refuseOnInactiveChannel, sinceCustomerSpoke, targetOf } from "./deliver.js";
import { historyTurns, unansweredMessage } from "./history-turns.js";
import type { HistoryMessage, OutboundPart, ReplyContext, ReplyStore } from "./ports.js";
import { splitText } from "./split-text.js";

export interface ReplyDeps {
  store: ReplyStore;
  live: LiveEvents;
  senders: Partial<Record<Platform, ChannelSender>>;
  model: ModelSettings;
  now(): Date;
  log: { warn(obj: object, msg: string): void };
  metrics?: Metrics;
  historyLimit?: number;
}

export interface ReplyJob {
  id: number;
  /** The process holding the work item's lease. */
  owner: string;
  portfolioId: string;
  conversationId: string;
  /** Ids of reply parts already stored by an earlier run of this job. */
  storedPartIds?: number[];
}

/**
 * Answers a conversation with the agent: one run per burst, one at a time per conversation.
 * Throws to be retried later; records permanent failures itself. Safe to run again after a crash:
 * stored parts are sent, not generated anew.
 */
export async function runReply(job: ReplyJob, deps: ReplyDeps): Promise<void> {
  if (job.storedPartIds?.length) {
    const ctx = await deps.store.loadContext(job.conversationId);
    if (!ctx) return;
    // Parts stored by an earlier run are sent as they are now (some may have gone out already).
    return sendParts(ctx, await deps.store.parts(ctx, job.storedPartIds), senderFor(ctx, deps), deps, { modeChecked: false });
  }
  // The history is read alongside the context: both are needed to answer, and waiting for one
  // before asking for the other would add a round trip to every reply.
  const [ctx, history] = await Promise.all([
    deps.store.loadContext(job.conversationId),
    deps.store.history({ portfolioId: job.portfolioId, conversationId: job.conversationId }, deps.historyLimit ?? 200),
  ]);
  if (!ctx) return;
  const sender = senderFor(ctx, deps);
  const parts = await compose(job, ctx, history, sender, deps);
  // Storing the parts checked the mode in the same statement: no need to ask again before sending.
  if (parts) await sendParts(ctx, parts, sender, deps, { modeChecked: true });
}

function senderFor(ctx: ReplyContext, deps: ReplyDeps): ChannelSender {
  const sender = deps.senders[ctx.channel.platform];
  if (!sender) throw new Error(`no sender for ${ctx.channel.platform}`);
  return sender;
}

function windowOpen(ctx: ReplyContext, sender: ChannelSender, now: Date): boolean {
  return sinceCustomerSpoke(ctx, now) < sender.window.aiMs;
}

/** Decides whether to answer, generates the answer and stores it. Returns the stored parts. */
async function compose(
  job: ReplyJob,
  ctx: ReplyContext,
  history: HistoryMessage[],
  sender: ChannelSender,
  deps: ReplyDeps,
): Promise<OutboundPart[] | undefined> {
  if (ctx.mode !== "ai" || !ctx.agent?.enabled) return;
  const answering = unansweredMessage(history);
  if (!answering) return;
  if (ctx.channel.state !== "active") {
    // The customer waits for nobody: admins must see why the agent is silent.
    if (ctx.channel.state === "needs_reauth") await deps.store.flag(ctx, needsReauth.code, needsReauth.reason);
    return;
  }
  if (!windowOpen(ctx, sender, deps.now())) {
    await deps.store.flag(ctx, windowClosed.code, windowClosed.reason);
    return;
  }
  // The portfolio's own key, when set, pays for its replies instead of the server's.
  const model: ModelSettings = ctx.agent.openaiApiKey ? { ...deps.model, apiKey: ctx.agent.openaiApiKey } : deps.model;
  if (!model.apiKey) {
    // Without a model no answer comes: no read receipt or typing promise to the customer either.
    await deps.store.storeFailedReply(ctx, { code: "model_key_missing", title: missingKeyMessage }, null, answering.id);
    await deps.store.flag(ctx, "reply_failed", missingKeyMessage);
    return;
  }
  // The ticks and the typing bubble go out while the model thinks; the answer need not wait for them.
  const markedRead = answering.platformMessageId
    ? sender.markReadAndTyping(targetOf(ctx), answering.platformMessageId).catch((error: unknown) => {
        deps.log.warn({ err: error, conversationId: ctx.conversationId }, "could not mark read");
      })
    : undefined;

  let text: string;
  try {
    text = await generateReply({ model: ctx.agent.model, instructions: ctx.agent.instructions, history: historyTurns(history) }, model);
  } catch (error) {
    deps.metrics?.inc("model_error", { kind: error instanceof ModelError ? error.kind : "retryable" });
    if (error instanceof ModelError && error.kind !== "retryable") {
      await deps.store.storeFailedReply(ctx, { code: "model_error", title: error.message }, null, answering.id);
      await deps.store.flag(ctx, "reply_failed", error.message);
      return;
    }
    throw new RetryLater(error instanceof Error ? error.message : String(error), error instanceof ModelError ? error.retryAfterMs : undefined);
  }

  const verdict = checkReply(text);
  if (!verdict.allowed) {
    const held = { code: "held_for_review", title: "Reply held for a person to review", detail: verdict.reason };
    await deps.store.storeFailedReply(ctx, held, text, answering.id);
    await deps.store.setMode(ctx, "manual");
    await deps.store.flag(ctx, "reply_held", "The agent's reply was held for review and the conversation switched to manual");
    return;
  }
  // Read before answered (the ticks must not turn blue after the reply arrives), and awaited before
  // the parts are stored: nothing may stand between the statement that checks the mode and the send.
  await markedRead;
  // A person may have taken over meanwhile: then nothing is stored and the draft is dropped.
  const texts = splitText(text, sender.textLimit);
  const ids = await deps.store.storeReplyParts(ctx, texts, job, answering.id);
  if (ids.length === 0) return;
  return ids.map((id, i) => ({ id, text: texts[i] ?? "", status: "queued", platformMessageId: null }));
}

async function sendParts(ctx: ReplyContext, parts: OutboundPart[], sender: ChannelSender, deps: ReplyDeps, how: { modeChecked: boolean }): Promise<void> {
  const unsent = parts.filter((p) => !p.platformMessageId && p.status === "queued");
  if (unsent.length === 0) return;
  if (!how.modeChecked && (await deps.store.currentMode(ctx)) !== "ai") {
    await deps.store.discardUnsent(ctx, unsent.map((p) => p.id));
    return;
  }
  if (await refuseOnInactiveChannel(ctx, unsent, deps.store)) return;
  if (!windowOpen(ctx, sender, deps.now())) {
    const error = { code: "window_closed", title: "24h window closed before the reply could be sent", category: "window_closed" as const };
    await deps.store.markFailed(ctx, unsent.map((p) => p.id), error);
    await deps.store.flag(ctx, windowClosed.code, windowClosed.reason);
    return;
  }
  // A person may take over while a long reply goes out part by part: the rest is then dropped.
  const arrived = ctx.lastInboundAt;
  await deliverParts(ctx, unsent, sender, deps, {
    stillWanted: async () => (await deps.store.currentMode(ctx)) === "ai",
    // Only the first part, and only for a fresh reply: parts resumed after a crash would skew it.
    onFirstSent: () => {
      if (arrived && unsent.length === parts.length) deps.metrics?.observe("reply_latency_seconds", (deps.now().getTime() - arrived.getTime()) / 1000, { platform: ctx.channel.platform });
    },
  });
}

/** When a reply gave up after its retries: the failure is stored where admins see it. */
export async function recordReplyGaveUp(job: ReplyJob, reason: string, deps: ReplyDeps): Promise<void> {
  const ctx = await deps.store.loadContext(job.conversationId);
  if (!ctx) return;
  if (job.storedPartIds?.length) {
    const parts = await deps.store.parts(ctx, job.storedPartIds);
    const unsent = parts.filter((p) => !p.platformMessageId && p.status === "queued").map((p) => p.id);
    await deps.store.markFailed(ctx, unsent, { code: "send_gave_up", title: "The reply could not be sent", detail: reason });
  } else {
    await deps.store.storeFailedReply(ctx, { code: "reply_gave_up", title: "The agent could not produce a reply", detail: reason }, null);
  }
  await deps.store.flag(ctx, "reply_failed", reason);
}
