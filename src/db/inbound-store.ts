import { and, eq, inArray, sql } from "drizzle-orm";
import type { InboundMessageEvent, MessageKind, ReactionEvent, Sender, StatusEvent } from "../core/events.js";
import type { InboundStore, RoutedChannel, StoredInbound } from "../core/inbound/ports.js";
import type { Db, DbOrTx } from "./client.js";
import { channels, conversations, customers, messages, pendingStatuses, workItems } from "./schema/index.js";
import { applyStatusToMessage } from "./status-sql.js";

/** Kinds the agent answers; reactions and system notices never start a turn. */
const replyingKinds = new Set<MessageKind>([
  "text", "image", "audio", "video", "document", "sticker", "location", "contacts", "interactive", "order", "unsupported",
]);

/** A burst keeps pushing the reply later, but never more than this past the first message. */
const maxBurstDelayFactor = 5;

class Duplicate extends Error {}

const iso = (d: Date) => sql`${d.toISOString()}::timestamptz`;

/** `last_webhook_at` is for people; writing it once a minute per channel is precise enough. */
const touchEveryMs = 60_000;

export class PgInboundStore implements InboundStore {
  private readonly touchedAt = new Map<string, number>();

  constructor(private readonly db: Db) {}

  async storeMessage(channel: RoutedChannel, event: InboundMessageEvent, replyAfterMs: number | null): Promise<StoredInbound> {
    try {
      return await this.db.transaction(async (tx) => {
        const customerId = await upsertCustomer(tx, channel, event.from, event.occurredAt);
        const conversation = await upsertConversation(tx, channel, customerId, event.occurredAt, true);
        const inserted = await tx
          .insert(messages)
          .values({
            portfolioId: channel.portfolioId,
            conversationId: conversation.id,
            channelId: channel.id,
            direction: "in",
            author: "customer",
            kind: event.kind,
            text: event.text,
            details: event.details ?? null,
            raw: event.raw as object,
            platformMessageId: event.platformMessageId,
            replyToPlatformId: event.replyToPlatformId ?? null,
            status: "received",
            occurredAt: event.occurredAt,
          })
          .onConflictDoNothing()
          .returning({ id: messages.id });
        if (inserted.length === 0) throw new Duplicate();
        const wantsReply = replyAfterMs !== null && conversation.mode === "ai" && replyingKinds.has(event.kind);
        const replyDueAt = wantsReply ? await scheduleReply(tx, channel.portfolioId, conversation.id, replyAfterMs) : undefined;
        return { stored: true, conversationId: conversation.id, replyDueAt };
      });
    } catch (error) {
      if (error instanceof Duplicate) return { stored: false };
      throw error;
    }
  }

  async storeReaction(channel: RoutedChannel, event: ReactionEvent): Promise<{ stored: boolean }> {
    try {
      return await this.db.transaction(async (tx) => {
        const customerId = await upsertCustomer(tx, channel, event.from, event.occurredAt);
        const conversation = await upsertConversation(tx, channel, customerId, event.occurredAt, false);
        const inserted = await tx
          .insert(messages)
          .values({
            portfolioId: channel.portfolioId,
            conversationId: conversation.id,
            channelId: channel.id,
            direction: "in",
            author: "customer",
            kind: "reaction",
            text: event.emoji ?? "",
            raw: event.raw as object,
            platformMessageId: event.platformMessageId,
            replyToPlatformId: event.targetPlatformMessageId,
            status: "received",
            occurredAt: event.occurredAt,
          })
          .onConflictDoNothing()
          .returning({ id: messages.id });
        if (inserted.length === 0) throw new Duplicate();
        await tx
          .update(messages)
          .set({ reaction: event.emoji })
          .where(and(eq(messages.channelId, channel.id), eq(messages.platformMessageId, event.targetPlatformMessageId)));
        return { stored: true };
      });
    } catch (error) {
      if (error instanceof Duplicate) return { stored: false };
      throw error;
    }
  }

  async applyStatus(channel: RoutedChannel, event: StatusEvent): Promise<"applied" | "pending"> {
    const apply = () =>
      applyStatusToMessage(this.db, channel.id, event.platformMessageId, event.status, event.occurredAt, event.error);
    if (await apply()) return "applied";
    const [pending] = await this.db
      .insert(pendingStatuses)
      .values({
        channelId: channel.id,
        platformMessageId: event.platformMessageId,
        status: event.status,
        occurredAt: event.occurredAt,
        error: event.error ?? null,
      })
      .returning({ id: pendingStatuses.id });
    // The sender may have stored the message between our miss and our insert: look once more.
    if (await apply()) {
      await this.db.delete(pendingStatuses).where(eq(pendingStatuses.id, pending!.id));
      return "applied";
    }
    return "pending";
  }

  async touchChannel(channelId: string, at: Date): Promise<void> {
    if (at.getTime() - (this.touchedAt.get(channelId) ?? 0) < touchEveryMs) return;
    this.touchedAt.set(channelId, at.getTime());
    await this.db.update(channels).set({ lastWebhookAt: at }).where(eq(channels.id, channelId));
  }
}

async function upsertCustomer(tx: DbOrTx, channel: RoutedChannel, from: Sender, at: Date): Promise<string> {
  const [row] = await tx
    .insert(customers)
    .values({
      portfolioId: channel.portfolioId,
      channelId: channel.id,
      platformUserId: from.platformUserId,
      profileName: from.profileName ?? null,
      firstSeenAt: at,
      lastSeenAt: at,
    })
    .onConflictDoUpdate({
      target: [customers.channelId, customers.platformUserId],
      set: {
        profileName: sql`COALESCE(excluded.profile_name, ${customers.profileName})`,
        lastSeenAt: sql`GREATEST(excluded.last_seen_at, ${customers.lastSeenAt})`,
        firstSeenAt: sql`LEAST(excluded.first_seen_at, ${customers.firstSeenAt})`,
      },
    })
    .returning({ id: customers.id });
  return row!.id;
}

async function upsertConversation(
  tx: DbOrTx,
  channel: RoutedChannel,
  customerId: string,
  at: Date,
  opensWindow: boolean,
): Promise<{ id: string; mode: "ai" | "manual" }> {
  const [row] = await tx
    .insert(conversations)
    .values({
      portfolioId: channel.portfolioId,
      channelId: channel.id,
      customerId,
      lastInboundAt: opensWindow ? at : null,
      lastMessageAt: at,
      unreadCount: 1,
    })
    .onConflictDoUpdate({
      target: conversations.customerId,
      set: {
        lastInboundAt: opensWindow ? sql`GREATEST(${conversations.lastInboundAt}, excluded.last_inbound_at)` : undefined,
        lastMessageAt: sql`GREATEST(${conversations.lastMessageAt}, excluded.last_message_at)`,
        unreadCount: sql`${conversations.unreadCount} + 1`,
      },
    })
    .returning({ id: conversations.id, mode: conversations.mode });
  return row!;
}

/**
 * One waiting reply per conversation: a new message pushes it back to the end of the quiet period
 * (bounded), and never pulls a retry's backoff earlier.
 */
async function scheduleReply(tx: DbOrTx, portfolioId: string, conversationId: string, quietMs: number): Promise<Date> {
  const [row] = await tx
    .insert(workItems)
    .values({ portfolioId, kind: "reply", subjectId: conversationId, runAfter: sql`now() + ${quietMs} * interval '1 millisecond'` })
    .onConflictDoUpdate({
      target: [workItems.kind, workItems.subjectId],
      targetWhere: sql`state = 'pending'`,
      set: {
        runAfter: sql`GREATEST(${workItems.runAfter}, LEAST(excluded.run_after, ${workItems.createdAt} + ${quietMs * maxBurstDelayFactor} * interval '1 millisecond'))`,
        updatedAt: sql`now()`,
      },
    })
    .returning({ runAfter: workItems.runAfter });
  return row!.runAfter;
}

/** Applies statuses that arrived before their message; called when a platform id is stored. */
export async function applyPendingStatuses(tx: DbOrTx, channelId: string, platformMessageIds: string[]): Promise<void> {
  if (platformMessageIds.length === 0) return;
  const pending = await tx
    .select()
    .from(pendingStatuses)
    .where(and(eq(pendingStatuses.channelId, channelId), inArray(pendingStatuses.platformMessageId, platformMessageIds)));
  for (const p of pending) {
    const error = (p.error ?? undefined) as StatusEvent["error"];
    await applyStatusToMessage(tx, channelId, p.platformMessageId, p.status as StatusEvent["status"], p.occurredAt, error);
  }
  if (pending.length) await tx.delete(pendingStatuses).where(inArray(pendingStatuses.id, pending.map((p) => p.id)));
}
