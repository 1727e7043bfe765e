import { boolean, jsonb, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** The tenant: one business; better-auth's organization plugin knows it as its organization. */
export const portfolios = pgTable("portfolio", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  slug: text("slug").notNull().unique(),
  logo: text("logo"),
  metadata: jsonb("metadata"),
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
  /** The portfolio's own OpenAI API key, sealed; used instead of the server's when set. */
  openaiApiKey: text("openai_api_key"),
  /** Its last four characters, to show which key is set. */
  openaiApiKeyHint: text("openai_api_key_hint"),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});
