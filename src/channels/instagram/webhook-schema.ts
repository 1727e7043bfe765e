import { z } from "zod";
import { bool, id, list, num, str } from "../meta/lenient-zod.js";

/**
 * zod schemas for Instagram messaging webhooks (meta-platform.md §5.2), for both Instagram Login
 * and Facebook Login accounts: they share the `object: "instagram"` shape.
 * Only the envelope is strict. Below it a field of the wrong type reads as undefined, because one
 * odd field must not lose a customer message (C16).
 */

/** Unix milliseconds; zero or negative reads as absent. */
const ms = num.transform((n) => (n !== undefined && n > 0 ? n : undefined));
const party = z.object({ id }).optional().catch(undefined);

export const envelopeSchema = z.object({
  object: z.literal("instagram"),
  entry: z.array(z.unknown()),
});

/** `id` is the IG professional account id the events belong to; `time` is when Meta sent the POST. */
export const entrySchema = z.object({
  id,
  time: ms,
  messaging: list,
  standby: list,
});

/** One item of `messaging[]` / `standby[]`: exactly one of the event keys is normally present. */
export const messagingSchema = z.object({
  sender: party,
  recipient: party,
  timestamp: ms,
  message: z.unknown().optional(),
  reaction: z.unknown().optional(),
  read: z.unknown().optional(),
  postback: z.unknown().optional(),
  referral: z.unknown().optional(),
});
export type MessagingItem = z.infer<typeof messagingSchema>;

export const attachmentSchema = z.object({
  type: str,
  payload: z
    .object({ url: str, title: str })
    .optional()
    .catch(undefined),
});
export type Attachment = z.infer<typeof attachmentSchema>;

export const messageSchema = z.object({
  mid: id,
  text: str,
  attachments: list,
  is_echo: bool,
  is_deleted: bool,
  is_unsupported: bool,
  app_id: id,
  quick_reply: z.object({ payload: str }).optional().catch(undefined),
  reply_to: z
    .object({
      mid: id,
      story: z.object({ id, url: str }).optional().catch(undefined),
    })
    .optional()
    .catch(undefined),
  referral: z.unknown().optional(),
});
export type InstagramMessage = z.infer<typeof messageSchema>;

export const reactionSchema = z.object({ mid: id, action: str, reaction: str, emoji: str });

/** IG reads name one message (`mid`); a `watermark` (Messenger's shape) is accepted as a fallback. */
export const readSchema = z.object({ mid: id, watermark: ms });

export const postbackSchema = z.object({ mid: id, title: str, payload: str });

/** Parses an event object leniently: a missing or broken object reads as empty. */
export function readContent<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value ?? {});
  return parsed.success ? parsed.data : schema.parse({});
}
