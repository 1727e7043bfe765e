import { and, asc, eq, gt, inArray, isNotNull, or, sql } from "drizzle-orm";
import type { Role } from "../../core/tenancy/policy.js";
import type { DbOrTx } from "../client.js";
import { invitations, members, portfolios, users } from "../schema/index.js";

export interface Membership {
  memberId: string;
  portfolioId: string;
  role: Role;
}

/** The caller's membership of one portfolio, or undefined: what the tenant guard asks. */
export async function findMembership(db: DbOrTx, userId: string, portfolioId: string): Promise<Membership | undefined> {
  const [row] = await db
    .select({ memberId: members.id, portfolioId: members.organizationId, role: members.role })
    .from(members)
    .where(and(eq(members.userId, userId), eq(members.organizationId, portfolioId)));
  return row;
}

/** Every portfolio the user belongs to, oldest first. */
export async function listMemberships(db: DbOrTx, userId: string) {
  return db
    .select({ portfolioId: portfolios.id, name: portfolios.name, slug: portfolios.slug, role: members.role, memberId: members.id })
    .from(members)
    .innerJoin(portfolios, eq(portfolios.id, members.organizationId))
    .where(eq(members.userId, userId))
    .orderBy(asc(members.createdAt));
}

/**
 * Joins the user to every portfolio with a pending, unexpired invitation for their verified e-mail
 * or their GitHub login. Returns the portfolio ids joined.
 */
export async function acceptInvitationsFor(db: DbOrTx, userId: string, now = new Date()): Promise<string[]> {
  const [user] = await db.select().from(users).where(eq(users.id, userId));
  if (!user) return [];
  const matches = [
    ...(user.emailVerified ? [eq(invitations.email, user.email.toLowerCase())] : []),
    ...(user.githubLogin ? [and(isNotNull(invitations.githubLogin), eq(invitations.githubLogin, user.githubLogin.toLowerCase()))] : []),
  ];
  if (!matches.length) return [];
  return db.transaction(async (tx) => {
    const open = await tx
      .select()
      .from(invitations)
      .where(and(eq(invitations.status, "pending"), gt(invitations.expiresAt, now), or(...matches)))
      .for("update");
    if (!open.length) return [];
    // The strongest role wins should two invitations name the same portfolio.
    const rank: Record<Role, number> = { owner: 3, admin: 2, agent: 1 };
    const byPortfolio = new Map<string, Role>();
    for (const inv of open) {
      const current = byPortfolio.get(inv.organizationId);
      if (!current || rank[inv.role] > rank[current]) byPortfolio.set(inv.organizationId, inv.role);
    }
    for (const [portfolioId, role] of byPortfolio) {
      await tx.insert(members).values({ organizationId: portfolioId, userId, role }).onConflictDoNothing();
    }
    await tx
      .update(invitations)
      .set({ status: "accepted" })
      .where(inArray(invitations.id, open.map((i) => i.id)));
    return [...byPortfolio.keys()];
  });
}

/** How many owners a portfolio has: the last one may not leave or be demoted. */
export async function countOwners(db: DbOrTx, portfolioId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(members)
    .where(and(eq(members.organizationId, portfolioId), eq(members.role, "owner")));
  return row?.n ?? 0;
}
