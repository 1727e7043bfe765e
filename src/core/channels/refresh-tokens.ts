import type { LiveEvents } from "../live/ports.js";
import type { Platform } from "../events.js";
import { SendError, type TokenRefresher } from "../ports.js";
import type { ExpiringToken, TokenStore } from "./ports.js";

export interface RefreshDeps {
  store: TokenStore;
  refreshers: Partial<Record<Platform, TokenRefresher>>;
  live: LiveEvents;
  now(): Date;
  log: { warn(obj: object, msg: string): void };
}

export interface RefreshOutcome {
  refreshed: number;
  failed: number;
  skipped: number;
}

/**
 * Renews every long-lived token that is due, well before it runs out (an expired token cannot be
 * renewed). A refusal marks the channel needs_reauth and tells the inbox; one channel failing
 * does not stop the others.
 */
export async function refreshChannelTokens(deps: RefreshDeps): Promise<RefreshOutcome> {
  const outcome: RefreshOutcome = { refreshed: 0, failed: 0, skipped: 0 };
  const now = deps.now();
  for (const token of await deps.store.expiringTokens()) {
    const refresher = deps.refreshers[token.platform];
    const issuedAt = token.issuedAt ?? new Date(0);
    if (refresher && token.expiresAt <= now) {
      // Too late to renew: only a new login helps, and admins should hear it before a send fails.
      outcome.failed++;
      await needsReauth(deps, token, "The access token expired; reconnect the account");
      continue;
    }
    if (!refresher || !refresher.due(token.credentials, issuedAt, token.expiresAt, now)) {
      outcome.skipped++;
      continue;
    }
    try {
      const renewed = await refresher.refresh(token.credentials, now);
      await deps.store.saveToken(token.channelId, { ...token.credentials, accessToken: renewed.accessToken }, now, renewed.expiresAt);
      outcome.refreshed++;
    } catch (error) {
      outcome.failed++;
      deps.log.warn({ err: error, channelId: token.channelId }, "token refresh failed");
      // A passing fault (timeout, 5xx) is tried again on the next run; days are left before expiry.
      if (!(error instanceof SendError) || error.retryable) continue;
      const reason = error.tokenInvalid
        ? "The access token was refused (190); reconnect the account"
        : `Token refresh was refused: ${error.message}`;
      await needsReauth(deps, token, reason);
    }
  }
  return outcome;
}

async function needsReauth(deps: RefreshDeps, token: ExpiringToken, reason: string): Promise<void> {
  await deps.store.markNeedsReauth(token.channelId, reason);
  await deps.live.publish(token.portfolioId, { type: "channel.state", channelId: token.channelId, state: "needs_reauth", reason });
}
