import { sql } from "drizzle-orm";
import { bigint, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

export const workKinds = ["reply", "send", "fetch_profile"] as const;
export const workStates = ["pending", "running", "done", "dead"] as const;

/** Durable work: committed with the data that caused it, run right after commit, swept on a timer. */
export const workItems = pgTable(
  "work_item",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    // Not a foreign key: a new reply item for every customer message would lock the portfolio row
    // each time. Deleting a portfolio deletes its items explicitly (portfolio-erasure.ts).
    portfolioId: text("portfolio_id").notNull(),
    kind: text("kind", { enum: workKinds }).notNull(),
    /** What the work is about, e.g. the conversation id for a reply. */
    subjectId: text("subject_id").notNull(),
    state: text("state", { enum: workStates }).notNull().default("pending"),
    runAfter: timestamp("run_after", { withTimezone: true }).notNull().defaultNow(),
    attempts: integer("attempts").notNull().default(0),
    leaseOwner: text("lease_owner"),
    leaseUntil: timestamp("lease_until", { withTimezone: true }),
    lastError: text("last_error"),
    /** Progress that must survive a crash, e.g. the ids of reply messages already stored. */
    progress: jsonb("progress"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // At most one waiting item per subject: a burst of messages pushes it later instead of adding more.
    uniqueIndex("work_item_one_pending_uq").on(t.kind, t.subjectId).where(sql`state = 'pending'`),
    index("work_item_due_idx").on(t.state, t.runAfter),
  ],
);
