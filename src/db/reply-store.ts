import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { PlatformError } from "../core/events.js";
import type { ChannelCredentials } from "../core/ports.js";
import {
  type AttentionCode,
  type HistoryMessage,
  LostLease,
  type OutboundPart,
  type ReplyContext,
  type ReplyStore,
  type SentState,
} from "../core/replies/ports.js";
import type { SecretBox } from "../security/secret-box.js";
import type { Db } from "./client.js";
import { applyPendingStatuses } from "./inbound-store.js";
import { applyKeptWatermarks } from "./status-sql.js";
import { agents, channels, conversations, customers, messages, liveChannel, workItems } from "./schema/index.js";

/** Everything the reply worker reads and writes, always scoped to the conversation's portfolio. */
export class PgReplyStore implements ReplyStore {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  async loadContext(conversationId: string): Promise<ReplyContext | undefined> {
    const [row] = await this.db
      .select({ conversation: conversations, channel: channels, customer: customers, agent: agents })
      .from(conversations)
      .innerJoin(channels, eq(channels.id, conversations.channelId))
      .innerJoin(customers, eq(customers.id, conversations.customerId))
      .leftJoin(agents, eq(agents.portfolioId, conversations.portfolioId))
      .where(eq(conversations.id, conversationId));
    if (!row) return undefined;
    return {
      portfolioId: row.conversation.portfolioId,
      conversationId,
      mode: row.conversation.mode,
      lastInboundAt: row.conversation.lastInboundAt,
      channel: {
        id: row.channel.id,
        platform: row.channel.platform,
        externalId: row.channel.externalId,
        state: row.channel.state,
        credentials: this.box.openJson<ChannelCredentials>(row.channel.credentials),
      },
      customer: { platformUserId: row.customer.platformUserId, profileName: row.customer.profileName },
      agent: row.agent && {
        name: row.agent.name,
        instructions: row.agent.instructions,
        model: row.agent.model,
        enabled: row.agent.enabled,
        openaiApiKey: row.agent.openaiApiKey ? this.box.open(row.agent.openaiApiKey) : null,
      },
    };
  }

  private inConversation(ctx: ReplyContext) {
    return and(eq(messages.portfolioId, ctx.portfolioId), eq(messages.conversationId, ctx.conversationId));
  }

  async history(ctx: ReplyContext, limit: number): Promise<HistoryMessage[]> {
    const rows = await this.db
      .select({
        id: messages.id,
        direction: messages.direction,
        author: messages.author,
        kind: messages.kind,
        text: messages.text,
        status: messages.status,
        platformMessageId: messages.platformMessageId,
        replyToPlatformId: messages.replyToPlatformId,
        answersMessageId: messages.answersMessageId,
        replyContext: sql<string | null>`${messages.details}->>'replyContext'`,
        deleted: messages.deleted,
      })
      .from(messages)
      .where(this.inConversation(ctx))
      .orderBy(desc(messages.id))
      .limit(limit);
    return rows.reverse();
  }

  async currentMode(ctx: ReplyContext): Promise<"ai" | "manual"> {
    const [row] = await this.db
      .select({ mode: conversations.mode })
      .from(conversations)
      .where(and(eq(conversations.portfolioId, ctx.portfolioId), eq(conversations.id, ctx.conversationId)));
    return row?.mode ?? "manual";
  }

  async storeReplyParts(
    ctx: ReplyContext,
    parts: string[],
    job: { id: number; owner: string },
    answersMessageId: number,
  ): Promise<number[]> {
    return this.db.transaction(async (tx) => {
      const held = await tx
        .update(workItems)
        .set({ updatedAt: sql`now()` })
        .where(and(eq(workItems.id, job.id), eq(workItems.leaseOwner, job.owner), eq(workItems.state, "running")))
        .returning({ id: workItems.id });
      if (held.length === 0) throw new LostLease(job.id);
      const now = new Date();
      const rows = await tx
        .insert(messages)
        .values(
          parts.map((text) => ({
            portfolioId: ctx.portfolioId,
            conversationId: ctx.conversationId,
            channelId: ctx.channel.id,
            direction: "out" as const,
            author: "ai" as const,
            kind: "text" as const,
            text,
            status: "queued" as const,
            answersMessageId,
            occurredAt: now,
          })),
        )
        .returning({ id: messages.id });
      const ids = rows.map((r) => r.id);
      await tx.update(workItems).set({ progress: { partIds: ids } }).where(eq(workItems.id, job.id));
      await tx
        .update(conversations)
        .set({ lastMessageAt: sql`GREATEST(${conversations.lastMessageAt}, ${now.toISOString()}::timestamptz)` })
        .where(eq(conversations.id, ctx.conversationId));
      return ids;
    });
  }

  async parts(ctx: ReplyContext, ids: number[]): Promise<OutboundPart[]> {
    if (ids.length === 0) return [];
    const rows = await this.db
      .select({ id: messages.id, text: messages.text, status: messages.status, platformMessageId: messages.platformMessageId })
      .from(messages)
      .where(and(this.inConversation(ctx), inArray(messages.id, ids)))
      .orderBy(messages.id);
    return rows.map((r) => ({ ...r, text: r.text ?? "" }));
  }

  async queuedPersonMessages(ctx: ReplyContext): Promise<OutboundPart[]> {
    const rows = await this.db
      .select({ id: messages.id, text: messages.text, status: messages.status, platformMessageId: messages.platformMessageId })
      .from(messages)
      .where(and(this.inConversation(ctx), eq(messages.author, "member"), eq(messages.status, "queued")))
      .orderBy(messages.id);
    return rows.map((r) => ({ ...r, text: r.text ?? "" }));
  }

  async markSent(ctx: ReplyContext, messageId: number, platformMessageId: string): Promise<SentState> {
    return this.db.transaction(async (tx) => {
      await tx
        .update(messages)
        // Only queued becomes sent: a retried record after a committed first one (see deliver.ts)
        // must not move a delivered or read status back.
        .set({
          platformMessageId,
          status: sql`CASE WHEN ${messages.status} = 'queued' THEN 'sent' ELSE ${messages.status} END`,
          sentAt: sql`COALESCE(${messages.sentAt}, now())`,
        })
        .where(and(this.inConversation(ctx), eq(messages.id, messageId)));
      await applyPendingStatuses(tx, ctx.channel.id, [platformMessageId]);
      await applyKeptWatermarks(tx, ctx.conversationId, messageId);
      const [now] = await tx
        .select({ status: messages.status, code: messages.errorCode, title: messages.errorTitle, detail: messages.errorDetail })
        .from(messages)
        .where(eq(messages.id, messageId));
      const status = (now?.status ?? "sent") as SentState["status"];
      return now?.code ? { status, error: { code: now.code, title: now.title, detail: now.detail } } : { status };
    });
  }

  async markFailed(ctx: ReplyContext, messageIds: number[], error: PlatformError): Promise<void> {
    if (messageIds.length === 0) return;
    await this.db
      .update(messages)
      .set({ status: "failed", failedAt: new Date(), errorCode: error.code, errorTitle: error.title ?? null, errorDetail: error.detail ?? null })
      .where(and(this.inConversation(ctx), inArray(messages.id, messageIds)));
  }

  async discardUnsent(ctx: ReplyContext, messageIds: number[]): Promise<void> {
    if (messageIds.length === 0) return;
    await this.db
      .delete(messages)
      .where(and(this.inConversation(ctx), inArray(messages.id, messageIds), eq(messages.status, "queued")));
  }

  async storeFailedReply(ctx: ReplyContext, error: PlatformError, text: string | null, answersMessageId?: number): Promise<number> {
    const now = new Date();
    const [row] = await this.db.insert(messages).values({
      portfolioId: ctx.portfolioId,
      conversationId: ctx.conversationId,
      channelId: ctx.channel.id,
      direction: "out",
      author: "ai",
      kind: "text",
      text,
      answersMessageId: answersMessageId ?? null,
      status: "failed",
      errorCode: error.code,
      errorTitle: error.title ?? null,
      errorDetail: error.detail ?? null,
      occurredAt: now,
      failedAt: now,
    }).returning({ id: messages.id });
    return row!.id;
  }

  async flag(ctx: ReplyContext, code: AttentionCode, reason: string): Promise<void> {
    await this.db
      .update(conversations)
      .set({ attentionCode: code, attentionReason: reason, attentionAt: new Date() })
      .where(and(eq(conversations.portfolioId, ctx.portfolioId), eq(conversations.id, ctx.conversationId)));
  }

  async setMode(ctx: ReplyContext, mode: "ai" | "manual"): Promise<void> {
    await this.db
      .update(conversations)
      .set({ mode })
      .where(and(eq(conversations.portfolioId, ctx.portfolioId), eq(conversations.id, ctx.conversationId)));
  }

  async channelNeedsReauth(ctx: ReplyContext, reason: string): Promise<void> {
    await this.db
      .update(channels)
      .set({ state: "needs_reauth", stateReason: reason })
      .where(and(eq(channels.portfolioId, ctx.portfolioId), eq(channels.id, ctx.channel.id), liveChannel));
  }
}
