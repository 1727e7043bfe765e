import { Redis } from "ioredis";
import { redisOptions } from "./redis-options.js";
import { type Bus, type Cache, type EventLog, eventLogLimits, isLogId, type KeyValue, type LogEntry } from "./ports.js";

const deleteIfEqualsScript = `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) else return 0 end`;

// One round trip, atomic: the id XADD gives is the id subscribers hear. The topic is an argument,
// not a key: pub/sub channels live outside the keyspace.
const appendScript = `local id = redis.call("XADD", KEYS[1], "MAXLEN", "~", ARGV[3], "*", "m", ARGV[1])
redis.call("PEXPIRE", KEYS[1], ARGV[4])
redis.call("PUBLISH", ARGV[2], id .. " " .. ARGV[1])
return id`;

/**
 * The scripts as commands: ioredis sends EVALSHA (the script's hash, not its text) and loads the
 * script itself when the server does not know it yet (a restart, a failover).
 */
interface ScriptedRedis extends Redis {
  deleteIfEquals(key: string, value: string): Promise<number>;
  appendAndPublish(key: string, message: string, topic: string, maxEntries: number, ttlMs: number): Promise<string>;
}

function withScripts(redis: Redis): ScriptedRedis {
  redis.defineCommand("deleteIfEquals", { numberOfKeys: 1, lua: deleteIfEqualsScript });
  redis.defineCommand("appendAndPublish", { numberOfKeys: 1, lua: appendScript });
  return redis as ScriptedRedis;
}

class RedisKeyValue implements KeyValue {
  constructor(private readonly redis: ScriptedRedis) {}

  async setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(key, value, "PX", ttlMs, "NX")) === "OK";
  }

  async set(key: string, value: string, ttlMs: number): Promise<void> {
    await this.redis.set(key, value, "PX", ttlMs);
  }

  async increment(key: string, ttlMs: number): Promise<number> {
    // One round trip; the expiry is only set by the call that created the key.
    const [[, count]] = (await this.redis.multi().incr(key).pexpire(key, ttlMs, "NX").exec()) as [[unknown, number], unknown];
    return count;
  }

  get(key: string): Promise<string | null> {
    return this.redis.get(key);
  }

  async ttlMs(key: string): Promise<number | null> {
    const ttl = await this.redis.pttl(key);
    return ttl >= 0 ? ttl : null;
  }

  async deleteIfEquals(key: string, value: string): Promise<boolean> {
    return (await this.redis.deleteIfEquals(key, value)) === 1;
  }

  async keys(prefix: string): Promise<string[]> {
    const found: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await this.redis.scan(cursor, "MATCH", `${prefix.replace(/[*?[\]]/g, "\\$&")}*`, "COUNT", 500);
      found.push(...batch);
      cursor = next;
    } while (cursor !== "0");
    return found;
  }

  async delete(...keys: string[]): Promise<void> {
    if (keys.length) await this.redis.del(...keys);
  }
}

class RedisBus implements Bus {
  private subscriber: Promise<Redis> | undefined;
  private readonly handlers = new Map<string, Set<(message: string) => void>>();
  private readonly gapListeners = new Set<() => void>();

  constructor(private readonly redis: Redis) {}

  async publish(topic: string, message: string): Promise<void> {
    await this.redis.publish(topic, message);
  }

  async subscribe(topic: string, handler: (message: string) => void): Promise<() => Promise<void>> {
    // A subscribed connection cannot run other commands, so pub/sub gets its own; the first
    // subscribe connects it and any concurrent one waits for the same connection.
    this.subscriber ??= (async () => {
      // Subscribing is a connection mode, not a command to batch: no auto-pipelining here.
      const connection = this.redis.duplicate({ enableAutoPipelining: false });
      connection.on("message", (t: string, m: string) => this.handlers.get(t)?.forEach((h) => h(m)));
      // ioredis reconnects and resubscribes by itself, but what was published meanwhile never comes.
      let connected = false;
      connection.on("ready", () => {
        if (connected) this.gapListeners.forEach((listener) => listener());
        connected = true;
      });
      await connection.connect();
      return connection;
    })();
    const subscriber = await this.subscriber;
    let set = this.handlers.get(topic);
    if (!set) {
      set = new Set();
      this.handlers.set(topic, set);
      await subscriber.subscribe(topic);
    }
    set.add(handler);
    return async () => {
      set.delete(handler);
      if (set.size === 0) {
        this.handlers.delete(topic);
        await subscriber.unsubscribe(topic);
      }
    };
  }

  subscribers(topic: string): number {
    return this.handlers.get(topic)?.size ?? 0;
  }

  onGap(listener: () => void): () => void {
    this.gapListeners.add(listener);
    return () => void this.gapListeners.delete(listener);
  }

  async close(): Promise<void> {
    (await this.subscriber?.catch(() => undefined))?.disconnect();
  }
}


class RedisEventLog implements EventLog {
  constructor(
    private readonly redis: ScriptedRedis,
    private readonly limits = eventLogLimits,
  ) {}

  async append(key: string, topic: string, message: string): Promise<string> {
    return this.redis.appendAndPublish(key, message, topic, this.limits.maxEntries, this.limits.ttlMs);
  }

  async readSince(key: string, afterId: string): Promise<LogEntry[] | undefined> {
    if (!isLogId(afterId)) return undefined;
    // "~" trimming keeps a little more than maxEntries; the start is inclusive, to see afterId itself.
    const rows = (await this.redis.xrange(key, afterId, "+", "COUNT", this.limits.maxEntries * 2)) as [string, string[]][];
    if (rows[0]?.[0] !== afterId) return undefined;
    return rows.slice(1).map(([id, fields]) => ({ id, message: fields[1] ?? "" }));
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(key);
  }
}

export async function redisCache(url: string): Promise<Cache> {
  const redis = withScripts(new Redis(url, redisOptions()));
  redis.on("error", () => {});
  await redis.connect();
  const bus = new RedisBus(redis);
  return {
    kv: new RedisKeyValue(redis),
    bus,
    log: new RedisEventLog(redis),
    driver: "redis",
    ping: async () => {
      await redis.ping();
    },
    close: async () => {
      await bus.close();
      redis.disconnect();
    },
  };
}
