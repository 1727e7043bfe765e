import { sql } from "drizzle-orm";
import type { InboundMessageEvent } from "../core/events.js";
import type { ConversationSnapshot, RoutedChannel } from "../core/inbound/ports.js";
import { type Db, rowsOf } from "./client.js";
import { conversationWrittenTo, customerSeenAgain, replyPushedBack } from "./inbound-rows.js";
import { pgJson } from "./pg-safe.js";

export interface InsertedMessage {
  messageId: number;
  conversation: ConversationSnapshot;
  /** When the reply falls due; null when none was scheduled (manual mode, not wanted). */
  replyDueAt: Date | null;
  /** A new customer without a name: their profile is to be looked up. */
  profileLookup: boolean;
}

const jsonb = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(pgJson(value)));

/**
 * The customer, their conversation, the message and the work it causes, in one statement: one
 * round trip, atomic without a transaction, and free to share a connection with other requests'
 * statements. The conflict rules are inbound-rows.ts' own, which the other event kinds use. The
 * event's strings are storable already (the store applied pgSafe); jsonb is still cut to depth.
 *
 * A message already stored (same channel and platform id) aborts the statement, undoing the rest,
 * with the error `isDuplicateDelivery` recognises.
 */
export async function insertInboundMessage(
  db: Db,
  channel: RoutedChannel,
  event: InboundMessageEvent,
  reply: { wanted: boolean; quietMs: number },
): Promise<InsertedMessage> {
  const at = sql`${event.occurredAt.toISOString()}::timestamptz`;
  const details = event.replyContext ? { ...event.details, replyContext: event.replyContext } : event.details;
  const result = await db.execute(sql`
    WITH customer_row AS (
      INSERT INTO customer (portfolio_id, channel_id, platform_user_id, profile_name, first_seen_at, last_seen_at)
      VALUES (${channel.portfolioId}, ${channel.id}, ${event.from.platformUserId}, ${event.from.profileName ?? null}, ${at}, ${at})
      ON CONFLICT (channel_id, platform_user_id) DO UPDATE SET
        profile_name = ${customerSeenAgain.profileName},
        last_seen_at = ${customerSeenAgain.lastSeenAt},
        first_seen_at = ${customerSeenAgain.firstSeenAt}
      -- xmax is 0 only for a freshly inserted row: a new customer.
      RETURNING id, (xmax = 0) AS is_new, profile_name
    ), conversation_row AS (
      INSERT INTO conversation (portfolio_id, channel_id, customer_id, last_inbound_at, last_message_at, unread_count)
      SELECT ${channel.portfolioId}, ${channel.id}, customer_row.id, ${at}, ${at}, 1 FROM customer_row
      ON CONFLICT (customer_id) DO UPDATE SET
        last_inbound_at = ${conversationWrittenTo.lastInboundAt},
        last_message_at = ${conversationWrittenTo.lastMessageAt},
        unread_count = ${conversationWrittenTo.unreadCount}
      RETURNING id, mode, unread_count, last_message_at
    ), message_row AS (
      INSERT INTO message (portfolio_id, channel_id, conversation_id, direction, author, kind, text, details, raw,
        platform_message_id, reply_to_platform_id, status, occurred_at)
      SELECT ${channel.portfolioId}, ${channel.id}, conversation_row.id, 'in', 'customer', ${event.kind}, ${event.text},
        ${jsonb(details)}::jsonb, ${jsonb(event.raw)}::jsonb, ${event.platformMessageId}, ${event.replyToPlatformId ?? null},
        'received', ${at}
      FROM conversation_row
      ON CONFLICT DO NOTHING
      RETURNING id
    ), reply_row AS (
      INSERT INTO work_item (portfolio_id, kind, subject_id, run_after)
      SELECT ${channel.portfolioId}, 'reply', conversation_row.id, now() + ${reply.quietMs} * interval '1 millisecond'
      FROM conversation_row, message_row
      WHERE conversation_row.mode = 'ai' AND ${reply.wanted}::boolean
      ON CONFLICT (kind, subject_id) WHERE state = 'pending' DO UPDATE SET
        run_after = ${replyPushedBack(reply.quietMs)},
        updated_at = now()
      RETURNING run_after
    ), profile_row AS (
      INSERT INTO work_item (portfolio_id, kind, subject_id)
      SELECT ${channel.portfolioId}, 'fetch_profile', customer_row.id FROM customer_row, message_row
      WHERE customer_row.is_new AND customer_row.profile_name IS NULL
      ON CONFLICT (kind, subject_id) WHERE state = 'pending' DO NOTHING
      RETURNING id
    )
    SELECT conversation_row.id, conversation_row.mode, conversation_row.unread_count, conversation_row.last_message_at,
      (SELECT id FROM message_row) AS message_id,
      (SELECT run_after FROM reply_row) AS reply_due_at,
      EXISTS (SELECT 1 FROM profile_row) AS profile_lookup,
      CASE WHEN NOT EXISTS (SELECT 1 FROM message_row) THEN cosbot_duplicate_delivery(${event.platformMessageId}) END AS duplicate
    FROM conversation_row`);
  const [row] = rowsOf<{
    id: string;
    mode: "ai" | "manual";
    unread_count: number | string;
    last_message_at: Date | string | null;
    message_id: number | string;
    reply_due_at: Date | string | null;
    profile_lookup: boolean;
  }>(result);
  if (!row) throw new Error("storing an inbound message returned no conversation");
  return {
    messageId: Number(row.message_id),
    conversation: {
      id: row.id,
      mode: row.mode,
      unreadCount: Number(row.unread_count),
      lastMessageAt: row.last_message_at === null ? null : new Date(row.last_message_at),
    },
    replyDueAt: row.reply_due_at === null ? null : new Date(row.reply_due_at),
    profileLookup: row.profile_lookup,
  };
}
