import { randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { MemoryBus, MemoryEventLog } from "./memory.js";
import { type Cache, compareLogIds, eventLogLimits } from "./ports.js";
import { redisCache } from "./redis.js";

const redisUrl = process.env.REDIS_URL;
const opened: Cache[] = [];
afterAll(async () => Promise.all(opened.map((c) => c.close())));

const implementations: [string, () => Promise<Pick<Cache, "bus" | "log"> & { ttl?(key: string): Promise<number | null> }>][] = [
  ["memory", async () => {
    const bus = new MemoryBus();
    return { bus, log: new MemoryEventLog(bus) };
  }],
];
if (redisUrl) {
  implementations.push(["redis", async () => {
    const cache = await redisCache(redisUrl);
    opened.push(cache);
    return { bus: cache.bus, log: cache.log, ttl: (key) => cache.kv.ttlMs(key) };
  }]);
}

describe.each(implementations)("the event log on %s", (_name, make) => {
  it("publishes each entry with the id it was logged under, ids increasing", async () => {
    const { bus, log } = await make();
    const key = `live:log:test-${randomUUID()}`;
    const topic = `live:test-${randomUUID()}`;
    const heard: string[] = [];
    const unsubscribe = await bus.subscribe(topic, (m) => heard.push(m));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await log.append(key, topic, `{"n":${i}}`));
    await expect.poll(() => heard.length).toBe(5);
    expect(heard).toEqual(ids.map((id, i) => `${id} {"n":${i}}`));
    for (let i = 1; i < ids.length; i++) expect(compareLogIds(ids[i]!, ids[i - 1]!)).toBeGreaterThan(0);
    await unsubscribe();
    expect(bus.subscribers(topic)).toBe(0);
    await log.delete(key);
  });

  it("reads what came after an id it holds, and nothing for an id it does not", async () => {
    const { log, ttl } = await make();
    const key = `live:log:test-${randomUUID()}`;
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await log.append(key, "live:nobody", `m${i}`));
    expect(await log.readSince(key, ids[1]!)).toEqual([{ id: ids[2], message: "m2" }, { id: ids[3], message: "m3" }]);
    expect(await log.readSince(key, ids[3]!)).toEqual([]);
    expect(await log.readSince(key, "1-0")).toBeUndefined();
    expect(await log.readSince(key, "garbage")).toBeUndefined();
    if (ttl) {
      const left = await ttl(key);
      expect(left).toBeGreaterThan(0);
      expect(left).toBeLessThanOrEqual(eventLogLimits.ttlMs);
    }
    await log.delete(key);
    expect(await log.readSince(key, ids[1]!)).toBeUndefined();
  });
});

describe("the memory event log", () => {
  it("keeps the newest entries only, and forgets them when they expire", async () => {
    let now = 1_000_000;
    const log = new MemoryEventLog(new MemoryBus(), { maxEntries: 3, ttlMs: 1000 }, () => now);
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await log.append("k", "t", `m${i}`));
    expect(await log.readSince("k", ids[1]!)).toBeUndefined();
    expect((await log.readSince("k", ids[2]!))?.map((e) => e.message)).toEqual(["m3", "m4"]);
    now += 1001;
    expect(await log.readSince("k", ids[3]!)).toBeUndefined();
    const later = await log.append("k", "t", "m5");
    expect(compareLogIds(later, ids[4]!)).toBeGreaterThan(0);
  });
});
