/**
 * Serverless has no process to run work later: a request that schedules work hands the platform
 * (Vercel's waitUntil) a promise that waits out the quiet period and then runs everything due, after
 * the response has gone. Work due past the budget, or retried after it, is left to the cron sweep.
 */
export interface AfterResponseOptions {
  /** Runs every item due now to the end (WorkRunner.sweepOnce). */
  sweepOnce(): Promise<void>;
  /** The earliest due time of a pending item. */
  nextDueAt(): Promise<Date | undefined>;
  /** Waits longer than this are left to the cron sweep (the function's maxDuration bounds it all). */
  maxWaitMs: number;
  log: { warn(obj: object, msg: string): void };
  sleep?(ms: number): Promise<void>;
}

/** Most rounds one pass runs: a follow-up item (a send after a reply) or a short retry each take one. */
const maxRounds = 20;
/** The least wait between rounds, so a database clock slightly behind ours does not spin. */
const minGapMs = 50;

export function runWorkAfterResponse(hand: (work: Promise<unknown>) => void, options: AfterResponseOptions): (dueAt: Date) => void {
  return (dueAt) => {
    const pass = runDue(dueAt.getTime(), Date.now() + options.maxWaitMs, options).catch((err: unknown) =>
      options.log.warn({ err }, "work after the response failed; the cron sweep picks it up"),
    );
    hand(pass);
  };
}

async function runDue(firstAt: number, deadline: number, options: AfterResponseOptions): Promise<void> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let at = firstAt;
  for (let round = 0; round < maxRounds && at <= deadline; round++) {
    const wait = at - Date.now();
    // A few ms past due: the item's run_after was set by the database clock.
    if (wait > 0) await sleep(wait + 10);
    await options.sweepOnce();
    const next = await options.nextDueAt();
    if (!next) return;
    at = Math.max(next.getTime(), Date.now() + minGapMs);
  }
}
