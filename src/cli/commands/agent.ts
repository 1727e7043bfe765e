import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { AppError } from "../../core/errors.js";
import { type Agent, type AgentPatch, defaultAgentFields, getAgent, upsertAgent } from "../../db/repositories/agent-repository.js";
import type { Portfolio } from "../../db/repositories/portfolio-repository.js";
import { badInput, type CliContext, type Command, iso, required, resolvePortfolio } from "../context.js";

const set: Command = async (ctx, argv) => {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      portfolio: { type: "string" },
      name: { type: "string" },
      instructions: { type: "string" },
      "instructions-file": { type: "string" },
      model: { type: "string" },
      enabled: { type: "string" },
    },
  });
  const portfolioRef = required(values, "portfolio");
  const patch: AgentPatch = {
    name: nonEmpty(values.name, "name"),
    instructions: await instructions(values.instructions, values["instructions-file"]),
    model: nonEmpty(values.model, "model"),
    enabled: flag(values.enabled),
  };
  const portfolio = await resolvePortfolio(ctx, portfolioRef);
  const { db } = await ctx.database();
  const agent = await upsertAgent(db, portfolio.id, patch, defaultAgentFields(portfolio.name, ctx.config.DEFAULT_MODEL));
  ctx.info(`saved the agent of ${portfolio.slug}`);
  printAgent(ctx, portfolio, agent);
};

const show: Command = async (ctx, argv) => {
  const { values } = parseArgs({ args: argv, strict: true, options: { portfolio: { type: "string" } } });
  const portfolio = await resolvePortfolio(ctx, required(values, "portfolio"));
  const { db } = await ctx.database();
  const agent = await getAgent(db, portfolio.id);
  if (!agent) throw new AppError("not_found", `portfolio ${portfolio.slug} has no agent yet: create it with \`agent set --portfolio ${portfolio.slug}\``);
  printAgent(ctx, portfolio, agent);
};

function printAgent(ctx: CliContext, portfolio: Portfolio, agent: Agent): void {
  ctx.out(`portfolio     ${portfolio.name} (${portfolio.slug}, ${portfolio.id})`);
  ctx.out(`name          ${agent.name}`);
  ctx.out(`model         ${agent.model}`);
  ctx.out(`enabled       ${agent.enabled ? "yes" : "no"}`);
  ctx.out(`updated       ${iso(agent.updatedAt)}`);
  ctx.out("instructions");
  for (const line of agent.instructions.split("\n")) ctx.out(`  ${line}`);
}

function nonEmpty(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === "") throw badInput(`--${name} must not be empty`);
  return value.trim();
}

async function instructions(inline: string | undefined, file: string | undefined): Promise<string | undefined> {
  if (inline !== undefined && file !== undefined) throw badInput("give either --instructions or --instructions-file, not both");
  if (file === undefined) return nonEmpty(inline, "instructions");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw badInput(`cannot read --instructions-file ${file}: ${(error as NodeJS.ErrnoException).code ?? "error"}`);
  }
  if (text.trim() === "") throw badInput(`--instructions-file ${file} is empty`);
  return text.trim();
}

function flag(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === "true") return true;
  if (value === "false") return false;
  throw badInput(`--enabled must be true or false, not "${value}"`);
}

export const agentCommands: Record<string, Command> = { set, show };
