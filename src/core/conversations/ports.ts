import type { Platform, PlatformError } from "../events.js";

export interface ConversationWindow {
  platform: Platform;
  channelState: "active" | "needs_reauth" | "disabled";
  /** Platform time of the customer's newest message. */
  lastInboundAt: Date | null;
}

/** What the conversation use cases read and write; every call is scoped to a portfolio. */
export interface ConversationStore {
  window(portfolioId: string, conversationId: string): Promise<ConversationWindow | undefined>;
  /**
   * Stores a person's message in one transaction: queued with its send scheduled and the
   * conversation switched to manual, or already failed with `refusal` when it may not go out.
   */
  storePersonMessage(
    portfolioId: string,
    conversationId: string,
    message: { text: string; memberId?: string },
    refusal?: PlatformError,
  ): Promise<{ messageId: number; sendDueAt?: Date }>;
  /** Undefined when there is no such conversation; handing back to `ai` schedules a reply run. */
  setMode(portfolioId: string, conversationId: string, mode: "ai" | "manual"): Promise<{ replyDueAt?: Date } | undefined>;
}
