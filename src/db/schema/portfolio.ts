import { boolean, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** The tenant: one business. Shaped like better-auth's organization so that plugin can own it later. */
export const portfolios = pgTable("portfolio", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  slug: text("slug").notNull().unique(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/** The AI agent of a portfolio (one per portfolio to start). */
export const agents = pgTable("agent", {
  portfolioId: text("portfolio_id")
    .primaryKey()
    .references(() => portfolios.id, { onDelete: "cascade" }),
  name: text("name").notNull(),
  instructions: text("instructions").notNull(),
  model: text("model").notNull(),
  enabled: boolean("enabled").notNull().default(true),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
