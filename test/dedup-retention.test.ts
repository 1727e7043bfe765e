// Retention (issue 6 item 5): dedup markers expire within 24 hours, in Redis and in the memory
// implementation alike. A real signed webhook goes through the server; then the marker keys' TTLs
// are read from the server's own cache (memory, or Redis when REDIS_URL is set: then also raw PTTL).
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryKeyValue } from "../src/cache/memory.js";
import { Deduplicator, processedMarkerTtlMs } from "../src/core/inbound/dedup.js";
import { type Harness, startCosbot } from "./support/cosbot-under-test.js";
import { customerText } from "./support/payloads.js";

const DAY_MS = 24 * 3_600_000;
let h: Harness;

beforeAll(async () => {
  h = await startCosbot();
}, 60_000);
afterAll(async () => {
  await h?.settle();
  await h?.close();
});

describe("dedup markers", () => {
  it("of a webhook stored through the server carry a TTL of at most 24 hours", async () => {
    const ids = [`wamid.RETENTION_${Date.now()}_1`, `wamid.RETENTION_${Date.now()}_2`];
    for (const id of ids) expect((await h.post(customerText(id, "keep me a day at most"))).status).toBe(200);
    // Meta's retry of the first one: deduplicated, and it must not extend the marker forever.
    expect((await h.post(customerText(ids[0]!, "keep me a day at most"))).status).toBe(200);
    await h.settle();

    const keys = await h.cache.kv.keys(`dedup:${h.channelId}:`);
    expect(keys.sort()).toEqual(ids.map((id) => `dedup:${h.channelId}:${id}`).sort());
    for (const key of keys) {
      expect(await h.cache.kv.get(key)).toBe("done");
      const ttl = await h.cache.kv.ttlMs(key);
      expect(ttl).not.toBeNull();
      expect(ttl!).toBeGreaterThan(0);
      expect(ttl!).toBeLessThanOrEqual(DAY_MS);
    }
    if (h.cache.driver === "redis") {
      // Redis itself, not our wrapper: -1 would mean "never expires", -2 "no such key".
      const raw = new Redis(process.env.REDIS_URL!, { lazyConnect: true, maxRetriesPerRequest: 1 });
      try {
        await raw.connect();
        for (const key of keys) {
          const pttl = await raw.pttl(key);
          expect(pttl).toBeGreaterThan(0);
          expect(pttl).toBeLessThanOrEqual(DAY_MS);
        }
      } finally {
        raw.disconnect();
      }
    } else {
      expect(h.cache.driver).toBe("memory");
    }
  });

  it("are gone from the memory implementation once 24 hours have passed, leases sooner", async () => {
    expect(processedMarkerTtlMs).toBeLessThanOrEqual(DAY_MS);
    let now = Date.UTC(2026, 11, 4);
    const kv = new MemoryKeyValue(() => now);
    const dedup = new Deduplicator(kv, "owner-1");
    expect(await dedup.claim("ch", "lease-only")).toBe(true);
    expect(await dedup.claim("ch", "m1")).toBe(true);
    await dedup.markProcessed("ch", "m1");
    for (const key of await kv.keys("dedup:")) expect((await kv.ttlMs(key))!).toBeLessThanOrEqual(DAY_MS);
    now += DAY_MS;
    expect(await kv.keys("dedup:")).toEqual([]);
    expect(await dedup.claim("ch", "m1")).toBe(true);
  });
});
