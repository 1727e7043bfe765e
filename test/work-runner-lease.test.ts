// A run that outlives its lease because the lease could not be renewed (Postgres away for the
// renewals, back for the claims) must not be started a second time by its own process: the
// second run would send the same reply again.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { portfolios, workItems } from "../src/db/schema/index.js";
import { WorkRunner } from "../src/work/runner.js";
import { type WorkItem, WorkStore } from "../src/work/work-store.js";
import { openTestDatabase, type TestDatabase } from "./support/test-database.js";

/** The real store, except that every renewal fails as if the database were unreachable for it. */
class StoreThatCannotRenew extends WorkStore {
  override async renew(): Promise<boolean> {
    throw new Error("connect ECONNREFUSED");
  }
}

describe("a run whose lease ran out while it was still going", () => {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await openTestDatabase();
  });
  afterAll(async () => testDb?.drop());

  it("is not started again by the process still running it, and finishes once", async () => {
    const db = testDb.database.db;
    const portfolioId = randomUUID();
    await db.insert(portfolios).values({ id: portfolioId, name: "Lease Shop", slug: `lease-${portfolioId.slice(0, 8)}` });
    await db.insert(workItems).values({ portfolioId, kind: "reply", subjectId: randomUUID() });

    const starts: number[] = [];
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const runner = new WorkRunner(
      new StoreThatCannotRenew(db),
      { reply: async (item: WorkItem) => (starts.push(item.id), finished) },
      { leaseMs: 1000, maxAttempts: 3, backoffBaseMs: 100, sweepIntervalMs: 100, log: { error: () => {}, warn: () => {} } },
    );
    runner.start();
    try {
      // Well past the lease: the sweeps every 100 ms find it expired and claim it again.
      await new Promise((resolve) => setTimeout(resolve, 2_500));
      const [reclaimed] = await db.select().from(workItems);
      expect(reclaimed!.attempts).toBeGreaterThan(1);
      expect(starts).toHaveLength(1);
      finish();
      await runner.sweepOnce();
      const [done] = await db.select().from(workItems);
      expect(done).toMatchObject({ state: "done" });
      expect(starts).toHaveLength(1);
    } finally {
      finish();
      await runner.stop();
    }
  });
});
