import type { KeyValue } from "../../cache/ports.js";

const leaseMs = 30_000;
/** Processed markers live a day: long enough for Meta's quick retries, short enough to be forgotten. */
export const processedMarkerTtlMs = 24 * 60 * 60 * 1000;

/** The marker of one platform message; it names the message, so erasing a customer deletes it. */
export const dedupKey = (channelId: string, platformMessageId: string) => `dedup:${channelId}:${platformMessageId}`;

/**
 * The fast path of exactly-once intake. Postgres' unique key is the truth; Redis only spares it work.
 * A claim is one atomic SET NX; if Redis is unreachable we let Postgres decide.
 */
export class Deduplicator {
  constructor(
    private readonly kv: KeyValue,
    private readonly owner: string,
    private readonly onCacheError: (error: unknown) => void = () => {},
  ) {}

  private key(channelId: string, platformMessageId: string): string {
    return dedupKey(channelId, platformMessageId);
  }

  /** True when this caller should store the event; false when it is being or has been stored. */
  async claim(channelId: string, platformMessageId: string): Promise<boolean> {
    try {
      return await this.kv.setIfAbsent(this.key(channelId, platformMessageId), `lease:${this.owner}`, leaseMs);
    } catch (error) {
      this.onCacheError(error);
      return true;
    }
  }

  /** Called only after the transaction committed. */
  async markProcessed(channelId: string, platformMessageId: string): Promise<void> {
    try {
      await this.kv.set(this.key(channelId, platformMessageId), "done", processedMarkerTtlMs);
    } catch (error) {
      this.onCacheError(error);
    }
  }

  /** Gives the claim back after a failed store, so Meta's retry is not skipped. */
  async release(channelId: string, platformMessageId: string): Promise<void> {
    try {
      await this.kv.deleteIfEquals(this.key(channelId, platformMessageId), `lease:${this.owner}`);
    } catch (error) {
      this.onCacheError(error);
    }
  }
}
