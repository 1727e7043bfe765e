import type { RedisOptions } from "ioredis";

/**
 * The ioredis options for REDIS_URL. `rediss://` (Upstash only speaks TLS) turns TLS on inside
 * ioredis itself, with the host name as SNI, so nothing here overrides it.
 */
export function redisOptions(): RedisOptions {
  return {
    // Fail fast while Redis is away: callers fall back to Postgres rather than queueing commands.
    // Also right for Upstash, which may drop idle connections: ioredis reconnects in the background
    // and the few commands sent meanwhile take the fallback instead of holding the request.
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    lazyConnect: true,
    connectTimeout: 5_000,
    keepAlive: 30_000,
    // Commands issued in the same tick (many webhooks at once) go out in one write.
    enableAutoPipelining: true,
  };
}
