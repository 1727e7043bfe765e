import type { ChannelEvent } from "../events.js";

/**
 * Longest id, in UTF-8 bytes, an event may carry into a unique key. Meta's ids are far shorter
 * (BSUIDs, the longest, run to 256 characters); a Postgres btree key holds about 2,700 bytes, and
 * an id over it fails the insert, so Meta would redeliver that webhook for days.
 */
export const MAX_ID_BYTES = 1024;

const encoder = new TextEncoder();
const fits = (id: string | undefined) => id === undefined || encoder.encode(id).length <= MAX_ID_BYTES;

/** False for an event whose message or user id cannot be a platform's: it is skipped, not stored. */
export function hasStorableIds(event: ChannelEvent): boolean {
  switch (event.type) {
    case "message":
    case "reaction":
      return fits(event.platformMessageId) && fits(event.from.platformUserId);
    case "echo":
      return fits(event.platformMessageId) && fits(event.customer.platformUserId);
    case "status":
      return fits(event.platformMessageId);
    case "watermark":
      return fits(event.customerPlatformUserId);
    case "delete":
      return fits(event.platformMessageId) && fits(event.customerPlatformUserId);
    case "platform_error":
      return true;
  }
}
