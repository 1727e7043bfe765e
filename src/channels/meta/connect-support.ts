import { z } from "zod";
import { CredentialsRefused } from "../../core/channels/ports.js";
import { SendError } from "../../core/ports.js";

// Pieces of the connect bodies that every platform shares. Secrets are checked for shape only.
export const numericId = (what: string) => z.string().trim().regex(/^\d{1,32}$/, `must be the numeric ${what}`);
export const secret = z.string().min(1, "must not be empty").max(4096).regex(/^\S+$/, "must not contain spaces");
export const optionalSecret = secret.optional();
export const displayName = z.string().trim().min(1).max(200).optional();
export const webhookSecrets = { appSecret: optionalSecret, verifyToken: optionalSecret, displayName };

export interface CheckContext {
  /** What was being checked, e.g. "WhatsApp phone number 1234". */
  what: string;
  /** Input field holding the id looked up, and the one holding the token. */
  idField: string;
  tokenField: string;
  /** Values that must never appear in a message, even if Meta quoted them. */
  secrets: (string | undefined)[];
}

/**
 * Runs one Graph call of a connect. A permanent refusal becomes CredentialsRefused naming the
 * field to fix; faults that may pass (network, 5xx, rate limits) are thrown on as they are.
 */
export async function checked<T>(call: () => Promise<T>, ctx: CheckContext): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof SendError && !error.retryable) throw refusal(error, ctx);
    throw error;
  }
}

function refusal(error: SendError, ctx: CheckContext): CredentialsRefused {
  const code = Number(error.error.code);
  const said = scrub(error.error.title ?? `error ${error.error.code}`, ctx.secrets);
  if (error.tokenInvalid) return new CredentialsRefused(ctx.tokenField, `${ctx.what}: Meta refused the access token (${said})`);
  // 100 with subcode 33: the object does not exist, or this token may not see it.
  if (code === 100) return new CredentialsRefused(ctx.idField, `${ctx.what}: not found, or the token has no access to it (${said})`);
  if (code === 10 || (code >= 200 && code <= 299)) {
    return new CredentialsRefused(ctx.tokenField, `${ctx.what}: the token lacks a permission (${said})`);
  }
  return new CredentialsRefused(ctx.tokenField, `${ctx.what}: Meta refused (${said})`);
}

export function scrub(text: string, secrets: (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join("…");
  return out.replace(/\p{C}/gu, " ").slice(0, 300);
}

/** The answer as a record, or an empty one. */
export function record(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : {};
}

export const text = (value: unknown): string | undefined => (typeof value === "string" && value.trim() !== "" ? value : undefined);
