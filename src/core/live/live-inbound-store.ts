import type { InboundStore, StatusChange } from "../inbound/ports.js";
import type { LiveEvent, LiveEvents } from "./ports.js";

/** `message.status` for each message a status webhook or a watermark moved. */
export const statusEvents = (changes: StatusChange[]): LiveEvent[] =>
  changes.map((c) => ({ type: "message.status", conversationId: c.conversationId, messageId: c.messageId, status: c.status, ...(c.error ? { error: c.error } : {}) }));

/**
 * The inbound store, telling the live inbox what each stored webhook event changed. Every write
 * has committed when its events go out; publishing is not awaited, so a slow fan-out never
 * delays the answer to Meta (and it never throws).
 */
export function withLiveInboundEvents(store: InboundStore, live: LiveEvents): InboundStore {
  const publish = (portfolioId: string, events: LiveEvent[]) => {
    for (const event of events) void live.publish(portfolioId, event);
  };
  return {
    async storeMessage(channel, event, replyAfterMs) {
      const result = await store.storeMessage(channel, event, replyAfterMs);
      if (result.stored && result.conversationId && result.messageId !== undefined) {
        const c = result.conversation;
        publish(channel.portfolioId, [
          {
            type: "message.created",
            conversationId: result.conversationId,
            messageId: result.messageId,
            direction: "in",
            author: "customer",
            kind: event.kind,
            text: event.text,
            status: "received",
            occurredAt: event.occurredAt.toISOString(),
          },
          ...(c
            ? [{ type: "conversation.changed" as const, conversationId: c.id, mode: c.mode, unreadCount: c.unreadCount, ...(c.lastMessageAt ? { lastMessageAt: c.lastMessageAt.toISOString() } : {}) }]
            : []),
        ]);
      }
      return result;
    },
    async storeReaction(channel, event) {
      const result = await store.storeReaction(channel, event);
      if (result.stored && result.conversationId && result.messageId !== undefined) {
        publish(channel.portfolioId, [
          {
            type: "message.created",
            conversationId: result.conversationId,
            messageId: result.messageId,
            direction: "in",
            author: "customer",
            kind: "reaction",
            text: event.emoji ?? "",
            status: "received",
            occurredAt: event.occurredAt.toISOString(),
          },
          ...(result.targetMessageId !== undefined
            ? [{ type: "message.updated" as const, conversationId: result.conversationId, messageId: result.targetMessageId, change: "reaction" as const }]
            : []),
        ]);
      }
      return result;
    },
    async storeEcho(channel, event, ourAppId) {
      const result = await store.storeEcho(channel, event, ourAppId);
      if (result.outcome === "person" && result.conversationId && result.messageId !== undefined) {
        publish(channel.portfolioId, [
          {
            type: "message.created",
            conversationId: result.conversationId,
            messageId: result.messageId,
            direction: "out",
            author: "business_app",
            kind: event.kind,
            text: event.text,
            status: "sent",
            occurredAt: event.occurredAt.toISOString(),
          },
          { type: "conversation.changed", conversationId: result.conversationId, mode: "manual" },
        ]);
      }
      return result;
    },
    async applyStatus(channel, event) {
      const result = await store.applyStatus(channel, event);
      publish(channel.portfolioId, statusEvents(result.changed));
      return result;
    },
    async applyWatermark(channel, event) {
      const changed = await store.applyWatermark(channel, event);
      publish(channel.portfolioId, statusEvents(changed));
      return changed;
    },
    async markDeleted(channel, event) {
      const deleted = await store.markDeleted(channel, event);
      publish(channel.portfolioId, deleted.map((d) => ({ type: "message.updated" as const, ...d, change: "deleted" as const })));
      return deleted;
    },
    touchChannel: (channelId, at) => store.touchChannel(channelId, at),
  };
}
