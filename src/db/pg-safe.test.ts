import { describe, expect, it } from "vitest";
import { pgJson, pgSafe, pgText } from "./pg-safe.js";

describe("pg-safe", () => {
  it("cleans every string of an event and keeps its Dates", () => {
    const at = new Date("2026-12-04T10:00:00Z");
    const event = pgSafe({ id: "wamid.\u0000X", occurredAt: at, error: { title: "T\u0000" }, list: ["\udc00"], n: 3 });
    expect(event).toEqual({ id: "wamid.X", occurredAt: at, error: { title: "T" }, list: ["\ufffd"], n: 3 });
    expect(event.occurredAt).toBeInstanceOf(Date);
  });

  it("drops NUL characters and repairs lone surrogates", () => {
    expect(pgText("a\u0000b")).toBe("ab");
    expect(pgText("x\ud800y")).toBe("x\ufffdy");
    expect(pgText("😀 ok")).toBe("😀 ok");
  });

  it("cleans keys and values at every level and cuts very deep nesting", () => {
    expect(pgJson({ "k\u0000": ["v\u0000", { n: 1, s: "\udc00" }] })).toEqual({ k: ["v", { n: 1, s: "\ufffd" }] });
    let deep: unknown = "bottom";
    for (let i = 0; i < 5000; i++) deep = { d: deep };
    let cut = pgJson(deep) as Record<string, unknown>;
    let levels = 0;
    while (typeof cut === "object") {
      cut = cut.d as Record<string, unknown>;
      levels++;
    }
    expect(levels).toBe(32);
    expect(cut).toBe("[nested too deep]");
  });
});
