import { AppError } from "../errors.js";
import type { ConversationStore } from "./ports.js";

/** A person takes a conversation over (`manual`: the agent stays silent) or hands it back (`ai`). */
export async function setConversationMode(
  input: { portfolioId: string; conversationId: string; mode: "ai" | "manual" },
  deps: { store: ConversationStore },
): Promise<void> {
  if (!(await deps.store.setMode(input.portfolioId, input.conversationId, input.mode))) {
    throw new AppError("not_found", `no conversation ${input.conversationId}`);
  }
}
