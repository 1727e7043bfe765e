import { AsyncLocalStorage } from "node:async_hooks";
import pino from "pino";

export type Logger = pino.Logger;

/** Message text, phone numbers and secrets never reach the logs, whichever object carries them. */
const redactPaths = [
  "text", "*.text", "body", "*.body", "caption", "*.caption",
  "from", "*.from", "to", "*.to", "wa_id", "*.wa_id", "phone", "*.phone", "recipient_id", "*.recipient_id",
  "platformUserId", "*.platformUserId", "accessToken", "*.accessToken", "appSecret", "*.appSecret",
  "verifyToken", "*.verifyToken", "apiKey", "*.apiKey", "authorization", "*.authorization", "*.headers.authorization",
];

/**
 * Errors keep their reason, never their data: a failed query carries its parameters (message text,
 * phone numbers), so only the database's own message and code are kept for those.
 */
export function safeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const cause = error.cause instanceof Error ? (error.cause as Error & { code?: unknown }) : undefined;
  if ("params" in error || "query" in error) {
    return { type: error.name, message: cause?.message ?? "database query failed", code: cause?.code };
  }
  return { type: error.name, message: error.message, code: (error as Error & { code?: unknown }).code, stack: error.stack };
}

const requestContext = new AsyncLocalStorage<{ requestId: string }>();

/** Runs `fn` (an HTTP request's handling) so every line logged meanwhile carries its request id. */
export function withRequestId<T>(requestId: string, fn: () => T): T {
  return requestContext.run({ requestId }, fn);
}

/** Runs `fn` outside any request: timers it arms (background work) do not inherit a request's id. */
export function outsideRequest<T>(fn: () => T): T {
  return requestContext.exit(fn);
}

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      redact: { paths: redactPaths, censor: "[redacted]" },
      serializers: { err: safeError },
      base: undefined,
      mixin: () => {
        const context = requestContext.getStore();
        return context ? { requestId: context.requestId } : {};
      },
    },
    destination,
  );
}
