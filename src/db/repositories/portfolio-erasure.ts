import { and, eq, ne, notInArray, or } from "drizzle-orm";
import type { SubscribedChannel } from "../../core/channels/ports.js";
import type { ChannelCredentials } from "../../core/ports.js";
import type { PortfolioDeletionStore } from "../../core/portfolios/delete-portfolio.js";
import type { SecretBox } from "../../security/secret-box.js";
import type { DbOrTx } from "../client.js";
import { channels, portfolios, sessions, workItems } from "../schema/index.js";

type ChannelRow = typeof channels.$inferSelect;

/** A connected channel with its token opened, for unsubscribing; undefined without a token (disconnected, unreadable). */
function subscribed(box: SecretBox, row: ChannelRow): SubscribedChannel | undefined {
  let credentials: ChannelCredentials;
  try {
    credentials = box.openJson<ChannelCredentials>(row.credentials);
  } catch {
    return undefined;
  }
  if (!credentials.accessToken) return undefined;
  return { channelId: row.id, platform: row.platform, externalId: row.externalId, accountId: row.accountId, credentials };
}

/** One channel of the portfolio before it is disconnected (its token is wiped by the disconnect). */
export async function subscribedChannel(db: DbOrTx, box: SecretBox, portfolioId: string, channelId: string): Promise<SubscribedChannel | undefined> {
  const [row] = await db.select().from(channels).where(and(eq(channels.portfolioId, portfolioId), eq(channels.id, channelId), ne(channels.state, "disabled")));
  return row && subscribed(box, row);
}

/**
 * Live channels on a Meta object other than `excluding`: a WABA is the account of its numbers, a
 * Page is a Messenger channel's own id and the account of an Instagram channel linked through it.
 */
export async function liveChannelsOn(db: DbOrTx, objectId: string, excluding: string[]): Promise<string[]> {
  const rows = await db
    .select({ id: channels.id })
    .from(channels)
    .where(
      and(
        ne(channels.state, "disabled"),
        or(eq(channels.accountId, objectId), eq(channels.externalId, objectId)),
        excluding.length ? notInArray(channels.id, excluding) : undefined,
      ),
    );
  return rows.map((r) => r.id);
}

/** The store `deletePortfolio` needs; every table that points to a portfolio cascades from it, but work items. */
export function portfolioDeletionStore(db: DbOrTx, box: SecretBox): PortfolioDeletionStore {
  return {
    async portfolioName(portfolioId) {
      const [row] = await db.select({ name: portfolios.name }).from(portfolios).where(eq(portfolios.id, portfolioId));
      return row?.name;
    },
    async erase(portfolioId) {
      return db.transaction(async (tx) => {
        // Locked first: a channel being connected to it meanwhile waits, then finds it gone.
        const [found] = await tx.select({ id: portfolios.id }).from(portfolios).where(eq(portfolios.id, portfolioId)).for("update");
        if (!found) return undefined;
        const rows = await tx.select().from(channels).where(eq(channels.portfolioId, portfolioId));
        const live = rows.filter((r) => r.state !== "disabled").map((r) => subscribed(box, r));
        // The organization plugin's "active portfolio" of a session is a plain column, not a foreign key.
        await tx.update(sessions).set({ activeOrganizationId: null }).where(eq(sessions.activeOrganizationId, portfolioId));
        await tx.delete(portfolios).where(eq(portfolios.id, portfolioId));
        await tx.delete(workItems).where(eq(workItems.portfolioId, portfolioId));
        return { ids: rows.map((r) => r.id), subscribed: live.filter((c): c is SubscribedChannel => c !== undefined) };
      });
    },
  };
}

