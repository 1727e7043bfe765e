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

export interface MemberView {
  id: string;
  userId: string;
  name: string;
  email: string;
  githubLogin: string | null;
  role: Role;
  joinedAt: Date;
}

const memberColumns = {
  id: members.id,
  userId: members.userId,
  name: users.name,
  email: users.email,
  githubLogin: users.githubLogin,
  role: members.role,
  joinedAt: members.createdAt,
};

/** The portfolio's members with their user's name, e-mail and GitHub login, oldest first. */
export async function listMembers(db: DbOrTx, portfolioId: string): Promise<MemberView[]> {
  return db
    .select(memberColumns)
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(eq(members.organizationId, portfolioId))
    .orderBy(asc(members.createdAt), asc(members.id));
}

export type Invitation = typeof invitations.$inferSelect;

/** Invitations still waiting for their person to sign in, oldest first. */
export async function listPendingInvitations(db: DbOrTx, portfolioId: string, now: Date): Promise<Invitation[]> {
  return db
    .select()
    .from(invitations)
    .where(and(eq(invitations.organizationId, portfolioId), eq(invitations.status, "pending"), gt(invitations.expiresAt, now)))
    .orderBy(asc(invitations.createdAt), asc(invitations.id));
}

export interface NewInvitation {
  /** Exactly one of email and githubLogin, lower-cased. */
  email?: string;
  githubLogin?: string;
  role: Role;
  inviterId: string;
  expiresAt: Date;
  now: Date;
}

/**
 * Stores an invitation unless that person is already a member or already invited (pending and
 * unexpired). The portfolio row is locked so two concurrent invitations cannot both pass the check.
 */
export async function createInvitation(
  db: DbOrTx,
  portfolioId: string,
  input: NewInvitation,
): Promise<{ invitation: Invitation } | { conflict: "member" | "invited" }> {
  const email = input.email ?? null;
  const githubLogin = input.githubLogin ?? null;
  return db.transaction(async (tx) => {
    await tx.select({ id: portfolios.id }).from(portfolios).where(eq(portfolios.id, portfolioId)).for("update");
    const person = email ? sql`lower(${users.email}) = ${email}` : sql`lower(${users.githubLogin}) = ${githubLogin}`;
    const [member] = await tx
      .select({ id: members.id })
      .from(members)
      .innerJoin(users, eq(users.id, members.userId))
      .where(and(eq(members.organizationId, portfolioId), person));
    if (member) return { conflict: "member" as const };
    const [open] = await tx
      .select({ id: invitations.id })
      .from(invitations)
      .where(
        and(
          eq(invitations.organizationId, portfolioId),
          eq(invitations.status, "pending"),
          gt(invitations.expiresAt, input.now),
          email ? eq(invitations.email, email) : eq(invitations.githubLogin, githubLogin!),
        ),
      );
    if (open) return { conflict: "invited" as const };
    const [invitation] = await tx
      .insert(invitations)
      .values({ organizationId: portfolioId, email, githubLogin, role: input.role, inviterId: input.inviterId, expiresAt: input.expiresAt })
      .returning();
    return { invitation: invitation! };
  });
}

/** Cancels a pending invitation of this portfolio; says what it found. */
export async function revokeInvitation(db: DbOrTx, portfolioId: string, invitationId: string): Promise<"revoked" | "not_pending" | "not_found"> {
  const [row] = await db
    .update(invitations)
    .set({ status: "canceled" })
    .where(and(eq(invitations.id, invitationId), eq(invitations.organizationId, portfolioId), eq(invitations.status, "pending")))
    .returning({ id: invitations.id });
  if (row) return "revoked";
  const [other] = await db
    .select({ id: invitations.id })
    .from(invitations)
    .where(and(eq(invitations.id, invitationId), eq(invitations.organizationId, portfolioId)));
  return other ? "not_pending" : "not_found";
}

/** What to do with a member once the rules have seen it and the owner count. */
export type MemberChange = { role: Role } | "remove";

/**
 * Changes or removes one member of the portfolio on behalf of another (or the same) member. The
 * portfolio's member rows are locked first, so the actor's role and the owner count `decide` sees
 * stay true until commit (two owners cannot demote each other at once). `decide` may throw to
 * refuse; nothing is written then. Undefined when the target (or the actor) is not a member.
 */
export async function changeMember(
  db: DbOrTx,
  portfolioId: string,
  who: { actorMemberId: string; memberId: string },
  decide: (seen: { actor: Role; target: Role; owners: number }) => MemberChange,
): Promise<{ removed: true } | { member: MemberView } | undefined> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .select({ id: members.id, role: members.role })
      .from(members)
      .where(eq(members.organizationId, portfolioId))
      .for("update");
    const target = rows.find((r) => r.id === who.memberId);
    const actor = rows.find((r) => r.id === who.actorMemberId);
    if (!target || !actor) return undefined;
    const change = decide({ actor: actor.role, target: target.role, owners: rows.filter((r) => r.role === "owner").length });
    const own = and(eq(members.id, who.memberId), eq(members.organizationId, portfolioId));
    if (change === "remove") {
      await tx.delete(members).where(own);
      return { removed: true as const };
    }
    await tx.update(members).set({ role: change.role }).where(own);
    const [member] = await tx.select(memberColumns).from(members).innerJoin(users, eq(users.id, members.userId)).where(own);
    return { member: member! };
  });
}
