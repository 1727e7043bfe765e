import { Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { redisOptions } from "./redis-options.js";

// lazyConnect: constructing the client parses the URL and options but opens no socket.
const parsed = (url: string) => {
  const redis = new Redis(url, redisOptions());
  const options = redis.options;
  redis.disconnect();
  return options;
};

describe("redisOptions", () => {
  it("speaks TLS to a rediss:// URL such as Upstash's, with its password", () => {
    const options = parsed("rediss://default:upstash-token@eu1-clever-cat-31234.upstash.io:6379");
    expect(options.tls).toBeTruthy();
    expect(options.host).toBe("eu1-clever-cat-31234.upstash.io");
    expect(options.port).toBe(6379);
    expect(options.username).toBe("default");
    expect(options.password).toBe("upstash-token");
  });

  it("stays plain on redis:// and fails fast while Redis is away", () => {
    const options = parsed("redis://127.0.0.1:6379");
    expect(options.tls).toBeFalsy();
    expect(options.lazyConnect).toBe(true);
    expect(options.enableOfflineQueue).toBe(false);
    expect(options.maxRetriesPerRequest).toBe(1);
  });
});
