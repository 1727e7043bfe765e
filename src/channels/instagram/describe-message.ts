import type { MessageKind } from "../../core/events.js";
import { own } from "../meta/own.js";
import * as ig from "./webhook-schema.js";

export interface DescribedMessage {
  kind: MessageKind;
  /** Never empty, never "undefined": the inbox and the model read it (C16). */
  text: string;
  details: Record<string, unknown>;
  replyToPlatformId?: string;
  /** Set for replies to the business's story, whose content is not one of our messages. */
  replyContext?: string;
}

const MEDIA: Readonly<Record<string, { kind: MessageKind; label: string }>> = {
  image: { kind: "image", label: "image" },
  video: { kind: "video", label: "video" },
  audio: { kind: "audio", label: "audio" },
  file: { kind: "document", label: "document" },
};

/**
 * Content that points at Instagram itself. Only a URL (often none) comes with it, so it is kept as
 * a generic "share" record with its raw payload rather than as media we could download (C16).
 */
const SHARE_LABELS: Readonly<Record<string, string>> = {
  share: "shared post",
  ig_post: "shared post",
  ig_reel: "shared reel",
  reel: "shared reel",
  ig_story: "shared story",
  story_mention: "story mention",
  // Disappearing media comes without a URL and may be a photo or a video.
  ephemeral: "disappearing photo or video",
  fallback: "shared link",
};

/** Kind, readable text and details of a customer message or an echo. Never throws on unknown types. */
export function describeMessage(message: ig.InstagramMessage): DescribedMessage {
  const attachments = (message.attachments ?? []).map((raw) => describeAttachment(raw));
  const details = compact({
    attachments: attachments.length > 0 ? attachments.map((a) => a.record) : undefined,
    quickReplyPayload: filled(message.quick_reply?.payload),
    referral: message.referral,
  });

  const described = message.is_unsupported
    ? // Instagram tells us a message exists but not what it is (C16): keep a placeholder.
      { kind: "unsupported" as const, text: filled(message.text) ?? "[unsupported message]", details: { ...details, unsupported: true } }
    : describeContent(message.text, attachments, details);

  const result: DescribedMessage = described;
  const replyTo = message.reply_to;
  if (replyTo?.mid) result.replyToPlatformId = replyTo.mid;
  if (replyTo?.story && (replyTo.story.id || replyTo.story.url)) {
    const url = filled(replyTo.story.url);
    // The model must know what "this" refers to in a story reply (C16); core renders it as
    // "(replying to <replyContext>)", so this is a noun phrase.
    result.replyContext = url ? `the business's Instagram story (${url})` : "the business's Instagram story";
    result.details = { ...result.details, story: compact({ id: replyTo.story.id, url: replyTo.story.url }) };
  }
  return result;
}

interface DescribedAttachment {
  kind: MessageKind;
  text: string;
  record: Record<string, unknown>;
}

function describeContent(text: string | undefined, attachments: DescribedAttachment[], details: Record<string, unknown>) {
  const parts = [filled(text), ...attachments.map((a) => a.text)].filter((p): p is string => p !== undefined);
  const first = attachments[0];
  if (parts.length === 0) return { kind: "unsupported" as const, text: "[message without content]", details };
  return { kind: first ? first.kind : ("text" as const), text: parts.join(" "), details };
}

function describeAttachment(raw: unknown): DescribedAttachment {
  const attachment = ig.readContent(ig.attachmentSchema, raw);
  const type = filled(attachment.type) ?? "unknown";
  const url = filled(attachment.payload?.url);
  const title = filled(attachment.payload?.title);
  // The whole payload travels along: share payloads differ per type and change without notice.
  const payload = typeof raw === "object" && raw !== null ? (raw as { payload?: unknown }).payload : undefined;
  const record = compact({ type, url, title, payload });

  const media = own(MEDIA, type);
  if (media) return { kind: media.kind, text: `[${media.label}]`, record };
  const label = own(SHARE_LABELS, type) ?? `attachment (${type})`;
  const about = [title ? `"${title}"` : undefined, url].filter((p): p is string => p !== undefined).join(" ");
  return { kind: "share", text: about ? `[${label}: ${about}]` : `[${label}]`, record };
}

export function filled(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== "" ? value : undefined;
}

export function compact(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}
