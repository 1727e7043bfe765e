import { memoryCache } from "./memory.js";
import type { Cache } from "./ports.js";
import { redisCache } from "./redis.js";

export type { Bus, Cache, KeyValue } from "./ports.js";

export async function openCache(redisUrl: string | undefined): Promise<Cache> {
  return redisUrl ? redisCache(redisUrl) : memoryCache();
}
