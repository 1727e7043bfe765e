// What the endpoint must answer to a body, and which message rows it may and must store, worked
// out from the platform parser called directly on the same bytes. The parser's own output is held
// to the invariants every event must keep, so a parser bug cannot hide behind the oracle.
import { InstagramEnvelopeError, parseInstagramWebhook } from "../../src/channels/instagram/parse-webhook.js";
import { MessengerEnvelopeError, parseMessengerWebhook } from "../../src/channels/messenger/parse-webhook.js";
import { parseWhatsAppWebhook, WebhookEnvelopeError } from "../../src/channels/whatsapp/parse-webhook.js";
import type { ChannelEvent, ParsedWebhook, Platform } from "../../src/core/events.js";
import { MAX_ID_BYTES } from "../../src/core/inbound/storable-ids.js";
import { messageKinds } from "../../src/db/schema/index.js";
import { pgText } from "../../src/db/pg-safe.js";
import { OUR_APP_ID } from "../support/channels.js";
import type { KnownChannel, StoredRow } from "./fuzz-harness.js";

const PARSERS: Record<Platform, { parse(body: unknown): ParsedWebhook; envelopeError: new (...a: never[]) => Error }> = {
  whatsapp: { parse: (b) => parseWhatsAppWebhook(b), envelopeError: WebhookEnvelopeError },
  messenger: { parse: (b) => parseMessengerWebhook(b), envelopeError: MessengerEnvelopeError },
  instagram: { parse: (b) => parseInstagramWebhook(b), envelopeError: InstagramEnvelopeError },
};

const decoder = new TextDecoder("utf-8", { fatal: true });

export interface Expected {
  status: 200 | 400 | 401 | 413;
  parsed?: ParsedWebhook;
}

/** The answer the spec asks for (DESIGN §4, webhooks route): 413, 401, 400 for non-JSON or a foreign envelope, else 200. */
export function expectedAnswer(platform: Platform, body: Buffer, signed: boolean, maxBytes: number): Expected {
  if (body.length > maxBytes) return { status: 413 };
  if (!signed) return { status: 401 };
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(body));
  } catch {
    return { status: 400 };
  }
  const parser = PARSERS[platform];
  try {
    const parsed = parser.parse(json);
    checkEvents(parsed.events);
    return { status: 200, parsed };
  } catch (error) {
    if (error instanceof parser.envelopeError) return { status: 400 };
    throw error; // a parser that throws anything else below the envelope is a bug
  }
}

const nonEmpty = (v: unknown): v is string => typeof v === "string" && v.length > 0;
const validDate = (d: unknown) => d instanceof Date && Number.isFinite(d.getTime());

/** What every event a parser emits must hold, whatever the input. */
export function checkEvents(events: ChannelEvent[]): void {
  for (const e of events) {
    const fail = (what: string) => {
      throw new Error(`parser emitted a ${e.type} event with ${what}: ${JSON.stringify(e, (_k, v) => (typeof v === "string" && v.length > 200 ? `${v.slice(0, 200)}…` : v))}`);
    };
    if (!nonEmpty(e.channelExternalId)) fail("no channel id");
    if (!validDate(e.occurredAt)) fail("an invalid occurredAt");
    switch (e.type) {
      case "message":
      case "echo": {
        if (!nonEmpty(e.platformMessageId)) fail("no platform id");
        if (!(messageKinds as readonly string[]).includes(e.kind)) fail(`unknown kind ${e.kind}`);
        if (typeof e.text !== "string" || e.text.trim() === "") fail("an empty text");
        const user = e.type === "message" ? e.from.platformUserId : e.customer.platformUserId;
        if (!nonEmpty(user)) fail("no customer id");
        break;
      }
      case "reaction":
        if (!nonEmpty(e.platformMessageId) || !nonEmpty(e.targetPlatformMessageId) || !nonEmpty(e.from.platformUserId)) fail("a missing id");
        if (e.emoji !== null && !nonEmpty(e.emoji)) fail("an empty emoji");
        break;
      case "status":
        if (!nonEmpty(e.platformMessageId)) fail("no platform id");
        if (!["sent", "delivered", "read", "failed"].includes(e.status)) fail(`status ${e.status}`);
        break;
      case "watermark":
        if (!nonEmpty(e.customerPlatformUserId)) fail("no customer id");
        if (!validDate(e.upTo)) fail("an invalid watermark time");
        break;
      case "delete":
        if (!nonEmpty(e.platformMessageId) || !nonEmpty(e.customerPlatformUserId)) fail("a missing id");
        break;
      case "platform_error":
        break;
    }
  }
}

/** A row the pipeline would write for one event, as the store writes it. */
export interface Candidate {
  channel: KnownChannel;
  platformMessageId: string;
  kind: string;
  direction: "in" | "out";
  text: string;
  customerId: string;
  /** Carries this case's tag, so no earlier case can have stored it: it must be stored now. */
  fresh: boolean;
}

/**
 * The message rows a verified POST leads to, in order: only message, reaction and echo events
 * for a connected channel whose own secret signed the body; the first claim of an id wins; our
 * own echoes are never stored.
 */
export function candidateRows(parsed: ParsedWebhook, channels: Map<string, KnownChannel>, signedWith: string, tag: string): Candidate[] {
  const out: Candidate[] = [];
  const claimed = new Set<string>();
  for (const e of parsed.events) {
    if (e.type !== "message" && e.type !== "reaction" && e.type !== "echo") continue;
    const channel = channels.get(`${e.platform}:${e.channelExternalId}`);
    if (!channel || channel.secret !== signedWith) continue;
    // Ids no platform issues (over MAX_ID_BYTES) are dropped, not stored.
    const user = e.type === "echo" ? e.customer.platformUserId : e.from.platformUserId;
    if (Buffer.byteLength(e.platformMessageId) > MAX_ID_BYTES || Buffer.byteLength(user) > MAX_ID_BYTES) continue;
    const claim = `${channel.id}\u0001${e.platformMessageId}`;
    if (claimed.has(claim)) continue;
    claimed.add(claim);
    if (e.type === "echo" && e.appId === OUR_APP_ID) continue;
    out.push({
      channel,
      platformMessageId: pgText(e.platformMessageId),
      kind: e.type === "reaction" ? "reaction" : e.kind,
      direction: e.type === "echo" ? "out" : "in",
      text: pgText(e.type === "reaction" ? (e.emoji ?? "") : e.text),
      customerId: pgText(e.type === "message" || e.type === "reaction" ? e.from.platformUserId : e.customer.platformUserId),
      fresh: e.platformMessageId.includes(tag),
    });
  }
  return out;
}

/**
 * Rows stored by one case against what it was allowed to store. Returns the problems found, empty
 * when every new row is the first candidate of its id and every fresh candidate is stored.
 */
export function compareRows(rows: StoredRow[], candidates: Candidate[], byChannelId: Map<string, KnownChannel>, storedIds: Set<string>): string[] {
  const problems: string[] = [];
  const firstOf = new Map<string, Candidate>();
  for (const c of candidates) {
    const key = `${c.channel.id}\u0001${c.platformMessageId}`;
    if (!firstOf.has(key)) firstOf.set(key, c);
  }
  for (const r of rows) {
    const where = `row ${r.id} (${r.platformMessageId?.slice(0, 80)})`;
    const channel = byChannelId.get(r.channelId);
    if (!channel) problems.push(`${where} is on a channel the fuzz did not connect`);
    if (!nonEmpty(r.platformMessageId)) problems.push(`${where} has no platform id`);
    else if (Buffer.byteLength(r.platformMessageId) > MAX_ID_BYTES) problems.push(`${where} has an id of ${Buffer.byteLength(r.platformMessageId)} bytes`);
    if (!(messageKinds as readonly string[]).includes(r.kind)) problems.push(`${where} has kind ${r.kind}`);
    if (!channel) continue;
    if (r.portfolioId !== channel.portfolioId) problems.push(`${where} is in portfolio ${r.portfolioId}, its channel in ${channel.portfolioId}`);
    if (r.conversation?.portfolioId !== channel.portfolioId || r.conversation?.channelId !== channel.id) problems.push(`${where} hangs on a conversation of another portfolio or channel`);
    const expected = firstOf.get(`${channel.id}\u0001${r.platformMessageId}`);
    if (!expected) {
      problems.push(`${where} was stored, but no valid event of this body for a connected recipient has that id`);
      continue;
    }
    if (r.kind !== expected.kind || r.direction !== expected.direction || r.text !== expected.text) {
      problems.push(`${where} is ${r.direction}/${r.kind} ${JSON.stringify(r.text?.slice(0, 80))}, the parser says ${expected.direction}/${expected.kind} ${JSON.stringify(expected.text.slice(0, 80))}`);
    }
    if (r.customer?.platformUserId !== expected.customerId) problems.push(`${where} belongs to customer ${r.customer?.platformUserId?.slice(0, 80)}, expected ${expected.customerId.slice(0, 80)}`);
  }
  for (const c of firstOf.values()) {
    if (c.fresh && !storedIds.has(`${c.channel.id}\u0001${c.platformMessageId}`)) {
      problems.push(`valid ${c.direction}/${c.kind} event ${c.platformMessageId.slice(0, 80)} for ${c.channel.platform}:${c.channel.externalId} was not stored`);
    }
  }
  return problems;
}
