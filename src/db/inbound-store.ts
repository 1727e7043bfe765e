import { and, eq, inArray, isNull } from "drizzle-orm";
import type { DeleteEvent, EchoEvent, InboundMessageEvent, MessageKind, ReactionEvent, StatusEvent, WatermarkEvent } from "../core/events.js";
import { ChannelGone, type InboundStore, type RoutedChannel, type StatusChange, type StoredEcho, type StoredInbound } from "../core/inbound/ports.js";
import { isDuplicateDelivery, isForeignKeyViolation } from "./pg-errors.js";
import type { Db, DbOrTx, Tx } from "./client.js";
import { type InsertedMessage, insertInboundMessage } from "./inbound-message-sql.js";
import { scheduleWork, upsertConversation, upsertCustomer } from "./inbound-rows.js";
import { pgJson, pgSafe } from "./pg-safe.js";
import { channels, conversations, customers, messages, pendingStatuses } from "./schema/index.js";
import { applyStatusToMessage, applyWatermarkToConversation } from "./status-sql.js";

/** Kinds the agent answers; reactions and system notices never start a turn. */
const replyingKinds = new Set<MessageKind>([
  "text", "image", "audio", "video", "document", "sticker", "location", "contacts", "interactive", "order", "share", "unsupported",
]);

/** `last_webhook_at` is for people; writing it once a minute per channel is precise enough. */
const touchEveryMs = 60_000;

class Duplicate extends Error {}

/**
 * Runs `store` in a transaction; a Duplicate thrown inside rolls it back and reports it. A foreign
 * key violation means the channel was deleted after routing found it (portfolio deletion, or
 * another process's routing cache): that is ChannelGone, not a failure to make Meta retry.
 */
async function unlessDuplicate<T>(db: Db, store: (tx: Tx) => Promise<T>): Promise<T | "duplicate"> {
  try {
    return await db.transaction(store);
  } catch (error) {
    if (error instanceof Duplicate) return "duplicate";
    if (isForeignKeyViolation(error)) throw new ChannelGone();
    throw error;
  }
}

export class PgInboundStore implements InboundStore {
  private readonly touchedAt = new Map<string, number>();

  constructor(private readonly db: Db) {}

  async storeMessage(channel: RoutedChannel, event: InboundMessageEvent, replyAfterMs: number | null): Promise<StoredInbound> {
    event = pgSafe(event);
    const wanted = replyAfterMs !== null && !event.standby && replyingKinds.has(event.kind);
    let stored: InsertedMessage;
    try {
      stored = await insertInboundMessage(this.db, channel, event, { wanted, quietMs: replyAfterMs ?? 0 });
    } catch (error) {
      if (isDuplicateDelivery(error)) return { stored: false, workDueAt: [] };
      if (isForeignKeyViolation(error)) throw new ChannelGone();
      throw error;
    }
    const workDueAt: Date[] = [];
    if (stored.replyDueAt) workDueAt.push(stored.replyDueAt);
    if (stored.profileLookup) workDueAt.push(new Date());
    const { conversation } = stored;
    return { stored: true, conversationId: conversation.id, messageId: stored.messageId, conversation, workDueAt };
  }

  async storeReaction(channel: RoutedChannel, event: ReactionEvent) {
    event = pgSafe(event);
    const result = await unlessDuplicate(this.db, async (tx) => {
      const customer = await upsertCustomer(tx, channel, event.from, event.occurredAt);
      await lookUpProfileOfNew(tx, channel, customer);
      const conversation = await upsertConversation(tx, channel, customer.id, event.occurredAt, { fromCustomer: false });
      const messageId = await insertOnce(tx, channel, conversation.id, {
        direction: "in",
        author: "customer",
        kind: "reaction",
        text: event.emoji ?? "",
        raw: pgJson(event.raw),
        platformMessageId: event.platformMessageId,
        replyToPlatformId: event.targetPlatformMessageId,
        status: "received",
        occurredAt: event.occurredAt,
      });
      const [target] = await tx
        .update(messages)
        .set({ reaction: event.emoji })
        .where(and(eq(messages.channelId, channel.id), eq(messages.platformMessageId, event.targetPlatformMessageId)))
        .returning({ id: messages.id });
      return { stored: true, conversationId: conversation.id, messageId, targetMessageId: target?.id };
    });
    return result === "duplicate" ? { stored: false } : result;
  }

  async storeEcho(channel: RoutedChannel, event: EchoEvent, ourAppId: string | undefined): Promise<StoredEcho> {
    event = pgSafe(event);
    const result = await unlessDuplicate(this.db, async (tx): Promise<StoredEcho> => {
      const known = await tx
        .select({ id: messages.id })
        .from(messages)
        .where(and(eq(messages.channelId, channel.id), eq(messages.platformMessageId, event.platformMessageId)));
      if (known.length) return { outcome: "ours" };
      if (ourAppId && event.appId === ourAppId) return { outcome: "ours" };
      const customer = await upsertCustomer(tx, channel, event.customer, event.occurredAt);
      await lookUpProfileOfNew(tx, channel, customer);
      const conversation = await upsertConversation(tx, channel, customer.id, event.occurredAt, { fromCustomer: false });
      // Our own send can echo back before we stored its id: a queued reply with the same text is ours.
      const queued = await tx
        .select({ id: messages.id })
        .from(messages)
        .where(
          and(
            eq(messages.conversationId, conversation.id),
            eq(messages.direction, "out"),
            eq(messages.status, "queued"),
            isNull(messages.platformMessageId),
            eq(messages.text, event.text),
          ),
        );
      if (queued.length) return { outcome: "ours" };
      const messageId = await insertOnce(tx, channel, conversation.id, {
        direction: "out",
        author: "business_app",
        kind: event.kind,
        text: event.text,
        details: pgJson({ ...event.details, appId: event.appId ?? null }),
        raw: pgJson(event.raw),
        platformMessageId: event.platformMessageId,
        status: "sent",
        occurredAt: event.occurredAt,
        sentAt: event.occurredAt,
      });
      await tx.update(conversations).set({ mode: "manual" }).where(eq(conversations.id, conversation.id));
      return { outcome: "person", conversationId: conversation.id, messageId };
    });
    return result === "duplicate" ? { outcome: "duplicate" } : result;
  }

  async applyStatus(channel: RoutedChannel, event: StatusEvent): Promise<{ outcome: "applied" | "pending"; changed: StatusChange[] }> {
    event = pgSafe(event);
    const apply = () =>
      applyStatusToMessage(this.db, channel.id, event.platformMessageId, event.status, event.occurredAt, event.error);
    const changed = await apply();
    if (changed.length) return { outcome: "applied", changed };
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
    const late = await apply();
    if (late.length) {
      await this.db.delete(pendingStatuses).where(eq(pendingStatuses.id, pending!.id));
      return { outcome: "applied", changed: late };
    }
    return { outcome: "pending", changed: [] };
  }

  async applyWatermark(channel: RoutedChannel, event: WatermarkEvent): Promise<StatusChange[]> {
    event = pgSafe(event);
    const [conversation] = await this.db
      .select({ id: conversations.id })
      .from(conversations)
      .innerJoin(customers, eq(customers.id, conversations.customerId))
      .where(and(eq(customers.channelId, channel.id), eq(customers.platformUserId, event.customerPlatformUserId)));
    if (!conversation) return [];
    return applyWatermarkToConversation(this.db, conversation.id, event.status, event.upTo, event.occurredAt);
  }

  async markDeleted(channel: RoutedChannel, event: DeleteEvent): Promise<{ conversationId: string; messageId: number }[]> {
    event = pgSafe(event);
    return this.db
      .update(messages)
      .set({ deleted: true })
      .where(and(eq(messages.channelId, channel.id), eq(messages.platformMessageId, event.platformMessageId), eq(messages.direction, "in")))
      .returning({ conversationId: messages.conversationId, messageId: messages.id });
  }

  async touchChannel(channelId: string, at: Date): Promise<void> {
    if (at.getTime() - (this.touchedAt.get(channelId) ?? 0) < touchEveryMs) return;
    this.touchedAt.set(channelId, at.getTime());
    await this.db.update(channels).set({ lastWebhookAt: at }).where(eq(channels.id, channelId));
  }
}

type MessageFields = Omit<typeof messages.$inferInsert, "portfolioId" | "channelId" | "conversationId">;

/** Inserts a platform message unless its (channel, platform id) is already stored: then Duplicate. Returns its id. */
async function insertOnce(tx: Tx, channel: RoutedChannel, conversationId: string, fields: MessageFields): Promise<number> {
  const inserted = await tx
    .insert(messages)
    .values({ ...fields, portfolioId: channel.portfolioId, channelId: channel.id, conversationId })
    .onConflictDoNothing()
    .returning({ id: messages.id });
  if (inserted.length === 0) throw new Duplicate();
  return inserted[0]!.id;
}

/** A customer met for the first time without a name: look the name up once (Messenger, Instagram). */
async function lookUpProfileOfNew(tx: Tx, channel: RoutedChannel, customer: { id: string; isNew: boolean; profileName: string | null }): Promise<boolean> {
  if (!customer.isNew || customer.profileName) return false;
  await scheduleWork(tx, channel.portfolioId, "fetch_profile", customer.id);
  return true;
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
