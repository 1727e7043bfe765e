/**
 * What a webhook envelope field held instead, for a 400 message: short, and never a full
 * serialisation, since the value may be megabytes or nested deep enough to overflow the stack.
 */
export function describeGot(value: unknown): string {
  if (value === undefined) return "it is missing";
  if (typeof value === "string") return `got ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (value === null || typeof value === "number" || typeof value === "boolean") return `got ${String(value)}`;
  return `got ${Array.isArray(value) ? "an array" : typeof value}`;
}
