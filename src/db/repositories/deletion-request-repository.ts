import { and, eq, isNotNull, ne } from "drizzle-orm";
import type { DeletionRequestStore, MetaUserChannels } from "../../core/lifecycle/ports.js";
import type { DbOrTx } from "../client.js";
import { channels, deletionRequests } from "../schema/index.js";

/** Meta data-deletion requests; they name no portfolio, so they survive (and never block) its deletion. */
export function deletionRequestStore(db: DbOrTx): DeletionRequestStore {
  return {
    async create({ confirmationCode, platformUserId, receivedAt }) {
      await db.insert(deletionRequests).values({ confirmationCode, platformUserId, receivedAt, state: "received" });
    },
    async complete(confirmationCode, removed, at) {
      // Once done, the request itself forgets who asked: the code and counts suffice for the status
      // page. A failed one keeps the id, so that it can be completed by hand.
      await db
        .update(deletionRequests)
        .set({ state: "completed", platformUserId: "", channelsDisabled: removed.channelsDisabled, userIdsRemoved: removed.userIdsRemoved, completedAt: at })
        .where(eq(deletionRequests.confirmationCode, confirmationCode));
    },
    async fail(confirmationCode, reason, at) {
      await db.update(deletionRequests).set({ state: "failed", failureReason: reason, completedAt: at }).where(eq(deletionRequests.confirmationCode, confirmationCode));
    },
    async find(confirmationCode) {
      const [row] = await db.select().from(deletionRequests).where(eq(deletionRequests.confirmationCode, confirmationCode));
      if (!row) return undefined;
      const { platformUserId: _userId, ...shown } = row;
      return shown;
    },
  };
}

/** Channels by the Meta user who connected them, across every portfolio (Meta's callbacks name no portfolio). */
export function metaUserChannels(db: DbOrTx): MetaUserChannels {
  return {
    async liveChannelsOf(metaUserId) {
      return db
        .select({ portfolioId: channels.portfolioId, channelId: channels.id })
        .from(channels)
        .where(and(eq(channels.connectedByMetaUserId, metaUserId), ne(channels.state, "disabled")));
    },
    async forget(metaUserId) {
      const rows = await db
        .update(channels)
        .set({ connectedByMetaUserId: null })
        .where(and(isNotNull(channels.connectedByMetaUserId), eq(channels.connectedByMetaUserId, metaUserId)))
        .returning({ id: channels.id });
      return rows.length;
    },
  };
}
