import { afterAll, describe, expect, it } from "vitest";
import { processedMarkerTtlMs } from "../core/inbound/dedup.js";
import { MemoryKeyValue } from "./memory.js";
import type { Cache, KeyValue } from "./ports.js";
import { redisCache } from "./redis.js";

const redisUrl = process.env.REDIS_URL;
const opened: Cache[] = [];
afterAll(async () => Promise.all(opened.map((c) => c.close())));

const implementations: [string, () => Promise<KeyValue>][] = [["memory", async () => new MemoryKeyValue()]];
if (redisUrl) {
  implementations.push([
    "redis",
    async () => {
      const cache = await redisCache(redisUrl);
      opened.push(cache);
      return cache.kv;
    },
  ]);
}

describe.each(implementations)("KeyValue on %s", (_name, make) => {
  const prefix = `kvtest:${Math.random().toString(36).slice(2)}:`;

  it("claims atomically: one of many concurrent claims wins", async () => {
    const kv = await make();
    const results = await Promise.all(Array.from({ length: 10 }, () => kv.setIfAbsent(`${prefix}claim`, "x", 10_000)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it("releases only a lease it owns", async () => {
    const kv = await make();
    await kv.set(`${prefix}lease`, "lease:a", 10_000);
    expect(await kv.deleteIfEquals(`${prefix}lease`, "lease:b")).toBe(false);
    expect(await kv.deleteIfEquals(`${prefix}lease`, "lease:a")).toBe(true);
    expect(await kv.get(`${prefix}lease`)).toBeNull();
  });

  it("expires keys", async () => {
    const kv = await make();
    await kv.set(`${prefix}short`, "v", 50);
    expect(await kv.get(`${prefix}short`)).toBe("v");
    await new Promise((r) => setTimeout(r, 120));
    expect(await kv.get(`${prefix}short`)).toBeNull();
    expect(await kv.setIfAbsent(`${prefix}short`, "again", 1000)).toBe(true);
  });

  it("keeps processed markers no longer than 24 hours", async () => {
    const kv = await make();
    await kv.set(`${prefix}done`, "done", processedMarkerTtlMs);
    const ttl = await kv.ttlMs(`${prefix}done`);
    expect(ttl).not.toBeNull();
    expect(ttl!).toBeLessThanOrEqual(24 * 60 * 60 * 1000);
    expect(ttl!).toBeGreaterThan(23 * 60 * 60 * 1000);
  });

  it("lists and deletes keys by prefix", async () => {
    const kv = await make();
    await kv.set(`${prefix}list:a`, "1", 10_000);
    await kv.set(`${prefix}list:b`, "2", 10_000);
    expect((await kv.keys(`${prefix}list:`)).sort()).toEqual([`${prefix}list:a`, `${prefix}list:b`]);
    await kv.delete(`${prefix}list:a`, `${prefix}list:b`);
    expect(await kv.keys(`${prefix}list:`)).toEqual([]);
  });

  it("counts within a window that starts with the first increment and does not slide", async () => {
    const kv = await make();
    const counts = await Promise.all(Array.from({ length: 5 }, () => kv.increment(`${prefix}count`, 150)));
    expect(counts.sort()).toEqual([1, 2, 3, 4, 5]);
    await new Promise((r) => setTimeout(r, 80));
    expect(await kv.increment(`${prefix}count`, 150)).toBe(6);
    await new Promise((r) => setTimeout(r, 120));
    expect(await kv.increment(`${prefix}count`, 150)).toBe(1);
  });
});
