import { EventEmitter } from "node:events";
import { type Bus, type Cache, compareLogIds, type EventLog, eventLogLimits, isLogId, type KeyValue, type LogEntry } from "./ports.js";

interface Entry {
  value: string;
  expiresAt: number;
}

/** In-process KeyValue with the same TTL semantics as Redis; expired keys vanish on read and on a timer. */
export class MemoryKeyValue implements KeyValue {
  private readonly entries = new Map<string, Entry>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    for (const key of this.entries.keys()) this.live(key);
  }

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    if (this.live(key)) return false;
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
    return true;
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    this.entries.set(key, { value, expiresAt: this.now() + ttlMs });
  }

  async increment(key: string, ttlMs: number): Promise<number> {
    const entry = this.live(key);
    const count = (entry ? Number(entry.value) : 0) + 1;
    this.entries.set(key, { value: String(count), expiresAt: entry?.expiresAt ?? this.now() + ttlMs });
    return count;
  }

  async get(key: string): Promise<string | null> {
    return this.live(key)?.value ?? null;
  }

  async ttlMs(key: string): Promise<number | null> {
    const entry = this.live(key);
    return entry ? entry.expiresAt - this.now() : null;
  }

  async deleteIfEquals(key: string, value: string): Promise<boolean> {
    if (this.live(key)?.value !== value) return false;
    this.entries.delete(key);
    return true;
  }

  async keys(prefix: string): Promise<string[]> {
    return [...this.entries.keys()].filter((k) => k.startsWith(prefix) && this.live(k));
  }

  async delete(...keys: string[]): Promise<void> {
    for (const key of keys) this.entries.delete(key);
  }

  close(): void {
    clearInterval(this.sweeper);
  }
}

export class MemoryBus implements Bus {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async publish(topic: string, message: string): Promise<void> {
    this.emitter.emit(topic, message);
  }

  async subscribe(topic: string, handler: (message: string) => void): Promise<() => Promise<void>> {
    this.emitter.on(topic, handler);
    return async () => void this.emitter.off(topic, handler);
  }

  subscribers(topic: string): number {
    return this.emitter.listenerCount(topic);
  }
}

interface MemoryLogState {
  entries: LogEntry[];
  expiresAt: number;
  lastMs: number;
  seq: number;
}

/** The memory twin of the Redis stream log: a ring buffer per key, ids "<ms>-<seq>", same expiry. */
export class MemoryEventLog implements EventLog {
  private readonly logs = new Map<string, MemoryLogState>();

  constructor(
    private readonly bus: Bus,
    private readonly limits = eventLogLimits,
    private readonly now: () => number = Date.now,
  ) {}

  private live(key: string): MemoryLogState | undefined {
    const log = this.logs.get(key);
    if (log && log.expiresAt <= this.now()) {
      // Ids keep increasing after expiry, as a recreated Redis stream's would with the clock.
      log.entries = [];
    }
    return log;
  }

  async append(key: string, topic: string, message: string): Promise<string> {
    const log = this.live(key) ?? { entries: [], expiresAt: 0, lastMs: 0, seq: 0 };
    this.logs.set(key, log);
    const ms = Math.max(this.now(), log.lastMs);
    log.seq = ms === log.lastMs ? log.seq + 1 : 0;
    log.lastMs = ms;
    const id = `${ms}-${log.seq}`;
    log.entries.push({ id, message });
    if (log.entries.length > this.limits.maxEntries) log.entries.splice(0, log.entries.length - this.limits.maxEntries);
    log.expiresAt = this.now() + this.limits.ttlMs;
    await this.bus.publish(topic, `${id} ${message}`);
    return id;
  }

  async readSince(key: string, afterId: string): Promise<LogEntry[] | undefined> {
    const entries = (isLogId(afterId) && this.live(key)?.entries) || [];
    const at = entries.findIndex((e) => e.id === afterId);
    if (at < 0) return undefined;
    return entries.slice(at + 1).filter((e) => compareLogIds(e.id, afterId) > 0);
  }

  async delete(key: string): Promise<void> {
    this.logs.delete(key);
  }

  /** Keys holding a log (tests check that a deleted portfolio leaves none). */
  keys(): string[] {
    return [...this.logs.keys()].filter((k) => this.live(k)?.entries.length);
  }
}

export function memoryCache(): Cache {
  const kv = new MemoryKeyValue();
  const bus = new MemoryBus();
  return { kv, bus, log: new MemoryEventLog(bus), driver: "memory", close: async () => kv.close() };
}
