import { randomUUID } from "node:crypto";
import { RetryLater } from "../core/errors.js";
import { outsideRequest } from "../logger.js";
import type { WorkItem, WorkStore } from "./work-store.js";

export type WorkHandler = (item: WorkItem) => Promise<void>;

export interface RunnerOptions {
  owner?: string;
  leaseMs: number;
  maxAttempts: number;
  backoffBaseMs: number;
  sweepIntervalMs: number;
  /** Items run at once by this process (replies mostly wait on the model). */
  concurrency?: number;
  /** Called when an item gives up, so the failure can be shown to admins. */
  onDead?(item: WorkItem, error: unknown): Promise<void>;
  log: { error(obj: object, msg: string): void; warn(obj: object, msg: string): void };
}

const maxBackoffMs = 5 * 60_000;

/**
 * Work already due runs at once. For later work a few milliseconds more: Postgres' clock decides
 * what is due, and a timer that fires on the dot could find nothing to claim yet.
 */
const delayUntil = (when: number) => {
  const wait = when - Date.now();
  return wait <= 0 ? 0 : wait + 5;
};

/**
 * Runs durable work items: right after the commit that created them (kick), and on a timer that
 * also picks up items whose process died (their lease ran out).
 */
export class WorkRunner {
  readonly owner: string;
  private active = 0;
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private sweeper: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly running = new Set<Promise<void>>();
  /** Items this process holds a lease on, to give back at shutdown. */
  private readonly held = new Map<number, WorkItem>();
  /** Claims on their way, so a stop waits for them (and gives back what they bring). */
  private readonly claiming = new Set<Promise<unknown>>();

  constructor(
    private readonly store: WorkStore,
    private readonly handlers: Record<string, WorkHandler>,
    private readonly options: RunnerOptions,
  ) {
    this.owner = options.owner ?? randomUUID();
  }

  start(): void {
    this.stopped = false;
    this.sweeper = setInterval(() => void this.drain(), this.options.sweepIntervalMs);
    this.sweeper.unref();
    void this.drain();
  }

  /** Arms a timer for an item due at `at` (keeps only the earliest). */
  kick(at: Date = new Date()): void {
    if (this.stopped) return;
    const when = at.getTime();
    if (when >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    this.timerAt = when;
    // Kicked from a request, but the work it drains is not that request's: no request id on its logs.
    this.timer = outsideRequest(() =>
      setTimeout(() => {
        this.timer = undefined;
        this.timerAt = Infinity;
        void this.drain();
      }, delayUntil(when)),
    );
  }

  /** Claims and runs due items until all slots are busy; true when it found nothing more due. */
  async drain(): Promise<boolean> {
    const slots = this.options.concurrency ?? 16;
    while (!this.stopped && this.active < slots) {
      this.active++;
      let item: WorkItem | undefined;
      const claim = this.store.claim(this.owner, this.options.leaseMs);
      this.claiming.add(claim);
      try {
        item = await claim;
      } catch (error) {
        this.options.log.error({ err: error }, "could not claim work");
      } finally {
        this.claiming.delete(claim);
      }
      if (!item) {
        this.active--;
        return true;
      }
      if (this.stopped) {
        // Claimed while shutting down: given back untouched rather than started.
        this.active--;
        const id = item.id;
        const release = this.store.release([id], this.owner).catch((e: unknown) => this.options.log.error({ err: e, workItemId: id }, "could not release work"));
        this.claiming.add(release);
        await release;
        this.claiming.delete(release);
        break;
      }
      if (this.held.has(item.id)) {
        // Our own run of it outlived its lease (Postgres was away, so it could not be renewed) and
        // is still going: the claim just renewed the lease. A second run would send it again.
        this.active--;
        continue;
      }
      const claimed = item;
      this.held.set(claimed.id, claimed);
      const run = this.run(claimed).finally(() => {
        this.held.delete(claimed.id);
        this.active--;
        this.running.delete(run);
        void this.afterRun();
      });
      this.running.add(run);
    }
    return false;
  }

  private async afterRun(): Promise<void> {
    if (this.stopped) return;
    // While due work keeps the slots busy, the next run's end looks again; only when nothing is
    // due is a timer armed for what comes next.
    if (!(await this.drain())) return;
    const next = await this.store.nextDueAt().catch(() => undefined);
    if (next) this.kick(next);
  }

  private async run(item: WorkItem): Promise<void> {
    const handler = this.handlers[item.kind];
    // The lease only runs out when this process dies: a slow run (a busy model, a loaded host) kept
    // alive is never taken up by another process while it may still send.
    const renewal = setInterval(() => {
      void this.store.renew(item, this.owner, this.options.leaseMs).catch((e: unknown) => this.options.log.warn({ err: e, workItemId: item.id }, "could not renew work lease"));
    }, Math.max(100, Math.floor(this.options.leaseMs / 3)));
    renewal.unref();
    try {
      if (!handler) throw new Error(`no handler for work kind ${item.kind}`);
      await handler(item);
      await this.store.complete(item, this.owner);
    } catch (error) {
      await this.fail(item, error).catch((e) => this.options.log.error({ err: e, workItemId: item.id }, "could not record work failure"));
    } finally {
      clearInterval(renewal);
    }
  }

  private async fail(item: WorkItem, error: unknown): Promise<void> {
    const message = error instanceof Error ? error.message : String(error);
    // Handlers record permanent failures themselves and return; anything thrown may pass.
    if (item.attempts < this.options.maxAttempts) {
      const backoff = Math.min(maxBackoffMs, this.options.backoffBaseMs * 2 ** (item.attempts - 1));
      const delay = Math.max(error instanceof RetryLater ? (error.afterMs ?? 0) : 0, backoff * (0.8 + Math.random() * 0.4));
      await this.store.retry(item, this.owner, delay, message);
      // Visible while it lasts: an unreachable Graph API or model otherwise looks like a stuck queue.
      this.options.log.warn({ err: error, workItemId: item.id, kind: item.kind, attempt: item.attempts, retryInMs: Math.round(delay) }, "work item failed; will retry");
      return;
    }
    this.options.log.error({ err: error, workItemId: item.id, kind: item.kind }, "work item gave up");
    await this.store.bury(item, this.owner, message);
    await this.options.onDead?.(item, error);
  }

  /** Runs everything due now to the end (a cron-driven sweep on serverless). */
  async sweepOnce(): Promise<void> {
    await this.drain();
    await this.idle();
  }

  /** Resolves when nothing is running (tests and graceful shutdown). */
  async idle(): Promise<void> {
    while (this.running.size || this.claiming.size) await Promise.allSettled([...this.running, ...this.claiming]);
  }

  /**
   * Stops claiming and waits for running items. With a deadline, items still running when it
   * passes are released (their leases given back) so another process or the next start takes
   * them at once; their handlers here can no longer write as owner. Returns how many were released.
   */
  async stop(deadlineMs?: number): Promise<{ released: number }> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.sweeper) clearInterval(this.sweeper);
    this.timerAt = Infinity;
    if (deadlineMs === undefined) {
      await this.idle();
      return { released: 0 };
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), Math.max(0, deadlineMs));
    });
    const late = await Promise.race([this.idle().then(() => false), timedOut]);
    clearTimeout(timer);
    if (!late || this.held.size === 0) return { released: 0 };
    const released = await this.store.release([...this.held.keys()], this.owner);
    return { released };
  }
}
