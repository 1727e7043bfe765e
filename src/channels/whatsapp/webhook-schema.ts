import { z } from "zod";
import type { PlatformError } from "../../core/events.js";
import { errorCategory } from "../meta/error-category.js";
import { bool, list, loose, num, str, strOrNum } from "../meta/lenient-zod.js";

/**
 * zod schemas for WhatsApp Cloud API webhooks (meta-platform.md §2).
 * Only the envelope is strict. Everything below it is lenient: a field of the wrong type becomes
 * `undefined` instead of failing the item, because one odd field must not lose a customer message.
 */


export const envelopeSchema = z.object({
  object: z.literal("whatsapp_business_account"),
  entry: z.array(z.unknown()),
});

export const entrySchema = z.object({ id: strOrNum, changes: z.array(z.unknown()) });

export const changeSchema = z.object({ field: z.string(), value: z.unknown().optional() });

/** `value` of a `messages` change. metadata.phone_number_id is what routes the event to a channel. */
export const messagesValueSchema = z.object({
  metadata: z.object({
    phone_number_id: z.union([z.string().min(1), z.number()]).transform(String),
    display_phone_number: strOrNum,
  }),
  contacts: z.unknown().optional(),
  messages: z.unknown().optional(),
  statuses: z.unknown().optional(),
  errors: z.unknown().optional(),
});

/** `smb_message_echoes`: what the business typed in the WhatsApp Business app (coexistence numbers). */
export const echoesValueSchema = messagesValueSchema.pick({ metadata: true }).extend({ message_echoes: z.unknown().optional() });

/** `wa_id` may be missing or "" for username (BSUID) users; `user_id` is the BSUID; `profile` may be missing (C19). */
export const contactSchema = z.object({
  wa_id: str,
  user_id: str,
  profile: loose({ name: str, username: str }),
});
export type WhatsAppContact = z.infer<typeof contactSchema>;

export const errorSchema = z.object({
  code: strOrNum,
  title: str,
  message: str,
  error_data: loose({ details: str }),
});

/** An error from value.errors[], messages[].errors[] or statuses[].errors[]; never throws. */
export function readPlatformError(raw: unknown): PlatformError {
  const parsed = errorSchema.safeParse(raw);
  const e = parsed.success ? parsed.data : undefined;
  const error: PlatformError = { code: e?.code?.trim() || "unknown" };
  const title = e?.title?.trim() ? e.title : e?.message?.trim() ? e.message : undefined;
  if (title) error.title = title;
  const detail = e?.error_data?.details?.trim() ? e.error_data.details : e?.message?.trim() ? e.message : undefined;
  if (detail) error.detail = detail;
  const category = errorCategory(error.code);
  if (category) error.category = category;
  return error;
}

/** What every message has. The type-specific object (`text`, `image`, …) is read separately. */
export const messageBaseSchema = z.object({
  id: z.string().min(1),
  type: str,
  from: str,
  /** BSUID of the sender, added with usernames (2026). */
  from_user_id: str,
  timestamp: strOrNum,
  context: loose({
    id: str,
    from: str,
    forwarded: bool,
    frequently_forwarded: bool,
    referred_product: z.unknown().optional(),
  }),
  referral: z.unknown().optional(),
  errors: list,
});
export type WhatsAppMessageBase = z.infer<typeof messageBaseSchema>;

export const textSchema = z.object({ body: str });

/** image, video, audio, document and sticker share one shape. */
export const mediaSchema = z.object({
  id: str,
  caption: str,
  mime_type: str,
  sha256: str,
  filename: str,
  url: str,
  voice: bool,
  animated: bool,
});

export const locationSchema = z.object({ latitude: num, longitude: num, name: str, address: str, url: str });

export const sharedContactSchema = z.object({
  name: loose({ formatted_name: str, first_name: str, last_name: str }),
  phones: z.array(z.object({ phone: str, wa_id: str }).catch({ phone: undefined, wa_id: undefined })).optional().catch(undefined),
});

export const interactiveSchema = z.object({
  type: str,
  button_reply: loose({ id: str, title: str }),
  list_reply: loose({ id: str, title: str, description: str }),
  nfm_reply: loose({ name: str, body: str, response_json: str }),
});

export const buttonSchema = z.object({ payload: str, text: str });

export const reactionSchema = z.object({ message_id: str, emoji: str });

export const orderSchema = z.object({ catalog_id: str, text: str, product_items: list });

export const systemSchema = z.object({ body: str, type: str, wa_id: str, user_id: str, customer: str });

export const unsupportedSchema = z.object({ type: str });

export const statusSchema = z.object({
  id: z.string().min(1),
  status: z.string(),
  timestamp: strOrNum,
  recipient_id: str,
  /** BSUID of the recipient when the message was sent to a BSUID. */
  recipient_user_id: str,
  errors: list,
});

/** Parses the type-specific object leniently: a missing or broken object reads as empty. */
export function readContent<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value ?? {});
  return parsed.success ? parsed.data : schema.parse({});
}
