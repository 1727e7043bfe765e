import type { Platform, PlatformError } from "./events.js";

/** The decrypted view of a channel that senders need. */
export interface ChannelCredentials {
  accessToken: string;
  /** The Meta app secret webhooks for this channel are signed with (else the server's). */
  appSecret?: string;
  /** Instagram Login apps may sign with the Instagram app secret instead; either is accepted. */
  instagramAppSecret?: string;
  verifyToken?: string;
  /** Instagram: which login the token comes from, which decides the Graph host and the sender id. */
  instagramLogin?: "instagram" | "facebook";
  /** Instagram through Facebook Login: the Page that sends for the account. */
  pageId?: string;
}

export interface OutboundTarget {
  channelExternalId: string;
  credentials: ChannelCredentials;
  recipientPlatformUserId: string;
}

export interface SendResult {
  platformMessageId: string;
}

/** A send that the platform refused. `retryable` decides between backoff and storing the failure. */
export class SendError extends Error {
  constructor(
    readonly error: PlatformError,
    readonly retryable: boolean,
    /** The channel's token is no longer valid: the channel needs re-authorisation. */
    readonly tokenInvalid = false,
    readonly retryAfterMs?: number,
  ) {
    super(`${error.code}: ${error.title ?? "send failed"}${error.detail ? ` (${error.detail})` : ""}`);
  }
}

export interface SendOptions {
  replyToPlatformId?: string;
  /**
   * A person's reply after the standard 24-hour window (Messenger/Instagram HUMAN_AGENT tag).
   * Only ever set for messages a person wrote.
   */
  humanAgent?: boolean;
}

export interface CustomerProfile {
  name?: string;
  username?: string;
}

/** What the pipeline needs from a platform to answer a customer. */
export interface ChannelSender {
  platform: Platform;
  /** Longest text the platform accepts in one message. */
  textLimit: { max: number; unit: "chars" | "bytes" };
  /**
   * How long after the customer's last message a free-form message may go out: from the agent
   * (`aiMs`, always 24 hours) and from a person (`humanMs`: 7 days with HUMAN_AGENT where allowed).
   */
  window: {
    aiMs: number;
    humanMs: number;
    /** What a business may still send once the window closed, in words (WhatsApp: a template). */
    afterwards?: string;
  };
  sendText(target: OutboundTarget, text: string, options?: SendOptions): Promise<SendResult>;
  /** Marks the customer's message read and shows a typing indicator where the platform has one. */
  markReadAndTyping(target: OutboundTarget, inboundPlatformMessageId: string): Promise<void>;
  /** The customer's name from the platform's profile API, where there is one and it is allowed. */
  fetchProfile?(target: OutboundTarget): Promise<CustomerProfile | undefined>;
}

/** Platforms whose tokens expire and can be renewed while still valid (Instagram Login: 60 days). */
export interface TokenRefresher {
  /** Whether this channel's token, issued at `issuedAt` and expiring at `expiresAt`, should be renewed now. */
  due(credentials: ChannelCredentials, issuedAt: Date, expiresAt: Date, now: Date): boolean;
  /** Throws SendError (tokenInvalid for 190) when the platform refuses. */
  refresh(credentials: ChannelCredentials, now: Date): Promise<{ accessToken: string; expiresAt: Date }>;
}
