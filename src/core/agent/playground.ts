import { AppError } from "../errors.js";
import { generateReply, missingKeyMessage, ModelError, type ModelSettings } from "./generate-reply.js";
import { checkReply } from "./output-guard.js";

export interface PlaygroundTurn {
  role: "user" | "assistant";
  text: string;
}

export interface PlaygroundAgent {
  instructions: string;
  model: string;
  /** The portfolio's own key, opened; used instead of the server's when set. */
  openaiApiKey: string | null;
}

export interface PlaygroundReply {
  reply: { text: string };
  /** The output guard held this reply: with a customer it would not be sent and the thread would go manual. */
  handoff?: true;
  heldReason?: string;
}

/**
 * One turn of the agent playground: the same instructions, model, key choice, context window and
 * output guard as a real reply, but no channel, and nothing is stored or sent.
 */
export async function playgroundReply(agent: PlaygroundAgent, turns: PlaygroundTurn[], settings: ModelSettings): Promise<PlaygroundReply> {
  if (turns.at(-1)?.role !== "user") throw new AppError("bad_request", "body.messages: the last message must be the user's (the agent answers it)");
  const model: ModelSettings = agent.openaiApiKey ? { ...settings, apiKey: agent.openaiApiKey } : settings;
  if (!model.apiKey) throw new AppError("unavailable", missingKeyMessage);
  let text: string;
  try {
    text = await generateReply(
      { model: agent.model, instructions: agent.instructions, history: turns.map((t) => ({ role: t.role, content: t.text })) },
      model,
    );
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const retry = error instanceof ModelError && error.kind === "retryable" ? "; try again" : "";
    throw new AppError("upstream_unavailable", `${message}${retry}`);
  }
  const verdict = checkReply(text);
  return verdict.allowed ? { reply: { text } } : { reply: { text }, handoff: true, heldReason: verdict.reason };
}
