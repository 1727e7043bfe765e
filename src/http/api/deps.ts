import type { ChannelAdapters } from "../../channels/index.js";
import type { Platform } from "../../core/events.js";
import type { CacheKeys } from "../../core/portfolios/delete-portfolio.js";
import type { LiveEvents } from "../../core/live/ports.js";
import type { ChannelSender } from "../../core/ports.js";
import type { Db } from "../../db/client.js";
import type { SecretBox } from "../../security/secret-box.js";

/** What the API's handlers use; built once in compose.ts. */
export interface ApiDeps {
  db: Db;
  box: SecretBox;
  /** Model of a new portfolio's agent. */
  defaultModel: string;
  now(): Date;
  /** Channel senders (their window rules); sends themselves run as work items. */
  senders: Partial<Record<Platform, ChannelSender>>;
  live: LiveEvents;
  /** Wakes the work runner for work committed to run at `dueAt`. */
  onWorkScheduled(dueAt: Date): void;
  /** Check credentials with Meta and subscribe the app when a channel is connected. */
  connectors: ChannelAdapters["connectors"];
  /** A channel was connected or disconnected: the webhook routing table must reload. */
  onChannelsChanged(): void;
  /** Removes the app's webhook subscription of a disconnected or deleted channel. */
  unsubscribers: ChannelAdapters["unsubscribers"];
  /** The cache's keys, for deleting a portfolio's (dedup markers). */
  cacheKeys: CacheKeys;
  log: { warn(obj: object, msg: string): void };
}
