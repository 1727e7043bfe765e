import type { DeleteEvent, EchoEvent, InboundMessageEvent, Platform, ReactionEvent, StatusEvent, WatermarkEvent } from "../events.js";

/** What the webhook path knows about a connected channel, kept in memory for routing. */
export interface RoutedChannel {
  id: string;
  portfolioId: string;
  platform: Platform;
  externalId: string;
  /** Secrets a webhook for this channel may be signed with: its own (Instagram: two), else the server's. */
  appSecrets: string[];
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
  /** When the work the message caused (its reply, a profile lookup) falls due. */
  workDueAt: Date[];
}

export interface InboundStore {
  /** Stores customer, conversation, message and (when `replyAfterMs` is given) the reply work item in one transaction. */
  storeMessage(channel: RoutedChannel, event: InboundMessageEvent, replyAfterMs: number | null): Promise<StoredInbound>;
  storeReaction(channel: RoutedChannel, event: ReactionEvent): Promise<{ stored: boolean }>;
  /** Moves an outbound message's status forward, or keeps the status until the message appears. */
  applyStatus(channel: RoutedChannel, event: StatusEvent): Promise<"applied" | "pending">;
  /** Moves every outbound message to the customer sent up to the watermark forward. */
  applyWatermark(channel: RoutedChannel, event: WatermarkEvent): Promise<number>;
  /**
   * Stores an echo of a business message unless it is one of ours (known platform id, a queued
   * reply with the same text, or our own app id). A stranger's echo means a person answered from
   * Meta's apps: it is stored once as a business_app message and the conversation goes manual.
   */
  storeEcho(channel: RoutedChannel, event: EchoEvent, ourAppId: string | undefined): Promise<"ours" | "person" | "duplicate">;
  markDeleted(channel: RoutedChannel, event: DeleteEvent): Promise<void>;
  touchChannel(channelId: string, at: Date): Promise<void>;
}
