/** A turn of the conversation as the model sees it. Customer text is only ever `user` content. */
export interface ModelTurn {
  role: "user" | "assistant";
  content: string;
}

/** A deliberately pessimistic estimate (about 3 characters a token) so the real count stays below it. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 3) + 4;
}

export interface WindowLimits {
  contextTokens: number;
  maxOutputTokens: number;
  /** Fraction of the budget to use, e.g. 0.5 after the model said the context was too long. */
  shrink?: number;
}

/** Room left for system prompt and history: context minus output minus a safety margin. */
export function inputBudget(limits: WindowLimits): number {
  const margin = Math.max(256, Math.floor(limits.contextTokens * 0.05));
  return Math.floor((limits.contextTokens - limits.maxOutputTokens - margin) * (limits.shrink ?? 1));
}

/**
 * Keeps the newest turns that fit the budget after the system prompt. The newest turn is always
 * kept, cut from the front if it alone is too long; older turns are dropped first.
 */
export function fitToWindow(system: string, turns: ModelTurn[], limits: WindowLimits): ModelTurn[] {
  let left = inputBudget(limits) - estimateTokens(system);
  const kept: ModelTurn[] = [];
  for (let i = turns.length - 1; i >= 0; i--) {
    const turn = turns[i]!;
    const cost = estimateTokens(turn.content);
    if (cost <= left) {
      kept.unshift(turn);
      left -= cost;
      continue;
    }
    if (kept.length === 0) {
      const chars = Math.max(0, (left - 4) * 3);
      kept.unshift({ role: turn.role, content: [...turn.content].slice(-chars).join("") });
    }
    break;
  }
  // A conversation the model sees should start with the customer, not with our own words.
  while (kept.length > 1 && kept[0]!.role === "assistant") kept.shift();
  return kept;
}
