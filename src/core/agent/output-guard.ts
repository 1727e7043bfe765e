/**
 * Last check on model text before it reaches a customer. The agent may not make commitments on
 * the business's behalf; such replies are held for a person instead of being sent.
 */
const commitmentPatterns: RegExp[] = [
  /legally\s+binding/i,
  /binding\s+(offer|agreement|contract|deal)/i,
  /no\s+takesies\s+backsies/i,
  /\b(i|we)\s+(hereby\s+)?(accept|agree to|approve)\s+(your|the|this)\s+(offer|deal|price|refund|discount)/i,
  /\bin\s+admin\s+mode\b/i,
];

export interface GuardVerdict {
  allowed: boolean;
  reason?: string;
}

export function checkReply(text: string): GuardVerdict {
  const hit = commitmentPatterns.find((p) => p.test(text));
  return hit ? { allowed: false, reason: `reply looks like a commitment or an obeyed injection (${hit.source})` } : { allowed: true };
}
