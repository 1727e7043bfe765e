// Issue 7 §2: Postgres restarts in the middle of a burst of webhooks. A 200 promises the message is
// stored (it commits before the answer); anything else must be a 5xx so Meta delivers it again; and
// Meta's redeliveries afterwards add nothing. The cluster is this test's own (restarting the shared
// one would break other tests), stopped once with `-m fast` and once with `-m immediate` (a crash
// recovered from the WAL), while the burst keeps coming.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeGraphApi, FakeOpenAI } from "../fakes/index.js";
import { eventually } from "../support/channels.js";
import {
  type FaultWorld,
  inboundCounts,
  numbered,
  type RunningServer,
  type Seeded,
  sendsTo,
  startFaultWorld,
  unfinishedWork,
} from "../support/fault-servers.js";
import type { RealDatabase } from "../support/own-postgres.js";

describe("Postgres restarts during a burst", () => {
  let world: FaultWorld | undefined;
  let graph: FakeGraphApi;
  let openai: FakeOpenAI;
  let db: RealDatabase;
  let seeded: Seeded;
  let server: RunningServer | undefined;

  beforeAll(async () => {
    world = await startFaultWorld({ ownPostgres: true });
    ({ graph, openai, db, seeded } = world);
    // The test's own pool would only see the restarts as errors: it reads after the burst.
    // A lease longer than an outage here: a reply cut off by the restart is taken up again when it runs out.
    server = await world.start({ WORK_LEASE_MS: "3000" });
  }, 60_000);

  afterAll(async () => world?.close(), 30_000);

  it("every 200 is stored, the rest got a 5xx, and redelivering them duplicates nothing", async () => {
    const s = server!;
    const own = db.own!;
    // Replies are in flight through the restarts too.
    openai.latencyMs = 20;
    const statuses = new Map<number, number[]>();
    let next = 0;
    let acked = 0;
    let refused = 0;
    let sending = true;
    const sendOne = async (n: number) => {
      const status = await s.post(numbered("PG_BURST", n).payload);
      statuses.set(n, [...(statuses.get(n) ?? []), status]);
      if (status === 200) acked++;
      else {
        refused++;
        // Meta backs off too; it keeps the burst (and the replies to settle) small.
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const workers = Array.from({ length: 4 }, async () => {
      while (sending) await sendOne(++next);
    });
    const until = (what: string, check: () => boolean, timeoutMs = 30_000) =>
      eventually(() => {
        if (!check()) throw new Error(`burst: ${what} (acked ${acked}, refused ${refused})`);
      }, timeoutMs, 20);

    try {
      await until("20 acknowledged before the first restart", () => acked >= 20);
      for (const mode of ["fast", "immediate"] as const) {
        const before = refused;
        await own.stop(mode);
        // Down until the burst has met the outage a few times: those deliveries were refused.
        await until(`5 refused while Postgres is down (${mode})`, () => refused >= before + 5);
        await own.start();
        const after = acked;
        await until(`20 acknowledged after the restart (${mode})`, () => acked >= after + 20);
      }
    } finally {
      sending = false;
      await Promise.all(workers);
    }

    const all = [...statuses.entries()];
    // Each number went out once; an answer that is not a 200 is a 5xx (Meta retries those), never a 4xx or a dropped connection.
    expect(all.every(([, st]) => st.length === 1)).toBe(true);
    const outcomes = all.map(([, [status]]) => status!);
    expect(outcomes.filter((st) => st !== 200 && !(st >= 500 && st < 600))).toEqual([]);
    const failed = all.filter(([, [status]]) => status !== 200).map(([n]) => n);
    expect(failed.length).toBeGreaterThanOrEqual(10);

    // Every acknowledged message is stored, once.
    let stored = await inboundCounts(db.database.db, seeded.channelId);
    const lost = all.filter(([n, [status]]) => status === 200 && stored.get(numbered("PG_BURST", n).wamid) !== 1).map(([n]) => n);
    expect(lost).toEqual([]);

    // Meta delivers the refused ones again (and, as it may, some acknowledged ones too).
    const acknowledged = all.filter(([, [status]]) => status === 200).map(([n]) => n);
    const again = [...failed, ...acknowledged.slice(0, 10)];
    const second = await Promise.all(again.map((n) => s.post(numbered("PG_BURST", n).payload)));
    expect(second.every((st) => st === 200)).toBe(true);

    stored = await inboundCounts(db.database.db, seeded.channelId);
    expect(stored.size).toBe(all.length);
    expect([...stored.values()].every((count) => count === 1)).toBe(true);

    // Every customer is answered once the work settles; the lease of a reply cut off by a restart runs out and it is taken up again.
    await eventually(async () => expect(await unfinishedWork(db.database.db, seeded.portfolioId)).toBe(0), 40_000, 200);
    const answers = all.map(([n]) => [n, sendsTo(graph, numbered("PG_BURST", n).from)] as const);
    expect(answers.filter(([, count]) => count === 0).map(([n]) => n)).toEqual([]);
    // A send the Graph API accepted while Postgres was down is recorded once it is back, not sent again.
    expect(answers.filter(([, count]) => count > 1).map(([n]) => n)).toEqual([]);
  }, 90_000);
});
