import type { PlatformError } from "../events.js";
import type { ReplyStore } from "../replies/ports.js";
import type { LiveError, LiveEvent, LiveEvents } from "./ports.js";

const liveError = (e: PlatformError): LiveError => ({ code: e.code, title: e.title ?? null, detail: e.detail ?? null });

/**
 * The reply store (AI replies, sends of people's messages, their failures), telling the live
 * inbox about each committed write. Publishing is not awaited and never throws.
 */
export function withLiveReplyEvents(store: ReplyStore, live: LiveEvents): ReplyStore {
  const publish = (portfolioId: string, events: LiveEvent[]) => {
    for (const event of events) void live.publish(portfolioId, event);
  };
  return {
    loadContext: (conversationId) => store.loadContext(conversationId),
    history: (ctx, limit) => store.history(ctx, limit),
    currentMode: (ctx) => store.currentMode(ctx),
    parts: (ctx, ids) => store.parts(ctx, ids),
    queuedPersonMessages: (ctx) => store.queuedPersonMessages(ctx),
    async storeReplyParts(ctx, parts, job, answersMessageId) {
      const ids = await store.storeReplyParts(ctx, parts, job, answersMessageId);
      const at = new Date().toISOString();
      publish(ctx.portfolioId, ids.map((messageId, i) => ({
        type: "message.created" as const,
        conversationId: ctx.conversationId,
        messageId,
        direction: "out" as const,
        author: "ai" as const,
        kind: "text" as const,
        text: parts[i] ?? null,
        status: "queued" as const,
        occurredAt: at,
      })));
      return ids;
    },
    async markSent(ctx, messageId, platformMessageId) {
      const state = await store.markSent(ctx, messageId, platformMessageId);
      publish(ctx.portfolioId, [{ type: "message.status", conversationId: ctx.conversationId, messageId, ...state }]);
      return state;
    },
    async markFailed(ctx, messageIds, error) {
      await store.markFailed(ctx, messageIds, error);
      publish(ctx.portfolioId, messageIds.map((messageId) => ({
        type: "message.status" as const, conversationId: ctx.conversationId, messageId, status: "failed" as const, error: liveError(error),
      })));
    },
    async discardUnsent(ctx, messageIds) {
      await store.discardUnsent(ctx, messageIds);
      publish(ctx.portfolioId, messageIds.map((messageId) => ({
        type: "message.updated" as const, conversationId: ctx.conversationId, messageId, change: "discarded" as const,
      })));
    },
    async storeFailedReply(ctx, error, text, answersMessageId) {
      const messageId = await store.storeFailedReply(ctx, error, text, answersMessageId);
      publish(ctx.portfolioId, [{
        type: "message.created",
        conversationId: ctx.conversationId,
        messageId,
        direction: "out",
        author: "ai",
        kind: "text",
        text,
        status: "failed",
        occurredAt: new Date().toISOString(),
        error: liveError(error),
      }]);
      return messageId;
    },
    async flag(ctx, code, reason) {
      await store.flag(ctx, code, reason);
      publish(ctx.portfolioId, [{ type: "conversation.changed", conversationId: ctx.conversationId, attention: { code, reason } }]);
    },
    async setMode(ctx, mode) {
      await store.setMode(ctx, mode);
      publish(ctx.portfolioId, [{ type: "conversation.changed", conversationId: ctx.conversationId, mode }]);
    },
    channelNeedsReauth: (ctx, reason) => store.channelNeedsReauth(ctx, reason),
  };
}
