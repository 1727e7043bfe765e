import { and, eq, sql } from "drizzle-orm";
import type { DeliveryStatus, PlatformError } from "../core/events.js";
import type { DbOrTx } from "./client.js";
import { attentionForFailure } from "../core/replies/attention.js";
import { conversations, messages } from "./schema/index.js";

const order = sql.raw(`ARRAY['received','queued','sent','delivered','read']`);

/**
 * Moves one outbound message's status forward: never backwards, `failed` is final, times are kept
 * from the first report of each status, and an error once stored is never cleared.
 * A failure also flags the conversation for admins.
 * Returns false when no message with that platform id is stored (yet).
 */
export async function applyStatusToMessage(
  db: DbOrTx,
  channelId: string,
  platformMessageId: string,
  status: DeliveryStatus,
  at: Date,
  error?: PlatformError,
): Promise<boolean> {
  const failed = status === "failed";
  const ts = sql`${at.toISOString()}::timestamptz`;
  const rows = await db
    .update(messages)
    .set({
      status: sql`CASE
        WHEN ${messages.status} = 'failed' OR ${failed} THEN 'failed'
        WHEN array_position(${order}, ${status}::text) > array_position(${order}, ${messages.status}) THEN ${status}::text
        ELSE ${messages.status} END`,
      sentAt: status === "sent" ? sql`COALESCE(${messages.sentAt}, ${ts})` : undefined,
      deliveredAt: status === "delivered" || status === "read" ? sql`COALESCE(${messages.deliveredAt}, ${ts})` : undefined,
      readAt: status === "read" ? sql`COALESCE(${messages.readAt}, ${ts})` : undefined,
      failedAt: failed ? sql`COALESCE(${messages.failedAt}, ${ts})` : undefined,
      errorCode: error?.code,
      errorTitle: error?.title,
      errorDetail: error?.detail,
    })
    .where(and(eq(messages.channelId, channelId), eq(messages.platformMessageId, platformMessageId)))
    .returning({ conversationId: messages.conversationId });
  const [row] = rows;
  if (row && failed) {
    const attention = attentionForFailure(error ?? { code: "unknown", title: "delivery failed" });
    await db
      .update(conversations)
      .set({ attentionCode: attention.code, attentionReason: attention.reason, attentionAt: new Date() })
      .where(eq(conversations.id, row.conversationId));
  }
  return rows.length > 0;
}
