import type { Platform } from "../core/events.js";
import type { ChannelDirectory, RoutedChannel } from "../core/inbound/ports.js";
import type { ChannelCredentials } from "../core/ports.js";
import type { SecretBox } from "../security/secret-box.js";
import type { Db } from "./client.js";
import { channels } from "./schema/index.js";

interface Options {
  /** The server's own Meta app secret and verify token, valid for every channel without its own. */
  appSecret?: string;
  verifyToken?: string;
  /** How long a loaded view is trusted; a miss reloads sooner, at most once per `missReloadMs`. */
  ttlMs?: number;
  missReloadMs?: number;
  now?: () => number;
}

/**
 * Routing table for webhooks, held in memory: the hot path must not query the channel table per
 * request. Secrets are decrypted once per load.
 */
export class PgChannelDirectory implements ChannelDirectory {
  private byKey = new Map<string, RoutedChannel>();
  private loadedAt = -Infinity;
  private loading: Promise<void> | undefined;
  private generation = 0;
  private readonly ttlMs: number;
  private readonly missReloadMs: number;
  private readonly now: () => number;

  constructor(
    private readonly db: Db,
    private readonly box: SecretBox,
    private readonly options: Options = {},
  ) {
    this.ttlMs = options.ttlMs ?? 10_000;
    this.missReloadMs = options.missReloadMs ?? 1_000;
    this.now = options.now ?? Date.now;
  }

  /** Forget the loaded view (after a channel was added or changed in this process). */
  invalidate(): void {
    this.loadedAt = -Infinity;
    // A reload already reading rows may predate the change: it must not count as fresh.
    this.generation++;
  }

  private async reload(): Promise<void> {
    this.loading ??= (async () => {
      const generation = this.generation;
      const rows = await this.db.select().from(channels);
      const next = new Map<string, RoutedChannel>();
      for (const row of rows) {
        // A channel whose secrets cannot be opened must not stop intake for every other channel.
        if (row.state === "disabled" || !this.box.canOpen(row.credentials)) continue;
        const creds = this.box.openJson<ChannelCredentials>(row.credentials);
        next.set(`${row.platform}:${row.externalId}`, {
          id: row.id,
          portfolioId: row.portfolioId,
          platform: row.platform,
          externalId: row.externalId,
          appSecrets: ownSecrets(creds, this.options.appSecret),
          verifyToken: creds.verifyToken,
        });
      }
      this.byKey = next;
      if (generation === this.generation) this.loadedAt = this.now();
    })().finally(() => (this.loading = undefined));
    await this.loading;
  }

  private async fresh(): Promise<void> {
    if (this.now() - this.loadedAt > this.ttlMs) await this.reload();
  }

  async find(platform: Platform, externalId: string): Promise<RoutedChannel | undefined> {
    await this.fresh();
    const key = `${platform}:${externalId}`;
    if (!this.byKey.has(key) && this.now() - this.loadedAt > this.missReloadMs) await this.reload();
    return this.byKey.get(key);
  }

  async appSecrets(platform: Platform): Promise<string[]> {
    await this.fresh();
    const secrets = new Set<string>();
    for (const c of this.byKey.values()) if (c.platform === platform) c.appSecrets.forEach((s) => secrets.add(s));
    return [...secrets];
  }

  async verifyTokens(platform: Platform): Promise<string[]> {
    await this.fresh();
    const tokens = new Set<string>();
    if (this.options.verifyToken) tokens.add(this.options.verifyToken);
    for (const c of this.byKey.values()) if (c.platform === platform && c.verifyToken) tokens.add(c.verifyToken);
    return [...tokens];
  }
}

/** A channel's own secrets; the server's app secret only for channels without one of their own. */
function ownSecrets(creds: ChannelCredentials, serverSecret: string | undefined): string[] {
  const own = [creds.appSecret, creds.instagramAppSecret].filter((s): s is string => !!s);
  if (own.length) return own;
  return serverSecret ? [serverSecret] : [];
}
