// Issue 7 §2: the server is killed with SIGKILL in the middle of a reply and started again.
//
// What the product guarantees (src/core/replies/run-reply.ts, src/work/):
// - killed while the model is thinking: nothing was stored or sent; the work item's lease runs out,
//   the next process asks the model again and sends the answer once.
// - killed while the Graph API holds the send: the reply is already stored (queued) with its work
//   item, so the next process sends that same stored text without asking the model again. The
//   Graph API has no idempotency key, so when Meta had accepted the first request but the answer
//   was lost with the process, the customer receives the same text twice: at-least-once at the
//   Graph API for a send whose outcome is unknown, never lost and never a different second answer.
//   Storage keeps exactly one reply, marked sent with the platform id of the send that answered.
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { messages, workItems } from "../../src/db/schema/index.js";
import { FakeGraphApi, FakeOpenAI } from "../fakes/index.js";
import { eventually } from "../support/channels.js";
import {
  type FaultWorld,
  inboundCounts,
  numbered,
  type Seeded,
  sendsTo,
  startFaultWorld,
  unfinishedWork,
} from "../support/fault-servers.js";
import type { RealDatabase } from "../support/own-postgres.js";

describe("SIGKILL in the middle of a reply", () => {
  let world: FaultWorld | undefined;
  let graph: FakeGraphApi;
  let openai: FakeOpenAI;
  let db: RealDatabase;
  let seeded: Seeded;
  const start = () => world!.start();
  const outbound = (customerText: string) =>
    db.database.db
      .select()
      .from(messages)
      .where(and(eq(messages.portfolioId, seeded.portfolioId), eq(messages.direction, "out")))
      .then((rows) => rows.filter((m) => m.text?.includes(customerText)));
  const itemsOf = () => db.database.db.select().from(workItems).where(eq(workItems.portfolioId, seeded.portfolioId));

  beforeAll(async () => {
    world = await startFaultWorld();
    ({ graph, openai, db, seeded } = world);
  }, 60_000);

  afterAll(async () => world?.close(), 30_000);

  it("killed while the model holds the call: the restarted server answers exactly once", async () => {
    const m = numbered("KILL_MODEL", 1, "kill model 15550000001 is my order shipped?");
    openai.hangNext(1);
    const first = await start();
    expect(await first.post(m.payload)).toBe(200);
    await eventually(() => expect(openai.inFlight).toBe(1), 20_000);
    await first.kill();

    // Stored before the 200, so the kill lost nothing: the message and its running work item remain.
    expect((await inboundCounts(db.database.db, seeded.channelId)).get(m.wamid)).toBe(1);
    expect(graph.sendRequests).toHaveLength(0);

    const second = await start();
    await eventually(async () => expect(await unfinishedWork(db.database.db, seeded.portfolioId)).toBe(0), 30_000, 100);
    expect(sendsTo(graph, m.from)).toBe(1);
    expect(graph.sends.find((s) => s.to.replace(/^\+/, "") === m.from)?.text).toBe(`Reply to: ${m.text}`);
    expect(openai.calls).toHaveLength(2); // the killed call and the one after the restart
    const out = await outbound(m.text);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ status: "sent", author: "ai" });
    const [item] = await itemsOf();
    expect(item).toMatchObject({ kind: "reply", state: "done", attempts: 2 });
    // Meta's redelivery of the same message after the restart changes nothing.
    expect(await second.post(m.payload)).toBe(200);
    await eventually(async () => expect(await unfinishedWork(db.database.db, seeded.portfolioId)).toBe(0), 10_000, 100);
    expect((await inboundCounts(db.database.db, seeded.channelId)).get(m.wamid)).toBe(1);
    expect(sendsTo(graph, m.from)).toBe(1);
    await second.kill();
  }, 60_000);

  it("killed while the Graph API holds the send: the stored reply is sent again, never regenerated (at-least-once at the Graph API)", async () => {
    graph.reset();
    openai.reset();
    const m = numbered("KILL_SEND", 2, "kill send 15550000002 where is my parcel?");
    // Meta accepts the send (the customer will see it) but the answer never reaches the process.
    graph.acceptThenHangNext(1);
    const first = await start();
    expect(await first.post(m.payload)).toBe(200);
    await eventually(() => expect(graph.sendRequests).toHaveLength(1), 20_000);
    await first.kill();

    const [queued] = await outbound(m.text);
    expect(queued).toMatchObject({ status: "queued", platformMessageId: null });

    const second = await start();
    await eventually(async () => expect(await unfinishedWork(db.database.db, seeded.portfolioId)).toBe(0), 30_000, 100);
    // The model was asked once: the same stored text went out again.
    expect(openai.calls).toHaveLength(1);
    const texts = graph.sends.filter((s) => s.to.replace(/^\+/, "") === m.from).map((s) => s.text);
    expect(texts).toEqual([`Reply to: ${m.text}`, `Reply to: ${m.text}`]);
    const out = await outbound(m.text);
    expect(out).toHaveLength(1);
    expect(out[0]!.id).toBe(queued!.id);
    expect(out[0]).toMatchObject({ status: "sent", platformMessageId: graph.sends.at(-1)!.messageId });
    await second.kill();
  }, 60_000);
});
