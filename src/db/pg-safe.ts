/**
 * Postgres refuses NUL characters and lone surrogate halves in text and jsonb, and very deep
 * jsonb. Customer input may hold all three; storing it must not fail (Meta would retry forever).
 */
const maxDepth = 32;

export function pgText(value: string): string;
export function pgText(value: string | null | undefined): string | null | undefined;
export function pgText(value: string | null | undefined): string | null | undefined {
  if (typeof value !== "string") return value;
  return value.replaceAll("\u0000", "").toWellFormed();
}

export function pgJson(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return pgText(value);
  if (value === null || typeof value !== "object") return value;
  if (depth >= maxDepth) return "[nested too deep]";
  if (Array.isArray(value)) return value.map((item) => pgJson(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [pgText(k), pgJson(v, depth + 1)]));
}
