import { z } from "zod";
import { bool, id, list, loose, num, str } from "../meta/lenient-zod.js";

/**
 * zod schemas for Messenger Platform webhooks (`object: "page"`, meta-platform.md §4.1).
 * Only the envelope is strict. Below it a field of the wrong type reads as `undefined`, so one odd
 * field never loses a customer message; what an item cannot do without is checked by the parser.
 */


export const envelopeSchema = z.object({ object: z.literal("page"), entry: z.array(z.unknown()) });

/** `messaging` and `standby` stay unknown so a broken one is reported without losing the other. */
export const entrySchema = z.object({ id, time: num, messaging: z.unknown().optional(), standby: z.unknown().optional() });

export const itemSchema = z.object({
  sender: loose({ id }),
  recipient: loose({ id }),
  timestamp: num,
});

export const messageSchema = z.object({
  mid: str,
  text: str,
  is_echo: bool,
  is_deleted: bool,
  is_unsupported: bool,
  app_id: id,
  metadata: str,
  quick_reply: loose({ payload: str }),
  reply_to: loose({ mid: str, is_self_reply: bool }),
  attachments: list,
  referral: z.unknown().optional(),
});
export type MessengerMessage = z.infer<typeof messageSchema>;

/** Fallback (link share) attachments may carry title/url beside a null payload; read both places. */
export const attachmentSchema = z.object({
  type: str,
  title: str,
  url: str,
  URL: str,
  payload: loose({
    url: str,
    title: str,
    /** Button templates (echoes of what a Page sent) carry their text here. */
    text: str,
    sticker_id: id,
    reel_video_id: id,
    template_type: str,
    coordinates: loose({ lat: num, long: num }),
  }),
});
export type MessengerAttachment = z.infer<typeof attachmentSchema>;

export const postbackSchema = z.object({ mid: str, title: str, payload: str, referral: z.unknown().optional() });

export const reactionSchema = z.object({ mid: str, action: str, reaction: str, emoji: str });

export const deliverySchema = z.object({ mids: list, watermark: num });

export const readSchema = z.object({ watermark: num });

/** Parses an event object leniently: a missing or broken object reads as empty. */
export function readContent<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value ?? {});
  return parsed.success ? parsed.data : schema.parse({});
}
