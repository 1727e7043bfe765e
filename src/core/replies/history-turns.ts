import type { ModelTurn } from "../agent/context-window.js";
import type { HistoryMessage } from "./ports.js";

/**
 * The thread in conversational order: storage order, except that an AI reply stands right after
 * the customer message it was written for (a message that arrived while it was being written
 * comes after it, as the model needs to see it).
 */
export function conversationalOrder(history: HistoryMessage[]): HistoryMessage[] {
  const key = (m: HistoryMessage): [number, number, number] =>
    m.answersMessageId !== null ? [m.answersMessageId, 1, m.id] : [m.id, 0, m.id];
  return [...history].sort((a, b) => {
    const [ka, kb] = [key(a), key(b)];
    return ka[0] - kb[0] || ka[1] - kb[1] || ka[2] - kb[2];
  });
}

/**
 * Replays stored history with its original roles: the customer is always `user`, everything the
 * business said (AI, a member, Meta's own apps) is `assistant`. Reactions, deleted messages and
 * replies that never reached the customer are left out.
 */
export function historyTurns(history: HistoryMessage[]): ModelTurn[] {
  const byPlatformId = new Map(history.filter((m) => m.platformMessageId).map((m) => [m.platformMessageId!, m]));
  const turns: ModelTurn[] = [];
  for (const m of conversationalOrder(history)) {
    if (m.kind === "reaction" || m.deleted || !m.text) continue;
    if (m.direction === "out" && (m.status === "failed" || m.status === "queued")) continue;
    turns.push({ role: m.direction === "in" ? "user" : "assistant", content: describe(m, byPlatformId) });
  }
  return turns;
}

const attachmentKinds = new Set(["image", "audio", "video", "document", "sticker", "share"]);

/** The text the model reads: what was attached and what it answers are said in words. */
function describe(m: HistoryMessage, byPlatformId: Map<string, HistoryMessage>): string {
  const text = m.text ?? "";
  // A caption alone hides that a photo came with it; placeholders already say so ("[image]").
  const body = attachmentKinds.has(m.kind) && !text.startsWith("[") ? `[${m.kind}] ${text}` : text;
  const quoted = m.replyToPlatformId ? byPlatformId.get(m.replyToPlatformId)?.text : undefined;
  if (quoted) return `(replying to: "${quoted.slice(0, 200)}") ${body}`;
  if (m.replyContext) return `(replying to ${m.replyContext}) ${body}`;
  return body;
}

const silentKinds = new Set(["reaction", "system"]);

/**
 * The newest customer message nobody has answered yet, if any. An AI reply (even a failed one)
 * answers up to the message it was written for; anything a person sent answers all before it.
 */
export function unansweredMessage(history: HistoryMessage[]): HistoryMessage | undefined {
  let answeredThrough = 0;
  for (const m of history) {
    if (m.direction !== "out") continue;
    answeredThrough = Math.max(answeredThrough, m.author === "ai" ? (m.answersMessageId ?? 0) : m.id);
  }
  return [...history].reverse().find((m) => m.direction === "in" && !silentKinds.has(m.kind) && !m.deleted && m.id > answeredThrough);
}
