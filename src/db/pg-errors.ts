/** Postgres' SQLSTATE of an error, as postgres.js and PGlite report it (drizzle wraps it as the cause). */
function sqlState(error: unknown): unknown {
  const codeOf = (e: unknown) => (e && typeof e === "object" && "code" in e ? (e as { code: unknown }).code : undefined);
  return codeOf(error) ?? codeOf((error as { cause?: unknown } | null)?.cause);
}

export const isUniqueViolation = (error: unknown) => sqlState(error) === "23505";
export const isForeignKeyViolation = (error: unknown) => sqlState(error) === "23503";
/** Raised by cosbot_duplicate_delivery() (migration 0006): the statement stored nothing. */
export const isDuplicateDelivery = (error: unknown) => sqlState(error) === "CB001";
