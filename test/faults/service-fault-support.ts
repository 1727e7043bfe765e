// Shared by the outside-service fault tests: what the work runner stored at each retry, and what
// admins see through the API and the live stream.
import { sql } from "drizzle-orm";
import { expect } from "vitest";
import { rowsOf } from "../../src/db/client.js";
import { api, type ApiUser, memberOf } from "../support/api-client.js";
import { type Harness, startCosbot } from "../support/cosbot-under-test.js";
import { openSse, type SseStream } from "../support/sse-client.js";

export const BACKOFF_MS = 40;
export const ATTEMPTS = 4;

export interface ServiceFaultHarness {
  h: Harness;
  owner: ApiUser;
  /** The owner's live stream, opened and ready. */
  live: SseStream;
  close(): Promise<void>;
}

/** A server that retries ATTEMPTS times from BACKOFF_MS, logging its retries, with the owner watching live. */
export async function startServiceFaultHarness(env: Record<string, string> = {}): Promise<ServiceFaultHarness> {
  const h = await startCosbot({ env: { WORK_MAX_ATTEMPTS: String(ATTEMPTS), WORK_BACKOFF_BASE_MS: String(BACKOFF_MS), ...env } });
  await installRetryLog(h);
  const owner = await memberOf(h, h.portfolioId, "owner");
  const live = await openSse(`${h.url}/api/portfolios/${h.portfolioId}/events`, { cookie: owner.cookie });
  expect(live.status).toBe(200);
  await live.waitFor((e) => e.event === "ready");
  return {
    h,
    owner,
    live,
    async close() {
      live.close();
      await h.close();
    },
  };
}

export interface RetryRecord {
  workItemId: number;
  kind: string;
  state: "pending" | "dead";
  attempts: number;
  /** run_after minus the time of the write, in ms: the delay the runner stored for the next attempt. */
  delayMs: number;
  runAfter: Date;
  lastError: string | null;
}

/**
 * A trigger on this file's own test database that copies every retry and burial of a work item
 * (running → pending | dead) into a log: the runner overwrites run_after on each retry, so this
 * keeps the sequence of stored run-after times. It only observes; the runner is unchanged.
 */
export async function installRetryLog(h: Harness): Promise<void> {
  const db = h.testDb.database.db;
  await db.execute(sql.raw(`CREATE TABLE IF NOT EXISTS fault_retry_log (
    seq serial PRIMARY KEY, work_item_id bigint NOT NULL, kind text NOT NULL, state text NOT NULL,
    attempts integer NOT NULL, run_after timestamptz NOT NULL, written_at timestamptz NOT NULL, last_error text)`));
  await db.execute(sql.raw(`CREATE OR REPLACE FUNCTION fault_log_retry() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO fault_retry_log (work_item_id, kind, state, attempts, run_after, written_at, last_error)
      VALUES (NEW.id, NEW.kind, NEW.state, NEW.attempts, NEW.run_after, now(), NEW.last_error);
      RETURN NEW;
    END $$`));
  await db.execute(sql.raw(`DROP TRIGGER IF EXISTS fault_retry_log_trg ON work_item`));
  await db.execute(sql.raw(`CREATE TRIGGER fault_retry_log_trg AFTER UPDATE ON work_item FOR EACH ROW
    WHEN (OLD.state = 'running' AND NEW.state IN ('pending', 'dead')) EXECUTE FUNCTION fault_log_retry()`));
}

/** Retries and burials of the work items about `subjectId` (a conversation id), in order. */
export async function retryLog(h: Harness, subjectId: string, kind = "reply"): Promise<RetryRecord[]> {
  const result = await h.testDb.database.db.execute(sql`
    SELECT l.work_item_id, l.kind, l.state, l.attempts, l.run_after, l.last_error,
      extract(epoch FROM (l.run_after - l.written_at)) * 1000 AS delay_ms
    FROM fault_retry_log l JOIN work_item w ON w.id = l.work_item_id
    WHERE w.subject_id = ${subjectId} AND l.kind = ${kind} ORDER BY l.seq`);
  return rowsOf<Record<string, unknown>>(result).map((r) => ({
    workItemId: Number(r.work_item_id),
    kind: String(r.kind),
    state: r.state as RetryRecord["state"],
    attempts: Number(r.attempts),
    delayMs: Number(r.delay_ms),
    runAfter: new Date(r.run_after as string | Date),
    lastError: (r.last_error as string | null) ?? null,
  }));
}

/**
 * The runner's backoff as stored: attempt k waits base·2^(k-1) with ±20% jitter, so every
 * delay falls in its band and each is longer than the one before (the bands do not overlap).
 */
export function expectExponentialBackoff(retries: RetryRecord[], baseMs: number): void {
  retries.forEach((r, i) => {
    expect(r.attempts).toBe(i + 1);
    const nominal = baseMs * 2 ** i;
    expect(r.delayMs).toBeGreaterThanOrEqual(nominal * 0.8 - 1);
    expect(r.delayMs).toBeLessThanOrEqual(nominal * 1.2 + 1);
    if (i > 0) expect(r.delayMs).toBeGreaterThan(retries[i - 1]!.delayMs);
  });
}

/** Each attempt after the first reached the fake no earlier than the run-after stored for it. */
export function expectAttemptsNotBefore(arrivals: number[], retries: RetryRecord[]): void {
  expect(arrivals.length).toBeGreaterThanOrEqual(retries.filter((r) => r.state === "pending").length + 1);
  retries
    .filter((r) => r.state === "pending")
    .forEach((r, i) => expect(arrivals[i + 1]!).toBeGreaterThanOrEqual(r.runAfter.getTime() - 1));
}

let customerNo = 0;
/** A WhatsApp number no other test in the run uses (`prefix` keeps files apart). */
export function newCustomer(prefix: string): string {
  return `${prefix}${String(++customerNo).padStart(4, "0")}`;
}

export async function conversationOf(h: Harness, from: string) {
  const customer = (await h.customers()).find((c) => c.platformUserId === from)!;
  return (await h.conversations()).find((c) => c.customerId === customer.id)!;
}

export async function outbound(h: Harness, conversationId: string) {
  return (await h.messages()).filter((m) => m.conversationId === conversationId && m.direction === "out");
}

/** The conversation as the inbox list shows it, and its messages oldest first, through the API. */
export async function throughApi(h: Harness, as: ApiUser, conversationId: string) {
  const list = await api(h, "GET", `/portfolios/${h.portfolioId}/conversations`, { as });
  expect(list.status).toBe(200);
  const listed = (list.body.conversations as Array<Record<string, any>>).find((c) => c.id === conversationId);
  const page = await api(h, "GET", `/portfolios/${h.portfolioId}/conversations/${conversationId}/messages`, { as });
  expect(page.status).toBe(200);
  const messages = [...(page.body.messages as Array<Record<string, any>>)].reverse();
  return { listed, messages };
}
