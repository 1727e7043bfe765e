import type { PlatformError } from "../../core/events.js";

/**
 * Meta's error codes that change what Cosbot does next. 131047: WhatsApp re-engagement (24-hour
 * window closed); 1545041 and 10/2018278: Messenger's window closed; 190: the token is invalid.
 */
export function errorCategory(code: number | string | undefined, subcode?: number | string): PlatformError["category"] {
  const c = Number(code);
  if (c === 131047 || c === 1545041 || (c === 10 && Number(subcode) === 2018278)) return "window_closed";
  if (c === 190) return "token_invalid";
  return undefined;
}
