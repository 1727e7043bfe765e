import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./logger.js";

describe("logger", () => {
  it("redacts message text, phone numbers and secrets wherever they appear", () => {
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const log = createLogger("info", sink);
    log.info({ text: "my card is 4111", from: "15551230001", message: { body: "hi", wa_id: "15551230001" }, accessToken: "EAAG", conversationId: "c1" }, "stored");
    const out = lines.join("");
    expect(out).not.toContain("4111");
    expect(out).not.toContain("15551230001");
    expect(out).not.toContain("EAAG");
    expect(out).not.toContain('"hi"');
    expect(out).toContain("c1");
  });
});

describe("error logging", () => {
  it("keeps a failed query's reason but never its parameters", async () => {
    const { DrizzleQueryError } = await import("drizzle-orm/errors");
    const lines: string[] = [];
    const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
    const cause = Object.assign(new Error("unsupported Unicode escape sequence"), { code: "22P05" });
    const error = new DrizzleQueryError("insert into message values ($1, $2)", ["Hi, my number is 15551230001", "secret text"], cause);
    createLogger("info", sink).error({ err: error }, "could not store webhook event");
    const out = lines.join("");
    expect(out).toContain("unsupported Unicode escape sequence");
    expect(out).toContain("22P05");
    expect(out).not.toContain("15551230001");
    expect(out).not.toContain("secret text");
  });
});
