import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pendingStatuses, workItems } from "../src/db/schema/index.js";
import { pruneExpired } from "../src/work/housekeeping.js";
import { waStatus } from "./fakes/index.js";
import { type Harness, PNID, startCosbot } from "./support/cosbot-under-test.js";

let h: Harness;
beforeAll(async () => {
  h = await startCosbot();
});
afterAll(async () => h?.close());

describe("housekeeping", () => {
  it("drops a status whose message never appeared after a week, and old finished work, and nothing newer", async () => {
    const db = h.testDb.database.db;
    await h.post(waStatus({ pnid: PNID, id: "wamid.GHOST_OLD", status: "delivered", recipient: "15551230001" }));
    await h.post(waStatus({ pnid: PNID, id: "wamid.GHOST_NEW", status: "delivered", recipient: "15551230001" }));
    await db.execute(sql`UPDATE pending_status SET received_at = now() - interval '8 days' WHERE platform_message_id = 'wamid.GHOST_OLD'`);
    await db.insert(workItems).values([
      { portfolioId: h.portfolioId, kind: "reply", subjectId: "old", state: "done", updatedAt: sql`now() - interval '8 days'` },
      { portfolioId: h.portfolioId, kind: "reply", subjectId: "recent", state: "done" },
      { portfolioId: h.portfolioId, kind: "reply", subjectId: "dead", state: "dead", updatedAt: sql`now() - interval '8 days'` },
    ]);
    expect(await pruneExpired(db)).toEqual({ statuses: 1, work: 1 });
    const left = (await db.select().from(pendingStatuses)).map((p) => p.platformMessageId);
    expect(left).toEqual(["wamid.GHOST_NEW"]);
    const subjects = (await db.select().from(workItems)).map((w) => w.subjectId).sort();
    expect(subjects).toEqual(["dead", "recent"]);
  });
});
