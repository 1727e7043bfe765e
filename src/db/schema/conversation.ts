import { sql } from "drizzle-orm";
import { bigint, boolean, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { channels } from "./channel.js";
import { portfolios } from "./portfolio.js";

const tz = (name: string) => timestamp(name, { withTimezone: true });

/** A person writing to a channel, keyed by the platform's user id (wa_id, PSID, IGSID). */
export const customers = pgTable(
  "customer",
  {
    id: text("id").primaryKey().default(sql`gen_random_uuid()::text`),
    portfolioId: text("portfolio_id").notNull().references(() => portfolios.id, { onDelete: "cascade" }),
    channelId: text("channel_id").notNull().references(() => channels.id, { onDelete: "cascade" }),
    platformUserId: text("platform_user_id").notNull(),
    profileName: text("profile_name"),
    firstSeenAt: tz("first_seen_at").notNull(),
    lastSeenAt: tz("last_seen_at").notNull(),
  },
  (t) => [uniqueIndex("customer_channel_user_uq").on(t.channelId, t.platformUserId), index("customer_portfolio_idx").on(t.portfolioId)],
);

export const conversationModes = ["ai", "manual"] as const;

/** One thread per customer per channel. */
export const conversations = pgTable(
  "conversation",
  {
    id: text("id").primaryKey().default(sql`gen_random_uuid()::text`),
    portfolioId: text("portfolio_id").notNull().references(() => portfolios.id, { onDelete: "cascade" }),
    channelId: text("channel_id").notNull().references(() => channels.id, { onDelete: "cascade" }),
    customerId: text("customer_id").notNull().references(() => customers.id, { onDelete: "cascade" }),
    mode: text("mode", { enum: conversationModes }).notNull().default("ai"),
    /** Platform time of the customer's newest message: opens the 24-hour window. */
    lastInboundAt: tz("last_inbound_at"),
    lastMessageAt: tz("last_message_at"),
    unreadCount: integer("unread_count").notNull().default(0),
    /** Messenger's latest delivery and read watermarks, kept for replies whose id is stored later. */
    deliveredWatermark: tz("delivered_watermark"),
    readWatermark: tz("read_watermark"),
    /** Why admins should look at this thread (handoff, failed send, closed window); null when fine. */
    attentionCode: text("attention_code"),
    attentionReason: text("attention_reason"),
    attentionAt: tz("attention_at"),
    createdAt: tz("created_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("conversation_customer_uq").on(t.customerId),
    index("conversation_portfolio_recent_idx").on(t.portfolioId, t.lastMessageAt),
  ],
);

export const messageDirections = ["in", "out"] as const;
export const messageAuthors = ["customer", "ai", "member", "business_app"] as const;
export const messageKinds = [
  "text", "image", "audio", "video", "document", "sticker", "location", "contacts",
  "reaction", "interactive", "order", "system", "share", "unsupported",
] as const;
export const messageStatuses = ["received", "queued", "sent", "delivered", "read", "failed"] as const;

export const messages = pgTable(
  "message",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    // Only the conversation is a foreign key: through it a message goes with its channel and
    // portfolio. Keys on those too would lock the same two hot rows for every message stored.
    portfolioId: text("portfolio_id").notNull(),
    conversationId: text("conversation_id").notNull().references(() => conversations.id, { onDelete: "cascade" }),
    channelId: text("channel_id").notNull(),
    direction: text("direction", { enum: messageDirections }).notNull(),
    author: text("author", { enum: messageAuthors }).notNull(),
    authorMemberId: text("author_member_id"),
    kind: text("kind", { enum: messageKinds }).notNull(),
    /** Body, caption or a readable placeholder; never the string "undefined". */
    text: text("text"),
    /** Kind-specific details: media ids and mime types, location, contacts, interactive ids. */
    details: jsonb("details"),
    /** The platform's message object as received, for kinds we do not fully model. */
    raw: jsonb("raw"),
    platformMessageId: text("platform_message_id"),
    replyToPlatformId: text("reply_to_platform_id"),
    /** For an AI reply: the newest customer message it was written for (orders history, marks it answered). */
    answersMessageId: bigint("answers_message_id", { mode: "number" }),
    /** The customer's current reaction to this message, if any. */
    reaction: text("reaction"),
    status: text("status", { enum: messageStatuses }).notNull(),
    errorCode: text("error_code"),
    errorTitle: text("error_title"),
    errorDetail: text("error_detail"),
    /**
     * Platform time for inbound messages, our time for outbound ones. Only to the second for
     * WhatsApp, so the order of a thread is the order of storage (`id`), not this.
     */
    occurredAt: tz("occurred_at").notNull(),
    sentAt: tz("sent_at"),
    deliveredAt: tz("delivered_at"),
    readAt: tz("read_at"),
    failedAt: tz("failed_at"),
    deleted: boolean("deleted").notNull().default(false),
    createdAt: tz("created_at").notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("message_channel_platform_id_uq").on(t.channelId, t.platformMessageId),
    index("message_conversation_idx").on(t.conversationId, t.id),
  ],
);

/** A delivery status whose message is not stored yet; applied when it appears, dropped after a week. */
export const pendingStatuses = pgTable(
  "pending_status",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    channelId: text("channel_id").notNull().references(() => channels.id, { onDelete: "cascade" }),
    platformMessageId: text("platform_message_id").notNull(),
    status: text("status", { enum: messageStatuses }).notNull(),
    occurredAt: tz("occurred_at").notNull(),
    error: jsonb("error"),
    receivedAt: tz("received_at").notNull().defaultNow(),
  },
  (t) => [index("pending_status_lookup_idx").on(t.channelId, t.platformMessageId)],
);
