import { SendError } from "../ports.js";
import type { Platform } from "../events.js";
import type { ChannelUnsubscriber, SubscribedChannel } from "./ports.js";

/** What happened at Meta for one channel; `ok: false` never stops the deletion or disconnect. */
export interface UnsubscribeResult {
  channelId: string;
  platform: Platform;
  ok: boolean;
  error?: string;
  /** Not unsubscribed on purpose: the subscription still serves another connected channel. */
  kept?: string;
}

export interface SubscriptionSharing {
  /** Ids of live channels, other than `excluding`, on the same Meta object (a WABA's other numbers, a Page's Instagram account). */
  liveChannelsOn(objectId: string, excluding: string[]): Promise<string[]>;
}

/**
 * Removes the app's webhook subscription of each channel, one call per Meta object. Never throws:
 * every failure is reported in the result instead, since Meta being down must not keep data.
 */
export async function unsubscribeChannels(
  channels: SubscribedChannel[],
  deps: { unsubscribers: Partial<Record<Platform, ChannelUnsubscriber>>; sharing: SubscriptionSharing },
): Promise<UnsubscribeResult[]> {
  const leaving = channels.map((c) => c.channelId);
  const done = new Map<string, Omit<UnsubscribeResult, "channelId" | "platform">>();
  const results: UnsubscribeResult[] = [];
  for (const channel of channels) {
    const head = { channelId: channel.channelId, platform: channel.platform };
    const unsubscriber = deps.unsubscribers[channel.platform];
    const target = unsubscriber?.subscription(channel) ?? { unsupported: `no unsubscribe for ${channel.platform}` };
    if ("unsupported" in target) {
      results.push({ ...head, ok: false, error: target.unsupported });
      continue;
    }
    const key = `${channel.platform}:${target.objectId}`;
    let outcome = done.get(key);
    if (!outcome) {
      outcome = await attempt(channel, unsubscriber!, target.objectId, leaving, deps.sharing);
      done.set(key, outcome);
    }
    results.push({ ...head, ...outcome });
  }
  return results;
}

async function attempt(
  channel: SubscribedChannel,
  unsubscriber: ChannelUnsubscriber,
  objectId: string,
  leaving: string[],
  sharing: SubscriptionSharing,
): Promise<Omit<UnsubscribeResult, "channelId" | "platform">> {
  try {
    const others = await sharing.liveChannelsOn(objectId, leaving);
    if (others.length) return { ok: true, kept: `${objectId} still serves ${others.length} other connected channel(s)` };
    await unsubscriber.unsubscribe(channel);
    return { ok: true };
  } catch (error) {
    return { ok: false, error: describe(error, channel.credentials.accessToken) };
  }
}

function describe(error: unknown, token: string): string {
  const text =
    error instanceof SendError
      ? `Meta answered ${error.error.code}${error.error.title ? `: ${error.error.title}` : ""}`
      : error instanceof Error
        ? error.message
        : String(error);
  // Meta sometimes quotes what it was given; the token must never travel on.
  return (token ? text.split(token).join("…") : text).slice(0, 300);
}
