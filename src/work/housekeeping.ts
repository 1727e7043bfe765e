import { and, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { pendingStatuses, workItems } from "../db/schema/index.js";

export interface Retention {
  /** Statuses whose message never appeared are dropped after this long. */
  pendingStatusMs: number;
  /** Finished work items are history only for this long. */
  finishedWorkMs: number;
}

export const defaultRetention: Retention = { pendingStatusMs: 7 * 86_400_000, finishedWorkMs: 7 * 86_400_000 };

/** Removes what is only kept for a while; returns how many rows went. */
export async function pruneExpired(db: Db, retention: Retention = defaultRetention): Promise<{ statuses: number; work: number }> {
  const ago = (ms: number) => sql`now() - ${ms} * interval '1 millisecond'`;
  const statuses = await db
    .delete(pendingStatuses)
    .where(lt(pendingStatuses.receivedAt, ago(retention.pendingStatusMs)))
    .returning({ id: pendingStatuses.id });
  const work = await db
    .delete(workItems)
    .where(and(inArray(workItems.state, ["done"]), lt(workItems.updatedAt, ago(retention.finishedWorkMs))))
    .returning({ id: workItems.id });
  return { statuses: statuses.length, work: work.length };
}
