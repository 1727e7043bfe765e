import { and, asc, eq } from "drizzle-orm";
import type { DbOrTx } from "../client.js";
import { customers, notes } from "../schema/index.js";

export type Note = typeof notes.$inferSelect;

const owned = (portfolioId: string, noteId: number, customerId: string) =>
  and(eq(notes.portfolioId, portfolioId), eq(notes.customerId, customerId), eq(notes.id, noteId));

/** A customer's notes, oldest first; undefined when the customer is not in this portfolio. */
export async function listNotes(db: DbOrTx, portfolioId: string, customerId: string): Promise<Note[] | undefined> {
  const [customer] = await db
    .select({ id: customers.id })
    .from(customers)
    .where(and(eq(customers.portfolioId, portfolioId), eq(customers.id, customerId)));
  if (!customer) return undefined;
  return db
    .select()
    .from(notes)
    .where(and(eq(notes.portfolioId, portfolioId), eq(notes.customerId, customerId)))
    .orderBy(asc(notes.createdAt), asc(notes.id));
}

/** Undefined when the customer is not in this portfolio. */
export async function addNote(
  db: DbOrTx,
  portfolioId: string,
  note: { customerId: string; authorMemberId: string; authorName: string; body: string; at: Date },
): Promise<Note | undefined> {
  const [customer] = await db
    .select({ id: customers.id })
    .from(customers)
    .where(and(eq(customers.portfolioId, portfolioId), eq(customers.id, note.customerId)));
  if (!customer) return undefined;
  const [row] = await db
    .insert(notes)
    .values({ portfolioId, customerId: note.customerId, authorMemberId: note.authorMemberId, authorName: note.authorName, body: note.body, createdAt: note.at, updatedAt: note.at })
    .returning();
  return row;
}

export async function findNote(db: DbOrTx, portfolioId: string, customerId: string, noteId: number): Promise<Note | undefined> {
  const [row] = await db.select().from(notes).where(owned(portfolioId, noteId, customerId));
  return row;
}

export async function updateNote(db: DbOrTx, portfolioId: string, customerId: string, noteId: number, change: { body: string; at: Date }) {
  const [row] = await db.update(notes).set({ body: change.body, updatedAt: change.at }).where(owned(portfolioId, noteId, customerId)).returning();
  return row;
}

export async function deleteNote(db: DbOrTx, portfolioId: string, customerId: string, noteId: number): Promise<boolean> {
  const rows = await db.delete(notes).where(owned(portfolioId, noteId, customerId)).returning({ id: notes.id });
  return rows.length > 0;
}
