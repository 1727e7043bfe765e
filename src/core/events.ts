/**
 * The platform-neutral events a webhook POST turns into. Channel adapters produce them;
 * the inbound pipeline consumes them without knowing which platform they came from.
 */
export type Platform = "whatsapp" | "messenger" | "instagram";

export type MessageKind =
  | "text" | "image" | "audio" | "video" | "document" | "sticker" | "location" | "contacts"
  | "reaction" | "interactive" | "order" | "system" | "share" | "unsupported";

export type DeliveryStatus = "sent" | "delivered" | "read" | "failed";

export interface PlatformError {
  code: string;
  title?: string;
  detail?: string;
  /** What the platform's code means for us, set by the adapter that knows the codes. */
  category?: "window_closed" | "token_invalid";
}

export interface Sender {
  /** wa_id (or BSUID user_id), PSID or IGSID. */
  platformUserId: string;
  profileName?: string;
}

interface EventBase {
  platform: Platform;
  /** phone_number_id, Page id or Instagram account id the event was addressed to. */
  channelExternalId: string;
  occurredAt: Date;
}

export interface InboundMessageEvent extends EventBase {
  type: "message";
  platformMessageId: string;
  from: Sender;
  kind: MessageKind;
  /** Body, caption or a readable placeholder: always a string a person (and the model) can read. */
  text: string;
  details?: Record<string, unknown>;
  replyToPlatformId?: string;
  /** What the message answers when it is not one of ours, in words, e.g. "the business's Instagram story". */
  replyContext?: string;
  /** Arrived while another app owns the thread (Messenger/Instagram handover): stored, never answered. */
  standby?: boolean;
  raw: unknown;
}

/**
 * A message the business sent, reported back by the platform: our own sends, or a person writing
 * from Meta's own inbox or app (Messenger/Instagram echoes, WhatsApp `smb_message_echoes`).
 */
export interface EchoEvent extends EventBase {
  type: "echo";
  platformMessageId: string;
  /** The customer the business wrote to. */
  customer: Sender;
  /** The app that sent it, when the platform says (Messenger echoes carry `app_id`). */
  appId?: string;
  kind: MessageKind;
  text: string;
  details?: Record<string, unknown>;
  raw: unknown;
}

/** Everything the business sent to this customer up to `upTo` was delivered or read (Messenger watermarks). */
export interface WatermarkEvent extends EventBase {
  type: "watermark";
  customerPlatformUserId: string;
  status: "delivered" | "read";
  upTo: Date;
}

/** The customer deleted (unsent) one of their messages: hidden, and gone from the agent's history. */
export interface DeleteEvent extends EventBase {
  type: "delete";
  platformMessageId: string;
  customerPlatformUserId: string;
}

export interface ReactionEvent extends EventBase {
  type: "reaction";
  /** The reaction's own id; adapters derive a stable one where the platform gives none. */
  platformMessageId: string;
  from: Sender;
  targetPlatformMessageId: string;
  /** null when the customer removed the reaction. */
  emoji: string | null;
  raw: unknown;
}

export interface StatusEvent extends EventBase {
  type: "status";
  platformMessageId: string;
  status: DeliveryStatus;
  recipientPlatformUserId?: string;
  error?: PlatformError;
}

/** Errors Meta reports outside any message (e.g. WhatsApp `value.errors`). Logged and counted. */
export interface PlatformErrorEvent extends EventBase {
  type: "platform_error";
  errors: PlatformError[];
}

export type ChannelEvent =
  | InboundMessageEvent
  | EchoEvent
  | ReactionEvent
  | StatusEvent
  | WatermarkEvent
  | DeleteEvent
  | PlatformErrorEvent;

/** What an adapter made of one webhook POST: the events, and items it had to skip (with why). */
export interface ParsedWebhook {
  events: ChannelEvent[];
  skipped: { reason: string; raw: unknown }[];
}
