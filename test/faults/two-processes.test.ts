// Issue 7 §2: two server processes on the same Postgres and Redis take the same stream of
// webhooks, each delivery sent to both at once (as two load-balanced copies may both receive a
// delivery and its retry). Every message is stored once and answered once.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeGraphApi, FakeOpenAI, lastUserText } from "../fakes/index.js";
import { eventually } from "../support/channels.js";
import {
  type FaultWorld,
  inboundCounts,
  numbered,
  type RunningServer,
  type Seeded,
  startFaultWorld,
  unfinishedWork,
} from "../support/fault-servers.js";
import type { RealDatabase } from "../support/own-postgres.js";

/** The sum of one metric's samples in a Prometheus text scrape. */
const total = (scrape: string, metric: string) =>
  scrape
    .split("\n")
    .filter((l) => l.startsWith(`${metric}{`) || l.startsWith(`${metric} `))
    .reduce((sum, l) => sum + Number(l.split(" ").at(-1)), 0);

describe("two server processes on one Postgres and one Redis", () => {
  let world: FaultWorld | undefined;
  let graph: FakeGraphApi;
  let openai: FakeOpenAI;
  let db: RealDatabase;
  let seeded: Seeded;
  let a: RunningServer | undefined;
  let b: RunningServer | undefined;

  beforeAll(async () => {
    world = await startFaultWorld();
    ({ graph, openai, db, seeded } = world);
    // Nobody dies here: a lease far longer than a run, so a starved event loop on a busy machine
    // cannot let it lapse (then the other process would ask the model again, and only the lease
    // check before storing the answer would keep the send single).
    const env = { WORK_LEASE_MS: "10000" };
    [a, b] = await Promise.all([world.start(env), world.start(env)]);
  }, 60_000);

  afterAll(async () => world?.close(), 30_000);

  it("stores and answers every message once when each delivery reaches both processes", async () => {
    // Each answer names the message it answers, so Graph sends can be counted per wamid.
    openai.reply = (request) => `Answer to ${lastUserText(request)}`;
    openai.latencyMs = 30;
    const stream = Array.from({ length: 40 }, (_, i) => numbered("TWO", i + 1));
    const statuses: number[] = [];
    // Eight deliveries in flight at a time, each to A and B at once; then Meta's retry of ten, to both again.
    for (let i = 0; i < stream.length; i += 8) {
      const batch = stream.slice(i, i + 8);
      statuses.push(...(await Promise.all(batch.flatMap((m) => [a!.post(m.payload), b!.post(m.payload)]))));
    }
    statuses.push(...(await Promise.all(stream.slice(0, 10).flatMap((m) => [a!.post(m.payload), b!.post(m.payload)]))));
    expect(statuses).toEqual(Array(100).fill(200));

    const stored = await inboundCounts(db.database.db, seeded.channelId);
    expect(stream.map((m) => stored.get(m.wamid) ?? 0)).toEqual(Array(40).fill(1));

    await eventually(async () => expect(await unfinishedWork(db.database.db, seeded.portfolioId)).toBe(0), 30_000, 100);
    const sendsPerWamid = new Map<string, number>();
    for (const send of graph.sends) {
      const n = /question TWO (\d+)$/.exec(send.text ?? "")?.[1];
      if (n) sendsPerWamid.set(`wamid.TWO_${n}`, (sendsPerWamid.get(`wamid.TWO_${n}`) ?? 0) + 1);
    }
    expect(stream.map((m) => sendsPerWamid.get(m.wamid) ?? 0)).toEqual(Array(40).fill(1));
    expect(graph.sends).toHaveLength(40);
    // Asked once per message too: no process composed a second answer.
    expect(openai.calls).toHaveLength(40);

    // Each process took its 50 deliveries; between them they dropped the 60 copies.
    const scrapes = await Promise.all([a!, b!].map((s) => fetch(`${s.url}/metrics`).then((r) => r.text())));
    expect(scrapes.map((m) => total(m, "cosbot_webhooks_received_total"))).toEqual([50, 50]);
    expect(scrapes.reduce((sum, m) => sum + total(m, "cosbot_webhook_duplicates_dropped_total"), 0)).toBe(60);
  }, 60_000);
});
