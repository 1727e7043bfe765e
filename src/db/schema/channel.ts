import { sql } from "drizzle-orm";
import { pgTable, text, timestamp, uniqueIndex, index } from "drizzle-orm/pg-core";
import { portfolios } from "./portfolio.js";

export const platforms = ["whatsapp", "messenger", "instagram"] as const;
export const channelStates = ["active", "needs_reauth", "disabled"] as const;

/** A connected WhatsApp number, Messenger Page or Instagram account. */
export const channels = pgTable(
  "channel",
  {
    id: text("id").primaryKey(),
    portfolioId: text("portfolio_id")
      .notNull()
      .references(() => portfolios.id, { onDelete: "cascade" }),
    platform: text("platform", { enum: platforms }).notNull(),
    /** phone_number_id, Page id or Instagram account id: what webhooks are routed by. */
    externalId: text("external_id").notNull(),
    /** WhatsApp Business Account id, or the Page behind an Instagram account. */
    accountId: text("account_id"),
    displayName: text("display_name"),
    /** Sealed JSON of the platform credentials (tokens, app secret, verify token). */
    credentials: text("credentials").notNull(),
    /** When the current token was issued; refreshable tokens must be a day old (Instagram). */
    tokenIssuedAt: timestamp("token_issued_at", { withTimezone: true }),
    tokenExpiresAt: timestamp("token_expires_at", { withTimezone: true }),
    state: text("state", { enum: channelStates }).notNull().default("active"),
    stateReason: text("state_reason"),
    lastWebhookAt: timestamp("last_webhook_at", { withTimezone: true }),
    /** The Meta user (app-scoped id) whose token connected it: Meta's deletion and deauthorize callbacks name them. */
    connectedByMetaUserId: text("connected_by_meta_user_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // One live channel per account; disconnected ones keep their history, and the account may be
    // connected again, in this portfolio or another.
    uniqueIndex("channel_platform_external_live_uq").on(t.platform, t.externalId).where(sql`${t.state} <> 'disabled'`),
    index("channel_platform_external_idx").on(t.platform, t.externalId),
    index("channel_portfolio_idx").on(t.portfolioId),
    index("channel_connected_by_idx").on(t.connectedByMetaUserId),
  ],
);

/** The unique index's predicate: a channel that is not disconnected, of which one per account may exist. */
export const liveChannel = sql`${channels.state} <> 'disabled'`;
