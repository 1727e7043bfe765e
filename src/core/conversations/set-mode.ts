import { AppError } from "../errors.js";
import type { ConversationStore } from "./ports.js";

/**
 * A person takes a conversation over (`manual`: the agent stays silent) or hands it back (`ai`:
 * the agent answers what the customer wrote meanwhile, if the 24-hour window is still open).
 */
export async function setConversationMode(
  input: { portfolioId: string; conversationId: string; mode: "ai" | "manual" },
  deps: { store: ConversationStore; onWorkScheduled(dueAt: Date): void },
): Promise<void> {
  const result = await deps.store.setMode(input.portfolioId, input.conversationId, input.mode);
  if (!result) throw new AppError("not_found", `no conversation ${input.conversationId}`);
  if (result.replyDueAt) deps.onWorkScheduled(result.replyDueAt);
}
