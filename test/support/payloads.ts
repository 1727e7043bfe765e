import { waMessage, waText } from "../fakes/index.js";
import { PNID } from "./cosbot-under-test.js";

export const nowSeconds = (offsetSeconds = 0) => String(Math.floor(Date.now() / 1000) + offsetSeconds);

/** A customer text message as Meta sends it, timestamped now so the 24-hour window is open. */
export function customerText(id: string, body: string, from = "15551230001", name: string | null = "Test Customer A") {
  return waText({ pnid: PNID, from, id, body, timestamp: nowSeconds(), name });
}

export function customerImage(id: string, caption: string, from = "15551230001") {
  return waMessage(PNID, { from, id, timestamp: nowSeconds(), type: "image", image: { caption, mime_type: "image/jpeg", sha256: "x", id: `media-${id}` } });
}
