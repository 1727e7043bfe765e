import type { DeleteEvent, EchoEvent, InboundMessageEvent, Platform, ReactionEvent, StatusEvent, WatermarkEvent } from "../events.js";

/** The routed channel no longer exists in the database (deleted after routing found it). */
export class ChannelGone extends Error {
  constructor() {
    super("the channel was deleted while the webhook was being stored");
  }
}

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

/** A conversation's list fields right after a change. */
export interface ConversationSnapshot {
  id: string;
  mode: "ai" | "manual";
  unreadCount: number;
  lastMessageAt: Date | null;
}

/** An outbound message whose status a webhook moved. */
export interface StatusChange {
  conversationId: string;
  messageId: number;
  status: "received" | "queued" | "sent" | "delivered" | "read" | "failed";
  error?: { code: string; title: string | null; detail: string | null };
}

export interface StoredInbound {
  /** False when the (channel, platform message id) key already existed: a duplicate delivery. */
  stored: boolean;
  conversationId?: string;
  messageId?: number;
  conversation?: ConversationSnapshot;
  /** When the work the message caused (its reply, a profile lookup) falls due. */
  workDueAt: Date[];
}

export interface StoredEcho {
  outcome: "ours" | "person" | "duplicate";
  /** For "person": the business_app message stored and its conversation, now manual. */
  conversationId?: string;
  messageId?: number;
}

export interface InboundStore {
  /** Stores customer, conversation, message and (when `replyAfterMs` is given) the reply work item in one transaction. */
  storeMessage(channel: RoutedChannel, event: InboundMessageEvent, replyAfterMs: number | null): Promise<StoredInbound>;
  /** `targetMessageId`: the stored message the reaction is on, when there is one. */
  storeReaction(
    channel: RoutedChannel,
    event: ReactionEvent,
  ): Promise<{ stored: boolean; conversationId?: string; messageId?: number; targetMessageId?: number }>;
  /** Moves an outbound message's status forward, or keeps the status until the message appears. */
  applyStatus(channel: RoutedChannel, event: StatusEvent): Promise<{ outcome: "applied" | "pending"; changed: StatusChange[] }>;
  /** Moves every outbound message to the customer sent up to the watermark forward. */
  applyWatermark(channel: RoutedChannel, event: WatermarkEvent): Promise<StatusChange[]>;
  /**
   * Stores an echo of a business message unless it is one of ours (known platform id, a queued
   * reply with the same text, or our own app id). A stranger's echo means a person answered from
   * Meta's apps: it is stored once as a business_app message and the conversation goes manual.
   */
  storeEcho(channel: RoutedChannel, event: EchoEvent, ourAppId: string | undefined): Promise<StoredEcho>;
  /** The messages marked deleted. */
  markDeleted(channel: RoutedChannel, event: DeleteEvent): Promise<{ conversationId: string; messageId: number }[]>;
  touchChannel(channelId: string, at: Date): Promise<void>;
}
