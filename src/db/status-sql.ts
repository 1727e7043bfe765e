import { and, eq, isNotNull, lte, type SQL, sql } from "drizzle-orm";
import type { DeliveryStatus, PlatformError } from "../core/events.js";
import type { StatusChange } from "../core/inbound/ports.js";
import { attentionForFailure } from "../core/replies/attention.js";
import type { DbOrTx } from "./client.js";
import { pgText } from "./pg-safe.js";
import { conversations, messages } from "./schema/index.js";

const order = sql.raw(`ARRAY['received','queued','sent','delivered','read']`);

/**
 * Moves outbound messages' status forward: never backwards, `failed` is final, each time is the
 * earliest reported, and an error once stored is never cleared.
 * A failure also flags the conversation for admins. Returns the messages touched, as they are now.
 */
async function moveStatusForward(db: DbOrTx, where: SQL, status: DeliveryStatus, at: Date, error?: PlatformError): Promise<StatusChange[]> {
  const failed = status === "failed";
  const ts = sql`${at.toISOString()}::timestamptz`;
  const rows = await db
    .update(messages)
    .set({
      status: sql`CASE
        WHEN ${messages.status} = 'failed' OR ${failed} THEN 'failed'
        WHEN array_position(${order}, ${status}::text) > array_position(${order}, ${messages.status}) THEN ${status}::text
        ELSE ${messages.status} END`,
      // Each time is the earliest report of it; a read implies delivery (Meta may skip "delivered").
      sentAt: status === "sent" ? sql`LEAST(${messages.sentAt}, ${ts})` : undefined,
      deliveredAt: status === "delivered" || status === "read" ? sql`LEAST(${messages.deliveredAt}, ${ts})` : undefined,
      readAt: status === "read" ? sql`LEAST(${messages.readAt}, ${ts})` : undefined,
      failedAt: failed ? sql`LEAST(${messages.failedAt}, ${ts})` : undefined,
      errorCode: pgText(error?.code),
      errorTitle: pgText(error?.title),
      errorDetail: pgText(error?.detail),
    })
    .where(where)
    .returning({
      conversationId: messages.conversationId,
      messageId: messages.id,
      status: messages.status,
      errorCode: messages.errorCode,
      errorTitle: messages.errorTitle,
      errorDetail: messages.errorDetail,
    });
  const touched = [...new Set(rows.map((r) => r.conversationId))];
  if (failed && touched.length) {
    const attention = attentionForFailure(error ?? { code: "unknown", title: "delivery failed" });
    for (const id of touched) {
      await db
        .update(conversations)
        .set({ attentionCode: attention.code, attentionReason: attention.reason, attentionAt: new Date() })
        .where(eq(conversations.id, id));
    }
  }
  return rows.map(({ errorCode, errorTitle, errorDetail, ...r }) => ({
    ...r,
    ...(errorCode ? { error: { code: errorCode, title: errorTitle, detail: errorDetail } } : {}),
  }));
}

/** One message by its platform id. Empty when no such message is stored (yet). */
export async function applyStatusToMessage(
  db: DbOrTx,
  channelId: string,
  platformMessageId: string,
  status: DeliveryStatus,
  at: Date,
  error?: PlatformError,
): Promise<StatusChange[]> {
  const where = and(eq(messages.channelId, channelId), eq(messages.platformMessageId, platformMessageId), eq(messages.direction, "out"))!;
  return moveStatusForward(db, where, status, at, error);
}

/**
 * Every message the business sent in a conversation up to `upTo` (Messenger's watermarks). The
 * watermark is also kept on the conversation, for replies whose platform id is stored only later.
 * Our messages are compared by when we stored them, which is before Meta stamped them.
 */
export async function applyWatermarkToConversation(
  db: DbOrTx,
  conversationId: string,
  status: "delivered" | "read",
  upTo: Date,
  at: Date,
): Promise<StatusChange[]> {
  const mark = sql`${upTo.toISOString()}::timestamptz`;
  await db
    .update(conversations)
    .set(
      status === "read"
        ? { readWatermark: sql`GREATEST(${conversations.readWatermark}, ${mark})` }
        : { deliveredWatermark: sql`GREATEST(${conversations.deliveredWatermark}, ${mark})` },
    )
    .where(eq(conversations.id, conversationId));
  return moveStatusForward(db, watermarked(eq(messages.conversationId, conversationId), status, upTo), status, at);
}

function watermarked(scope: SQL | undefined, status: "delivered" | "read", upTo: Date): SQL {
  return and(
    scope,
    eq(messages.direction, "out"),
    isNotNull(messages.platformMessageId),
    lte(messages.occurredAt, upTo),
    sql`array_position(${order}, ${messages.status}) < array_position(${order}, ${status}::text)`,
  )!;
}

/** A watermark that overtook the Send API's answer still applies once the platform id is stored. */
export async function applyKeptWatermarks(db: DbOrTx, conversationId: string, messageId: number): Promise<void> {
  const [marks] = await db
    .select({ delivered: conversations.deliveredWatermark, read: conversations.readWatermark })
    .from(conversations)
    .where(eq(conversations.id, conversationId));
  for (const [status, upTo] of [["delivered", marks?.delivered], ["read", marks?.read]] as const) {
    if (upTo) await moveStatusForward(db, watermarked(eq(messages.id, messageId), status, upTo), status, upTo);
  }
}
