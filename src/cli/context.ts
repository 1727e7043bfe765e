import type { Config } from "../config.js";
import { AppError } from "../core/errors.js";
import type { Db } from "../db/client.js";
import { findPortfolio, type Portfolio } from "../db/repositories/portfolio-repository.js";
import type { SecretBox } from "../security/secret-box.js";

/** What every command group shares: each command is scoped to a portfolio. */
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
  return keepNewlines ? cleaned.replace(/[\u0000-\u0009\u000B-\u001F\u007F-\u009F]/g, "") : cleaned.replace(/[\u0000-\u001F\u007F-\u009F]+/g, " ");
}
