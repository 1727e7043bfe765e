import type { ParsedWebhook } from "../../core/events.js";

/** One `messaging[]` / `standby[]` item, with what every event built from it needs. */
export interface ItemContext {
  out: ParsedWebhook;
  now: () => Date;
  /** entry.id: the Page the event belongs to. */
  entryId: string | undefined;
  senderId: string | undefined;
  recipientId: string | undefined;
  /** The raw timestamp, kept for derived ids so a redelivery derives the same id. */
  timestamp: number | undefined;
  occurredAt: Date;
  standby: boolean;
  raw: unknown;
}

/**
 * Messenger timestamps are Unix milliseconds. A value that can only be seconds (before 1973 as ms)
 * is read as seconds, because a 1970 date would close the 24-hour window. Missing → now.
 */
export function msToDate(value: number | undefined, now: () => Date): Date {
  if (value === undefined || value <= 0) return now();
  const date = new Date(value < 1e11 ? value * 1000 : value);
  return Number.isNaN(date.getTime()) ? now() : date;
}

/** The Page id: entry.id, else the Page's side of the item (recipient for customer events, sender for echoes). */
export function pageIdOf(ctx: ItemContext, fromPage: boolean): string | undefined {
  return ctx.entryId ?? (fromPage ? ctx.senderId : ctx.recipientId);
}

export function skip(ctx: Pick<ItemContext, "out">, reason: string, raw: unknown): void {
  ctx.out.skipped.push({ reason, raw });
}

export function filled(value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== "" ? value : undefined;
}

export function compact(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined));
}
