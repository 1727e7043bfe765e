import { sql } from "drizzle-orm";
import type { Sender } from "../core/events.js";
import type { RoutedChannel } from "../core/inbound/ports.js";
import type { DbOrTx } from "./client.js";
import { pgText } from "./pg-safe.js";
import { conversations, customers, workItems } from "./schema/index.js";

/** The rows every inbound event touches: the customer, their conversation, the work it causes. */

/** A customer seen again: a name that comes replaces the old one, the times only move outward. */
export const customerSeenAgain = {
  profileName: sql`COALESCE(excluded.profile_name, ${customers.profileName})`,
  lastSeenAt: sql`GREATEST(excluded.last_seen_at, ${customers.lastSeenAt})`,
  firstSeenAt: sql`LEAST(excluded.first_seen_at, ${customers.firstSeenAt})`,
};

/** A conversation the customer wrote to again: the window reopens and one more is unread. */
export const conversationWrittenTo = {
  lastInboundAt: sql`GREATEST(${conversations.lastInboundAt}, excluded.last_inbound_at)`,
  lastMessageAt: sql`GREATEST(${conversations.lastMessageAt}, excluded.last_message_at)`,
  unreadCount: sql`${conversations.unreadCount} + 1`,
};

export async function upsertCustomer(
  tx: DbOrTx,
  channel: RoutedChannel,
  from: Sender,
  at: Date,
): Promise<{ id: string; isNew: boolean; profileName: string | null }> {
  const [row] = await tx
    .insert(customers)
    .values({
      portfolioId: channel.portfolioId,
      channelId: channel.id,
      platformUserId: pgText(from.platformUserId),
      profileName: pgText(from.profileName ?? null),
      firstSeenAt: at,
      lastSeenAt: at,
    })
    .onConflictDoUpdate({
      target: [customers.channelId, customers.platformUserId],
      set: customerSeenAgain,
    })
    // xmax is 0 only for a freshly inserted row: a new customer.
    .returning({ id: customers.id, isNew: sql<boolean>`(xmax = 0)`, profileName: customers.profileName });
  return row!;
}

export interface ConversationTouch {
  /** A customer message: opens the 24-hour window and counts as unread. */
  fromCustomer: boolean;
}

export async function upsertConversation(
  tx: DbOrTx,
  channel: RoutedChannel,
  customerId: string,
  at: Date,
  touch: ConversationTouch,
): Promise<{ id: string; mode: "ai" | "manual"; unreadCount: number; lastMessageAt: Date | null }> {
  const [row] = await tx
    .insert(conversations)
    .values({
      portfolioId: channel.portfolioId,
      channelId: channel.id,
      customerId,
      lastInboundAt: touch.fromCustomer ? at : null,
      lastMessageAt: at,
      unreadCount: touch.fromCustomer ? 1 : 0,
    })
    .onConflictDoUpdate({
      target: conversations.customerId,
      set: touch.fromCustomer ? conversationWrittenTo : { lastMessageAt: conversationWrittenTo.lastMessageAt },
    })
    .returning({ id: conversations.id, mode: conversations.mode, unreadCount: conversations.unreadCount, lastMessageAt: conversations.lastMessageAt });
  return row!;
}

/** A burst keeps pushing the reply later, but never more than this many quiet periods past the first message. */
const maxBurstDelayFactor = 5;

/** The waiting reply's new due time when another message comes: later, but within the bound. */
export const replyPushedBack = (quietMs: number) =>
  sql`GREATEST(${workItems.runAfter}, LEAST(excluded.run_after, ${workItems.createdAt} + ${quietMs * maxBurstDelayFactor} * interval '1 millisecond'))`;

/**
 * One waiting reply per conversation: a new message pushes it back to the end of the quiet period
 * (bounded), and never pulls a retry's backoff earlier.
 */
export async function scheduleReply(tx: DbOrTx, portfolioId: string, conversationId: string, quietMs: number): Promise<Date> {
  const [row] = await tx
    .insert(workItems)
    .values({ portfolioId, kind: "reply", subjectId: conversationId, runAfter: sql`now() + ${quietMs} * interval '1 millisecond'` })
    .onConflictDoUpdate({
      target: [workItems.kind, workItems.subjectId],
      targetWhere: sql`state = 'pending'`,
      set: {
        runAfter: replyPushedBack(quietMs),
        updatedAt: sql`now()`,
      },
    })
    .returning({ runAfter: workItems.runAfter });
  return row!.runAfter;
}

/** Work that needs no debouncing: at most one waiting item per subject. */
export async function scheduleWork(tx: DbOrTx, portfolioId: string, kind: "send" | "fetch_profile", subjectId: string): Promise<void> {
  await tx
    .insert(workItems)
    .values({ portfolioId, kind, subjectId })
    .onConflictDoNothing({ target: [workItems.kind, workItems.subjectId], where: sql`state = 'pending'` });
}
