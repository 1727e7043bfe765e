/** The small key-value surface Cosbot needs: atomic claims, TTL markers, owned release. */
export interface KeyValue {
  /** SET key value NX PX ttl: true when this call created the key. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  /** INCR with the TTL set when the key is created: the count within a fixed window. */
  increment(key: string, ttlMs: number): Promise<number>;
  get(key: string): Promise<string | null>;
  /** Remaining time to live in ms; null when the key does not exist or never expires. */
  ttlMs(key: string): Promise<number | null>;
  /** Deletes the key only if it still holds `value` (releasing a lease we own). */
  deleteIfEquals(key: string, value: string): Promise<boolean>;
  /** Keys starting with the prefix (for erasure and tests; not for hot paths). */
  keys(prefix: string): Promise<string[]>;
  delete(...keys: string[]): Promise<void>;
}

/** Fan-out of live updates between server processes. */
export interface Bus {
  publish(topic: string, message: string): Promise<void>;
  subscribe(topic: string, handler: (message: string) => void): Promise<() => Promise<void>>;
  /** Handlers this process holds on the topic (to check that closed streams let go). */
  subscribers(topic: string): number;
  /** Calls `listener` when messages may have been missed: the bus connection was lost and is back. */
  onGap?(listener: () => void): () => void;
}

export interface LogEntry {
  /** "<ms>-<seq>", increasing within one log (Redis stream ids; the memory log makes the same). */
  id: string;
  message: string;
}

/** A capped, expiring log per key, so a client that reconnects can catch up on what it missed. */
export interface EventLog {
  /** Appends `message` to the log at `key` and publishes `"<id> <message>"` on `topic`, as one step. */
  append(key: string, topic: string, message: string): Promise<string>;
  /** Entries after `afterId`, oldest first; undefined when the log no longer holds `afterId` itself. */
  readSince(key: string, afterId: string): Promise<LogEntry[] | undefined>;
  delete(key: string): Promise<void>;
}

/** How much of each log is kept. */
export const eventLogLimits = { maxEntries: 1000, ttlMs: 3_600_000 };

/** Orders two log ids; ids that are not of the form "<ms>-<seq>" sort first. */
export function compareLogIds(a: string, b: string): number {
  const [am = -1, as = -1] = a.split("-").map(Number);
  const [bm = -1, bs = -1] = b.split("-").map(Number);
  return am - bm || as - bs;
}

export const isLogId = (id: string) => /^\d{1,16}-\d{1,16}$/.test(id);

export interface Cache {
  kv: KeyValue;
  bus: Bus;
  log: EventLog;
  driver: "redis" | "memory";
  /** Round trip to the server (readiness); absent when there is no server. */
  ping?(): Promise<void>;
  close(): Promise<void>;
}
