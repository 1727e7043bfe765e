import { and, eq, isNotNull, isNull } from "drizzle-orm";
import type { ExpiringToken, TokenStore } from "../core/channels/ports.js";
import type { ProfileStore, ProfileTarget } from "../core/customers/fetch-profile.js";
import type { ChannelCredentials } from "../core/ports.js";
import type { SecretBox } from "../security/secret-box.js";
import type { Db } from "./client.js";
import { channels, customers, liveChannel } from "./schema/index.js";

/** Channel credentials and customer profiles, as the background jobs need them. */
export class PgChannelStore implements TokenStore, ProfileStore {
  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
  ) {}

  /** Channels whose credentials the configured key cannot open (the key changed since they were sealed). */
  async unreadableChannels(): Promise<{ id: string; sealedWith: string }[]> {
    const rows = await this.db.select({ id: channels.id, credentials: channels.credentials }).from(channels);
    return rows
      .filter((row) => !this.box.canOpen(row.credentials))
      .map((row) => ({ id: row.id, sealedWith: row.credentials.split(".")[1] ?? "?" }));
  }

  async expiringTokens(): Promise<ExpiringToken[]> {
    const rows = await this.db
      .select()
      .from(channels)
      .where(and(eq(channels.state, "active"), isNotNull(channels.tokenExpiresAt)));
    return rows.map((row) => ({
      channelId: row.id,
      portfolioId: row.portfolioId,
      platform: row.platform,
      credentials: this.box.openJson<ChannelCredentials>(row.credentials),
      issuedAt: row.tokenIssuedAt,
      expiresAt: row.tokenExpiresAt!,
    }));
  }

  async saveToken(channelId: string, credentials: ChannelCredentials, issuedAt: Date, expiresAt: Date): Promise<void> {
    await this.db
      .update(channels)
      .set({ credentials: this.box.sealJson(credentials), tokenIssuedAt: issuedAt, tokenExpiresAt: expiresAt })
      .where(and(eq(channels.id, channelId), liveChannel));
  }

  async markNeedsReauth(channelId: string, reason: string): Promise<void> {
    await this.db.update(channels).set({ state: "needs_reauth", stateReason: reason }).where(and(eq(channels.id, channelId), liveChannel));
  }

  channelNeedsReauth(channelId: string, reason: string): Promise<void> {
    return this.markNeedsReauth(channelId, reason);
  }

  async profileTarget(customerId: string): Promise<ProfileTarget | undefined> {
    const [row] = await this.db
      .select({ customer: customers, channel: channels })
      .from(customers)
      .innerJoin(channels, eq(channels.id, customers.channelId))
      .where(eq(customers.id, customerId));
    if (!row || row.channel.state !== "active") return undefined;
    return {
      customerId,
      portfolioId: row.customer.portfolioId,
      platform: row.channel.platform,
      channelId: row.channel.id,
      channelExternalId: row.channel.externalId,
      credentials: this.box.openJson<ChannelCredentials>(row.channel.credentials),
      platformUserId: row.customer.platformUserId,
      profileName: row.customer.profileName,
    };
  }

  async saveProfileName(customerId: string, name: string): Promise<void> {
    await this.db.update(customers).set({ profileName: name }).where(and(eq(customers.id, customerId), isNull(customers.profileName)));
  }
}
