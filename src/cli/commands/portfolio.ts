import { parseArgs } from "node:util";
import type { Config } from "../../config.js";
import { AppError } from "../../core/errors.js";
import type { Db } from "../../db/client.js";
import { createPortfolio, findPortfolio, listPortfolios, type Portfolio } from "../../db/repositories/portfolio-repository.js";
import type { SecretBox } from "../../security/secret-box.js";

// ---- Shared by every command group: each command is scoped to a portfolio. ----

export interface CliContext {
  config: Config;
  /** Opened on first use, so bad input fails before the database is touched. */
  database(): Promise<{ db: Db; box: SecretBox }>;
  /** Results, one per line, for people and scripts. */
  out(line: string): void;
  /** Remarks for people (stderr), so stdout stays parseable. */
  info(line: string): void;
}

export type Command = (ctx: CliContext, argv: string[]) => Promise<void>;

/** Bad input: main prints the message on one line and exits 1. */
export function badInput(message: string): AppError {
  return new AppError("bad_request", message);
}

export function required<T extends Record<string, unknown>>(values: T, name: keyof T & string): string {
  const value = values[name];
  if (typeof value !== "string" || value.trim() === "") throw badInput(`missing --${name}`);
  return value.trim();
}

export async function resolvePortfolio(ctx: CliContext, idOrSlug: string): Promise<Portfolio> {
  const { db } = await ctx.database();
  const portfolio = await findPortfolio(db, idOrSlug);
  if (!portfolio) throw new AppError("not_found", `no portfolio with id or slug "${printable(idOrSlug)}"`);
  return portfolio;
}

/** Columns padded to the widest cell; the last column is left ragged. */
export function table(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]!))).join("  "));
}

export const iso = (d: Date | null | undefined): string => (d ? d.toISOString() : "-");

/**
 * Customer-controlled text (names, messages) goes to an operator's terminal: escape sequences and
 * bidi overrides could rewrite what is shown, so control characters are dropped (newlines kept).
 */
export function printable(text: string, keepNewlines = false): string {
  const cleaned = text
    .replace(/\u001b\[[0-?]*[ -/]*[@-~]/g, "") // whole CSI sequences, not just their ESC
    .replace(/\t/g, " ")
    .replace(/[\u202A-\u202E\u2066-\u2069]/g, "");
  // eslint-disable-next-line no-control-regex
  return keepNewlines ? cleaned.replace(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g, "") : cleaned.replace(/[\u0000-\u001F\u007F-\u009F]+/g, " ");
}

// ---- portfolio create | list ----

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
