import type { ChannelEvent } from "../events.js";
import type { Counters } from "../metrics.js";
import type { Deduplicator } from "./dedup.js";
import type { ChannelDirectory, InboundStore, RoutedChannel } from "./ports.js";

export interface InboundDeps {
  directory: ChannelDirectory;
  store: InboundStore;
  dedup: Deduplicator;
  counters: Counters;
  /** Called after commit with the time a reply is due, so it runs without waiting for the sweeper. */
  onReplyScheduled(dueAt: Date): void;
  replyQuietMs: number;
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export interface InboundOutcome {
  /** Events that could not be stored: the caller answers 5xx so Meta delivers the batch again. */
  failed: number;
}

/**
 * Routes, deduplicates and persists every event of a verified webhook POST. Each event stands alone:
 * one failing does not stop the others, and duplicates are dropped by the database key.
 */
export async function handleWebhookEvents(
  events: ChannelEvent[],
  signedWith: string,
  deps: InboundDeps,
): Promise<InboundOutcome> {
  let failed = 0;
  const touched = new Map<string, Date>();
  // Replies are kicked once the whole batch is stored, so messages of one POST get one answer.
  const replyDue: Date[] = [];
  for (const event of events) {
    const channel = await deps.directory.find(event.platform, event.channelExternalId);
    if (!channel) {
      deps.counters.inc("webhook_unknown_recipient", { platform: event.platform });
      continue;
    }
    if (channel.appSecret !== signedWith) {
      // Signed by another tenant's app: that signature does not vouch for this channel.
      deps.counters.inc("webhook_foreign_signature", { platform: event.platform });
      continue;
    }
    touched.set(channel.id, new Date());
    try {
      await handleEvent(event, channel, deps, replyDue);
    } catch (error) {
      failed++;
      deps.log.error({ err: error, channelId: channel.id, eventType: event.type }, "could not store webhook event");
    }
  }
  for (const at of replyDue) deps.onReplyScheduled(at);
  for (const [channelId, at] of touched) {
    await deps.store.touchChannel(channelId, at).catch(() => {});
  }
  return { failed };
}

async function handleEvent(event: ChannelEvent, channel: RoutedChannel, deps: InboundDeps, replyDue: Date[]): Promise<void> {
  switch (event.type) {
    case "message":
      return exactlyOnce(channel, event.platformMessageId, deps, async () => {
        const result = await deps.store.storeMessage(channel, event, deps.replyQuietMs);
        if (result.replyDueAt) replyDue.push(result.replyDueAt);
        return result.stored;
      });
    case "reaction":
      return exactlyOnce(channel, event.platformMessageId, deps, async () => (await deps.store.storeReaction(channel, event)).stored);
    case "status": {
      const outcome = await deps.store.applyStatus(channel, event);
      deps.counters.inc("webhook_status", { platform: event.platform, outcome });
      return;
    }
    case "platform_error":
      deps.counters.inc("webhook_platform_error", { platform: event.platform });
      deps.log.warn({ channelId: channel.id, errors: event.errors }, "platform reported an error");
      return;
  }
}

async function exactlyOnce(
  channel: RoutedChannel,
  platformMessageId: string,
  deps: InboundDeps,
  store: () => Promise<boolean>,
): Promise<void> {
  if (!(await deps.dedup.claim(channel.id, platformMessageId))) {
    deps.counters.inc("webhook_duplicate", { platform: channel.platform, by: "cache" });
    return;
  }
  let stored: boolean;
  try {
    stored = await store();
  } catch (error) {
    await deps.dedup.release(channel.id, platformMessageId);
    throw error;
  }
  if (!stored) deps.counters.inc("webhook_duplicate", { platform: channel.platform, by: "database" });
  await deps.dedup.markProcessed(channel.id, platformMessageId);
}
