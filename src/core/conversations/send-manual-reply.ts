import { AppError } from "../errors.js";
import type { Platform, PlatformError } from "../events.js";
import type { ChannelSender } from "../ports.js";
import type { ConversationStore, ConversationWindow } from "./ports.js";

export interface ManualReplyDeps {
  store: ConversationStore;
  senders: Partial<Record<Platform, ChannelSender>>;
  now(): Date;
  onWorkScheduled(dueAt: Date): void;
}

export interface ManualReplyResult {
  messageId: number;
  status: "queued" | "failed";
  /** Why the message may not go out, when it was refused. */
  reason?: string;
}

const hours = (ms: number) => Math.round(ms / 3_600_000);

/**
 * A person answers a customer. The conversation switches to manual and the message is sent by a
 * durable work item. Outside the window a person may write in (24 hours, or 7 days on Messenger
 * and Instagram with the human-agent tag) the message is kept, marked failed with the reason.
 */
export async function sendManualReply(
  input: { portfolioId: string; conversationId: string; text: string; memberId?: string },
  deps: ManualReplyDeps,
): Promise<ManualReplyResult> {
  const text = input.text.trim();
  if (!text) throw new AppError("bad_request", "text must not be empty");
  const window = await deps.store.window(input.portfolioId, input.conversationId);
  if (!window) throw new AppError("not_found", `no conversation ${input.conversationId}`);
  const sender = deps.senders[window.platform];
  if (!sender) throw new AppError("bad_request", `cannot send on ${window.platform}`);

  const refusal = refusalOf(window, sender, deps.now());
  if (refusal) {
    const stored = await deps.store.storePersonMessage(input.portfolioId, input.conversationId, { text, memberId: input.memberId }, refusal);
    return { messageId: stored.messageId, status: "failed", reason: refusal.detail };
  }
  const stored = await deps.store.storePersonMessage(input.portfolioId, input.conversationId, { text, memberId: input.memberId });
  if (stored.sendDueAt) deps.onWorkScheduled(stored.sendDueAt);
  return { messageId: stored.messageId, status: "queued" };
}

/** Why a person's message may not go out now, if it may not: a dead channel, or a closed window. */
function refusalOf(window: ConversationWindow, sender: ChannelSender, now: Date): (PlatformError & { detail: string }) | undefined {
  if (window.channelState !== "active") {
    const detail = window.channelState === "needs_reauth"
      ? "The channel's access token was refused; reconnect the channel, then send again."
      : "The channel is disabled.";
    return { code: `channel_${window.channelState}`, title: "The channel cannot send", detail };
  }
  const since = window.lastInboundAt ? now.getTime() - window.lastInboundAt.getTime() : Number.POSITIVE_INFINITY;
  if (since <= sender.window.humanMs) return undefined;
  const detail = window.lastInboundAt
    ? `The customer last wrote ${hours(since)} hours ago; on ${window.platform} a person may reply within ${hours(sender.window.humanMs)} hours of the customer's last message. Wait for the customer to write again${sender.window.afterwards ? ` or send ${sender.window.afterwards}` : ""}.`
    : "The customer has not written yet, so no free-form message may be sent.";
  return { code: "window_closed", title: "Outside the messaging window", detail, category: "window_closed" };
}
