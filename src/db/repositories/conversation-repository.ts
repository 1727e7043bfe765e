import { and, asc, desc, eq, getTableColumns, sql } from "drizzle-orm";
import type { Platform } from "../../core/events.js";
import type { DbOrTx } from "../client.js";
import { channels, conversations, customers, messages } from "../schema/index.js";

export type Conversation = typeof conversations.$inferSelect;
export type Customer = typeof customers.$inferSelect;
/** A stored message without the platform's raw payload, which is for debugging, not display. */
export type MessageView = Omit<typeof messages.$inferSelect, "raw">;

export interface ConversationListItem {
  id: string;
  channelId: string;
  platform: Platform;
  customer: { id: string; platformUserId: string; profileName: string | null };
  mode: Conversation["mode"];
  unreadCount: number;
  lastMessageAt: Date | null;
  lastInboundAt: Date | null;
  attentionCode: string | null;
  attentionReason: string | null;
}

export interface ConversationWithMessages {
  conversation: Conversation;
  customer: Customer;
  channel: { id: string; platform: Platform; externalId: string; displayName: string | null };
  /** Oldest first. */
  messages: MessageView[];
}

export const defaultConversationLimit = 50;
export const maxConversationLimit = 500;

/** Newest activity first; threads without any message yet come last. */
export async function listConversations(
  db: DbOrTx,
  portfolioId: string,
  options: { limit?: number } = {},
): Promise<ConversationListItem[]> {
  const limit = Math.min(Math.max(1, Math.trunc(options.limit ?? defaultConversationLimit)), maxConversationLimit);
  const rows = await db
    .select({ conversation: conversations, customer: customers, platform: channels.platform })
    .from(conversations)
    .innerJoin(customers, eq(customers.id, conversations.customerId))
    .innerJoin(channels, eq(channels.id, conversations.channelId))
    .where(eq(conversations.portfolioId, portfolioId))
    .orderBy(sql`${conversations.lastMessageAt} desc nulls last`, desc(conversations.createdAt), asc(conversations.id))
    .limit(limit);
  return rows.map(({ conversation: c, customer, platform }) => ({
    id: c.id,
    channelId: c.channelId,
    platform,
    customer: { id: customer.id, platformUserId: customer.platformUserId, profileName: customer.profileName },
    mode: c.mode,
    unreadCount: c.unreadCount,
    lastMessageAt: c.lastMessageAt,
    lastInboundAt: c.lastInboundAt,
    attentionCode: c.attentionCode,
    attentionReason: c.attentionReason,
  }));
}

/** Undefined when the conversation does not exist in this portfolio (another tenant's id included). */
export async function getConversationWithMessages(
  db: DbOrTx,
  portfolioId: string,
  conversationId: string,
): Promise<ConversationWithMessages | undefined> {
  const [head] = await db
    .select({
      conversation: conversations,
      customer: customers,
      channel: { id: channels.id, platform: channels.platform, externalId: channels.externalId, displayName: channels.displayName },
    })
    .from(conversations)
    .innerJoin(customers, eq(customers.id, conversations.customerId))
    .innerJoin(channels, eq(channels.id, conversations.channelId))
    .where(and(eq(conversations.portfolioId, portfolioId), eq(conversations.id, conversationId)));
  if (!head) return undefined;
  const { raw: _raw, ...columns } = getTableColumns(messages);
  const rows = await db
    .select(columns)
    .from(messages)
    .where(and(eq(messages.portfolioId, portfolioId), eq(messages.conversationId, conversationId)))
    .orderBy(asc(messages.id));
  return { ...head, messages: rows };
}
