import type { ConversationStore } from "../conversations/ports.js";
import type { LiveEvents } from "./ports.js";

/** The inbox's own writes (a person's reply, a mode switch), told to the live inbox after commit. */
export function withLiveConversationEvents(store: ConversationStore, live: LiveEvents): ConversationStore {
  return {
    window: (portfolioId, conversationId) => store.window(portfolioId, conversationId),
    async storePersonMessage(portfolioId, conversationId, message, refusal) {
      const stored = await store.storePersonMessage(portfolioId, conversationId, message, refusal);
      const at = new Date().toISOString();
      void live.publish(portfolioId, {
        type: "message.created",
        conversationId,
        messageId: stored.messageId,
        direction: "out",
        author: "member",
        kind: "text",
        text: message.text,
        status: refusal ? "failed" : "queued",
        occurredAt: at,
        ...(refusal ? { error: { code: refusal.code, title: refusal.title ?? null, detail: refusal.detail ?? null } } : {}),
      });
      // A refused message reached nobody and does not take the conversation over.
      void live.publish(portfolioId, { type: "conversation.changed", conversationId, ...(refusal ? {} : { mode: "manual" as const }), unreadCount: 0, lastMessageAt: at });
      return stored;
    },
    async setMode(portfolioId, conversationId, mode) {
      const result = await store.setMode(portfolioId, conversationId, mode);
      if (result) void live.publish(portfolioId, { type: "conversation.changed", conversationId, mode });
      return result;
    },
  };
}
