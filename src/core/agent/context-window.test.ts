import { describe, expect, it } from "vitest";
import { estimateTokens, fitToWindow, inputBudget, type ModelTurn } from "./context-window.js";

const limits = { contextTokens: 16_000, maxOutputTokens: 1_000 };

describe("fitToWindow", () => {
  it("keeps everything that fits", () => {
    const turns: ModelTurn[] = [{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }, { role: "user", content: "price?" }];
    expect(fitToWindow("Be kind.", turns, limits)).toEqual(turns);
  });

  it("drops the oldest turns first and always keeps the newest customer message", () => {
    const turns: ModelTurn[] = Array.from({ length: 300 }, (_, i) => ({
      role: i % 2 === 0 ? "user" : "assistant",
      content: `turn ${i} ` + "lorem ipsum dolor sit amet ".repeat(40),
    }));
    turns.push({ role: "user", content: "hello" });
    const system = "You are the shop assistant.";
    const kept = fitToWindow(system, turns, limits);
    const used = estimateTokens(system) + kept.reduce((n, t) => n + estimateTokens(t.content), 0);
    expect(used).toBeLessThanOrEqual(inputBudget(limits));
    expect(inputBudget(limits)).toBeLessThan(limits.contextTokens - limits.maxOutputTokens);
    expect(kept.at(-1)).toEqual({ role: "user", content: "hello" });
    expect(kept.length).toBeLessThan(turns.length);
    expect(kept[0]!.role).toBe("user");
    // What is kept is the newest contiguous stretch.
    expect(turns.slice(-kept.length).map((t) => t.content).slice(1)).toEqual(kept.map((t) => t.content).slice(1));
  });

  it("cuts a single oversized newest message instead of dropping it", () => {
    const huge = "x".repeat(200_000);
    const kept = fitToWindow("sys", [{ role: "user", content: huge }], limits);
    expect(kept).toHaveLength(1);
    expect(kept[0]!.content.length).toBeGreaterThan(1000);
    expect(estimateTokens(kept[0]!.content) + estimateTokens("sys")).toBeLessThanOrEqual(inputBudget(limits));
  });

  it("halves the budget when asked to shrink", () => {
    expect(inputBudget({ ...limits, shrink: 0.5 })).toBe(Math.floor(inputBudget(limits) * 0.5));
  });
});
