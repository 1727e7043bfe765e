import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

const key = "a".repeat(64);
const authSecret = "s".repeat(32);

describe("loadConfig", () => {
  it("applies defaults", () => {
    const config = loadConfig({ ENCRYPTION_KEY: key, AUTH_SECRET: authSecret });
    expect(config.PORT).toBe(3000);
    expect(config.PUBLIC_URL).toBe("http://localhost:3000");
    expect(config.localSignIn).toBe(true);
    expect(config.GRAPH_API_URL).toBe("https://graph.facebook.com");
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.ENCRYPTION_KEY).toHaveLength(32);
  });

  it("names a malformed setting", () => {
    expect(() => loadConfig({ ENCRYPTION_KEY: key, PORT: "eighty" })).toThrow(/PORT/);
    expect(() => loadConfig({ ENCRYPTION_KEY: key, GRAPH_API_VERSION: "24" })).toThrow(/GRAPH_API_VERSION/);
    expect(() => loadConfig({ ENCRYPTION_KEY: "short" })).toThrow(/ENCRYPTION_KEY/);
  });

  it("requires the encryption key and database in production, naming them", () => {
    expect(() => loadConfig({ NODE_ENV: "production" })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: "production", DATABASE_URL: "postgres://x@localhost/db" })).toThrow(/ENCRYPTION_KEY/);
    expect(() => loadConfig({ NODE_ENV: "production", DATABASE_URL: "postgres://x@localhost/db", ENCRYPTION_KEY: key })).toThrow(
      /AUTH_SECRET, PUBLIC_URL/,
    );
  });

  it("names every setting production is missing in one error, and wants PUBLIC_URL on https", () => {
    const error = (() => {
      try {
        loadConfig({ NODE_ENV: "production", AUTH_SECRET: authSecret });
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toBe("Missing required setting(s) for production: DATABASE_URL, REDIS_URL, ENCRYPTION_KEY, PUBLIC_URL, META_APP_SECRET");
    const complete = { NODE_ENV: "production", DATABASE_URL: "postgres://x@localhost/db", REDIS_URL: "redis://localhost:6379", ENCRYPTION_KEY: key, AUTH_SECRET: authSecret, META_APP_SECRET: "s" };
    expect(() => loadConfig({ ...complete, PUBLIC_URL: "http://inbox.example.com" })).toThrow(/PUBLIC_URL: must be an https:\/\/ URL in production/);
    expect(loadConfig({ ...complete, PUBLIC_URL: "https://inbox.example.com" }).NODE_ENV).toBe("production");
  });

  it("takes GitHub sign-in as a pair, and then turns the local sign-in link off unless asked for", () => {
    const base = { ENCRYPTION_KEY: key, AUTH_SECRET: authSecret };
    expect(() => loadConfig({ ...base, GITHUB_CLIENT_ID: "id" })).toThrow(/GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET/);
    const github = loadConfig({ ...base, GITHUB_CLIENT_ID: "id", GITHUB_CLIENT_SECRET: "secret" });
    expect(github.github).toEqual({ clientId: "id", clientSecret: "secret" });
    expect(github.localSignIn).toBe(false);
    expect(loadConfig({ ...base, GITHUB_CLIENT_ID: "id", GITHUB_CLIENT_SECRET: "secret", LOCAL_SIGN_IN: "on" }).localSignIn).toBe(true);
    expect(loadConfig({ ...base, LOCAL_SIGN_IN: "off" }).localSignIn).toBe(false);
    expect(loadConfig({ ...base, PUBLIC_URL: "https://inbox.example.com/" }).PUBLIC_URL).toBe("https://inbox.example.com");
  });

  it("never offers the local sign-in link in production unless LOCAL_SIGN_IN=on", () => {
    const production = { NODE_ENV: "production", DATABASE_URL: "postgres://x@localhost/db", REDIS_URL: "rediss://x@cache.example.com:6379", ENCRYPTION_KEY: key, AUTH_SECRET: authSecret, PUBLIC_URL: "https://inbox.example.com", META_APP_SECRET: "meta-app-secret" };
    expect(loadConfig(production).localSignIn).toBe(false);
    expect(loadConfig({ ...production, LOCAL_SIGN_IN: "on" }).localSignIn).toBe(true);
  });

  it("generates a key once on the embedded defaults and keeps it under the data folder", () => {
    const dir = mkdtempSync(join(tmpdir(), "cosbot-config-"));
    const first = loadConfig({ DATA_DIR: dir });
    const second = loadConfig({ DATA_DIR: dir });
    expect(first.encryptionKeyGenerated).toBe(true);
    expect(second.ENCRYPTION_KEY.equals(first.ENCRYPTION_KEY)).toBe(true);
    expect(readFileSync(join(dir, "encryption.key"), "utf8").trim()).toBe(first.ENCRYPTION_KEY.toString("hex"));
    expect(second.AUTH_SECRET).toBe(first.AUTH_SECRET);
    expect(first.AUTH_SECRET).toMatch(/^[0-9a-f]{64}$/);
  });

  it("trusts X-Forwarded-For on Vercel (VERCEL=1) unless TRUST_PROXY says otherwise", () => {
    const base = { ENCRYPTION_KEY: key, AUTH_SECRET: authSecret };
    expect(loadConfig(base).TRUST_PROXY).toBe(false);
    expect(loadConfig({ ...base, VERCEL: "1" }).TRUST_PROXY).toBe(true);
    expect(loadConfig({ ...base, VERCEL: "1", TRUST_PROXY: "false" }).TRUST_PROXY).toBe(false);
  });

  it("takes the public pages' contact address and operator name, optional, and names a malformed address", () => {
    const base = { ENCRYPTION_KEY: key, AUTH_SECRET: authSecret };
    expect(loadConfig(base).PRIVACY_CONTACT_EMAIL).toBeUndefined();
    expect(loadConfig({ ...base, PRIVACY_CONTACT_EMAIL: "privacy@example.com", OPERATOR_NAME: " Acme Ltd " })).toMatchObject({
      PRIVACY_CONTACT_EMAIL: "privacy@example.com",
      OPERATOR_NAME: "Acme Ltd",
    });
    expect(() => loadConfig({ ...base, PRIVACY_CONTACT_EMAIL: "not an address" })).toThrow(/PRIVACY_CONTACT_EMAIL: must be an e-mail address/);
  });
});
