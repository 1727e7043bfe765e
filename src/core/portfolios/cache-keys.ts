import { dedupKey } from "../inbound/dedup.js";

/**
 * Where the cache keys of a portfolio live, so deleting it can find them. Every key the code
 * writes either starts with one of these prefixes or holds nothing of any portfolio:
 * - `dedup:{channelId}:{platformMessageId}` (core/inbound/dedup.ts): leases and processed markers.
 * - `portfolio:{portfolioId}:` is reserved for any future key that belongs to one portfolio.
 * - `ratelimit:{bucket}:{client address}:{minute}` (http/middleware/rate-limit.ts) counts requests
 *   per client, not per portfolio, and expires after a minute: it names no portfolio or channel.
 * Live updates: `live:{portfolioId}` is a pub/sub topic (nothing stored), and the catch-up log
 * `live:log:{portfolioId}` (cache/live-events.ts) is dropped through LiveEvents.forget.
 */
export function portfolioKeyPrefixes(portfolioId: string, channelIds: string[]): string[] {
  // A channel's key for the empty message id is the prefix of all its keys: one format, in dedup.ts.
  return [`portfolio:${portfolioId}:`, ...channelIds.map((id) => dedupKey(id, ""))];
}
