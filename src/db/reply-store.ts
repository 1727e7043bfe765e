import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { PlatformError } from "../core/events.js";
import type { ChannelCredentials } from "../core/ports.js";
import {
  type AttentionCode,
  type ConversationRef,
  type HistoryMessage,
  LostLease,
  type OutboundPart,
  type ReplyContext,
  type ReplyStore,
  type SentState,
} from "../core/replies/ports.js";
import type { SecretBox } from "../security/secret-box.js";
import { type Db, rowsOf } from "./client.js";
import { applyPendingStatuses } from "./inbound-store.js";
import { applyKeptWatermarks } from "./status-sql.js";
import { agents, channels, conversations, customers, messages, liveChannel } from "./schema/index.js";

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

  private inConversation(ctx: ConversationRef) {
    return and(eq(messages.portfolioId, ctx.portfolioId), eq(messages.conversationId, ctx.conversationId));
  }

  async history(ctx: ConversationRef, limit: number): Promise<HistoryMessage[]> {
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
    // One statement, so one round trip and atomic without a transaction around it.
    const result = await this.db.execute(sql`
      WITH held AS (
        SELECT id FROM work_item WHERE id = ${job.id} AND lease_owner = ${job.owner} AND state = 'running'
      ), in_ai_mode AS (
        SELECT id FROM conversation WHERE id = ${ctx.conversationId} AND portfolio_id = ${ctx.portfolioId} AND mode = 'ai'
      ), stored AS (
        INSERT INTO message (portfolio_id, conversation_id, channel_id, direction, author, kind, text, status, answers_message_id, occurred_at)
        SELECT ${ctx.portfolioId}, ${ctx.conversationId}, ${ctx.channel.id}, 'out', 'ai', 'text', part.text, 'queued', ${answersMessageId}, now()
        FROM held, in_ai_mode, jsonb_array_elements_text(${JSON.stringify(parts)}::jsonb) WITH ORDINALITY AS part(text, n)
        ORDER BY part.n
        RETURNING id
      ), progress AS (
        UPDATE work_item SET progress = jsonb_build_object('partIds', (SELECT jsonb_agg(id ORDER BY id) FROM stored)), updated_at = now()
        WHERE id IN (SELECT id FROM held) AND EXISTS (SELECT 1 FROM stored)
      ), touched AS (
        UPDATE conversation SET last_message_at = GREATEST(last_message_at, now())
        WHERE id IN (SELECT id FROM in_ai_mode) AND EXISTS (SELECT 1 FROM stored)
      )
      SELECT EXISTS (SELECT 1 FROM held) AS held, coalesce((SELECT jsonb_agg(id ORDER BY id) FROM stored), '[]'::jsonb) AS ids`);
    const [row] = rowsOf<{ held: boolean; ids: (number | string)[] | string }>(result);
    if (!row?.held) throw new LostLease(job.id);
    const ids = typeof row.ids === "string" ? (JSON.parse(row.ids) as (number | string)[]) : row.ids;
    return ids.map(Number);
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
    // Usually nothing overtook the send: one statement records it. A status that arrived before its
    // id was stored, or a Messenger watermark kept on the conversation, takes the full path.
    const result = await this.db.execute(sql`
      WITH sent AS (${this.recordSent(ctx, messageId, platformMessageId)})
      SELECT sent.status, sent.error_code, sent.error_title, sent.error_detail,
        EXISTS (SELECT 1 FROM pending_status WHERE channel_id = ${ctx.channel.id} AND platform_message_id = ${platformMessageId})
          OR EXISTS (SELECT 1 FROM conversation WHERE id = ${ctx.conversationId} AND (delivered_watermark IS NOT NULL OR read_watermark IS NOT NULL))
          AS overtaken
      FROM sent`);
    const [row] = rowsOf<{ status: string; error_code: string | null; error_title: string | null; error_detail: string | null; overtaken: boolean }>(result);
    if (row && !row.overtaken) return sentState(row.status, row.error_code, row.error_title, row.error_detail);
    return this.markSentApplyingOvertaken(ctx, messageId, platformMessageId);
  }

  /** Only queued becomes sent: a retried record after a committed first one (see deliver.ts) must not move a delivered or read status back. */
  private recordSent(ctx: ReplyContext, messageId: number, platformMessageId: string) {
    return sql`UPDATE message SET platform_message_id = ${platformMessageId},
        status = CASE WHEN status = 'queued' THEN 'sent' ELSE status END,
        sent_at = COALESCE(sent_at, now())
      WHERE portfolio_id = ${ctx.portfolioId} AND conversation_id = ${ctx.conversationId} AND id = ${messageId}
      RETURNING status, error_code, error_title, error_detail`;
  }

  private async markSentApplyingOvertaken(ctx: ReplyContext, messageId: number, platformMessageId: string): Promise<SentState> {
    return this.db.transaction(async (tx) => {
      await tx.execute(this.recordSent(ctx, messageId, platformMessageId));
      await applyPendingStatuses(tx, ctx.channel.id, [platformMessageId]);
      await applyKeptWatermarks(tx, ctx.conversationId, messageId);
      const [now] = await tx
        .select({ status: messages.status, code: messages.errorCode, title: messages.errorTitle, detail: messages.errorDetail })
        .from(messages)
        .where(eq(messages.id, messageId));
      return sentState(now?.status ?? "sent", now?.code ?? null, now?.title ?? null, now?.detail ?? null);
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

function sentState(status: string, code: string | null, title: string | null, detail: string | null): SentState {
  const state = status as SentState["status"];
  return code ? { status: state, error: { code, title, detail } } : { status: state };
}
