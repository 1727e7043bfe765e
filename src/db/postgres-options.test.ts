import postgres from "postgres";
import { describe, expect, it } from "vitest";
import { isPooledUrl, postgresOptions, reconnectBackoffSeconds } from "./postgres-options.js";

// postgres.js parses its options without connecting: these look at what it would connect with.
const parsed = (url: string, pool?: Parameters<typeof postgresOptions>[1]) => {
  const sql = postgres(url, postgresOptions(url, pool));
  return sql.options as unknown as { ssl: unknown; max: number; prepare: boolean; idle_timeout: number | null; channel_binding: string; host: string[] };
};

const neonDirect = "postgresql://alex:secret@ep-cool-darkness-123456.us-east-2.aws.neon.tech/neondb?sslmode=require&channel_binding=require";
const neonPooled = "postgresql://alex:secret@ep-cool-darkness-123456-pooler.us-east-2.aws.neon.tech/neondb?sslmode=require&channel_binding=require";

describe("postgresOptions", () => {
  it("keeps TLS and channel binding from a Neon URL", () => {
    const options = parsed(neonPooled);
    expect(options.ssl).toBe("require");
    expect(options.channel_binding).toBe("require");
    expect(options.host).toEqual(["ep-cool-darkness-123456-pooler.us-east-2.aws.neon.tech"]);
    expect(parsed("postgres://u@db.example.com/app?sslmode=verify-full").ssl).toBe("verify-full");
    expect(parsed("postgres://u@127.0.0.1:5432/app").ssl).toBe(false);
  });

  it("turns named prepared statements off only behind Neon's pooler", () => {
    expect(isPooledUrl(neonPooled)).toBe(true);
    expect(isPooledUrl(neonDirect)).toBe(false);
    expect(isPooledUrl("postgres://u@my-pooler.internal/app")).toBe(false);
    expect(parsed(neonPooled).prepare).toBe(false);
    expect(parsed(neonDirect).prepare).toBe(true);
  });

  it("gives a serverless instance a small pool whose idle connections close", () => {
    const serverless = parsed(neonPooled, { serverless: true });
    expect(serverless.max).toBe(3);
    expect(serverless.idle_timeout).toBe(20);
    const server = parsed(neonDirect, { poolSize: 15 });
    expect(server.max).toBe(15);
    expect(server.idle_timeout).toBeNull();
    expect(parsed(neonDirect).max).toBe(10);
  });
});

describe("reconnectBackoffSeconds", () => {
  it("retries soon at first and never waits more than 2 s, however long the outage", () => {
    expect(reconnectBackoffSeconds(1)).toBeLessThanOrEqual(0.1);
    for (let retries = 1; retries <= 50; retries++) expect(reconnectBackoffSeconds(retries)).toBeLessThanOrEqual(2);
    expect(reconnectBackoffSeconds(20)).toBeGreaterThanOrEqual(1);
    expect(postgresOptions("postgres://u@127.0.0.1:5432/app").backoff).toBe(reconnectBackoffSeconds);
  });
});
