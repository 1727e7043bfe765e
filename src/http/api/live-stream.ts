import type { Context } from "hono";
import { streamSSE } from "hono/streaming";
import type { LiveEnvelope } from "../../cache/live-events.js";
import { compareLogIds } from "../../cache/ports.js";
import { AppError } from "../../core/errors.js";

/** Writes a stream may have waiting for a slow client before it is ended. */
const maxQueuedWrites = 2000;

/** Where a stream hears its portfolio's events and finds the ones a reconnecting client missed. */
export interface LiveFeed {
  subscribe(portfolioId: string, handler: (event: LiveEnvelope) => void): Promise<() => Promise<void>>;
  readSince(portfolioId: string, lastId: string): Promise<LiveEnvelope[] | undefined>;
  /** Called when events may have been missed while the bus was away. */
  onGap?(listener: () => void): () => void;
}

export interface LiveStreamOptions {
  heartbeatMs: number;
  maxStreamsPerUser: number;
}

/**
 * The server-sent event streams of this process. A stream subscribes first and buffers, then
 * replays what the client missed from the log, then flushes the buffer: ids only ever increase on
 * the wire, so nothing is lost between the replay and the live events and nothing comes twice.
 */
export class LiveStreams {
  private readonly perUser = new Map<string, number>();
  private readonly enders = new Set<() => void>();
  private total = 0;

  constructor(
    private readonly feed: LiveFeed,
    private readonly options: LiveStreamOptions,
  ) {
    // After a bus outage an open stream would stay silent about what it missed: ended, each browser
    // reconnects with its Last-Event-ID and gets the missed events from the log, or a resync.
    feed.onGap?.(() => this.closeAll());
  }

  /** Streams open in this process (tests check that closed ones are gone). */
  get open(): number {
    return this.total;
  }

  /** Ends every stream (shutdown): browsers reconnect, with their Last-Event-ID, to a process that runs. */
  closeAll(): void {
    for (const end of [...this.enders]) end();
  }

  async respond(c: Context, who: { userId: string; portfolioId: string }, lastEventId: string | undefined): Promise<Response> {
    const open = this.perUser.get(who.userId) ?? 0;
    if (open >= this.options.maxStreamsPerUser) {
      throw new AppError("rate_limited", `at most ${this.options.maxStreamsPerUser} live streams may be open per user; close another tab or window`);
    }
    // Counted before the first await, so concurrent connects cannot all slip under the limit.
    this.perUser.set(who.userId, open + 1);
    this.total++;
    const uncount = () => {
      this.total--;
      const left = (this.perUser.get(who.userId) ?? 1) - 1;
      if (left > 0) this.perUser.set(who.userId, left);
      else this.perUser.delete(who.userId);
    };
    let caughtUp = false;
    const early: LiveEnvelope[] = [];
    let deliver: (event: LiveEnvelope) => void = () => {};
    let unsubscribe: () => Promise<void>;
    try {
      unsubscribe = await this.feed.subscribe(who.portfolioId, (event) => (caughtUp ? deliver(event) : early.push(event)));
    } catch {
      uncount();
      throw new AppError("upstream_unavailable", "live updates are unavailable right now (the cache cannot be reached); try again shortly");
    }
    const release = async () => {
      uncount();
      await unsubscribe().catch(() => {});
    };

    return streamSSE(c, async (stream) => {
      let lastSent = lastEventId;
      let queue = Promise.resolve();
      let waiting = 0;
      let end = () => {};
      const enqueue = (write: () => Promise<unknown>) => {
        // A client that stopped reading is cut off rather than buffered for: it reconnects and catches up from the log.
        if (++waiting > maxQueuedWrites) return end();
        queue = queue.then(write).then(() => void waiting--, () => void waiting--);
      };
      deliver = (event) =>
        enqueue(async () => {
          if (lastSent !== undefined && compareLogIds(event.id, lastSent) <= 0) return;
          lastSent = event.id;
          await stream.writeSSE({ id: event.id, event: event.type, data: event.data });
        });
      const closed = new Promise<void>((resolve) => {
        end = resolve;
        stream.onAbort(resolve);
        c.req.raw.signal?.addEventListener("abort", () => resolve(), { once: true });
      });
      this.enders.add(end);
      const heartbeat = setInterval(() => enqueue(() => stream.write(": heartbeat\n\n")), this.options.heartbeatMs);
      try {
        if (lastEventId !== undefined) {
          const missed = await this.feed.readSince(who.portfolioId, lastEventId).catch(() => undefined);
          if (missed) missed.forEach(deliver);
          else {
            // Older than the log holds (or unknown): the client refetches what it shows.
            lastSent = undefined;
            enqueue(() => stream.writeSSE({ event: "resync", data: JSON.stringify({ reason: "missed events are no longer kept; refetch" }) }));
          }
        }
        caughtUp = true;
        early.splice(0).forEach(deliver);
        enqueue(() => stream.writeSSE({ event: "ready", data: JSON.stringify({ portfolioId: who.portfolioId }), retry: 3000 }));
        await closed;
      } finally {
        this.enders.delete(end);
        clearInterval(heartbeat);
        await release();
      }
    });
  }
}
