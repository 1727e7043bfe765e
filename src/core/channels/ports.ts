import type { Platform } from "../events.js";
import type { ChannelCredentials } from "../ports.js";

export interface ExpiringToken {
  channelId: string;
  portfolioId: string;
  platform: Platform;
  credentials: ChannelCredentials;
  issuedAt: Date | null;
  expiresAt: Date;
}

export interface TokenStore {
  /** Active channels whose token has an expiry. */
  expiringTokens(): Promise<ExpiringToken[]>;
  saveToken(channelId: string, credentials: ChannelCredentials, issuedAt: Date, expiresAt: Date): Promise<void>;
  markNeedsReauth(channelId: string, reason: string): Promise<void>;
}

/** What a platform's connector checked with Meta and hands over to be stored. */
export interface VerifiedChannel {
  externalId: string;
  accountId?: string;
  displayName?: string;
  credentials: ChannelCredentials;
  /** When the token was issued (Instagram Login: a refresh needs a token at least a day old). */
  tokenIssuedAt?: Date;
  tokenExpiresAt?: Date;
  /** The Meta user (app-scoped id) behind the token, when Meta told us; their deletion callback finds the channel by it. */
  connectedByMetaUserId?: string;
}

/** A schema the connect request's body is validated with before `connect` sees it (zod's shape). */
export interface InputSchema<I> {
  safeParseAsync(value: unknown): Promise<{ success: true; data: I } | { success: false; error: unknown }>;
}

/**
 * Connects one platform: checks the credentials against the Graph API (the number, Page or
 * account must answer to the token) and subscribes the app to its webhooks. Throws
 * CredentialsRefused for what the business must fix, SendError for Meta being unreachable.
 */
export interface ChannelConnector<I = any> {
  platform: Platform;
  input: InputSchema<I>;
  /** The id webhooks will be routed by, known before calling Meta (duplicates are refused first). */
  externalId(input: I): string;
  connect(input: I, now: Date): Promise<VerifiedChannel>;
}

/** Meta refused the given credentials; `field` names the input to fix (e.g. "accessToken"). */
export class CredentialsRefused extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** A channel whose webhook subscription at Meta is to be removed, with its credentials still open. */
export interface SubscribedChannel {
  channelId: string;
  platform: Platform;
  externalId: string;
  accountId: string | null;
  credentials: ChannelCredentials;
}

/**
 * Removes the app's webhook subscription for one channel where the Graph API allows it. The
 * subscription sits on a Meta object (WABA, Page) that other channels may share.
 */
export interface ChannelUnsubscriber {
  platform: Platform;
  /** The Meta object the subscription is on, or why Meta offers no way to remove it. */
  subscription(channel: SubscribedChannel): { objectId: string } | { unsupported: string };
  /** Throws (SendError, or Error naming why) when Meta refuses or cannot be reached. */
  unsubscribe(channel: SubscribedChannel): Promise<void>;
}
