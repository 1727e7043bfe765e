import { parseArgs } from "node:util";
import { createPortfolio, listPortfolios } from "../../db/repositories/portfolio-repository.js";
import { badInput, type Command, iso, printable, required, table } from "../context.js";

const create: Command = async (ctx, argv) => {
  const { values } = parseArgs({ args: argv, options: { name: { type: "string" } }, strict: true });
  const name = required(values, "name");
  if (name.length > 200) throw badInput("--name is longer than 200 characters");
  const { db } = await ctx.database();
  const { portfolio, agent } = await createPortfolio(db, { name, model: ctx.config.DEFAULT_MODEL });
  ctx.out(portfolio.id);
  ctx.info(`created portfolio "${portfolio.name}" (slug ${portfolio.slug}) with agent "${agent.name}" on ${agent.model}`);
};

const list: Command = async (ctx, argv) => {
  parseArgs({ args: argv, options: {}, strict: true });
  const { db } = await ctx.database();
  const portfolios = await listPortfolios(db);
  if (portfolios.length === 0) return ctx.info("no portfolios yet: create one with `portfolio create --name <name>`");
  const rows = portfolios.map((p) => [p.id, p.slug, iso(p.createdAt), printable(p.name)]);
  for (const line of table([["ID", "SLUG", "CREATED", "NAME"], ...rows])) ctx.out(line);
};

export const portfolioCommands: Record<string, Command> = { create, list };
