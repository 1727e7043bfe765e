import type { Platform } from "../events.js";

/** Everything Cosbot stores about one customer, as read by the store (plain data, no ORM types). */
export interface CustomerRecord {
  customer: {
    id: string;
    portfolioId: string;
    platformUserId: string;
    profileName: string | null;
    firstSeenAt: Date;
    lastSeenAt: Date;
  };
  channel: { id: string; platform: Platform; externalId: string; displayName: string | null };
  notes: Array<{ id: number; authorMemberId: string | null; authorName: string; body: string; createdAt: Date; updatedAt: Date }>;
  conversations: Array<{
    id: string;
    channelId: string;
    mode: "ai" | "manual";
    createdAt: Date;
    lastInboundAt: Date | null;
    lastMessageAt: Date | null;
    unreadCount: number;
    deliveredWatermark: Date | null;
    readWatermark: Date | null;
    attentionCode: string | null;
    attentionReason: string | null;
    attentionAt: Date | null;
    /** Storage order. */
    messages: StoredMessage[];
  }>;
  /** Delivery statuses kept for one of their messages' platform ids, not applied yet. */
  pendingStatuses: Array<{ platformMessageId: string; status: string; occurredAt: Date; error: unknown; receivedAt: Date }>;
}

export interface StoredMessage {
  id: number;
  direction: "in" | "out";
  author: "customer" | "ai" | "member" | "business_app";
  authorMemberId: string | null;
  kind: string;
  text: string | null;
  /** Kind-specific details: media ids, mime types, file names, URLs, location, contacts. */
  details: unknown;
  /** The platform's message object as received, where it was kept. */
  raw: unknown;
  platformMessageId: string | null;
  replyToPlatformId: string | null;
  answersMessageId: number | null;
  reaction: string | null;
  status: string;
  errorCode: string | null;
  errorTitle: string | null;
  errorDetail: string | null;
  occurredAt: Date;
  sentAt: Date | null;
  deliveredAt: Date | null;
  readAt: Date | null;
  failedAt: Date | null;
  deleted: boolean;
  createdAt: Date;
}

/** What an erasure removed from the database, and what the cache and live inboxes must forget. */
export interface ErasedRows {
  channelId: string;
  conversationIds: string[];
  /** Platform ids of their messages: the dedup markers in the cache are keyed by them. */
  platformMessageIds: string[];
  counts: { customers: number; conversations: number; messages: number; notes: number; workItems: number; pendingStatuses: number };
}

/** Reads and erases one customer; every call is scoped to a portfolio. */
export interface CustomerRightsStore {
  /** Undefined when the customer is not in this portfolio (another tenant's id included). */
  customerRecord(portfolioId: string, customerId: string): Promise<CustomerRecord | undefined>;
  /** Removes the customer and everything of theirs in one transaction; undefined when not in this portfolio. */
  eraseCustomer(portfolioId: string, customerId: string): Promise<ErasedRows | undefined>;
}
