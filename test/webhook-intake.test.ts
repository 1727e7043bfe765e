import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { getVerification, signBody, waMessage, waText } from "./fakes/index.js";
import { APP_SECRET, type Harness, PNID, startCosbot, VERIFY_TOKEN } from "./support/cosbot-under-test.js";

let h: Harness;
beforeAll(async () => {
  h = await startCosbot();
});
afterAll(async () => h?.close());
beforeEach(() => {
  h.graph.reset();
  h.openai.reset();
});

describe("verification handshake", () => {
  it("echoes the challenge as plain text for the right verify token", async () => {
    const res = await getVerification(h.url, "/webhooks/whatsapp", VERIFY_TOKEN, "abc-123_not_a_number");
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("abc-123_not_a_number");
  });

  it("refuses a wrong token or mode", async () => {
    expect((await getVerification(h.url, "/webhooks/whatsapp", "wrong")).status).toBe(403);
    expect((await getVerification(h.url, "/webhooks/whatsapp", VERIFY_TOKEN, "1", "unsubscribe")).status).toBe(400);
  });
});

describe("signature (C21)", () => {
  // Byte for byte as Meta sends it: escaped é, escaped slash, escaped emoji.
  const raw = String.raw`{"object":"whatsapp_business_account","entry":[{"id":"WABA_TEST_1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550000000","phone_number_id":"PNID_TEST_1"},"contacts":[{"profile":{"name":"Test Customer A"},"wa_id":"15551230001"}],"messages":[{"from":"15551230001","id":"wamid.TEST_IN_0090","timestamp":"1767226000","type":"text","text":{"body":"Caf\u00e9 open 10\/12? \ud83d\ude00"}}]}}]}]}`;

  it("accepts the raw bytes Meta signed, which re-serialised JSON would not match", async () => {
    expect(JSON.stringify(JSON.parse(raw))).not.toBe(raw);
    const res = await h.post(raw);
    expect(res.status).toBe(200);
    const stored = (await h.messages()).find((m) => m.platformMessageId === "wamid.TEST_IN_0090");
    expect(stored?.text).toBe("Café open 10/12? 😀");
    expect(stored?.occurredAt.toISOString()).toBe("2026-01-01T00:06:40.000Z");
  });

  it("refuses a changed byte, a missing header and a malformed header, storing nothing", async () => {
    const before = (await h.messages()).length;
    const tampered = raw.replace("TEST_IN_0090", "TEST_IN_0091");
    expect((await h.post(tampered, { signature: signBody(raw, APP_SECRET) })).status).toBe(401);
    expect((await h.post(tampered, { signature: null })).status).toBe(401);
    expect((await h.post(tampered, { signature: "sha256=zz" })).status).toBe(401);
    expect((await h.post(tampered, { signature: signBody(tampered, "another_secret") })).status).toBe(401);
    expect((await h.post(tampered, { signature: "sha1=" + signBody(tampered, APP_SECRET).slice(7) })).status).toBe(401);
    expect((await h.messages()).length).toBe(before);
    expect(h.cosbot.counters.get("webhook_signature_failure", { platform: "whatsapp" })).toBeGreaterThanOrEqual(5);
  });
});

describe("bad input", () => {
  it("answers 400 to a signed body that is not JSON", async () => {
    const res = await h.post("{not json");
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: expect.stringMatching(/JSON/) });
  });

  it("answers 400 saying what is wrong when the envelope is not a WhatsApp webhook", async () => {
    const res = await h.post({ object: "page", entry: [] });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toMatch(/object/);
  });

  it("answers 413 to an oversized body before reading it", async () => {
    const huge = JSON.stringify({ object: "whatsapp_business_account", entry: [], pad: "x".repeat(5 * 1024 * 1024) });
    const res = await h.post(huge);
    expect(res.status).toBe(413);
  });

  // Without a Content-Length the size is only known by counting: the limit still holds, and a
  // small body sent this way is read and stored like any other.
  const chunked = (raw: string) =>
    fetch(`${h.url}/webhooks/whatsapp`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-hub-signature-256": signBody(raw, APP_SECRET) },
      body: new ReadableStream({
        start(controller) {
          for (let at = 0; at < raw.length; at += 64 * 1024) controller.enqueue(new TextEncoder().encode(raw.slice(at, at + 64 * 1024)));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);

  it("answers 413 to an oversized chunked body, and stores a small chunked one", async () => {
    const huge = JSON.stringify({ object: "whatsapp_business_account", entry: [], pad: "x".repeat(5 * 1024 * 1024) });
    expect((await chunked(huge)).status).toBe(413);
    const small = JSON.stringify(waText({ pnid: PNID, from: "15551230031", id: "wamid.CHUNKED_1", body: "sent in chunks" }));
    expect((await chunked(small)).status).toBe(200);
    expect((await h.messages()).filter((m) => m.platformMessageId === "wamid.CHUNKED_1")).toHaveLength(1);
  });

  it("counts and acknowledges a payload for an unknown phone_number_id, storing nothing", async () => {
    const before = (await h.messages()).length;
    const res = await h.post(waText({ pnid: "PNID_UNKNOWN", from: "15551230009", id: "wamid.UNKNOWN_1", body: "hi" }));
    expect(res.status).toBe(200);
    expect((await h.messages()).length).toBe(before);
    expect(h.cosbot.counters.get("webhook_unknown_recipient", { platform: "whatsapp" })).toBe(1);
  });

  it("never crashes on well-formed envelopes with garbage inside", async () => {
    const garbage = [
      { object: "whatsapp_business_account", entry: [{}] },
      { object: "whatsapp_business_account", entry: [{ id: "x", changes: "nope" }] },
      { object: "whatsapp_business_account", entry: [{ id: "x", changes: [{ field: "messages", value: null }] }] },
      waMessage(PNID, { id: "wamid.NO_FROM", type: "text" }, null),
      waMessage(PNID, { from: "1555", type: "text", text: { body: "no id" } }),
      waMessage(PNID, { from: "1555", id: 42, type: 7 }),
    ];
    for (const payload of garbage) expect((await h.post(payload)).status).toBe(200);
  });
});

describe("input Postgres cannot store as it is", () => {
  const nowSeconds = () => String(Math.floor(Date.now() / 1000));

  it("stores a message with NUL characters, lone surrogates, a millisecond timestamp and deep nesting", async () => {
    const deep = `${'{"d":'.repeat(5000)}"bottom"${"}".repeat(5000)}`;
    const raw = String.raw`{"object":"whatsapp_business_account","entry":[{"id":"WABA_TEST_1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550000000","phone_number_id":"PNID_TEST_1"},"contacts":[{"profile":{"name":"N\u0000ul \ud800"},"wa_id":"15551239901"}],"messages":[{"from":"15551239901","id":"wamid.ODD_1","timestamp":"${Date.now()}","type":"text","text":{"body":"a\u0000b \udc00 c"},"extra":${deep}}]}}]}]}`;
    const res = await h.post(raw);
    expect(res.status).toBe(200);
    const stored = (await h.messages()).find((m) => m.platformMessageId === "wamid.ODD_1");
    expect(stored?.text).toBe("ab \ufffd c");
    expect(Math.abs(stored!.occurredAt.getTime() - Date.now())).toBeLessThan(60_000);
    const customer = (await h.customers()).find((c) => c.platformUserId === "15551239901");
    expect(customer?.profileName).toBe("Nul \ufffd");
  });

  it("stores a message and statuses whose ids and error titles hold NUL characters, and never answers 500", async () => {
    const message = String.raw`{"object":"whatsapp_business_account","entry":[{"id":"WABA_TEST_1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550000000","phone_number_id":"PNID_TEST_1"},"contacts":[{"profile":{"name":"Nul"},"wa_id":"15551239902"}],"messages":[{"from":"15551239902","id":"wamid.NUL\u0000_1","timestamp":"${nowSeconds()}","type":"text","text":{"body":"hi"}}]}}]}]}`;
    const first = await h.post(message);
    expect(first.status, await first.clone().text()).toBe(200);
    const status = String.raw`{"object":"whatsapp_business_account","entry":[{"id":"WABA_TEST_1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"display_phone_number":"15550000000","phone_number_id":"PNID_TEST_1"},"statuses":[{"id":"wamid.OUT\u0000_1","status":"failed","timestamp":"${nowSeconds()}","recipient_id":"15551239902","errors":[{"code":131026,"title":"Undeliverable\u0000"}]}]}}]}]}`;
    expect((await h.post(status)).status).toBe(200);
    expect((await h.messages()).some((m) => m.platformMessageId === "wamid.NUL_1")).toBe(true);
  });

  it("ignores a status whose id is a customer's message", async () => {
    const payload = (status: string, id: string) => ({
      object: "whatsapp_business_account",
      entry: [{ id: "WABA_TEST_1", changes: [{ field: "messages", value: {
        messaging_product: "whatsapp", metadata: { display_phone_number: "15550000000", phone_number_id: PNID },
        statuses: [{ id, status, timestamp: nowSeconds(), recipient_id: "15551239901", errors: [{ code: 131047, title: "Re-engagement message" }] }] } }] }],
    });
    expect((await h.post(payload("failed", "wamid.ODD_1"))).status).toBe(200);
    const stored = (await h.messages()).find((m) => m.platformMessageId === "wamid.ODD_1");
    expect(stored).toMatchObject({ status: "received", errorCode: null });
  });

  it("answers 404 for platform names that are JavaScript built-ins", async () => {
    expect((await fetch(`${h.url}/webhooks/constructor?hub.mode=subscribe&hub.verify_token=x&hub.challenge=1`)).status).toBe(404);
    expect((await h.post({ object: "x", entry: [] }, {})).status).toBe(400);
    const res = await fetch(`${h.url}/webhooks/toString`, { method: "POST", body: "{}" });
    expect(res.status).toBe(404);
  });
});
