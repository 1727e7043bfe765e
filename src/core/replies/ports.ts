import type { MessageKind, Platform, PlatformError } from "../events.js";
import type { ChannelCredentials } from "../ports.js";

export interface ReplyContext {
  portfolioId: string;
  conversationId: string;
  mode: "ai" | "manual";
  /** Platform time of the customer's newest message. */
  lastInboundAt: Date | null;
  channel: {
    id: string;
    platform: Platform;
    externalId: string;
    state: "active" | "needs_reauth" | "disabled";
    credentials: ChannelCredentials;
  };
  customer: { platformUserId: string; profileName: string | null };
  /** `openaiApiKey` is the portfolio's own key, opened; used instead of the server's when set. */
  agent: { name: string; instructions: string; model: string; enabled: boolean; openaiApiKey: string | null } | null;
}

export interface HistoryMessage {
  id: number;
  direction: "in" | "out";
  author: "customer" | "ai" | "member" | "business_app";
  kind: MessageKind;
  text: string | null;
  status: string;
  platformMessageId: string | null;
  replyToPlatformId: string | null;
  answersMessageId: number | null;
  /** What a customer message answers when it is not one of ours (e.g. the business's story). */
  replyContext: string | null;
  deleted: boolean;
}

export interface OutboundPart {
  id: number;
  text: string;
  status: string;
  platformMessageId: string | null;
}

/** A message's status right after it was sent (statuses that overtook the send are applied by then). */
export interface SentState {
  status: "sent" | "delivered" | "read" | "failed";
  error?: { code: string; title: string | null; detail: string | null };
}

export type AttentionCode = "window_closed" | "send_failed" | "reply_failed" | "reply_held" | "needs_reauth";

/** A conversation by id, always with its portfolio: every read is scoped to the tenant. */
export type ConversationRef = Pick<ReplyContext, "portfolioId" | "conversationId">;

export interface ReplyStore {
  loadContext(conversationId: string): Promise<ReplyContext | undefined>;
  /** The newest `limit` messages, oldest first. */
  history(conversation: ConversationRef, limit: number): Promise<HistoryMessage[]>;
  currentMode(ctx: ReplyContext): Promise<"ai" | "manual">;
  /**
   * Stores the reply (one row per part, `queued`) and records the ids on the work item, atomically,
   * only while `owner` still holds the item's lease (else throws LostLease) and the conversation is
   * still in AI mode (else stores nothing and returns no ids: a person took over).
   */
  storeReplyParts(ctx: ReplyContext, parts: string[], job: { id: number; owner: string }, answersMessageId: number): Promise<number[]>;
  parts(ctx: ReplyContext, ids: number[]): Promise<OutboundPart[]>;
  /** Messages people wrote that still wait to be sent, oldest first. */
  queuedPersonMessages(ctx: ReplyContext): Promise<OutboundPart[]>;
  /** Records the platform id and `sent`, and applies statuses that arrived before it; returns the status then. */
  markSent(ctx: ReplyContext, messageId: number, platformMessageId: string): Promise<SentState>;
  markFailed(ctx: ReplyContext, messageIds: number[], error: PlatformError): Promise<void>;
  /** Drops queued parts that were never sent (a person took over meanwhile). */
  discardUnsent(ctx: ReplyContext, messageIds: number[]): Promise<void>;
  /** A reply that could not be produced or was held: kept as a failed AI message admins can see. */
  storeFailedReply(ctx: ReplyContext, error: PlatformError, text: string | null, answersMessageId?: number): Promise<number>;
  flag(ctx: ReplyContext, code: AttentionCode, reason: string): Promise<void>;
  setMode(ctx: ReplyContext, mode: "ai" | "manual"): Promise<void>;
  channelNeedsReauth(ctx: ReplyContext, reason: string): Promise<void>;
}

/** The work item's lease passed to another process: this run must not write anything more. */
export class LostLease extends Error {
  constructor(workItemId: number) {
    super(`lease on work item ${workItemId} was taken over`);
  }
}
