import type { Platform, PlatformError } from "./events.js";

/** The decrypted view of a channel that senders need. */
export interface ChannelCredentials {
  accessToken: string;
  appSecret?: string;
  verifyToken?: string;
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

/** What the pipeline needs from a platform to answer a customer. */
export interface ChannelSender {
  platform: Platform;
  /** Longest text the platform accepts in one message. */
  textLimit: { max: number; unit: "chars" | "bytes" };
  sendText(target: OutboundTarget, text: string, options?: { replyToPlatformId?: string }): Promise<SendResult>;
  /** Marks the customer's message read and shows a typing indicator where the platform has one. */
  markReadAndTyping(target: OutboundTarget, inboundPlatformMessageId: string): Promise<void>;
}
