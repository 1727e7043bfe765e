import { z } from "zod";
import { AppError } from "../../../core/errors.js";
import { checkInvite, checkLeave, checkRemoval, checkRoleChange } from "../../../core/members/member-rules.js";
import { roles } from "../../../core/tenancy/policy.js";
import {
  changeMember, createInvitation, type Invitation, listMembers, listPendingInvitations, revokeInvitation,
} from "../../../db/repositories/member-repository.js";
import type { ApiDeps } from "../deps.js";
import { id, portfolioParams } from "../params.js";
import { route } from "../route.js";

const INVITATION_DAYS = 7;

const memberParams = portfolioParams.extend({ memberId: id });
const invitationParams = portfolioParams.extend({ invitationId: id });
const role = z.enum(roles);
// GitHub's rule: alphanumerics and single inner dashes, at most 39 characters.
const githubLogin = z.string().trim().regex(/^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){0,38}$/i, "must be a GitHub login").transform((s) => s.toLowerCase());
const email = z.string().trim().max(254).pipe(z.email("must be an e-mail address")).transform((s) => s.toLowerCase());

const inviteBody = z
  .object({ email: email.optional(), githubLogin: githubLogin.optional(), role })
  .strict()
  .superRefine((b, ctx) => {
    if (b.email === undefined && b.githubLogin === undefined) ctx.addIssue({ code: "custom", path: ["email"], message: "give email or githubLogin" });
    if (b.email !== undefined && b.githubLogin !== undefined) ctx.addIssue({ code: "custom", path: ["githubLogin"], message: "give email or githubLogin, not both" });
  });

const invitationView = (i: Invitation) => ({
  id: i.id, email: i.email, githubLogin: i.githubLogin, role: i.role, inviterId: i.inviterId, expiresAt: i.expiresAt, createdAt: i.createdAt,
});

const noMember = (memberId: string) => new AppError("not_found", `no member ${memberId}`);

/** Members and invitations of a portfolio; role limits live in core/members/member-rules.ts. */
export function memberRoutes(deps: ApiDeps) {
  return [
    route({
      method: "GET",
      path: "/portfolios/:portfolioId/members",
      access: "conversations:read",
      params: portfolioParams,
      summary: "The portfolio's members (name, e-mail, GitHub login, role, joined at) and its pending invitations.",
      async handle({ tenant }) {
        const [members, invitations] = await Promise.all([
          listMembers(deps.db, tenant.portfolioId),
          listPendingInvitations(deps.db, tenant.portfolioId, deps.now()),
        ]);
        return { members, invitations: invitations.map(invitationView) };
      },
    }),
    route({
      method: "POST",
      path: "/portfolios/:portfolioId/invitations",
      access: "members:manage",
      status: 201,
      params: portfolioParams,
      body: inviteBody,
      summary: `Invites a person by e-mail or GitHub login (exactly one); they join with the role when they sign in. Expires after ${INVITATION_DAYS} days.`,
      async handle({ tenant, body }) {
        checkInvite(tenant.role, body.role);
        const now = deps.now();
        const result = await createInvitation(deps.db, tenant.portfolioId, {
          ...(body.email ? { email: body.email } : { githubLogin: body.githubLogin! }),
          role: body.role,
          inviterId: tenant.userId,
          expiresAt: new Date(now.getTime() + INVITATION_DAYS * 24 * 3600_000),
          now,
        });
        if ("conflict" in result) {
          throw new AppError("conflict", result.conflict === "member" ? "that person is already a member" : "that person already has a pending invitation");
        }
        return { invitation: invitationView(result.invitation) };
      },
    }),
    route({
      method: "DELETE",
      path: "/portfolios/:portfolioId/invitations/:invitationId",
      access: "members:manage",
      status: 204,
      params: invitationParams,
      summary: "Revokes a pending invitation.",
      async handle({ tenant, params }) {
        const outcome = await revokeInvitation(deps.db, tenant.portfolioId, params.invitationId);
        if (outcome === "not_found") throw new AppError("not_found", `no invitation ${params.invitationId}`);
        if (outcome === "not_pending") throw new AppError("conflict", "that invitation is no longer pending");
      },
    }),
    route({
      method: "PATCH",
      path: "/portfolios/:portfolioId/members/:memberId",
      access: "members:manage",
      params: memberParams,
      body: z.object({ role }).strict(),
      summary: "Changes a member's role. Only an owner changes or makes owners; the last owner stays owner.",
      async handle({ tenant, params, body }) {
        const who = { actorMemberId: tenant.memberId, memberId: params.memberId };
        const result = await changeMember(deps.db, tenant.portfolioId, who, ({ actor, target, owners }) => {
          checkRoleChange(actor, target, body.role, owners);
          return { role: body.role };
        });
        if (!result || !("member" in result)) throw noMember(params.memberId);
        return { member: result.member };
      },
    }),
    route({
      method: "DELETE",
      path: "/portfolios/:portfolioId/members/:memberId",
      access: "members:manage",
      status: 204,
      params: memberParams,
      summary: "Removes a member. Only an owner removes owners; the last owner cannot be removed.",
      async handle({ tenant, params }) {
        const who = { actorMemberId: tenant.memberId, memberId: params.memberId };
        const result = await changeMember(deps.db, tenant.portfolioId, who, ({ actor, target, owners }) => {
          checkRemoval(actor, target, owners);
          return "remove";
        });
        if (!result) throw noMember(params.memberId);
      },
    }),
    route({
      method: "POST",
      path: "/portfolios/:portfolioId/leave",
      access: "conversations:read",
      status: 204,
      params: portfolioParams,
      summary: "The caller leaves the portfolio; the last owner cannot.",
      async handle({ tenant }) {
        const who = { actorMemberId: tenant.memberId, memberId: tenant.memberId };
        const result = await changeMember(deps.db, tenant.portfolioId, who, ({ target, owners }) => {
          checkLeave(target, owners);
          return "remove";
        });
        if (!result) throw noMember(tenant.memberId);
      },
    }),
  ];
}
