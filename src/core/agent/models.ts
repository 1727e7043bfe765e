/**
 * The models an agent may be set to through the API: OpenAI chat models that work with the
 * reply path as it is (plain chat completions, no temperature or tool settings of their own).
 */
export const supportedModels = ["gpt-4o-mini", "gpt-4o", "gpt-4.1-mini", "gpt-4.1-nano", "gpt-4.1", "gpt-5-mini", "gpt-5-nano", "gpt-5"] as const;

/**
 * The list offered for `defaultModel` (the server's DEFAULT_MODEL): a server pointed at an
 * OpenAI-compatible endpoint with a model of its own must be able to offer that model too.
 */
export function modelChoices(defaultModel: string): string[] {
  return [...new Set<string>([defaultModel, ...supportedModels])];
}
