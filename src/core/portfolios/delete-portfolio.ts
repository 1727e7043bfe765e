import { type SubscriptionSharing, type UnsubscribeResult, unsubscribeChannels } from "../channels/unsubscribe-channels.js";
import type { ChannelUnsubscriber, SubscribedChannel } from "../channels/ports.js";
import { AppError } from "../errors.js";
import type { Platform } from "../events.js";
import type { LiveEvents } from "../live/ports.js";
import { portfolioKeyPrefixes } from "./cache-keys.js";

/** The portfolio's channels as they were when it went. */
export interface ErasedChannels {
  /** Every channel id, disconnected ones too: their cache keys go. */
  ids: string[];
  /** The connected ones with their tokens, for unsubscribing at Meta. */
  subscribed: SubscribedChannel[];
}

export interface PortfolioDeletionStore {
  portfolioName(portfolioId: string): Promise<string | undefined>;
  /**
   * Deletes the portfolio and everything that points to it in one transaction, reading its channels
   * in the same one (so a channel connected meanwhile is not missed); undefined when it was gone.
   */
  erase(portfolioId: string): Promise<ErasedChannels | undefined>;
}

/** The part of the cache deletion needs (KeyValue's shape). */
export interface CacheKeys {
  keys(prefix: string): Promise<string[]>;
  delete(...keys: string[]): Promise<void>;
}

export interface DeletePortfolioDeps {
  store: PortfolioDeletionStore;
  cache: CacheKeys;
  unsubscribers: Partial<Record<Platform, ChannelUnsubscriber>>;
  sharing: SubscriptionSharing;
  /** The webhook routing table must forget the deleted channels. */
  onChannelsChanged(): void;
  /** Tells inboxes still open on the portfolio, then drops its live-update catch-up log. */
  live: Pick<LiveEvents, "publish" | "forget">;
  log: { warn(obj: object, msg: string): void };
}

export interface PortfolioDeleted {
  deleted: true;
  unsubscribe: UnsubscribeResult[];
  cache: { ok: true; keysDeleted: number } | { ok: false; error: string };
}

/**
 * Deletes a portfolio for good once its owner typed its name: channels with their credentials,
 * agent, customers, conversations, messages, notes, work items, members and invitations go in one
 * transaction, then its cache keys and live-update log. Its channels are unsubscribed at Meta with the tokens read
 * before the rows went; a failure there is reported and never keeps the data.
 */
export async function deletePortfolio(request: { portfolioId: string; confirm: string | undefined }, deps: DeletePortfolioDeps): Promise<PortfolioDeleted> {
  const name = await deps.store.portfolioName(request.portfolioId);
  if (name === undefined) throw new AppError("not_found", `no portfolio ${request.portfolioId}`);
  if (request.confirm?.trim() !== name) {
    const said = request.confirm === undefined ? "no confirmation was given" : "the confirmation does not match";
    throw new AppError("bad_request", `${said}: send { "confirm": ${JSON.stringify(name)} }, the portfolio's exact name, to delete it and all its data`, [
      { field: "body.confirm", message: `must be ${JSON.stringify(name)}` },
    ]);
  }
  const channels = await deps.store.erase(request.portfolioId);
  if (!channels) throw new AppError("not_found", `no portfolio ${request.portfolioId}`);
  deps.onChannelsChanged();
  // Inboxes still open (another member's) hear that the channels went and refetch, finding the portfolio gone.
  for (const channelId of channels.ids) {
    await deps.live.publish(request.portfolioId, { type: "channel.state", channelId, state: "disabled", reason: "the portfolio was deleted" });
  }
  await deps.live.publish(request.portfolioId, { type: "portfolio.deleted", portfolioId: request.portfolioId });
  const unsubscribe = await unsubscribeChannels(channels.subscribed, { unsubscribers: deps.unsubscribers, sharing: deps.sharing });
  for (const r of unsubscribe.filter((u) => !u.ok)) deps.log.warn({ channelId: r.channelId, platform: r.platform, error: r.error }, "channel not unsubscribed at Meta");
  return { deleted: true, unsubscribe, cache: await dropKeys(request.portfolioId, channels.ids, deps) };
}

/** Dedup markers expire within a day anyway; a cache that is down is reported, not fatal. */
async function dropKeys(portfolioId: string, channelIds: string[], deps: DeletePortfolioDeps): Promise<PortfolioDeleted["cache"]> {
  try {
    // Last, so that events published by work still in flight while the rows went are dropped too.
    await deps.live.forget(portfolioId);
    let keysDeleted = 0;
    for (const prefix of portfolioKeyPrefixes(portfolioId, channelIds)) {
      const keys = await deps.cache.keys(prefix);
      // Bounded batches: a busy channel may hold a day of markers.
      for (let i = 0; i < keys.length; i += 500) await deps.cache.delete(...keys.slice(i, i + 500));
      keysDeleted += keys.length;
    }
    return { ok: true, keysDeleted };
  } catch (error) {
    deps.log.warn({ err: error }, "cache keys of a deleted portfolio not removed");
    return { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}
