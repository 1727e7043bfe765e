import { sql } from "drizzle-orm";
import { boolean, index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";
import { portfolios } from "./portfolio.js";

const tz = (name: string) => timestamp(name, { withTimezone: true });

/**
 * better-auth's tables. Property names are better-auth's field names (the Drizzle adapter maps by
 * them); columns are snake_case like the rest of the schema.
 */
export const users = pgTable("user", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  email: text("email").notNull().unique(),
  emailVerified: boolean("email_verified").notNull().default(false),
  image: text("image"),
  /** The GitHub login, so members can be invited by it. */
  githubLogin: text("github_login"),
  createdAt: tz("created_at").notNull().defaultNow(),
  updatedAt: tz("updated_at").notNull().defaultNow(),
});

export const sessions = pgTable(
  "session",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    token: text("token").notNull().unique(),
    expiresAt: tz("expires_at").notNull(),
    ipAddress: text("ip_address"),
    userAgent: text("user_agent"),
    /** The organization plugin's active portfolio. */
    activeOrganizationId: text("active_portfolio_id"),
    createdAt: tz("created_at").notNull().defaultNow(),
    updatedAt: tz("updated_at").notNull().defaultNow(),
  },
  (t) => [index("session_user_idx").on(t.userId)],
);

/** A sign-in identity of a user (GitHub). OAuth tokens are encrypted by better-auth. */
export const accounts = pgTable(
  "account",
  {
    id: text("id").primaryKey(),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    accountId: text("account_id").notNull(),
    providerId: text("provider_id").notNull(),
    accessToken: text("access_token"),
    refreshToken: text("refresh_token"),
    idToken: text("id_token"),
    accessTokenExpiresAt: tz("access_token_expires_at"),
    refreshTokenExpiresAt: tz("refresh_token_expires_at"),
    scope: text("scope"),
    password: text("password"),
    createdAt: tz("created_at").notNull().defaultNow(),
    updatedAt: tz("updated_at").notNull().defaultNow(),
  },
  (t) => [index("account_user_idx").on(t.userId)],
);

/** One-time values: OAuth state, the local sign-in link. */
export const verifications = pgTable(
  "verification",
  {
    id: text("id").primaryKey(),
    identifier: text("identifier").notNull(),
    value: text("value").notNull(),
    expiresAt: tz("expires_at").notNull(),
    createdAt: tz("created_at").notNull().defaultNow(),
    updatedAt: tz("updated_at").notNull().defaultNow(),
  },
  (t) => [index("verification_identifier_idx").on(t.identifier)],
);

export const memberRoles = ["owner", "admin", "agent"] as const;

/** A user's membership of a portfolio (the organization plugin's member, keyed by portfolio). */
export const members = pgTable(
  "member",
  {
    id: text("id").primaryKey().default(sql`gen_random_uuid()::text`),
    organizationId: text("portfolio_id").notNull().references(() => portfolios.id, { onDelete: "cascade" }),
    userId: text("user_id").notNull().references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: memberRoles }).notNull(),
    createdAt: tz("created_at").notNull().defaultNow(),
  },
  (t) => [uniqueIndex("member_portfolio_user_uq").on(t.organizationId, t.userId), index("member_user_idx").on(t.userId)],
);

export const invitationStatuses = ["pending", "accepted", "rejected", "canceled"] as const;

/** An invitation to a portfolio, by e-mail or GitHub login; taken up when that person signs in. */
export const invitations = pgTable(
  "invitation",
  {
    id: text("id").primaryKey().default(sql`gen_random_uuid()::text`),
    organizationId: text("portfolio_id").notNull().references(() => portfolios.id, { onDelete: "cascade" }),
    /** Lower-cased; null when invited by GitHub login. */
    email: text("email"),
    /** Lower-cased GitHub login; null when invited by e-mail. */
    githubLogin: text("github_login"),
    role: text("role", { enum: memberRoles }).notNull(),
    status: text("status", { enum: invitationStatuses }).notNull().default("pending"),
    inviterId: text("inviter_id").references(() => users.id, { onDelete: "set null" }),
    expiresAt: tz("expires_at").notNull(),
    createdAt: tz("created_at").notNull().defaultNow(),
  },
  (t) => [index("invitation_portfolio_idx").on(t.organizationId), index("invitation_email_idx").on(t.email), index("invitation_login_idx").on(t.githubLogin)],
);
