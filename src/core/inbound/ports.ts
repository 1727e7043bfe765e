import type { InboundMessageEvent, Platform, ReactionEvent, StatusEvent } from "../events.js";

/** What the webhook path knows about a connected channel, kept in memory for routing. */
export interface RoutedChannel {
  id: string;
  portfolioId: string;
  platform: Platform;
  externalId: string;
  /** The one secret webhooks for this channel must be signed with: its own, else the server's app secret. */
  appSecret?: string;
  verifyToken?: string;
}

export interface ChannelDirectory {
  find(platform: Platform, externalId: string): Promise<RoutedChannel | undefined>;
  /** Every app secret a webhook for this platform may be signed with. */
  appSecrets(platform: Platform): Promise<string[]>;
  verifyTokens(platform: Platform): Promise<string[]>;
}

export interface StoredInbound {
  /** False when the (channel, platform message id) key already existed: a duplicate delivery. */
  stored: boolean;
  conversationId?: string;
  /** When the reply work item is due, if one was scheduled. */
  replyDueAt?: Date;
}

export interface InboundStore {
  /** Stores customer, conversation, message and (when `replyAfterMs` is given) the reply work item in one transaction. */
  storeMessage(channel: RoutedChannel, event: InboundMessageEvent, replyAfterMs: number | null): Promise<StoredInbound>;
  storeReaction(channel: RoutedChannel, event: ReactionEvent): Promise<{ stored: boolean }>;
  /** Moves an outbound message's status forward, or keeps the status until the message appears. */
  applyStatus(channel: RoutedChannel, event: StatusEvent): Promise<"applied" | "pending">;
  touchChannel(channelId: string, at: Date): Promise<void>;
}
