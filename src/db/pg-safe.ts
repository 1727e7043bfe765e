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

/**
 * Every string of an event made storable, wherever it sits (ids, names, error titles); Dates and
 * other class instances stay as they are. Past `maxDepth` values are left for pgJson to cut.
 */
export function pgSafe<T>(value: T, depth = 0): T {
  if (typeof value === "string") return pgText(value) as T;
  if (value === null || typeof value !== "object" || depth >= maxDepth) return value;
  if (Array.isArray(value)) return value.map((item) => pgSafe(item, depth + 1)) as T;
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [pgText(k), pgSafe(v, depth + 1)])) as T;
}
