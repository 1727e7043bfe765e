import { z } from "zod";
import type { ModelSettings } from "../../../core/agent/generate-reply.js";
import { playgroundReply } from "../../../core/agent/playground.js";
import { AppError } from "../../../core/errors.js";
import { defaultAgentFields, getAgent } from "../../../db/repositories/agent-repository.js";
import { findPortfolio } from "../../../db/repositories/portfolio-repository.js";
import type { ApiDeps } from "../deps.js";
import { portfolioParams } from "../params.js";
import { route, type ApiRoute } from "../route.js";

const maxTurns = 50;
const maxTurnChars = 4000;
const maxTotalChars = 40_000;

const body = z
  .object({
    messages: z
      .array(z.object({ role: z.enum(["user", "assistant"]), text: z.string().trim().min(1, "must not be empty").max(maxTurnChars, `must be at most ${maxTurnChars} characters`) }).strict())
      .min(1, "must hold at least the user's message")
      .max(maxTurns, `must hold at most ${maxTurns} messages`)
      .refine((m) => m.reduce((n, t) => n + t.text.length, 0) <= maxTotalChars, `must hold at most ${maxTotalChars} characters in all`),
  })
  .strict();

/** The agent playground: talk to the portfolio's agent as a customer would, with no channel. */
export function playgroundRoutes(deps: ApiDeps, model: ModelSettings): ApiRoute[] {
  return [
    route({
      method: "POST",
      path: "/portfolios/:portfolioId/agent/playground",
      access: "agent:playground",
      params: portfolioParams,
      body,
      summary:
        "The agent's answer to a made-up conversation (`messages`, oldest first, the last one the user's), with the portfolio's own " +
        "instructions, model and key. Nothing is stored or sent. `handoff: true` means the reply would be held for a person. 503 without a model key.",
      async handle({ tenant, body }) {
        const stored = await getAgent(deps.db, tenant.portfolioId);
        const portfolio = stored ? undefined : await findPortfolio(deps.db, tenant.portfolioId);
        if (!stored && !portfolio) throw new AppError("not_found", `no portfolio ${tenant.portfolioId}`);
        const agent = stored
          ? { instructions: stored.instructions, model: stored.model, openaiApiKey: stored.openaiApiKey ? deps.box.open(stored.openaiApiKey) : null }
          : { ...defaultAgentFields(portfolio!.name, deps.defaultModel), openaiApiKey: null };
        return playgroundReply(agent, body.messages, model);
      },
    }),
  ];
}
