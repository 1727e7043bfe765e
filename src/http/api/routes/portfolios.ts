import { z } from "zod";
import { AppError } from "../../../core/errors.js";
import { acceptInvitationsFor, listMemberships } from "../../../db/repositories/member-repository.js";
import { createPortfolio, findPortfolio, renamePortfolio } from "../../../db/repositories/portfolio-repository.js";
import { deleteAccount } from "../../../core/accounts/delete-account.js";
import { deletePortfolio } from "../../../core/portfolios/delete-portfolio.js";
import { accountStore } from "../../../db/repositories/account-erasure.js";
import { liveChannelsOn, portfolioDeletionStore } from "../../../db/repositories/portfolio-erasure.js";
import type { ApiDeps } from "../deps.js";
import { portfolioName, portfolioParams } from "../params.js";
import { route } from "../route.js";

const portfolioView = (p: { id: string; name: string; slug: string; createdAt: Date }) => ({ id: p.id, name: p.name, slug: p.slug, createdAt: p.createdAt });

/** Typed confirmation of a deletion; checked by the use-case, so a missing one says what to type. */
const confirmation = z.object({ confirm: z.string().max(400).optional() }).strict();

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
    route({
      method: "DELETE",
      path: "/portfolios/:portfolioId",
      access: "portfolio:delete",
      params: portfolioParams,
      body: confirmation,
      summary:
        'Deletes the portfolio and all its data for good (channels and credentials, agent, customers, conversations, messages, notes, members, invitations, cache keys). Body `{ "confirm": "<the portfolio\'s exact name>" }`. Its channels are unsubscribed at Meta where the Graph API allows it; `unsubscribe` reports each channel, and a failure there does not stop the deletion.',
      async handle({ tenant, body }) {
        return deletePortfolio(
          { portfolioId: tenant.portfolioId, confirm: body.confirm },
          {
            store: portfolioDeletionStore(deps.db, deps.box),
            cache: deps.cacheKeys,
            unsubscribers: deps.unsubscribers,
            sharing: { liveChannelsOn: (objectId, excluding) => liveChannelsOn(deps.db, objectId, excluding) },
            onChannelsChanged: deps.onChannelsChanged,
            live: deps.live,
            log: deps.log,
          },
        );
      },
    }),
    route({
      method: "DELETE",
      path: "/me",
      access: "signed-in",
      body: confirmation,
      summary:
        'Deletes the signed-in user\'s account with all their sessions and GitHub link. Body `{ "confirm": "<your e-mail address>" }`. 409 while they still belong to a portfolio: leave or delete each one first.',
      async handle({ caller, body }) {
        return deleteAccount({ userId: caller.userId, email: caller.email, confirm: body.confirm }, { store: accountStore(deps.db) });
      },
    }),
  ];
}
