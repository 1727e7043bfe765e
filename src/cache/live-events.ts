import type { LiveEvent, LiveEvents } from "../core/live/ports.js";
import type { Cache, LogEntry } from "./ports.js";

/** Both names carry the portfolio id, so erasing a portfolio can find (and `forget`) them. */
export const liveTopic = (portfolioId: string) => `live:${portfolioId}`;
export const liveLogKey = (portfolioId: string) => `live:log:${portfolioId}`;

/** One event as it travels and as it is replayed: its log id and its JSON. */
export interface LiveEnvelope {
  id: string;
  type: string;
  data: string;
}

function envelope(id: string, message: string): LiveEnvelope {
  let type = "message";
  try {
    type = String((JSON.parse(message) as { type?: unknown }).type ?? type);
  } catch {
    // A malformed entry still reaches the client, which ignores what it does not know.
  }
  return { id, type, data: message };
}

const fromEntry = (e: LogEntry) => envelope(e.id, e.message);

/**
 * Live events fan out through the bus, so every server process can pass them to its browsers, and
 * are kept in a short per-portfolio log, so a browser that reconnects catches up.
 */
export class BusLiveEvents implements LiveEvents {
  constructor(
    private readonly cache: Pick<Cache, "bus" | "log">,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  async publish(portfolioId: string, event: LiveEvent): Promise<void> {
    await this.cache.log.append(liveLogKey(portfolioId), liveTopic(portfolioId), JSON.stringify(event)).catch(this.onError);
  }

  /** Hears every event of the portfolio published from now on, by any process. */
  subscribe(portfolioId: string, handler: (event: LiveEnvelope) => void): Promise<() => Promise<void>> {
    return this.cache.bus.subscribe(liveTopic(portfolioId), (raw) => {
      const space = raw.indexOf(" ");
      if (space > 0) handler(envelope(raw.slice(0, space), raw.slice(space + 1)));
    });
  }

  /** Events after `lastId`, oldest first; undefined when the log no longer reaches back that far. */
  async readSince(portfolioId: string, lastId: string): Promise<LiveEnvelope[] | undefined> {
    return (await this.cache.log.readSince(liveLogKey(portfolioId), lastId))?.map(fromEntry);
  }

  /** Calls `listener` when live events may have been missed (the bus was away and is back). */
  onGap(listener: () => void): () => void {
    return this.cache.bus.onGap?.(listener) ?? (() => {});
  }

  /** Subscriptions this process holds for the portfolio's stream. */
  subscribers(portfolioId: string): number {
    return this.cache.bus.subscribers(liveTopic(portfolioId));
  }

  /** Drops the portfolio's event log: call it when the portfolio is deleted. */
  async forget(portfolioId: string): Promise<void> {
    await this.cache.log.delete(liveLogKey(portfolioId));
  }
}
