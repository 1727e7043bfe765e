import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { workItems } from "../db/schema/index.js";

export type WorkItem = typeof workItems.$inferSelect;

const ms = (n: number) => sql`${n} * interval '1 millisecond'`;

/** Durable work items in Postgres: claimed with SKIP LOCKED, leased, retried, buried. */
export class WorkStore {
  constructor(private readonly db: Db) {}

  /**
   * Claims one due item: pending and due, or running with an expired lease (its process died).
   * Only one item per subject runs at a time: a pending item waits while another item of the same
   * subject is running, and an abandoned running item is re-claimed before it.
   */
  async claim(owner: string, leaseMs: number): Promise<WorkItem | undefined> {
    const [item] = await this.db
      .update(workItems)
      .set({ state: "running", attempts: sql`${workItems.attempts} + 1`, leaseOwner: owner, leaseUntil: sql`now() + ${ms(leaseMs)}`, updatedAt: sql`now()` })
      .where(sql`${workItems.id} = (
        SELECT w.id FROM work_item w
        WHERE (
          (w.state = 'pending' AND w.run_after <= now() AND NOT EXISTS (
            SELECT 1 FROM work_item r WHERE r.kind = w.kind AND r.subject_id = w.subject_id AND r.state = 'running'))
          OR (w.state = 'running' AND w.lease_until < now())
        )
        ORDER BY w.run_after
        FOR UPDATE SKIP LOCKED
        LIMIT 1)`)
      .returning();
    return item;
  }

  private owned(item: WorkItem, owner: string) {
    return and(eq(workItems.id, item.id), eq(workItems.leaseOwner, owner), eq(workItems.state, "running"));
  }

  /** Extends the lease of an item this process is still running; false when it is no longer its own. */
  async renew(item: WorkItem, owner: string, leaseMs: number): Promise<boolean> {
    const renewed = await this.db
      .update(workItems)
      .set({ leaseUntil: sql`now() + ${ms(leaseMs)}` })
      .where(this.owned(item, owner))
      .returning({ id: workItems.id });
    return renewed.length > 0;
  }

  async complete(item: WorkItem, owner: string): Promise<void> {
    await this.db.update(workItems).set({ state: "done", leaseUntil: null, updatedAt: sql`now()` }).where(this.owned(item, owner));
  }

  async retry(item: WorkItem, owner: string, delayMs: number, error: string): Promise<void> {
    await this.db
      .update(workItems)
      .set({ state: "pending", runAfter: sql`now() + ${ms(delayMs)}`, leaseUntil: null, lastError: error, updatedAt: sql`now()` })
      .where(this.owned(item, owner));
  }

  async bury(item: WorkItem, owner: string, error: string): Promise<void> {
    await this.db
      .update(workItems)
      .set({ state: "dead", leaseUntil: null, lastError: error, updatedAt: sql`now()` })
      .where(this.owned(item, owner));
  }

  /**
   * Gives back items this process holds but will not finish (it is shutting down): the lease is
   * expired at once so the next claim, here or elsewhere, takes them before anything newer; the
   * interrupted attempt is not counted, and this process can no longer write as their owner.
   */
  async release(ids: number[], owner: string): Promise<number> {
    if (ids.length === 0) return 0;
    const released = await this.db
      .update(workItems)
      .set({ leaseOwner: null, leaseUntil: sql`now() - interval '1 millisecond'`, attempts: sql`greatest(${workItems.attempts} - 1, 0)`, updatedAt: sql`now()` })
      .where(and(inArray(workItems.id, ids), eq(workItems.leaseOwner, owner), eq(workItems.state, "running")))
      .returning({ id: workItems.id });
    return released.length;
  }

  /** Items waiting, running and given up, for the metrics scrape. */
  async countsByState(): Promise<Record<"pending" | "running" | "dead", number>> {
    const rows = await this.db
      .select({ state: workItems.state, n: sql<number | string>`count(*)` })
      .from(workItems)
      .where(inArray(workItems.state, ["pending", "running", "dead"]))
      .groupBy(workItems.state);
    const counts = { pending: 0, running: 0, dead: 0 };
    for (const row of rows) if (row.state !== "done") counts[row.state] = Number(row.n);
    return counts;
  }

  /** Whether an item of this kind and subject waits to run (it takes over what a dead one left). */
  async hasPending(kind: WorkItem["kind"], subjectId: string): Promise<boolean> {
    const [row] = await this.db
      .select({ id: workItems.id })
      .from(workItems)
      .where(and(eq(workItems.kind, kind), eq(workItems.subjectId, subjectId), eq(workItems.state, "pending")))
      .limit(1);
    return row !== undefined;
  }

  /** The earliest time a pending item falls due, to arm the next timer. */
  async nextDueAt(): Promise<Date | undefined> {
    const [row] = await this.db
      .select({ at: sql<Date | string>`min(${workItems.runAfter})` })
      .from(workItems)
      .where(eq(workItems.state, "pending"));
    return row?.at ? new Date(row.at) : undefined;
  }
}
