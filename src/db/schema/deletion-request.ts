import { integer, pgTable, text, timestamp } from "drizzle-orm/pg-core";

export const deletionRequestStates = ["received", "completed", "failed"] as const;

/**
 * A data-deletion request Meta sent for a Facebook user who removed our app. It names no portfolio
 * or channel on purpose: it outlives them, and deleting a portfolio has nothing to find here.
 */
export const deletionRequests = pgTable("deletion_request", {
  /** Random and alphanumeric: the only key to the public status page. */
  confirmationCode: text("confirmation_code").primaryKey(),
  /** The app-scoped id (ASID) of the Facebook user, as Meta's signed_request gave it. */
  platformUserId: text("platform_user_id").notNull(),
  state: text("state", { enum: deletionRequestStates }).notNull().default("received"),
  /** What was removed: channels disconnected (credentials wiped), stored Meta user ids wiped. */
  channelsDisabled: integer("channels_disabled").notNull().default(0),
  userIdsRemoved: integer("user_ids_removed").notNull().default(0),
  /** Why it failed, in words for the status page (never a secret). */
  failureReason: text("failure_reason"),
  receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  completedAt: timestamp("completed_at", { withTimezone: true }),
});
