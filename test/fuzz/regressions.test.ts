// Counterexamples the webhook fuzzer found, kept as plain tests. Each answered 500 before its fix,
// which makes Meta redeliver the same webhook for up to seven days.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Platform } from "../../src/core/events.js";
import { igEvent, igMessage, pageMessage, waEnvelope, waText } from "../fakes/index.js";
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

  it("skips a WhatsApp message with such an id or sender, and stores the rest of the batch", async () => {
    const last = await server.lastMessageId();
    const payload = waEnvelope(wa, {
      contacts: [{ profile: { name: "A" }, wa_id: "15551230001" }],
      messages: [
        { from: "15551230001", id: big, timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "long id" } },
        { from: big, id: "wamid.REG_LONG_FROM", timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "long sender" } },
        { from: "15551230001", id: "wamid.REG_OK", timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "fine" } },
      ],
      statuses: [{ id: big, status: "delivered", timestamp: "1767225800", recipient_id: "15551230001" }],
    });
    expect((await post("whatsapp", payload)).status).toBe(200);
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
