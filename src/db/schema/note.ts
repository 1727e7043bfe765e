import { bigint, index, pgTable, text, timestamp } from "drizzle-orm/pg-core";
import { members } from "./auth.js";
import { customers } from "./conversation.js";
import { portfolios } from "./portfolio.js";

/** What admins keep about a customer. */
export const notes = pgTable(
  "note",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    portfolioId: text("portfolio_id").notNull().references(() => portfolios.id, { onDelete: "cascade" }),
    customerId: text("customer_id").notNull().references(() => customers.id, { onDelete: "cascade" }),
    /** The member who wrote it; null once that member left. */
    authorMemberId: text("author_member_id").references(() => members.id, { onDelete: "set null" }),
    /** Kept so the note still says who wrote it after the member left. */
    authorName: text("author_name").notNull(),
    body: text("body").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("note_customer_idx").on(t.customerId, t.createdAt)],
);
