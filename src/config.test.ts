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
    const production = { NODE_ENV: "production", DATABASE_URL: "postgres://x@localhost/db", ENCRYPTION_KEY: key, AUTH_SECRET: authSecret, PUBLIC_URL: "https://inbox.example.com" };
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
});
