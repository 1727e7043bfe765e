import { AppError } from "../errors.js";
import type { LiveEvents } from "../live/ports.js";

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
