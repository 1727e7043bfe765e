import type { ChannelEvent } from "../events.js";
import type { CounterName, Metrics } from "../metrics.js";
import type { Deduplicator } from "./dedup.js";
import { hasStorableIds } from "./storable-ids.js";
import { type ChannelDirectory, ChannelGone, type InboundStore, type RoutedChannel } from "./ports.js";

export interface InboundDeps {
  directory: ChannelDirectory;
  store: InboundStore;
  dedup: Deduplicator;
  counters: Metrics;
  /** Called after commit with the time work falls due, so it runs without waiting for the sweeper. */
  onWorkScheduled(dueAt: Date): void;
  replyQuietMs: number;
  /** Our Meta app id: echoes carrying it are our own sends. */
  ourAppId?: string;
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export interface InboundOutcome {
  /** Events that could not be stored: the caller answers 5xx so Meta delivers the batch again. */
  failed: number;
}

/**
 * Routes, deduplicates and persists every event of a verified webhook POST. Each event stands
 * alone: one failing does not stop the others, and duplicates are dropped by the database key.
 */
export async function handleWebhookEvents(
  events: ChannelEvent[],
  signedWith: string,
  deps: InboundDeps,
): Promise<InboundOutcome> {
  let failed = 0;
  const touched = new Map<string, Date>();
  // Work is kicked once the whole batch is stored, so messages of one POST get one answer.
  const workDue: Date[] = [];
  for (const event of events) {
    if (!hasStorableIds(event)) {
      deps.counters.inc("webhook_item_skipped", { platform: event.platform });
      continue;
    }
    event.occurredAt = plausibleTime(event.occurredAt);
    const channel = await deps.directory.find(event.platform, event.channelExternalId);
    if (!channel) {
      deps.counters.inc("webhook_unknown_recipient", { platform: event.platform });
      warnOnce(deps, `${event.platform}:${event.channelExternalId}`);
      continue;
    }
    if (!channel.appSecrets.includes(signedWith)) {
      // Signed by another tenant's app: that signature does not vouch for this channel.
      deps.counters.inc("webhook_foreign_signature", { platform: event.platform });
      continue;
    }
    touched.set(channel.id, new Date());
    try {
      await handleEvent(event, channel, deps, workDue);
    } catch (error) {
      if (error instanceof ChannelGone) {
        // Acknowledged like any event for a channel that is not connected: Meta must not retry.
        deps.counters.inc("webhook_unknown_recipient", { platform: event.platform });
        touched.delete(channel.id);
        continue;
      }
      failed++;
      deps.log.error({ err: error, channelId: channel.id, eventType: event.type }, "could not store webhook event");
    }
  }
  for (const at of workDue) deps.onWorkScheduled(at);
  for (const [channelId, at] of touched) {
    await deps.store.touchChannel(channelId, at).catch(() => {});
  }
  return { failed };
}

const earliest = Date.UTC(2010, 0, 1);
const skewMs = 60 * 60 * 1000;

/** A platform time in the future or before Meta's APIs existed is garbage: the arrival time stands in. */
function plausibleTime(at: Date): Date {
  const t = at.getTime();
  return Number.isFinite(t) && t >= earliest && t <= Date.now() + skewMs ? at : new Date();
}

const warnedRecipients = new Set<string>();

/** A mistyped phone_number_id or Page id loses every message: say so once per id, not per webhook. */
function warnOnce(deps: InboundDeps, key: string): void {
  if (warnedRecipients.has(key) || warnedRecipients.size > 1000) return;
  warnedRecipients.add(key);
  deps.log.warn({ recipient: key }, "webhook for a channel that is not connected; acknowledged and dropped");
}

async function handleEvent(event: ChannelEvent, channel: RoutedChannel, deps: InboundDeps, workDue: Date[]): Promise<void> {
  const count = (name: CounterName, labels: Record<string, string> = {}) => deps.counters.inc(name, { platform: event.platform, ...labels });
  switch (event.type) {
    case "message":
      return exactlyOnce(channel, event.platformMessageId, deps, async () => {
        const result = await deps.store.storeMessage(channel, event, deps.replyQuietMs);
        workDue.push(...result.workDueAt);
        return result.stored;
      });
    case "reaction":
      return exactlyOnce(channel, event.platformMessageId, deps, async () => (await deps.store.storeReaction(channel, event)).stored);
    case "echo":
      return exactlyOnce(channel, event.platformMessageId, deps, async () => {
        const { outcome } = await deps.store.storeEcho(channel, event, deps.ourAppId);
        count("webhook_echo", { outcome });
        return outcome !== "duplicate";
      });
    case "status":
      count("webhook_status", { outcome: (await deps.store.applyStatus(channel, event)).outcome });
      return;
    case "watermark":
      await deps.store.applyWatermark(channel, event);
      return;
    case "delete":
      await deps.store.markDeleted(channel, event);
      return;
    case "platform_error":
      count("webhook_platform_error");
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
  // Not awaited: the database already holds the truth, and the claim covers a redelivery until
  // the marker lands. Meta's answer does not wait on it (markProcessed never throws).
  void deps.dedup.markProcessed(channel.id, platformMessageId);
}
