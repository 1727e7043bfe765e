/**
 * A lookup in a table keyed by payload text that sees only the table's own keys: "__proto__" or
 * "constructor" as a message type or reaction name must find nothing, not Object's prototype.
 */
export function own<T>(table: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(table, key) ? table[key] : undefined;
}
