import type { Context, MiddlewareHandler } from "hono";
import type { KeyValue } from "../../cache/ports.js";
import { AppError } from "../../core/errors.js";
import { errorResponse } from "../api/errors.js";

const windowMs = 60_000;

/**
 * A fixed one-minute window per client and bucket, counted in the cache so every server process
 * shares it. When the cache is down requests pass: a limiter must not take the API down with it.
 */
export interface RateLimitOptions {
  kv: KeyValue;
  bucket: string;
  perMinute: number;
  /** Behind a proxy that sets X-Forwarded-For (Vercel, a load balancer); else the header is ignored. */
  trustProxy: boolean;
  onError(err: unknown): void;
}

export function rateLimit({ kv, bucket, perMinute, trustProxy, onError }: RateLimitOptions): MiddlewareHandler {
  return async (c, next) => {
    const window = Math.floor(Date.now() / windowMs);
    let count = 0;
    try {
      count = await kv.increment(`ratelimit:${bucket}:${clientAddress(c, trustProxy)}:${window}`, windowMs);
    } catch (error) {
      onError(error);
    }
    if (count > perMinute) {
      const retryAfter = Math.ceil(((window + 1) * windowMs - Date.now()) / 1000);
      c.header("Retry-After", String(retryAfter));
      return errorResponse(c, new AppError("rate_limited", `more than ${perMinute} requests a minute; try again in ${retryAfter} s`));
    }
    return next();
  };
}

/** The client's address: the first X-Forwarded-For hop behind a trusted proxy, else the socket's. */
export function clientAddress(c: Context, trustProxy: boolean): string {
  const forwarded = trustProxy ? c.req.header("x-forwarded-for")?.split(",")[0]?.trim() : undefined;
  if (forwarded) return forwarded;
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? "unknown";
}
