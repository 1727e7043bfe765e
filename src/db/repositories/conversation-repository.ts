import { and, asc, desc, eq, getTableColumns, gt, lt, type SQL, type SQLWrapper, sql } from "drizzle-orm";
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
  /** Text of the newest message that has any (a failed AI reply has none), for the inbox list. */
  lastMessageText: string | null;
  attentionCode: string | null;
  attentionReason: string | null;
}

export interface ConversationHead {
  conversation: Conversation;
  customer: Customer;
  channel: { id: string; platform: Platform; externalId: string; displayName: string | null };
}

export interface ConversationWithMessages extends ConversationHead {
  /** Oldest first. */
  messages: MessageView[];
}

export interface ConversationFilter {
  channelId?: string;
  mode?: Conversation["mode"];
  /** true: only threads with unread messages; false: only read ones. */
  unread?: boolean;
  /** Part of the customer's name or id, or of any message's text (case-insensitive). */
  q?: string;
  /** From `nextCursor` of the previous page. */
  cursor?: string;
  limit?: number;
}

export const defaultConversationLimit = 50;
export const maxConversationLimit = 500;

/**
 * The keyset of the list order: times as whole microseconds since 1970 (a JS Date would cut them
 * to milliseconds and pages would overlap or skip rows), then the id.
 */
type CursorKey = [sortAt: string, createdAt: string, id: string];
/** The sort time of a thread without any message yet: before everything, so it comes last. */
const noMessageYet = -(2n ** 63n) + 1n;

export function encodeConversationCursor(key: CursorKey): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

/** Undefined when the text is not a cursor this repository made. */
export function decodeConversationCursor(cursor: string): CursorKey | undefined {
  try {
    const key: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
    const micros = (v: unknown) => typeof v === "string" && /^-?\d{1,19}$/.test(v) && BigInt(v) >= noMessageYet && BigInt(v) < 2n ** 63n;
    if (Array.isArray(key) && key.length === 3 && micros(key[0]) && micros(key[1]) && typeof key[2] === "string" && key[2].length <= 100) {
      return key as CursorKey;
    }
  } catch {
    // not base64url JSON
  }
  return undefined;
}

const microsOf = (column: SQLWrapper) => sql`(extract(epoch from ${column}) * 1000000)::bigint`;
const sortAt = sql`coalesce(${microsOf(conversations.lastMessageAt)}, ${sql.raw(String(noMessageYet))})`;
const createdAt = microsOf(conversations.createdAt);

/** `%` and `_` in a search are literal characters, not wildcards. */
const containing = (q: string) => `%${q.replace(/[\\%_]/g, "\\$&")}%`;

function filterConditions(portfolioId: string, filter: ConversationFilter): SQL[] {
  const where: SQL[] = [eq(conversations.portfolioId, portfolioId)];
  if (filter.channelId) where.push(eq(conversations.channelId, filter.channelId));
  if (filter.mode) where.push(eq(conversations.mode, filter.mode));
  if (filter.unread === true) where.push(gt(conversations.unreadCount, 0));
  if (filter.unread === false) where.push(eq(conversations.unreadCount, 0));
  if (filter.q) {
    const pattern = containing(filter.q);
    where.push(sql`(${customers.profileName} ilike ${pattern} or ${customers.platformUserId} ilike ${pattern} or exists (
      select 1 from ${messages} where ${messages.conversationId} = ${conversations.id}
        and ${messages.portfolioId} = ${portfolioId} and not ${messages.deleted} and ${messages.text} ilike ${pattern}))`);
  }
  const key = filter.cursor ? decodeConversationCursor(filter.cursor) : undefined;
  if (filter.cursor && !key) throw new Error("invalid conversation cursor");
  if (key) where.push(sql`(${sortAt}, ${createdAt}, ${conversations.id}) < (${key[0]}::bigint, ${key[1]}::bigint, ${key[2]})`);
  return where;
}

/** One page of the portfolio's threads, newest activity first, and the cursor of the next page. */
export async function listConversationPage(
  db: DbOrTx,
  portfolioId: string,
  filter: ConversationFilter = {},
): Promise<{ conversations: ConversationListItem[]; nextCursor: string | null }> {
  const limit = Math.min(Math.max(1, Math.trunc(filter.limit ?? defaultConversationLimit)), maxConversationLimit);
  const rows = await db
    .select({
      conversation: conversations,
      customer: customers,
      platform: channels.platform,
      lastMessageText: sql<string | null>`(select ${messages.text} from ${messages} where ${messages.conversationId} = ${conversations.id} and not ${messages.deleted} and coalesce(${messages.text}, '') <> '' order by ${messages.id} desc limit 1)`,
      key: sql<CursorKey>`json_build_array(${sortAt}::text, ${createdAt}::text, ${conversations.id})`,
    })
    .from(conversations)
    .innerJoin(customers, eq(customers.id, conversations.customerId))
    .innerJoin(channels, eq(channels.id, conversations.channelId))
    .where(and(...filterConditions(portfolioId, filter)))
    .orderBy(desc(sortAt), desc(createdAt), desc(conversations.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const items = page.map(({ conversation: c, customer, platform, lastMessageText }) => ({
    id: c.id,
    channelId: c.channelId,
    platform,
    customer: { id: customer.id, platformUserId: customer.platformUserId, profileName: customer.profileName },
    mode: c.mode,
    unreadCount: c.unreadCount,
    lastMessageAt: c.lastMessageAt,
    lastInboundAt: c.lastInboundAt,
    lastMessageText,
    attentionCode: c.attentionCode,
    attentionReason: c.attentionReason,
  }));
  const key = last && (typeof last.key === "string" ? (JSON.parse(last.key) as CursorKey) : last.key);
  return { conversations: items, nextCursor: rows.length > limit && key ? encodeConversationCursor(key) : null };
}

/** Newest activity first; threads without any message yet come last. */
export async function listConversations(db: DbOrTx, portfolioId: string, options: { limit?: number } = {}): Promise<ConversationListItem[]> {
  return (await listConversationPage(db, portfolioId, { limit: options.limit })).conversations;
}

/** The thread with its customer and channel; undefined when not in this portfolio. */
export async function getConversationHead(db: DbOrTx, portfolioId: string, conversationId: string): Promise<ConversationHead | undefined> {
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
  return head;
}

const { raw: _raw, ...messageColumns } = getTableColumns(messages);

/** Undefined when the conversation does not exist in this portfolio (another tenant's id included). */
export async function getConversationWithMessages(
  db: DbOrTx,
  portfolioId: string,
  conversationId: string,
): Promise<ConversationWithMessages | undefined> {
  const head = await getConversationHead(db, portfolioId, conversationId);
  if (!head) return undefined;
  const rows = await db
    .select(messageColumns)
    .from(messages)
    .where(and(eq(messages.portfolioId, portfolioId), eq(messages.conversationId, conversationId)))
    .orderBy(asc(messages.id));
  return { ...head, messages: rows };
}

/**
 * One page of a thread's messages, newest first (storage order: platform times are only to the
 * second). `before` is a message id from the previous page's `nextCursor`.
 */
export async function listMessagePage(
  db: DbOrTx,
  portfolioId: string,
  conversationId: string,
  options: { before?: number; limit: number },
): Promise<{ messages: MessageView[]; nextCursor: string | null }> {
  const rows = await db
    .select(messageColumns)
    .from(messages)
    .where(
      and(
        eq(messages.portfolioId, portfolioId),
        eq(messages.conversationId, conversationId),
        options.before === undefined ? undefined : lt(messages.id, options.before),
      ),
    )
    .orderBy(desc(messages.id))
    .limit(options.limit + 1);
  const page = rows.slice(0, options.limit);
  return { messages: page, nextCursor: rows.length > options.limit ? String(page.at(-1)!.id) : null };
}

/** Sets the unread count to 0; false when the conversation is not in this portfolio. */
export async function markConversationRead(db: DbOrTx, portfolioId: string, conversationId: string): Promise<boolean> {
  const rows = await db
    .update(conversations)
    .set({ unreadCount: 0 })
    .where(and(eq(conversations.portfolioId, portfolioId), eq(conversations.id, conversationId)))
    .returning({ id: conversations.id });
  return rows.length > 0;
}

/** A customer with their channel's platform and their conversation; undefined when not in this portfolio. */
export async function findCustomer(db: DbOrTx, portfolioId: string, customerId: string) {
  const [row] = await db
    .select({ customer: customers, platform: channels.platform, conversationId: conversations.id })
    .from(customers)
    .innerJoin(channels, eq(channels.id, customers.channelId))
    .leftJoin(conversations, eq(conversations.customerId, customers.id))
    .where(and(eq(customers.portfolioId, portfolioId), eq(customers.id, customerId)));
  return row;
}
