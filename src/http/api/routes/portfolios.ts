import { z } from "zod";
import { AppError } from "../../../core/errors.js";
import { acceptInvitationsFor, listMemberships } from "../../../db/repositories/member-repository.js";
import { createPortfolio, findPortfolio, renamePortfolio } from "../../../db/repositories/portfolio-repository.js";
import type { ApiDeps } from "../deps.js";
import { portfolioName, portfolioParams } from "../params.js";
import { route } from "../route.js";

const portfolioView = (p: { id: string; name: string; slug: string; createdAt: Date }) => ({ id: p.id, name: p.name, slug: p.slug, createdAt: p.createdAt });

const membershipView = (m: { portfolioId: string; name: string; slug: string; role: string }) => ({ id: m.portfolioId, name: m.name, slug: m.slug, role: m.role });

/** The signed-in user, their portfolios, and the portfolio itself (onboarding and renaming). */
export function portfolioRoutes(deps: ApiDeps) {
  return [
    route({
      method: "GET",
      path: "/me",
      access: "signed-in",
      summary: "The signed-in user and their portfolios; `next` says what to do first (create_portfolio when they have none).",
      async handle({ caller }) {
        await acceptInvitationsFor(deps.db, caller.userId, deps.now());
        const memberships = await listMemberships(deps.db, caller.userId);
        return {
          user: { id: caller.userId, name: caller.name, email: caller.email },
          portfolios: memberships.map(membershipView),
          next: memberships.length ? null : "create_portfolio",
        };
      },
    }),
    route({
      method: "GET",
      path: "/portfolios",
      access: "signed-in",
      summary: "The portfolios the caller belongs to, with their role in each.",
      async handle({ caller }) {
        const memberships = await listMemberships(deps.db, caller.userId);
        return { portfolios: memberships.map(membershipView) };
      },
    }),
    route({
      method: "POST",
      path: "/portfolios",
      access: "signed-in",
      status: 201,
      summary: "Creates a portfolio (a business) with the caller as its owner and a default agent.",
      body: z.object({ name: portfolioName }).strict(),
      async handle({ caller, body }) {
        const { portfolio } = await createPortfolio(deps.db, { name: body.name, model: deps.defaultModel, ownerUserId: caller.userId });
        return { portfolio: { ...portfolioView(portfolio), role: "owner" } };
      },
    }),
    route({
      method: "GET",
      path: "/portfolios/:portfolioId",
      access: "conversations:read",
      params: portfolioParams,
      summary: "One portfolio and the caller's role in it.",
      async handle({ tenant }) {
        const portfolio = await findPortfolio(deps.db, tenant.portfolioId);
        if (!portfolio) throw new AppError("not_found", `no portfolio ${tenant.portfolioId}`);
        return { portfolio: { ...portfolioView(portfolio), role: tenant.role } };
      },
    }),
    route({
      method: "PATCH",
      path: "/portfolios/:portfolioId",
      access: "portfolio:rename",
      params: portfolioParams,
      body: z.object({ name: portfolioName }).strict(),
      summary: "Renames the portfolio (its slug stays).",
      async handle({ tenant, body }) {
        const portfolio = await renamePortfolio(deps.db, tenant.portfolioId, body.name);
        if (!portfolio) throw new AppError("not_found", `no portfolio ${tenant.portfolioId}`);
        return { portfolio: { ...portfolioView(portfolio), role: tenant.role } };
      },
    }),
  ];
}
