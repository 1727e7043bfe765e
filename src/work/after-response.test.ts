import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { runWorkAfterResponse } from "./after-response.js";

// The pass's own logic, on a clock the test moves: when it waits, how often it sweeps, when it stops.
describe("runWorkAfterResponse", () => {
  beforeEach(() => vi.useFakeTimers({ now: new Date("2026-12-01T10:00:00Z"), toFake: ["Date"] }));
  afterEach(() => vi.useRealTimers());

  function harness(dueTimes: (number | undefined)[], maxWaitMs = 10_000) {
    const start = Date.now();
    const sweeps: number[] = [];
    const handed: Promise<unknown>[] = [];
    const warnings: unknown[] = [];
    const schedule = runWorkAfterResponse((p) => handed.push(p), {
      sweepOnce: async () => void sweeps.push(Date.now() - start),
      nextDueAt: async () => {
        const next = dueTimes.shift();
        return next === undefined ? undefined : new Date(start + next);
      },
      maxWaitMs,
      log: { warn: (obj) => void warnings.push(obj) },
      sleep: async (ms) => void vi.setSystemTime(Date.now() + ms),
    });
    return { start, sweeps, handed, warnings, schedule };
  }

  it("waits out the quiet period, sweeps, and stops when nothing is pending", async () => {
    const h = harness([undefined]);
    h.schedule(new Date(h.start + 2_000));
    expect(h.handed).toHaveLength(1);
    await Promise.all(h.handed);
    expect(h.sweeps).toHaveLength(1);
    expect(h.sweeps[0]).toBeGreaterThanOrEqual(2_000);
  });

  it("sweeps again for work falling due within the budget, and leaves later work to the cron sweep", async () => {
    const h = harness([2_500, 60_000]);
    h.schedule(new Date(h.start + 2_000));
    await Promise.all(h.handed);
    expect(h.sweeps).toHaveLength(2);
    expect(h.sweeps[1]).toBeGreaterThanOrEqual(2_500);
  });

  it("does not wait for a due time past the budget at all", async () => {
    const h = harness([], 5_000);
    h.schedule(new Date(h.start + 30_000));
    await Promise.all(h.handed);
    expect(h.sweeps).toHaveLength(0);
  });

  it("never spins on work the database calls due while it cannot be claimed yet", async () => {
    const h = harness(Array.from({ length: 100 }, () => 0));
    h.schedule(new Date(h.start));
    await Promise.all(h.handed);
    expect(h.sweeps).toHaveLength(20);
  });

  it("hands over a promise that settles even when a sweep fails", async () => {
    const h = harness([]);
    const failing = runWorkAfterResponse((p) => h.handed.push(p), {
      sweepOnce: async () => Promise.reject(new Error("database away")),
      nextDueAt: async () => undefined,
      maxWaitMs: 1_000,
      log: { warn: (obj) => void h.warnings.push(obj) },
    });
    failing(new Date(h.start));
    await expect(Promise.all(h.handed)).resolves.toBeDefined();
    expect(h.warnings).toHaveLength(1);
  });
});
