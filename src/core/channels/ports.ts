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
