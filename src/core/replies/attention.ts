import type { PlatformError } from "../events.js";
import type { AttentionCode } from "./ports.js";

export interface Attention {
  code: AttentionCode;
  reason: string;
}

export const windowClosed: Attention = { code: "window_closed", reason: "24h window closed — template required" };
export const needsReauth: Attention = {
  code: "needs_reauth",
  reason: "The channel's access token is no longer valid; reconnect the channel",
};

/** What admins are told when a message to the customer failed. */
export function attentionForFailure(error: PlatformError): Attention {
  if (error.category === "window_closed") return windowClosed;
  if (error.category === "token_invalid") return needsReauth;
  return { code: "send_failed", reason: [error.code, error.title, error.detail].filter(Boolean).join(": ") };
}
