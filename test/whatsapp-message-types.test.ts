import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waMessage } from "./fakes/index.js";
import { type Harness, PNID, startCosbot } from "./support/cosbot-under-test.js";

let h: Harness;
beforeAll(async () => {
  h = await startCosbot({ env: { REPLY_QUIET_MS: "400" } });
});
afterAll(async () => h?.close());

const from = "15551230001";
let n = 0;
const nowSeconds = () => String(Math.floor(Date.now() / 1000));
const msg = (type: string, body: Record<string, unknown>) => ({ from, id: `wamid.TYPE_${++n}`, timestamp: "1767225600", type, ...body });

const cases: [string, Record<string, unknown>, string, RegExp][] = [
  ["text", { text: { body: "Are you open on Sundays?" } }, "text", /^Are you open on Sundays\?$/],
  ["image", { image: { caption: "this one", mime_type: "image/jpeg", sha256: "h", id: "MEDIA1" } }, "image", /this one/],
  ["image", { image: { mime_type: "image/jpeg", sha256: "h", id: "MEDIA2" } }, "image", /image/i],
  ["audio", { audio: { mime_type: "audio/ogg", sha256: "h", id: "MEDIA3", voice: true } }, "audio", /voice/i],
  ["video", { video: { mime_type: "video/mp4", sha256: "h", id: "MEDIA4" } }, "video", /video/i],
  ["document", { document: { filename: "invoice.pdf", mime_type: "application/pdf", sha256: "h", id: "MEDIA5" } }, "document", /invoice\.pdf/],
  ["sticker", { sticker: { mime_type: "image/webp", sha256: "h", id: "MEDIA6", animated: false } }, "sticker", /sticker/i],
  ["location", { location: { latitude: 52.52, longitude: 13.405, name: "Shop", address: "Main St 1" } }, "location", /Shop/],
  ["contacts", { contacts: [{ name: { formatted_name: "Jo Doe" }, phones: [{ phone: "+15550101", type: "CELL" }] }] }, "contacts", /Jo Doe/],
  ["interactive", { interactive: { type: "button_reply", button_reply: { id: "b1", title: "Yes please" } } }, "interactive", /Yes please/],
  ["interactive", { interactive: { type: "list_reply", list_reply: { id: "r1", title: "Large", description: "XL" } } }, "interactive", /Large/],
  ["button", { button: { payload: "STOP", text: "Stop promotions" }, context: { from: "15550000000", id: "wamid.T1" } }, "interactive", /Stop promotions/],
  ["order", { order: { catalog_id: "c1", text: "for Friday", product_items: [{ product_retailer_id: "p1", quantity: 2, item_price: 5, currency: "EUR" }] } }, "order", /order/i],
  ["system", { system: { body: "User changed number", wa_id: "15559999999", type: "user_changed_number" } }, "system", /changed/],
  ["unsupported", { errors: [{ code: 131051, title: "Message type unknown" }], unsupported: { type: "poll_creation" } }, "unsupported", /unsupported/i],
  ["unknown", { errors: [{ code: 131051, title: "Message type unknown" }] }, "unsupported", /unsupported|unknown/i],
  ["brand_new_type", { brand_new_type: { foo: 1 } }, "unsupported", /./],
];

describe("every WhatsApp message type (C14)", () => {
  it.each(cases)("stores %s as a readable message", async (type, body, kind, text) => {
    const message = msg(type, body);
    const res = await h.post(waMessage(PNID, message));
    expect(res.status).toBe(200);
    const stored = (await h.messages()).find((m) => m.platformMessageId === message.id);
    expect(stored).toMatchObject({ kind, direction: "in", author: "customer", status: "received" });
    expect(stored!.text).toMatch(text);
    expect(stored!.text).not.toContain("undefined");
    expect(stored!.raw).toMatchObject({ id: message.id, type });
  });

  it("keeps the unsupported message and still processes the next one in the same POST; the prompt never says undefined", async () => {
    const res = await h.post(
      waMessage(PNID, { from, id: "wamid.TEST_IN_0030", timestamp: nowSeconds(), type: "unsupported", errors: [{ code: 131051 }] }, undefined),
    );
    expect(res.status).toBe(200);
    const batch = waMessage(PNID, { from, id: "wamid.TEST_IN_0031", timestamp: nowSeconds(), type: "text", text: { body: "did you get my photo?" } });
    expect((await h.post(batch)).status).toBe(200);
    await h.settle();
    const ids = (await h.messages()).map((m) => m.platformMessageId);
    expect(ids).toContain("wamid.TEST_IN_0030");
    expect(ids).toContain("wamid.TEST_IN_0031");
    const prompts = h.openai.calls.map((c) => JSON.stringify(c.request.messages));
    expect(prompts.length).toBeGreaterThan(0);
    for (const p of prompts) expect(p).not.toContain("undefined");
  });

  it("keeps the reply-to context and the platform time in UTC", async () => {
    await h.post(waMessage(PNID, { from, id: "wamid.CTX_1", timestamp: "1767225661", type: "text", text: { body: "this one?" }, context: { from: "15550000000", id: "wamid.PREV" } }));
    const stored = (await h.messages()).find((m) => m.platformMessageId === "wamid.CTX_1");
    expect(stored?.replyToPlatformId).toBe("wamid.PREV");
    expect(stored?.occurredAt.toISOString()).toBe("2026-01-01T00:01:01.000Z");
  });
});

describe("batches and contacts", () => {
  it("handles every entry, change and message of a batch (C12)", async () => {
    h.openai.reset();
    const payload = {
      object: "whatsapp_business_account",
      entry: [
        {
          id: "WABA_TEST_1",
          changes: [{ field: "messages", value: {
            messaging_product: "whatsapp", metadata: { display_phone_number: "15550000000", phone_number_id: PNID },
            contacts: [{ profile: { name: "Test Customer A" }, wa_id: "15551230101" }],
            messages: [
              { from: "15551230101", id: "wamid.TEST_IN_0010", timestamp: String(Math.floor(Date.now() / 1000)), type: "text", text: { body: "Hello" } },
              { from: "15551230101", id: "wamid.TEST_IN_0011", timestamp: String(Math.floor(Date.now() / 1000) + 1), type: "text", text: { body: "I want to cancel my order 4711" } },
            ] } }],
        },
        {
          id: "WABA_TEST_1",
          changes: [{ field: "messages", value: {
            messaging_product: "whatsapp", metadata: { display_phone_number: "15550000000", phone_number_id: PNID },
            contacts: [{ profile: { name: "Test Customer B" }, wa_id: "15551230102" }],
            messages: [{ from: "15551230102", id: "wamid.TEST_IN_0012", timestamp: String(Math.floor(Date.now() / 1000) + 2), type: "text", text: { body: "Hi there" } }] } }],
        },
      ],
    };
    expect((await h.post(payload)).status).toBe(200);
    await h.settle();
    const stored = (await h.messages()).filter((m) => ["wamid.TEST_IN_0010", "wamid.TEST_IN_0011", "wamid.TEST_IN_0012"].includes(m.platformMessageId ?? ""));
    expect(stored).toHaveLength(3);
    const toA = h.graph.sends.filter((s) => s.to === "+15551230101");
    const toB = h.graph.sends.filter((s) => s.to === "+15551230102");
    expect(toA).toHaveLength(1);
    expect(toB).toHaveLength(1);
    const promptA = h.openai.calls.map((c) => JSON.stringify(c.request.messages)).find((p) => p.includes("Hello"));
    expect(promptA).toContain("I want to cancel my order 4711");
  });

  it("accepts a contact without profile, keyed by wa_id with no name (C19)", async () => {
    const res = await h.post(waMessage(PNID, { from: "15551230003", id: "wamid.TEST_IN_0080", timestamp: "1767225900", type: "text", text: { body: "hello" } }, [{ wa_id: "15551230003" }]));
    expect(res.status).toBe(200);
    const customer = (await h.customers()).find((c) => c.platformUserId === "15551230003");
    expect(customer).toMatchObject({ profileName: null });
  });

  it("keys a username-only customer by user_id when wa_id is absent (C19 BSUID)", async () => {
    const payload = waMessage(PNID, { id: "wamid.TEST_IN_0081", timestamp: "1767225901", type: "text", text: { body: "hi" } }, [
      { user_id: "US.TEST0000000001", profile: { name: "Test Customer C" } },
    ]);
    expect((await h.post(payload)).status).toBe(200);
    const customer = (await h.customers()).find((c) => c.platformUserId === "US.TEST0000000001");
    expect(customer).toMatchObject({ profileName: "Test Customer C" });
  });

  it("updates a stored profile name when it appears later, and never erases it", async () => {
    await h.post(waMessage(PNID, { from: "15551230003", id: "wamid.NAME_1", timestamp: "1767225950", type: "text", text: { body: "it's me" } }, [{ profile: { name: "Dana" }, wa_id: "15551230003" }]));
    await h.post(waMessage(PNID, { from: "15551230003", id: "wamid.NAME_2", timestamp: "1767225951", type: "text", text: { body: "again" } }, [{ wa_id: "15551230003" }]));
    const customer = (await h.customers()).find((c) => c.platformUserId === "15551230003");
    expect(customer?.profileName).toBe("Dana");
  });
});
