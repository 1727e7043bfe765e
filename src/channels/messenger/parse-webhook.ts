import type { ParsedWebhook } from "../../core/events.js";
import { describeGot } from "../meta/describe-got.js";
import { msToDate, skip, type ItemContext } from "./parse-context.js";
import { parseDelivery, parsePostback, parseReaction, parseRead } from "./parse-events.js";
import { parseMessage } from "./parse-message.js";
import * as ms from "./webhook-schema.js";

/** The body is not a Messenger webhook at all. Anything wrong further down is skipped, never thrown. */
export class MessengerEnvelopeError extends Error {
  override name = "MessengerEnvelopeError";
}

export interface ParseOptions {
  /** Clock for events without a usable timestamp. */
  now?: () => Date;
}

type ItemHandler = (value: unknown, ctx: ItemContext) => void;

/** One handler per event key of a messaging item, tried in this order. */
const HANDLERS: ReadonlyArray<readonly [string, ItemHandler]> = [
  ["message", parseMessage],
  ["postback", parsePostback],
  ["reaction", parseReaction],
  ["delivery", parseDelivery],
  ["read", parseRead],
];

/**
 * Turns one Messenger webhook POST (`object: "page"`) into events: every entry, and every item of
 * both `messaging[]` and `standby[]` (C12). One bad item is skipped with a reason; the rest go on.
 */
export function parseMessengerWebhook(body: unknown, options: ParseOptions = {}): ParsedWebhook {
  const envelope = readEnvelope(body);
  const out: ParsedWebhook = { events: [], skipped: [] };
  const now = options.now ?? (() => new Date());

  for (const entry of envelope.entry) {
    const parsed = ms.entrySchema.safeParse(entry);
    if (!parsed.success) {
      skip({ out }, "entry is not an object", entry);
      continue;
    }
    const { id: entryId, messaging, standby } = parsed.data;
    if (messaging === undefined && standby === undefined) {
      skip({ out }, "entry without messaging[] or standby[] (e.g. a `changes` feed event)", entry);
      continue;
    }
    for (const [name, items, isStandby] of [["messaging", messaging, false], ["standby", standby, true]] as const) {
      if (items === undefined || items === null) continue;
      if (!Array.isArray(items)) {
        skip({ out }, `entry.${name} is not an array`, entry);
        continue;
      }
      for (const item of items) parseItem(item, { out, now, entryId, standby: isStandby });
    }
  }
  return out;
}

function parseItem(item: unknown, base: Pick<ItemContext, "out" | "now" | "entryId" | "standby">): void {
  const parsed = ms.itemSchema.safeParse(item);
  if (!parsed.success) {
    skip(base, "messaging item is not an object", item);
    return;
  }
  const { sender, recipient, timestamp } = parsed.data;
  const ctx: ItemContext = {
    ...base,
    senderId: sender?.id,
    recipientId: recipient?.id,
    timestamp,
    occurredAt: msToDate(timestamp, base.now),
    raw: item,
  };
  const fields = item as Record<string, unknown>;
  const handler = HANDLERS.find(([key]) => fields[key] !== undefined && fields[key] !== null);
  if (handler) {
    handler[1](fields[handler[0]], ctx);
    return;
  }
  // message_edit, optin, referral, handover events, …: known to exist, not modelled yet.
  const keys = Object.keys(fields).filter((k) => !["sender", "recipient", "timestamp"].includes(k));
  skip(ctx, keys.length ? `messaging event "${keys.join(", ")}" is not handled` : "messaging item without an event", item);
}

function readEnvelope(body: unknown) {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new MessengerEnvelopeError("webhook body is not a JSON object");
  }
  const parsed = ms.envelopeSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  const { object, entry } = body as { object?: unknown; entry?: unknown };
  if (object !== "page") {
    const got = describeGot(object);
    throw new MessengerEnvelopeError(`"object" must be "page" (${got})`);
  }
  const got = entry === undefined ? "it is missing" : `got ${typeof entry}`;
  throw new MessengerEnvelopeError(`"entry" must be an array (${got})`);
}
