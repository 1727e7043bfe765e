import type { Platform } from "../events.js";
import type { LiveEvents } from "../live/ports.js";
import { type ChannelCredentials, type ChannelSender, SendError } from "../ports.js";

export interface ProfileTarget {
  customerId: string;
  portfolioId: string;
  platform: Platform;
  channelId: string;
  channelExternalId: string;
  credentials: ChannelCredentials;
  platformUserId: string;
  profileName: string | null;
}

export interface ProfileStore {
  profileTarget(customerId: string): Promise<ProfileTarget | undefined>;
  /** Keeps the name only if none is known yet. */
  saveProfileName(customerId: string, name: string): Promise<void>;
  channelNeedsReauth(channelId: string, reason: string): Promise<void>;
}

/**
 * Looks up a new customer's name once, where the platform has a profile API (Messenger,
 * Instagram). A missing profile is normal (no consent, blocked): nothing is stored then.
 */
export async function fetchCustomerProfile(
  customerId: string,
  deps: { store: ProfileStore; live: LiveEvents; senders: Partial<Record<Platform, ChannelSender>> },
): Promise<void> {
  const target = await deps.store.profileTarget(customerId);
  if (!target || target.profileName) return;
  const sender = deps.senders[target.platform];
  if (!sender?.fetchProfile) return;
  try {
    const profile = await sender.fetchProfile({
      channelExternalId: target.channelExternalId,
      credentials: target.credentials,
      recipientPlatformUserId: target.platformUserId,
    });
    const name = profile?.name ?? profile?.username;
    if (name) {
      await deps.store.saveProfileName(customerId, name);
      await deps.live.publish(target.portfolioId, { type: "customer.changed", customerId, profileName: name });
    }
  } catch (error) {
    if (error instanceof SendError && error.tokenInvalid) {
      await deps.store.channelNeedsReauth(target.channelId, error.message);
      await deps.live.publish(target.portfolioId, { type: "channel.state", channelId: target.channelId, state: "needs_reauth", reason: error.message });
      return;
    }
    if (error instanceof SendError && !error.retryable) return;
    throw error;
  }
}
