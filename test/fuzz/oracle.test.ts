// The fuzz oracle must be able to fail: a row it did not expect, a wrong portfolio, a lost event.
import { describe, expect, it } from "vitest";
import { parseWhatsAppWebhook } from "../../src/channels/whatsapp/parse-webhook.js";
import { waText } from "../fakes/index.js";
import { APP_SECRET } from "../support/cosbot-under-test.js";
import type { KnownChannel, StoredRow } from "./fuzz-harness.js";
import { applyMutations, hugeString, serialize } from "./mutate.js";
import { candidateRows, checkEvents, compareRows, expectedAnswer } from "./oracle.js";

const channel: KnownChannel = { id: "ch-a", portfolioId: "p-a", platform: "whatsapp", externalId: "100", secret: APP_SECRET };
const channels = new Map([["whatsapp:100", channel]]);
const byId = new Map([[channel.id, channel]]);
const parsed = parseWhatsAppWebhook(waText({ pnid: "100", from: "1555", id: "wamid.Z1Q", body: "hi" }));
const candidates = candidateRows(parsed, channels, APP_SECRET, "Z1Q");

const row = (over: Partial<StoredRow> = {}): StoredRow =>
  ({
    id: 1, portfolioId: "p-a", channelId: "ch-a", conversationId: "c1", platformMessageId: "wamid.Z1Q", kind: "text", direction: "in", text: "hi",
    conversation: { id: "c1", portfolioId: "p-a", channelId: "ch-a", customerId: "cu1" },
    customer: { id: "cu1", platformUserId: "1555" },
    ...over,
  }) as StoredRow;
const keys = (rows: StoredRow[]) => new Set(rows.map((r) => `${r.channelId}\u0001${r.platformMessageId}`));

describe("fuzz oracle", () => {
  it("accepts the row the parser asked for", () => {
    expect(candidates).toHaveLength(1);
    expect(compareRows([row()], candidates, byId, keys([row()]))).toEqual([]);
  });

  it("flags a lost event, an unexpected row, a wrong portfolio, text or customer", () => {
    expect(compareRows([], candidates, byId, new Set())).toEqual([expect.stringMatching(/was not stored/)]);
    const extra = row({ id: 2, platformMessageId: "wamid.OTHER" });
    expect(compareRows([row(), extra], candidates, byId, keys([row(), extra]))).toEqual([expect.stringMatching(/no valid event/)]);
    expect(compareRows([row({ portfolioId: "p-b" })], candidates, byId, keys([row()]))[0]).toMatch(/portfolio/);
    expect(compareRows([row({ text: "changed" })], candidates, byId, keys([row()]))[0]).toMatch(/the parser says/);
    expect(compareRows([row({ customer: { platformUserId: "9" } as StoredRow["customer"] })], candidates, byId, keys([row()]))[0]).toMatch(/customer/);
  });

  it("expects nothing for another tenant's signature, an unknown recipient or our own echo", () => {
    expect(candidateRows(parsed, channels, "another_secret", "Z1Q")).toEqual([]);
    expect(candidateRows(parseWhatsAppWebhook(waText({ pnid: "999", from: "1", id: "wamid.Z1Q", body: "x" })), channels, APP_SECRET, "Z1Q")).toEqual([]);
  });

  it("answers 413, 401 and 400 before it parses", () => {
    const body = Buffer.from(serialize(waText({ pnid: "100", from: "1", id: "x", body: "y" }), "meta"));
    expect(expectedAnswer("whatsapp", body, true, body.length - 1).status).toBe(413);
    expect(expectedAnswer("whatsapp", body, false, body.length).status).toBe(401);
    expect(expectedAnswer("whatsapp", Buffer.concat([body, Buffer.from([0xff])]), true, 1e6).status).toBe(400);
    expect(expectedAnswer("messenger", body, true, 1e6).status).toBe(400);
    expect(expectedAnswer("whatsapp", body, true, 1e6).status).toBe(200);
  });

  it("holds parser events to their invariants", () => {
    const bad = { ...parsed.events[0]!, text: " " } as (typeof parsed.events)[number];
    expect(() => checkEvents([bad])).toThrow(/empty text/);
    expect(() => checkEvents([{ type: "watermark", platform: "instagram", channelExternalId: "1", occurredAt: new Date(), customerPlatformUserId: "2", status: "read", upTo: new Date(Number.NaN) }])).toThrow(/watermark/);
  });

  it("mutates deterministically and builds huge strings of the size asked", () => {
    const payload = waText({ pnid: "100", from: "1", id: "x", body: "y" });
    const m = [{ op: "replace" as const, at: 7, value: 5 }, { op: "recipient" as const, to: "unknown" as const }];
    expect(applyMutations(payload, m, { recipient: "100", other: "200" })).toEqual(applyMutations(payload, m, { recipient: "100", other: "200" }));
    expect(JSON.stringify(applyMutations(payload, m, { recipient: "100", other: "200" }))).not.toContain('"100"');
    expect(hugeString(100_000, "random", 3)).toHaveLength(100_000);
  });
});
