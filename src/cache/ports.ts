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
}

export interface Cache {
  kv: KeyValue;
  bus: Bus;
  driver: "redis" | "memory";
  close(): Promise<void>;
}
