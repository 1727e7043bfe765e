// Counterexamples the webhook fuzzer found, kept as plain tests. Each answered 500 before its fix,
// which makes Meta redeliver the same webhook for up to seven days.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Platform } from "../../src/core/events.js";
import { igEvent, igMessage, pageEvent, pageMessage, waEnvelope, waMessage, waText } from "../fakes/index.js";
import { APP_SECRET } from "../support/cosbot-under-test.js";
import { type FuzzServer, RECIPIENTS, sign, startFuzzServer } from "./fuzz-harness.js";
import { hugeString, serialize } from "./mutate.js";

let server: FuzzServer;
beforeAll(async () => {
  server = await startFuzzServer();
});
afterAll(async () => server?.close());

const post = async (platform: Platform, payload: unknown) => {
  const body = Buffer.from(typeof payload === "string" ? payload : serialize(payload, "meta"));
  const res = await server.postHttp(platform, body, sign(body, APP_SECRET));
  return { status: res.status, text: await res.text() };
};

const OBJECTS: Record<Platform, string> = { whatsapp: "whatsapp_business_account", messenger: "page", instagram: "instagram" };

describe.each(["whatsapp", "messenger", "instagram"] as const)("%s envelope with a monstrous `object`", (platform) => {
  // Found as {"op":"deep","at":0,"depth":5000}: the 400 message serialised the whole value and overflowed the stack.
  it("answers 400 naming the field, for a value nested 5,000 deep", async () => {
    const deep = `${"[".repeat(5000)}1${"]".repeat(5000)}`;
    const res = await post(platform, `{"object":${deep},"entry":[]}`);
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error).toBe(`"object" must be "${OBJECTS[platform]}" (got an array)`);
  });

  it("answers 400 with a short message for a 1 MB string", async () => {
    const res = await post(platform, { object: "x".repeat(1_000_000), entry: [] });
    expect(res.status).toBe(400);
    expect(res.text.length).toBeLessThan(200);
  });
});

describe("ids no platform issues (incompressible, 100,000 characters)", () => {
  // A Postgres btree key holds about 2,700 bytes: the insert failed, and the endpoint answered 500.
  const big = hugeString(100_000, "random", 1);
  const wa = RECIPIENTS.whatsapp.a;

  it("skips WhatsApp messages and statuses with such an id or sender, and stores the rest of the batch", async () => {
    const last = await server.lastMessageId();
    const payload = waEnvelope(wa, {
      contacts: [{ profile: { name: "A" }, wa_id: "15551230001" }],
      messages: [
        { from: "15551230001", id: big, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "long id" } },
        { from: "15551230001", id: "wamid.REG_OK", timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "fine" } },
      ],
      statuses: [{ id: big, status: "delivered", timestamp: "1767225800", recipient_id: "15551230001" }],
    });
    expect((await post("whatsapp", payload)).status).toBe(200);
    // No contact to fall back on: the sender is `from` itself.
    const longSender = waMessage(wa, { from: big, id: "wamid.REG_LONG_FROM", timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "x" } }, null);
    expect((await post("whatsapp", longSender)).status).toBe(200);
    const rows = await server.rowsAfter(last);
    expect(rows.map((r) => [r.platformMessageId, r.text])).toEqual([["wamid.REG_OK", "fine"]]);
  });

  it("still stores a message whose id is long but plausible", async () => {
    const last = await server.lastMessageId();
    const id = `wamid.${"A".repeat(900)}`;
    expect((await post("whatsapp", waText({ pnid: wa, from: "15551230001", id, body: "ok" }))).status).toBe(200);
    expect((await server.rowsAfter(last)).map((r) => r.platformMessageId)).toEqual([id]);
  });

  it("skips Messenger and Instagram messages with such a mid or sender", async () => {
    const last = await server.lastMessageId();
    expect((await post("messenger", pageMessage({ pageId: RECIPIENTS.messenger.a, psid: "6100000000000009", mid: big, text: "x" }))).status).toBe(200);
    expect((await post("messenger", pageMessage({ pageId: RECIPIENTS.messenger.a, psid: big, mid: "m_REG_BIG_PSID", text: "x" }))).status).toBe(200);
    expect((await post("instagram", igMessage({ igId: RECIPIENTS.instagram.a, igsid: big, mid: "aWdf_REG_BIG", text: "x" }))).status).toBe(200);
    expect(await server.rowsAfter(last)).toEqual([]);
  });
});

describe("an Instagram read whose watermark is past the largest date", () => {
  it("is skipped, not failed, for a customer who has a conversation", async () => {
    const ig = RECIPIENTS.instagram.a;
    const igsid = "1780000000000077";
    expect((await post("instagram", igMessage({ igId: ig, igsid, mid: "aWdf_REG_WM", text: "hi" }))).status).toBe(200);
    const read = igEvent(ig, { sender: { id: igsid }, recipient: { id: ig }, timestamp: Date.now(), read: { watermark: 1e300 } });
    expect((await post("instagram", read)).status).toBe(200);
  });
});

describe("payload text that names a property of Object.prototype", () => {
  // Found as a change `field` of "__proto__": the handler table answered with Object.prototype, "handler is not a function".
  it("skips a WhatsApp change whose field is __proto__ or constructor, storing the good change beside it", async () => {
    const last = await server.lastMessageId();
    const payload = waText({ pnid: RECIPIENTS.whatsapp.a, from: "15551230001", id: "wamid.REG_PROTO", body: "still here" });
    const changes = payload.entry[0]!.changes as Array<{ field: string; value: unknown }>;
    changes.unshift({ field: "__proto__", value: {} }, { field: "constructor", value: {} });
    expect((await post("whatsapp", payload)).status).toBe(200);
    expect((await server.rowsAfter(last)).map((r) => r.platformMessageId)).toEqual(["wamid.REG_PROTO"]);
  });

  it.each(["__proto__", "constructor", "toString"])("stores Messenger and Instagram attachments and reactions named %s as plain unknown values", async (name) => {
    const last = await server.lastMessageId();
    const page = RECIPIENTS.messenger.a;
    const ig = RECIPIENTS.instagram.a;
    const at = Date.now();
    expect((await post("messenger", pageMessage({ pageId: page, psid: "6100000000000011", mid: `m_REG_${name}`, attachments: [{ type: name, payload: {} }] }))).status).toBe(200);
    expect((await post("instagram", igMessage({ igId: ig, igsid: "1780000000000011", mid: `aWdf_REG_${name}`, attachments: [{ type: name, payload: {} }] }))).status).toBe(200);
    const react = { sender: { id: "1780000000000011" }, recipient: { id: ig }, timestamp: at, reaction: { mid: `aWdf_REG_${name}`, action: "react", reaction: name } };
    expect((await post("instagram", igEvent(ig, react))).status).toBe(200);
    const pageReact = { ...react, sender: { id: "6100000000000011" }, recipient: { id: page }, reaction: { ...react.reaction, mid: `m_REG_${name}` } };
    expect((await post("messenger", pageEvent(page, pageReact))).status).toBe(200);
    const rows = await server.rowsAfter(last);
    // An unknown attachment type: a share on Instagram, unsupported on Messenger; never a crash.
    expect(rows.map((r) => r.kind)).toEqual(["unsupported", "share", "reaction", "reaction"]);
    for (const r of rows) expect(r.text).not.toMatch(/native code|\[object/);
    expect(rows.filter((r) => r.kind === "reaction").map((r) => r.text)).toEqual([name, name]);
  });
});
