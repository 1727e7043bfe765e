import { disconnectChannel } from "../channels/disconnect-channel.js";
import { AppError } from "../errors.js";
import type { MetaUserDeps, MetaUserRemoval } from "./ports.js";

/** What the channel's reason says; admins see it next to the disabled channel. */
export const removedByMetaUser = "Meta (the Facebook user who connected it removed the app)";

/**
 * Disconnects every channel the Meta user connected (credentials wiped, webhooks no longer
 * routed) and forgets their id. The channels' conversations stay: they belong to the business
 * and its customers, not to the Facebook user who once connected the account.
 */
export async function disconnectMetaUser(metaUserId: string, deps: MetaUserDeps): Promise<MetaUserRemoval> {
  let channelsDisabled = 0;
  for (const { portfolioId, channelId } of await deps.channels.liveChannelsOf(metaUserId)) {
    try {
      await disconnectChannel({ portfolioId, channelId, by: removedByMetaUser }, { registry: deps.disabler, onChannelsChanged: deps.onChannelsChanged, live: deps.live });
      channelsDisabled++;
    } catch (error) {
      // Gone meanwhile (its portfolio was deleted): nothing of it is left to remove.
      if (!(error instanceof AppError && error.code === "not_found")) throw error;
      deps.log.warn({ channelId }, "channel vanished while removing a Meta user");
    }
  }
  const userIdsRemoved = await deps.channels.forget(metaUserId);
  return { channelsDisabled, userIdsRemoved };
}
