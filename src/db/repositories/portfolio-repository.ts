import { randomUUID } from "node:crypto";
import { asc, eq, like, or } from "drizzle-orm";
import type { DbOrTx } from "../client.js";
import { agents, members, portfolios } from "../schema/index.js";
import { type Agent, defaultAgentFields } from "./agent-repository.js";

export type Portfolio = typeof portfolios.$inferSelect;

export interface NewPortfolio {
  name: string;
  /** Model of the default agent (config.DEFAULT_MODEL). */
  model: string;
  /** The user who creates it through the API becomes its owner in the same transaction. */
  ownerUserId?: string;
}

/** Lower-case ASCII words joined by dashes; accents are folded so "Café Noir" becomes "cafe-noir". */
export function slugify(name: string): string {
  const slug = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48)
    .replace(/-+$/, "");
  return slug || "portfolio";
}

/** Creates the tenant, its default agent and its owner together, so a portfolio never exists without them. */
export async function createPortfolio(db: DbOrTx, input: NewPortfolio): Promise<{ portfolio: Portfolio; agent: Agent }> {
  const name = input.name.trim();
  const base = slugify(name);
  return db.transaction(async (tx) => {
    // A concurrent create may take the free slug between the read and the insert: try again.
    for (let attempt = 0; attempt < 5; attempt++) {
      const taken = await tx
        .select({ slug: portfolios.slug })
        .from(portfolios)
        .where(or(eq(portfolios.slug, base), like(portfolios.slug, `${base}-%`)));
      const slug = freeSlug(base, new Set(taken.map((r) => r.slug)));
      const [portfolio] = await tx
        .insert(portfolios)
        .values({ id: randomUUID(), name, slug })
        .onConflictDoNothing({ target: portfolios.slug })
        .returning();
      if (!portfolio) continue;
      const [agent] = await tx.insert(agents).values({ portfolioId: portfolio.id, ...defaultAgentFields(name, input.model) }).returning();
      if (input.ownerUserId) await tx.insert(members).values({ organizationId: portfolio.id, userId: input.ownerUserId, role: "owner" });
      return { portfolio, agent: agent! };
    }
    throw new Error(`Could not find a free slug for "${name}"`);
  });
}

function freeSlug(base: string, taken: Set<string>): string {
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}

/** By id or slug; an id match wins should a slug ever look like another portfolio's id. */
export async function findPortfolio(db: DbOrTx, idOrSlug: string): Promise<Portfolio | undefined> {
  const rows = await db
    .select()
    .from(portfolios)
    .where(or(eq(portfolios.id, idOrSlug), eq(portfolios.slug, idOrSlug)));
  return rows.find((r) => r.id === idOrSlug) ?? rows[0];
}

/** Every portfolio: for operators only; the HTTP API lists the ones a member belongs to. */
export async function listPortfolios(db: DbOrTx): Promise<Portfolio[]> {
  return db.select().from(portfolios).orderBy(asc(portfolios.createdAt), asc(portfolios.slug));
}

/** Renames the portfolio; its slug stays, so links keep working. Undefined when it does not exist. */
export async function renamePortfolio(db: DbOrTx, portfolioId: string, name: string): Promise<Portfolio | undefined> {
  const [portfolio] = await db.update(portfolios).set({ name: name.trim() }).where(eq(portfolios.id, portfolioId)).returning();
  return portfolio;
}
