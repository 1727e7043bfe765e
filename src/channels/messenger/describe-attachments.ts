import type { MessageKind } from "../../core/events.js";
import { own } from "../meta/own.js";
import { compact, filled } from "./parse-context.js";
import * as ms from "./webhook-schema.js";

export interface Described {
  kind: MessageKind;
  /** Never empty, never "undefined": the model and the inbox read it. */
  text: string;
  details: Record<string, unknown>;
}

interface Summary {
  kind: MessageKind;
  label: string;
  /** Stored in details.attachments; share and unknown types keep the raw attachment. */
  detail: Record<string, unknown>;
}

/** The Like button sends one of these stickers (small, medium, large). */
const LIKE_STICKERS = new Set(["369239263222822", "369239343222814", "369239383222810"]);

const MEDIA: Readonly<Record<string, { kind: MessageKind; label: string }>> = {
  image: { kind: "image", label: "[image]" },
  audio: { kind: "audio", label: "[audio]" },
  video: { kind: "video", label: "[video]" },
  file: { kind: "document", label: "[document]" },
};

/** What a shared item is called in the placeholder text. */
const SHARE_NOUNS: Readonly<Record<string, string>> = {
  fallback: "link",
  share: "link",
  post: "post",
  ig_post: "post",
  reel: "reel",
  ig_reel: "reel",
  template: "template",
  appointment_booking: "appointment booking",
};

/**
 * All attachments of one message as one description: the kind of the first, a label per
 * attachment in the text, every attachment in details.attachments. Undefined when there are none.
 */
export function describeAttachments(items: unknown[]): Described | undefined {
  let summaries = items.map(summarize);
  // Until 2026-08-30 Meta sends a sticker both as `sticker` and as an `image` with sticker_id.
  if (items.some((a) => ms.readContent(ms.attachmentSchema, a).type === "sticker")) {
    summaries = summaries.filter((s) => !(s.kind === "sticker" && s.detail.type === "image"));
  }
  const first = summaries[0];
  if (!first) return undefined;
  return {
    kind: first.kind,
    text: summaries.map((s) => s.label).join(" "),
    details: { attachments: summaries.map((s) => s.detail) },
  };
}

function summarize(rawAttachment: unknown): Summary {
  const a = ms.readContent(ms.attachmentSchema, rawAttachment);
  const type = filled(a.type) ?? "unknown";
  const url = filled(a.payload?.url) ?? filled(a.url) ?? filled(a.URL);
  const title = filled(a.payload?.title) ?? filled(a.title);
  const stickerId = a.payload?.sticker_id;

  if (type === "sticker" || (type === "image" && stickerId)) {
    const label = stickerId && LIKE_STICKERS.has(stickerId) ? "[sticker: 👍]" : "[sticker]";
    return { kind: "sticker", label, detail: compact({ type, url, stickerId }) };
  }
  const media = own(MEDIA, type);
  if (media) {
    const name = type === "file" ? (title ?? fileNameOf(url)) : undefined;
    const label = name ? `${media.label.slice(0, -1)}: ${name}]` : media.label;
    return { kind: media.kind, label, detail: compact({ type, url, title, filename: name }) };
  }
  if (type === "location") {
    const lat = a.payload?.coordinates?.lat;
    const long = a.payload?.coordinates?.long;
    const where = lat !== undefined && long !== undefined ? `${lat}, ${long}` : title;
    return {
      kind: "location",
      label: where ? `[location: ${where}]` : "[location]",
      detail: compact({ type, latitude: lat, longitude: long, title, url }),
    };
  }
  return summarizeShare(type, url, title ?? filled(a.payload?.text), rawAttachment);
}

/** Link shares, posts, reels, templates and types Meta adds later: readable when there is a title or url. */
function summarizeShare(type: string, url: string | undefined, title: string | undefined, raw: unknown): Summary {
  const noun = own(SHARE_NOUNS, type);
  const shown = title ?? url;
  const detail = compact({ type, url, title, raw });
  if (shown) return { kind: "share", label: `[shared ${noun ?? type}: ${shown}]`, detail };
  return { kind: "unsupported", label: noun ? `[shared ${noun}]` : `[unsupported attachment: ${type}]`, detail };
}

/** CDN urls end in the original file name (…/invoice.pdf?_nc_cat=…); anything else shows no name. */
function fileNameOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const last = new URL(url).pathname.split("/").pop() ?? "";
    const name = decodeURIComponent(last);
    return /^[^/\\]{1,100}\.[A-Za-z0-9]{1,8}$/.test(name) ? name : undefined;
  } catch {
    return undefined;
  }
}
