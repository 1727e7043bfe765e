import { and, eq } from "drizzle-orm";
import type { ConversationStore, ConversationWindow } from "../core/conversations/ports.js";
import type { PlatformError } from "../core/events.js";
import type { Db } from "./client.js";
import { scheduleReply, scheduleWork } from "./inbound-rows.js";
import { channels, conversations, messages } from "./schema/index.js";

const noAttention = { attentionCode: null, attentionReason: null, attentionAt: null };

export class PgConversationStore implements ConversationStore {
  constructor(private readonly db: Db) {}

  private owned(portfolioId: string, conversationId: string) {
    return and(eq(conversations.portfolioId, portfolioId), eq(conversations.id, conversationId));
  }

  async window(portfolioId: string, conversationId: string): Promise<ConversationWindow | undefined> {
    const [row] = await this.db
      .select({ platform: channels.platform, channelState: channels.state, lastInboundAt: conversations.lastInboundAt })
      .from(conversations)
      .innerJoin(channels, eq(channels.id, conversations.channelId))
      .where(this.owned(portfolioId, conversationId));
    return row;
  }

  async storePersonMessage(
    portfolioId: string,
    conversationId: string,
    message: { text: string; memberId?: string },
    refusal?: PlatformError,
  ): Promise<{ messageId: number; sendDueAt?: Date }> {
    return this.db.transaction(async (tx) => {
      // A refused message reached nobody: it does not take the conversation over.
      const [conversation] = await tx
        .update(conversations)
        // A person answering has attended to whatever the conversation was flagged for.
        .set({ ...(refusal ? {} : { mode: "manual" as const, ...noAttention }), lastMessageAt: new Date(), unreadCount: 0 })
        .where(this.owned(portfolioId, conversationId))
        .returning({ channelId: conversations.channelId });
      if (!conversation) throw new Error(`conversation ${conversationId} vanished`);
      const now = new Date();
      const [row] = await tx
        .insert(messages)
        .values({
          portfolioId,
          conversationId,
          channelId: conversation.channelId,
          direction: "out",
          author: "member",
          authorMemberId: message.memberId ?? null,
          kind: "text",
          text: message.text,
          status: refusal ? "failed" : "queued",
          errorCode: refusal?.code ?? null,
          errorTitle: refusal?.title ?? null,
          errorDetail: refusal?.detail ?? null,
          failedAt: refusal ? now : null,
          occurredAt: now,
        })
        .returning({ id: messages.id });
      if (refusal) return { messageId: row!.id };
      await scheduleWork(tx, portfolioId, "send", conversationId);
      return { messageId: row!.id, sendDueAt: now };
    });
  }

  async setMode(portfolioId: string, conversationId: string, mode: "ai" | "manual"): Promise<{ replyDueAt?: Date } | undefined> {
    return this.db.transaction(async (tx) => {
      const rows = await tx
        .update(conversations)
        // Handing back to the AI settles a hand-off or failure flag; taking over keeps it in view.
        .set(mode === "ai" ? { mode, ...noAttention } : { mode })
        .where(this.owned(portfolioId, conversationId))
        .returning({ id: conversations.id });
      if (rows.length === 0) return undefined;
      // Handed back: whatever the customer wrote meanwhile is answered if the window allows.
      if (mode === "ai") return { replyDueAt: await scheduleReply(tx, portfolioId, conversationId, 0) };
      return {};
    });
  }
}
