import { and, asc, eq, inArray, isNotNull } from "drizzle-orm";
import type { CustomerRecord, CustomerRightsStore, ErasedRows } from "../../core/customers/ports.js";
import type { Db, DbOrTx } from "../client.js";
import { channels, conversations, customers, messages, notes, pendingStatuses, workItems } from "../schema/index.js";

/** Large `IN` lists are sent in slices: Postgres takes at most 65535 parameters per statement. */
const slice = 1000;
const slices = <T>(items: T[]): T[][] => Array.from({ length: Math.ceil(items.length / slice) }, (_, i) => items.slice(i * slice, (i + 1) * slice));

/** A customer's export and erasure; every query names the portfolio. */
export class PgCustomerRightsStore implements CustomerRightsStore {
  constructor(private readonly db: Db) {}

  async customerRecord(portfolioId: string, customerId: string): Promise<CustomerRecord | undefined> {
    return this.db.transaction(async (tx) => {
      const [found] = await tx
        .select({ customer: customers, channel: { id: channels.id, platform: channels.platform, externalId: channels.externalId, displayName: channels.displayName } })
        .from(customers)
        .innerJoin(channels, eq(channels.id, customers.channelId))
        .where(and(eq(customers.portfolioId, portfolioId), eq(customers.id, customerId)));
      if (!found) return undefined;
      const { customer, channel } = found;
      const noteRows = await tx
        .select()
        .from(notes)
        .where(and(eq(notes.portfolioId, portfolioId), eq(notes.customerId, customerId)))
        .orderBy(asc(notes.createdAt), asc(notes.id));
      const threads = await tx
        .select()
        .from(conversations)
        .where(and(eq(conversations.portfolioId, portfolioId), eq(conversations.customerId, customerId)))
        .orderBy(asc(conversations.createdAt));
      const messageRows = threads.length
        ? await tx
            .select()
            .from(messages)
            .where(and(eq(messages.portfolioId, portfolioId), inArray(messages.conversationId, threads.map((t) => t.id))))
            .orderBy(asc(messages.id))
        : [];
      const platformIds = messageRows.flatMap((m) => (m.platformMessageId ? [m.platformMessageId] : []));
      const pending = await pendingOf(tx, customer.channelId, platformIds);
      return {
        customer,
        channel,
        notes: noteRows,
        conversations: threads.map(({ portfolioId: _p, customerId: _c, ...thread }) => ({
          ...thread,
          messages: messageRows.filter((m) => m.conversationId === thread.id).map(({ portfolioId: _mp, conversationId: _mc, channelId: _ch, ...m }) => m),
        })),
        pendingStatuses: pending.map(({ platformMessageId, status, occurredAt, error, receivedAt }) => ({ platformMessageId, status, occurredAt, error, receivedAt })),
      };
    });
  }

  async eraseCustomer(portfolioId: string, customerId: string): Promise<ErasedRows | undefined> {
    return this.db.transaction(async (tx) => {
      // Locked, so a webhook for this customer waits and then finds them gone (it starts afresh).
      const [customer] = await tx
        .select({ id: customers.id, channelId: customers.channelId })
        .from(customers)
        .where(and(eq(customers.portfolioId, portfolioId), eq(customers.id, customerId)))
        .for("update");
      if (!customer) return undefined;
      const threads = await tx
        .select({ id: conversations.id })
        .from(conversations)
        .where(and(eq(conversations.portfolioId, portfolioId), eq(conversations.customerId, customerId)));
      const conversationIds = threads.map((t) => t.id);
      const platformMessageIds = conversationIds.length
        ? (
            await tx
              .select({ id: messages.platformMessageId })
              .from(messages)
              .where(and(eq(messages.portfolioId, portfolioId), inArray(messages.conversationId, conversationIds), isNotNull(messages.platformMessageId)))
          ).map((m) => m.id!)
        : [];

      let pendingCount = 0;
      for (const ids of slices(platformMessageIds)) {
        const gone = await tx
          .delete(pendingStatuses)
          .where(and(eq(pendingStatuses.channelId, customer.channelId), inArray(pendingStatuses.platformMessageId, ids)))
          .returning({ id: pendingStatuses.id });
        pendingCount += gone.length;
      }
      // Replies and sends are about the conversation, a profile look-up about the customer.
      const work = await tx
        .delete(workItems)
        .where(and(eq(workItems.portfolioId, portfolioId), inArray(workItems.subjectId, [customerId, ...conversationIds])))
        .returning({ id: workItems.id });
      const noteRows = await tx
        .delete(notes)
        .where(and(eq(notes.portfolioId, portfolioId), eq(notes.customerId, customerId)))
        .returning({ id: notes.id });
      const messageRows = conversationIds.length
        ? await tx
            .delete(messages)
            .where(and(eq(messages.portfolioId, portfolioId), inArray(messages.conversationId, conversationIds)))
            .returning({ id: messages.id })
        : [];
      const conversationRows = await tx
        .delete(conversations)
        .where(and(eq(conversations.portfolioId, portfolioId), eq(conversations.customerId, customerId)))
        .returning({ id: conversations.id });
      const customerRows = await tx
        .delete(customers)
        .where(and(eq(customers.portfolioId, portfolioId), eq(customers.id, customerId)))
        .returning({ id: customers.id });
      return {
        channelId: customer.channelId,
        conversationIds,
        platformMessageIds,
        counts: {
          customers: customerRows.length,
          conversations: conversationRows.length,
          messages: messageRows.length,
          notes: noteRows.length,
          workItems: work.length,
          pendingStatuses: pendingCount,
        },
      };
    });
  }
}

/** Statuses still waiting for one of these messages (normally none: they are applied when it is stored). */
async function pendingOf(tx: DbOrTx, channelId: string, platformMessageIds: string[]) {
  const rows: (typeof pendingStatuses.$inferSelect)[] = [];
  for (const ids of slices(platformMessageIds)) {
    rows.push(
      ...(await tx
        .select()
        .from(pendingStatuses)
        .where(and(eq(pendingStatuses.channelId, channelId), inArray(pendingStatuses.platformMessageId, ids)))
        .orderBy(asc(pendingStatuses.id))),
    );
  }
  return rows;
}
