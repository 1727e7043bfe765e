import { z } from "zod";
import { AppError } from "../../../core/errors.js";
import { modelChoices } from "../../../core/agent/models.js";
import { type Agent, type AgentPatch, defaultAgentFields, getAgent, upsertAgent } from "../../../db/repositories/agent-repository.js";
import { findPortfolio } from "../../../db/repositories/portfolio-repository.js";
import type { ApiDeps } from "../deps.js";
import { portfolioParams } from "../params.js";
import { route, type ApiRoute } from "../route.js";

export const maxInstructionsLength = 20_000;

/** What anyone may see of the agent: never the key, only whether one is set and its last 4 characters. */
const agentView = (a: Pick<Agent, "name" | "instructions" | "model" | "enabled" | "openaiApiKeyHint"> & { updatedAt: Date | null }) => ({
  name: a.name,
  instructions: a.instructions,
  model: a.model,
  enabled: a.enabled,
  hasOwnOpenAiKey: a.openaiApiKeyHint !== null,
  openAiKeyHint: a.openaiApiKeyHint,
  updatedAt: a.updatedAt,
});

/** The portfolio's AI agent: its name, instructions, model, on/off, and optionally its own OpenAI key. */
export function agentRoutes(deps: ApiDeps): ApiRoute[] {
  const models = modelChoices(deps.defaultModel);
  const defaultsFor = async (portfolioId: string) => {
    const portfolio = await findPortfolio(deps.db, portfolioId);
    if (!portfolio) throw new AppError("not_found", `no portfolio ${portfolioId}`);
    return defaultAgentFields(portfolio.name, deps.defaultModel);
  };
  const patchBody = z
    .object({
      name: z.string().trim().min(1, "must not be empty").max(60, "must be at most 60 characters"),
      instructions: z.string().trim().min(1, "must not be empty").max(maxInstructionsLength, `must be at most ${maxInstructionsLength} characters`),
      model: z.string().refine((m) => models.includes(m), `must be one of ${models.join(", ")}`),
      enabled: z.boolean(),
      openaiApiKey: z
        .string()
        .trim()
        .min(20, "must be at least 20 characters")
        .max(500, "must be at most 500 characters")
        .regex(/^\S+$/, "must not contain spaces")
        .nullable()
        .describe("The portfolio's own OpenAI API key, used instead of the server's; null removes it. Never returned."),
    })
    .partial()
    .strict();

  return [
    route({
      method: "GET",
      path: "/portfolios/:portfolioId/agent",
      access: "conversations:read",
      params: portfolioParams,
      summary: "The portfolio's agent (never its OpenAI key, only whether one is set and its last 4 characters) and the models it may use.",
      async handle({ tenant }) {
        const agent = (await getAgent(deps.db, tenant.portfolioId)) ?? { ...(await defaultsFor(tenant.portfolioId)), openaiApiKeyHint: null, updatedAt: null };
        return { agent: agentView(agent), models };
      },
    }),
    route({
      method: "PATCH",
      path: "/portfolios/:portfolioId/agent",
      access: "agent:manage",
      params: portfolioParams,
      body: patchBody,
      summary: "Changes any of the agent's name, instructions, model, enabled, and its own OpenAI key (a string sets it, null removes it).",
      async handle({ tenant, body }) {
        const { openaiApiKey, ...fields } = body;
        const patch: AgentPatch = { ...fields };
        if (openaiApiKey === null) Object.assign(patch, { openaiApiKey: null, openaiApiKeyHint: null });
        if (openaiApiKey) Object.assign(patch, { openaiApiKey: deps.box.seal(openaiApiKey), openaiApiKeyHint: `…${openaiApiKey.slice(-4)}` });
        const agent = await upsertAgent(deps.db, tenant.portfolioId, patch, await defaultsFor(tenant.portfolioId));
        return { agent: agentView(agent), models };
      },
    }),
  ];
}
