/** What the live inbox hears about, per portfolio. */
export type LiveEvent =
  | { type: "channel.state"; channelId: string; state: "active" | "needs_reauth" | "disabled"; reason?: string }
  | { type: "conversation.changed"; conversationId: string };

export interface LiveEvents {
  publish(portfolioId: string, event: LiveEvent): Promise<void>;
}
