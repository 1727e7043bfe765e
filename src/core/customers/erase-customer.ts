import type { KeyValue } from "../../cache/ports.js";
import { AppError } from "../errors.js";
import { dedupKey } from "../inbound/dedup.js";
import type { LiveEvents } from "../live/ports.js";
import type { CustomerRightsStore, ErasedRows } from "./ports.js";

export interface ErasedCustomer {
  customerId: string;
  removed: ErasedRows["counts"] & { cacheKeys: number };
  /** Set when the cache could not be reached: its markers and log then expire on their own (24 hours, 1 hour). */
  cacheError?: string;
}

/**
 * Erases one customer for good (their right to erasure, exercised through the business): the
 * customer, their conversations, messages, notes, pending statuses and work, in one transaction;
 * then the cache markers that name their messages and the portfolio's live catch-up log, and a
 * live event per conversation so open inboxes drop it. If the customer writes again later, they start afresh as a new customer.
 */
export async function eraseCustomer(
  input: { portfolioId: string; customerId: string },
  deps: { store: CustomerRightsStore; kv: Pick<KeyValue, "keys" | "delete">; live: LiveEvents },
): Promise<ErasedCustomer> {
  const erased = await deps.store.eraseCustomer(input.portfolioId, input.customerId);
  if (!erased) throw new AppError("not_found", `no customer ${input.customerId}`);
  let cacheKeys = 0;
  let cacheError: string | undefined;
  try {
    cacheKeys = await forgetMarkers(deps.kv, erased.channelId, erased.platformMessageIds);
    // The portfolio's catch-up log holds recent events with message text and cannot drop single
    // entries: it goes whole. A browser that reconnects after this refetches instead of catching up.
    await deps.live.forget(input.portfolioId);
  } catch (error) {
    // The rows are gone already; the markers expire within 24 hours and the log within an hour.
    cacheError = error instanceof Error ? error.message : String(error);
  }
  for (const conversationId of erased.conversationIds) {
    await deps.live.publish(input.portfolioId, { type: "conversation.changed", conversationId });
  }
  return { customerId: input.customerId, removed: { ...erased.counts, cacheKeys }, ...(cacheError ? { cacheError } : {}) };
}

/** Deletes the dedup markers of these messages; returns how many existed. */
async function forgetMarkers(kv: Pick<KeyValue, "keys" | "delete">, channelId: string, platformMessageIds: string[]): Promise<number> {
  if (platformMessageIds.length === 0) return 0;
  const wanted = new Set(platformMessageIds.map((id) => dedupKey(channelId, id)));
  const present = (await kv.keys(dedupKey(channelId, ""))).filter((key) => wanted.has(key));
  for (let i = 0; i < present.length; i += 500) await kv.delete(...present.slice(i, i + 500));
  return present.length;
}
