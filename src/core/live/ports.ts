import type { MessageKind } from "../events.js";

export type LiveMessageStatus = "received" | "queued" | "sent" | "delivered" | "read" | "failed";
export interface LiveError {
  code: string;
  title?: string | null;
  detail?: string | null;
}

/**
 * What the live inbox hears about, per portfolio. Each carries enough to patch a list in place;
 * a client that wants more refetches the conversation or its messages by id.
 */
export type LiveEvent =
  | { type: "channel.state"; channelId: string; state: "active" | "needs_reauth" | "disabled"; reason?: string }
  | {
      type: "conversation.changed";
      conversationId: string;
      /** Each field is present only when this change knows it. */
      mode?: "ai" | "manual";
      unreadCount?: number;
      lastMessageAt?: string;
      attention?: { code: string; reason: string };
    }
  | {
      type: "message.created";
      conversationId: string;
      messageId: number;
      direction: "in" | "out";
      author: "customer" | "ai" | "member" | "business_app";
      kind: MessageKind;
      text: string | null;
      status: LiveMessageStatus;
      occurredAt: string;
      error?: LiveError;
    }
  | { type: "message.status"; conversationId: string; messageId: number; status: LiveMessageStatus; error?: LiveError }
  /** The platform told us the customer's name (Messenger, Instagram), after their first message. */
  | { type: "customer.changed"; customerId: string; profileName: string }
  /** The portfolio is gone: open inboxes leave it. */
  | { type: "portfolio.deleted"; portfolioId: string }
  /** Something other than the status changed (deleted by the customer, a reaction, an unsent part dropped): refetch it. */
  | { type: "message.updated"; conversationId: string; messageId: number; change: "deleted" | "reaction" | "discarded" };

export interface LiveEvents {
  /** Never throws and never blocks on the fan-out for long: a lost live event costs a refetch, not data. */
  publish(portfolioId: string, event: LiveEvent): Promise<void>;
  /** Deletes what the live layer keeps about the portfolio (its catch-up log): portfolio deletion calls it. */
  forget(portfolioId: string): Promise<void>;
}
