import { AppError } from "../errors.js";
import type { Platform } from "../events.js";
import type { LiveEvents } from "../live/ports.js";
import type { ChannelUnsubscriber, SubscribedChannel } from "./ports.js";
import { type SubscriptionSharing, type UnsubscribeResult, unsubscribeChannels } from "./unsubscribe-channels.js";

/** Disconnecting keeps the channel's conversations: the row stays, disabled, without credentials. */
export interface ChannelDisabler<S> {
  disable(portfolioId: string, channelId: string, reason: string): Promise<S | undefined>;
}

/**
 * Disconnects a channel: its credentials are wiped, its webhooks stop being routed at once and
 * nothing more is sent on it; its history stays readable and connecting it again reuses it.
 */
export async function disconnectChannel<S>(
  request: { portfolioId: string; channelId: string; by: string },
  deps: { registry: ChannelDisabler<S>; onChannelsChanged(): void; live: LiveEvents },
): Promise<S> {
  const reason = `disconnected by ${request.by}`;
  const disabled = await deps.registry.disable(request.portfolioId, request.channelId, reason);
  if (disabled === undefined) throw new AppError("not_found", `no channel ${request.channelId}`);
  deps.onChannelsChanged();
  await deps.live.publish(request.portfolioId, { type: "channel.state", channelId: request.channelId, state: "disabled", reason });
  return disabled;
}

/**
 * Disconnects as above, then removes the app's webhook subscription at Meta with the token read
 * before it was wiped. Meta refusing is reported in `unsubscribe`, never undoes the disconnect;
 * null when the channel had no token left (disconnected before).
 */
export async function disconnectAndUnsubscribe<S>(
  request: { portfolioId: string; channelId: string; by: string },
  deps: Parameters<typeof disconnectChannel<S>>[1] & {
    subscribed(portfolioId: string, channelId: string): Promise<SubscribedChannel | undefined>;
    unsubscribers: Partial<Record<Platform, ChannelUnsubscriber>>;
    sharing: SubscriptionSharing;
  },
): Promise<{ channel: S; unsubscribe: UnsubscribeResult | null }> {
  const target = await deps.subscribed(request.portfolioId, request.channelId);
  const channel = await disconnectChannel(request, deps);
  const [unsubscribe] = target ? await unsubscribeChannels([target], deps) : [];
  return { channel, unsubscribe: unsubscribe ?? null };
}
