import { createOpenAI } from "@ai-sdk/openai";
import { APICallError, generateText } from "ai";
import { fitToWindow, type ModelTurn, type WindowLimits } from "./context-window.js";

export interface ModelSettings {
  apiKey?: string;
  baseURL?: string;
  timeoutMs: number;
  limits: WindowLimits;
}

export type ModelFailure = "retryable" | "permanent";

export const missingKeyMessage = "No OpenAI API key is configured (set OPENAI_API_KEY, or the portfolio's own key in the agent settings), so the agent cannot answer.";

/** A model call that did not produce a reply; `kind` decides between retrying and giving up. */
export class ModelError extends Error {
  constructor(
    readonly kind: ModelFailure,
    message: string,
    /** How long the provider asked us to wait (its Retry-After), when it said. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export interface ReplyRequest {
  model: string;
  /** The agent's instructions: the only system message. */
  instructions: string;
  history: ModelTurn[];
}

/**
 * Asks the model for the next business turn. The history is fitted to the context window; if the
 * model still says the context is too long, it is asked once more with half the window.
 */
export async function generateReply(request: ReplyRequest, settings: ModelSettings): Promise<string> {
  if (!settings.apiKey) {
    throw new ModelError("permanent", missingKeyMessage);
  }
  const provider = createOpenAI({ apiKey: settings.apiKey, ...(settings.baseURL ? { baseURL: settings.baseURL } : {}) });
  const attempt = async (shrink: number) => {
    const messages = fitToWindow(request.instructions, request.history, { ...settings.limits, shrink });
    const result = await generateText({
      model: provider.chat(request.model),
      system: request.instructions,
      messages,
      maxOutputTokens: settings.limits.maxOutputTokens,
      maxRetries: 0,
      abortSignal: AbortSignal.timeout(settings.timeoutMs),
    });
    return result.text.trim();
  };
  let text: string;
  try {
    text = await attempt(1).catch((error: unknown) => {
      if (isContextTooLong(error)) return attempt(0.5);
      throw error;
    });
  } catch (error) {
    throw redact(classify(error), settings.apiKey);
  }
  if (!text) throw new ModelError("retryable", "The model returned an empty reply.");
  return text;
}

function isContextTooLong(error: unknown): boolean {
  return APICallError.isInstance(error) && /context_length_exceeded|maximum context length/i.test(error.responseBody ?? error.message);
}

function classify(error: unknown): ModelError {
  if (error instanceof ModelError) return error;
  if (APICallError.isInstance(error)) {
    const status = error.statusCode ?? 0;
    // A 2xx whose body could not be read (cut off, not JSON) is a broken answer, not a refusal.
    const brokenSuccess = status >= 200 && status < 300;
    const retryable = error.isRetryable || status === 429 || status >= 500 || status === 408 || brokenSuccess;
    const message = `Model call failed (${status || "no status"}): ${error.message}`;
    return new ModelError(retryable ? "retryable" : "permanent", message, retryAfterOf(error.responseHeaders));
  }
  // Timeouts, refused connections and the like: the next attempt may work.
  const message = error instanceof Error ? error.message : String(error);
  return new ModelError("retryable", `Model call failed: ${message}`);
}

/** Some servers echo a rejected key in the error; the message is stored and shown, the key must not be. */
function redact(error: ModelError, apiKey: string): ModelError {
  return error.message.includes(apiKey) ? new ModelError(error.kind, error.message.replaceAll(apiKey, "[redacted key]"), error.retryAfterMs) : error;
}

/** OpenAI's `retry-after-ms`, else the standard Retry-After (seconds or an HTTP date). */
function retryAfterOf(headers: Record<string, string> | undefined, now = Date.now()): number | undefined {
  const ms = Number(headers?.["retry-after-ms"]);
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.["retry-after"]?.trim();
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
