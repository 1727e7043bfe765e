// Members of a portfolio through the API (issue 4 item 2): invitations by e-mail and GitHub login
// taken up on sign-in, roles and their limits, removal, leaving, and the last-owner rule.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { invitations, members } from "../src/db/schema/index.js";
import { api, type ApiUser, signedInUser } from "./support/api-client.js";
import { type Harness, startCosbot } from "./support/cosbot-under-test.js";

let h: Harness;
beforeAll(async () => {
  h = await startCosbot({ seed: false });
});
afterAll(async () => h?.close());

const unique = () => randomUUID().slice(0, 8);
const db = () => h.testDb.database.db;

/** A portfolio made through the API, so `owner` is its owner. */
async function newPortfolio(name = `Shop ${unique()}`): Promise<{ id: string; owner: ApiUser }> {
  const owner = await signedInUser(h, { name: "Olive Owner" });
  const res = await api(h, "POST", "/portfolios", { as: owner, body: { name } });
  expect(res.status).toBe(201);
  return { id: res.body.portfolio.id, owner };
}

/** Invites a new person by e-mail and has them sign in, so they are a member with `role`. */
async function join(portfolioId: string, by: ApiUser, role: string): Promise<ApiUser & { memberId: string }> {
  const email = `m-${unique()}@example.test`;
  const invited = await api(h, "POST", `/portfolios/${portfolioId}/invitations`, { as: by, body: { email, role } });
  expect(invited.status).toBe(201);
  const user = await signedInUser(h, { email });
  const me = await api(h, "GET", "/me", { as: user });
  expect(me.body.portfolios).toContainEqual(expect.objectContaining({ id: portfolioId, role }));
  const list = await api(h, "GET", `/portfolios/${portfolioId}/members`, { as: user });
  const memberId = list.body.members.find((m: { userId: string }) => m.userId === user.userId).id;
  return { ...user, memberId };
}

const membersOf = async (portfolioId: string) => db().select().from(members).where(eq(members.organizationId, portfolioId));
const roleIn = async (portfolioId: string, memberId: string) => (await membersOf(portfolioId)).find((m) => m.id === memberId)?.role;

describe("invitations", () => {
  it("invites by e-mail; that user joins with the role on GET /me, and the invitation is used up", async () => {
    const p = await newPortfolio();
    const email = `Ada.${unique()}@Example.test`;
    const res = await api(h, "POST", `/portfolios/${p.id}/invitations`, { as: p.owner, body: { email, role: "admin" } });
    expect(res.status).toBe(201);
    expect(res.body.invitation).toMatchObject({ email: email.toLowerCase(), githubLogin: null, role: "admin", inviterId: p.owner.userId });
    const days = (Date.parse(res.body.invitation.expiresAt) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(6.9);
    expect(days).toBeLessThanOrEqual(7);

    const again = await api(h, "POST", `/portfolios/${p.id}/invitations`, { as: p.owner, body: { email: email.toUpperCase(), role: "agent" } });
    expect(again.status).toBe(409);
    expect(again.body.error.message).toMatch(/pending invitation/);

    const before = await api(h, "GET", `/portfolios/${p.id}/members`, { as: p.owner });
    expect(before.body.members).toHaveLength(1);
    expect(before.body.members[0]).toMatchObject({ userId: p.owner.userId, name: "Olive Owner", email: p.owner.email, role: "owner" });
    expect(before.body.members[0].joinedAt).toBeTruthy();
    expect(before.body.invitations).toEqual([expect.objectContaining({ id: res.body.invitation.id, email: email.toLowerCase() })]);

    const ada = await signedInUser(h, { email: email.toLowerCase(), name: "Ada" });
    const me = await api(h, "GET", "/me", { as: ada });
    expect(me.status).toBe(200);
    expect(me.body.portfolios).toEqual([expect.objectContaining({ id: p.id, role: "admin" })]);

    const after = await api(h, "GET", `/portfolios/${p.id}/members`, { as: ada });
    expect(after.status).toBe(200);
    expect(after.body.invitations).toEqual([]);
    expect(after.body.members).toContainEqual(expect.objectContaining({ userId: ada.userId, name: "Ada", role: "admin" }));

    const member = await api(h, "POST", `/portfolios/${p.id}/invitations`, { as: p.owner, body: { email, role: "agent" } });
    expect(member.status).toBe(409);
    expect(member.body.error.message).toMatch(/already a member/);
  });

  it("invites by GitHub login, whatever its case; that user joins as agent", async () => {
    const p = await newPortfolio();
    const login = `Octo-${unique()}`;
    const res = await api(h, "POST", `/portfolios/${p.id}/invitations`, { as: p.owner, body: { githubLogin: login, role: "agent" } });
    expect(res.status).toBe(201);
    expect(res.body.invitation).toMatchObject({ email: null, githubLogin: login.toLowerCase(), role: "agent" });

    const octo = await signedInUser(h, { githubLogin: login.toLowerCase() });
    const me = await api(h, "GET", "/me", { as: octo });
    expect(me.body.portfolios).toEqual([expect.objectContaining({ id: p.id, role: "agent" })]);
    const list = await api(h, "GET", `/portfolios/${p.id}/members`, { as: octo });
    expect(list.body.members).toContainEqual(expect.objectContaining({ userId: octo.userId, githubLogin: login.toLowerCase(), role: "agent" }));

    const member = await api(h, "POST", `/portfolios/${p.id}/invitations`, { as: p.owner, body: { githubLogin: login, role: "admin" } });
    expect(member.status).toBe(409);
  });

  it("a revoked invitation is not taken up; revoking twice is a conflict, an unknown id 404", async () => {
    const p = await newPortfolio();
    const email = `rev-${unique()}@example.test`;
    const inv = await api(h, "POST", `/portfolios/${p.id}/invitations`, { as: p.owner, body: { email, role: "agent" } });
    const path = `/portfolios/${p.id}/invitations/${inv.body.invitation.id}`;
    expect((await api(h, "DELETE", path, { as: p.owner })).status).toBe(204);
    expect((await api(h, "GET", `/portfolios/${p.id}/members`, { as: p.owner })).body.invitations).toEqual([]);
    expect((await api(h, "DELETE", path, { as: p.owner })).status).toBe(409);
    expect((await api(h, "DELETE", `/portfolios/${p.id}/invitations/${randomUUID()}`, { as: p.owner })).status).toBe(404);

    const user = await signedInUser(h, { email });
    expect((await api(h, "GET", "/me", { as: user })).body.portfolios).toEqual([]);
    // Once revoked, the same person may be invited again.
    expect((await api(h, "POST", `/portfolios/${p.id}/invitations`, { as: p.owner, body: { email, role: "agent" } })).status).toBe(201);
  });

  it("an expired invitation is neither listed, nor taken up, nor in the way of a new one", async () => {
    const p = await newPortfolio();
    const email = `old-${unique()}@example.test`;
    const inv = await api(h, "POST", `/portfolios/${p.id}/invitations`, { as: p.owner, body: { email, role: "agent" } });
    await db().update(invitations).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(invitations.id, inv.body.invitation.id));
    expect((await api(h, "GET", `/portfolios/${p.id}/members`, { as: p.owner })).body.invitations).toEqual([]);
    const user = await signedInUser(h, { email });
    expect((await api(h, "GET", "/me", { as: user })).body.portfolios).toEqual([]);
    expect((await api(h, "POST", `/portfolios/${p.id}/invitations`, { as: p.owner, body: { email, role: "agent" } })).status).toBe(201);
  });

  it("the same invitation sent twice at once is stored once", async () => {
    const p = await newPortfolio();
    const body = { githubLogin: `twice-${unique()}`, role: "agent" };
    const path = `/portfolios/${p.id}/invitations`;
    const results = await Promise.all([api(h, "POST", path, { as: p.owner, body }), api(h, "POST", path, { as: p.owner, body })]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await db().select().from(invitations).where(eq(invitations.organizationId, p.id))).toHaveLength(1);
  });

  it("only an owner may invite an owner", async () => {
    const p = await newPortfolio();
    const admin = await join(p.id, p.owner, "admin");
    const byAdmin = await api(h, "POST", `/portfolios/${p.id}/invitations`, { as: admin, body: { email: `o-${unique()}@example.test`, role: "owner" } });
    expect(byAdmin.status).toBe(403);
    expect((await api(h, "GET", `/portfolios/${p.id}/members`, { as: p.owner })).body.invitations).toEqual([]);
    expect((await api(h, "POST", `/portfolios/${p.id}/invitations`, { as: admin, body: { email: `a-${unique()}@example.test`, role: "admin" } })).status).toBe(201);
    const email = `o-${unique()}@example.test`;
    expect((await api(h, "POST", `/portfolios/${p.id}/invitations`, { as: p.owner, body: { email, role: "owner" } })).status).toBe(201);
    const user = await signedInUser(h, { email });
    expect((await api(h, "GET", "/me", { as: user })).body.portfolios).toEqual([expect.objectContaining({ id: p.id, role: "owner" })]);
  });

  it("bad bodies get 400 naming the field and store nothing", async () => {
    const p = await newPortfolio();
    const path = `/portfolios/${p.id}/invitations`;
    const cases: [unknown, string][] = [
      [{ role: "agent" }, "body.email"],
      [{ email: "a@example.test", githubLogin: "octo", role: "agent" }, "body.githubLogin"],
      [{ email: "not-an-email", role: "agent" }, "body.email"],
      [{ githubLogin: "-bad-", role: "agent" }, "body.githubLogin"],
      [{ email: "a@example.test", role: "boss" }, "body.role"],
      [{ email: "a@example.test" }, "body.role"],
    ];
    for (const [body, field] of cases) {
      const res = await api(h, "POST", path, { as: p.owner, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.fields.map((f: { field: string }) => f.field)).toContain(field);
    }
    expect((await api(h, "POST", path, { as: p.owner, body: { email: "a@example.test", role: "agent", extra: 1 } })).status).toBe(400);
    expect((await api(h, "POST", path, { as: p.owner, body: "{not json" })).status).toBe(400);
    expect(await db().select().from(invitations).where(eq(invitations.organizationId, p.id))).toEqual([]);

    const patch = await api(h, "PATCH", `/portfolios/${p.id}/members/${randomUUID()}`, { as: p.owner, body: { role: "king" } });
    expect(patch.status).toBe(400);
    expect(patch.body.error.fields.map((f: { field: string }) => f.field)).toEqual(["body.role"]);
  });
});

describe("roles and their limits", () => {
  it("an owner changes roles; an admin manages admins and agents but never owners", async () => {
    const p = await newPortfolio();
    const admin = await join(p.id, p.owner, "admin");
    const agent = await join(p.id, p.owner, "agent");
    const ownerId = (await membersOf(p.id)).find((m) => m.userId === p.owner.userId)!.id;
    const patch = (as: ApiUser, memberId: string, role: string) => api(h, "PATCH", `/portfolios/${p.id}/members/${memberId}`, { as, body: { role } });

    const promoted = await patch(admin, agent.memberId, "admin");
    expect(promoted.status).toBe(200);
    expect(promoted.body.member).toMatchObject({ id: agent.memberId, userId: agent.userId, role: "admin" });
    expect((await patch(admin, agent.memberId, "agent")).status).toBe(200);

    expect((await patch(admin, agent.memberId, "owner")).status).toBe(403);
    expect((await patch(admin, admin.memberId, "owner")).status).toBe(403);
    expect((await patch(admin, ownerId, "agent")).status).toBe(403);
    expect(await roleIn(p.id, agent.memberId)).toBe("agent");
    expect(await roleIn(p.id, ownerId)).toBe("owner");
    const removeOwner = await api(h, "DELETE", `/portfolios/${p.id}/members/${ownerId}`, { as: admin });
    expect(removeOwner.status).toBe(403);
    expect(await roleIn(p.id, ownerId)).toBe("owner");

    expect((await patch(p.owner, admin.memberId, "owner")).status).toBe(200);
    expect(await roleIn(p.id, admin.memberId)).toBe("owner");
    // Now an owner, the former admin may change the first owner.
    expect((await patch(admin, ownerId, "admin")).status).toBe(200);
    expect(await roleIn(p.id, ownerId)).toBe("admin");
  });

  it("an agent reads the members but gets 403 on every management route", async () => {
    const p = await newPortfolio();
    const agent = await join(p.id, p.owner, "agent");
    const other = await join(p.id, p.owner, "agent");
    const inv = await api(h, "POST", `/portfolios/${p.id}/invitations`, { as: p.owner, body: { email: `x-${unique()}@example.test`, role: "agent" } });

    expect((await api(h, "GET", `/portfolios/${p.id}/members`, { as: agent })).status).toBe(200);
    const attempts = [
      api(h, "POST", `/portfolios/${p.id}/invitations`, { as: agent, body: { email: `y-${unique()}@example.test`, role: "agent" } }),
      api(h, "DELETE", `/portfolios/${p.id}/invitations/${inv.body.invitation.id}`, { as: agent }),
      api(h, "PATCH", `/portfolios/${p.id}/members/${other.memberId}`, { as: agent, body: { role: "admin" } }),
      api(h, "PATCH", `/portfolios/${p.id}/members/${agent.memberId}`, { as: agent, body: { role: "admin" } }),
      api(h, "DELETE", `/portfolios/${p.id}/members/${other.memberId}`, { as: agent }),
    ];
    for (const res of await Promise.all(attempts)) expect(res.status).toBe(403);
    expect(await roleIn(p.id, other.memberId)).toBe("agent");
    expect(await roleIn(p.id, agent.memberId)).toBe("agent");
    expect((await api(h, "GET", `/portfolios/${p.id}/members`, { as: p.owner })).body.invitations).toHaveLength(1);
  });

  it("outsiders and anonymous callers see nothing", async () => {
    const p = await newPortfolio();
    const outsider = await signedInUser(h);
    expect((await api(h, "GET", `/portfolios/${p.id}/members`, { as: outsider })).status).toBe(404);
    expect((await api(h, "GET", `/portfolios/${p.id}/members`)).status).toBe(401);
    expect((await api(h, "POST", `/portfolios/${p.id}/leave`, { as: outsider })).status).toBe(404);
  });
});

describe("removing and leaving", () => {
  it("removes a member, who then has no access", async () => {
    const p = await newPortfolio();
    const admin = await join(p.id, p.owner, "admin");
    const agent = await join(p.id, p.owner, "agent");
    expect((await api(h, "DELETE", `/portfolios/${p.id}/members/${agent.memberId}`, { as: admin })).status).toBe(204);
    expect((await api(h, "GET", `/portfolios/${p.id}/members`, { as: agent })).status).toBe(404);
    expect((await api(h, "DELETE", `/portfolios/${p.id}/members/${agent.memberId}`, { as: admin })).status).toBe(404);
    expect((await api(h, "DELETE", `/portfolios/${p.id}/members/${admin.memberId}`, { as: p.owner })).status).toBe(204);
    expect((await membersOf(p.id)).map((m) => m.userId)).toEqual([p.owner.userId]);
  });

  it("the last owner may not be demoted, removed or leave; with a second owner they may", async () => {
    const p = await newPortfolio();
    const ownerId = (await membersOf(p.id))[0]!.id;
    const demote = await api(h, "PATCH", `/portfolios/${p.id}/members/${ownerId}`, { as: p.owner, body: { role: "admin" } });
    expect(demote.status).toBe(409);
    expect(demote.body.error.message).toMatch(/last owner/);
    expect((await api(h, "DELETE", `/portfolios/${p.id}/members/${ownerId}`, { as: p.owner })).status).toBe(409);
    const leave = await api(h, "POST", `/portfolios/${p.id}/leave`, { as: p.owner });
    expect(leave.status).toBe(409);
    expect(leave.body.error).toMatchObject({ code: "conflict", message: expect.stringMatching(/last owner.*may not leave/) });
    expect(await roleIn(p.id, ownerId)).toBe("owner");

    const second = await join(p.id, p.owner, "owner");
    expect((await api(h, "PATCH", `/portfolios/${p.id}/members/${ownerId}`, { as: p.owner, body: { role: "agent" } })).status).toBe(200);
    expect((await api(h, "POST", `/portfolios/${p.id}/leave`, { as: second })).status).toBe(409);
    expect((await api(h, "POST", `/portfolios/${p.id}/leave`, { as: p.owner })).status).toBe(204);
    expect((await api(h, "GET", "/me", { as: p.owner })).body.portfolios).toEqual([]);
    expect((await membersOf(p.id)).map((m) => [m.userId, m.role])).toEqual([[second.userId, "owner"]]);
  });

  it("two owners demoting each other at once leave one owner", async () => {
    const p = await newPortfolio();
    const ownerId = (await membersOf(p.id))[0]!.id;
    const second = await join(p.id, p.owner, "owner");
    const [a, b] = await Promise.all([
      api(h, "PATCH", `/portfolios/${p.id}/members/${second.memberId}`, { as: p.owner, body: { role: "admin" } }),
      api(h, "PATCH", `/portfolios/${p.id}/members/${ownerId}`, { as: second, body: { role: "admin" } }),
    ]);
    // The loser is refused either as the last owner (409) or as one who is no longer owner (403).
    expect([a.status, b.status].filter((s) => s === 200)).toHaveLength(1);
    expect([a.status, b.status].find((s) => s !== 200)).toBeOneOf([403, 409]);
    expect((await membersOf(p.id)).filter((m) => m.role === "owner")).toHaveLength(1);
  });

  it("an agent may leave", async () => {
    const p = await newPortfolio();
    const agent = await join(p.id, p.owner, "agent");
    expect((await api(h, "POST", `/portfolios/${p.id}/leave`, { as: agent })).status).toBe(204);
    expect(await roleIn(p.id, agent.memberId)).toBeUndefined();
  });
});

describe("ids of another portfolio", () => {
  it("look like nonexistent ones and change nothing", async () => {
    const mine = await newPortfolio();
    const theirs = await newPortfolio();
    const theirAgent = await join(theirs.id, theirs.owner, "agent");
    const theirOwnerId = (await membersOf(theirs.id)).find((m) => m.role === "owner")!.id;
    const theirInv = await api(h, "POST", `/portfolios/${theirs.id}/invitations`, { as: theirs.owner, body: { email: `t-${unique()}@example.test`, role: "agent" } });

    const attempts = [
      api(h, "PATCH", `/portfolios/${mine.id}/members/${theirAgent.memberId}`, { as: mine.owner, body: { role: "admin" } }),
      api(h, "PATCH", `/portfolios/${mine.id}/members/${theirOwnerId}`, { as: mine.owner, body: { role: "agent" } }),
      api(h, "DELETE", `/portfolios/${mine.id}/members/${theirAgent.memberId}`, { as: mine.owner }),
      api(h, "DELETE", `/portfolios/${mine.id}/invitations/${theirInv.body.invitation.id}`, { as: mine.owner }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status).toBe(404);
      expect(res.text).not.toContain(theirs.id);
    }
    expect(await roleIn(theirs.id, theirAgent.memberId)).toBe("agent");
    expect(await roleIn(theirs.id, theirOwnerId)).toBe("owner");
    const list = await api(h, "GET", `/portfolios/${theirs.id}/members`, { as: theirs.owner });
    expect(list.body.invitations).toEqual([expect.objectContaining({ id: theirInv.body.invitation.id })]);
    // Their owner, acting on my portfolio through their own membership, is an outsider there.
    expect((await api(h, "GET", `/portfolios/${mine.id}/members`, { as: theirs.owner })).status).toBe(404);
  });
});
