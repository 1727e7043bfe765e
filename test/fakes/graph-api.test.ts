// Proves FakeGraphApi answers like the Graph API for WhatsApp and Messenger/IG sends.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeGraphApi, graphError, graphErrors } from "./graph-api.js";

const fake = new FakeGraphApi();

beforeAll(() => fake.start());
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

async function post(path: string, body: unknown, token: string | null = "WA_TOKEN", signal?: AbortSignal) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${fake.url}${path}`, { method: "POST", headers, body: JSON.stringify(body), signal });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

const waText = (to: string, body: string) => ({ messaging_product: "whatsapp", recipient_type: "individual", to, type: "text", text: { body, preview_url: false } });

describe("FakeGraphApi — WhatsApp", () => {
  it("accepts a text send and returns a wamid in Cloud API shape", async () => {
    const { status, json } = await post("/v24.0/PNID_TEST_1/messages", waText("+15551230001", "Hello"));
    expect(status).toBe(200);
    expect(json).toEqual({
      messaging_product: "whatsapp",
      contacts: [{ input: "+15551230001", wa_id: "15551230001" }],
      messages: [{ id: expect.stringMatching(/^wamid\.FAKE_OUT_\d+$/) }],
    });
    expect(fake.sends).toHaveLength(1);
    expect(fake.sends[0]).toMatchObject({
      channel: "whatsapp", version: "v24.0", phoneNumberId: "PNID_TEST_1", to: "+15551230001",
      text: "Hello", token: "WA_TOKEN", messageId: json.messages[0].id,
    });
  });

  it("handles mark-read separately, and failNext skips it", async () => {
    fake.failNext(1, graphErrors.reengagement());
    const read = await post("/v24.0/PNID_TEST_1/messages", { messaging_product: "whatsapp", status: "read", message_id: "wamid.IN_1" });
    expect(read).toEqual({ status: 200, json: { success: true } });
    expect(fake.markReads).toMatchObject([{ phoneNumberId: "PNID_TEST_1", messageId: "wamid.IN_1", typing: false }]);

    const failed = await post("/v24.0/PNID_TEST_1/messages", waText("+15551230001", "late"));
    expect(failed.status).toBe(400);
    expect(failed.json.error).toMatchObject({ code: 131047, type: "OAuthException", error_data: { details: expect.stringContaining("24 hours") } });
    expect(fake.sends).toHaveLength(0);
    expect(fake.sendRequests).toHaveLength(1);

    const ok = await post("/v24.0/PNID_TEST_1/messages", waText("+15551230001", "again"));
    expect(ok.status).toBe(200);
  });

  it("graphError builds Meta's error body", async () => {
    fake.failNext(2, graphError(130429, "(#130429) Rate limit hit", 400, "throughput"));
    for (let i = 0; i < 2; i++) {
      const r = await post("/v24.0/PNID_TEST_1/messages", waText("+1555", `m${i}`));
      expect(r).toMatchObject({ status: 400, json: { error: { code: 130429, message: "(#130429) Rate limit hit", error_data: { details: "throughput" } } } });
    }
    expect((await post("/v24.0/PNID_TEST_1/messages", waText("+1555", "ok"))).status).toBe(200);
  });

  it("answers 401 / code 190 without a token, and for invalidTokens", async () => {
    const none = await post("/v24.0/PNID_TEST_1/messages", waText("+1555", "x"), null);
    expect(none.status).toBe(401);
    expect(none.json.error.code).toBe(190);
    fake.invalidTokens.add("OLD");
    const expired = await post("/v24.0/PNID_TEST_1/messages", waText("+1555", "x"), "OLD");
    expect(expired.status).toBe(401);
    expect(expired.json.error).toMatchObject({ code: 190, message: expect.stringContaining("Session has expired") });
  });

  it("awaits an async onSend hook before responding", async () => {
    const events: string[] = [];
    fake.onSend(async (send) => {
      await new Promise((r) => setTimeout(r, 50));
      events.push(`hook:${send.messageId}`);
    });
    fake.queueMessageIds("wamid.TEST_OUT_0002");
    const { json } = await post("/v24.0/PNID_TEST_1/messages", waText("+1555", "x"));
    events.push("response");
    expect(json.messages[0].id).toBe("wamid.TEST_OUT_0002");
    expect(events).toEqual(["hook:wamid.TEST_OUT_0002", "response"]);
  });

  it("delays and hangs sends on request", async () => {
    fake.delayMs = 60;
    const started = Date.now();
    await post("/v24.0/PNID_TEST_1/messages", waText("+1555", "slow"));
    expect(Date.now() - started).toBeGreaterThanOrEqual(55);

    fake.delayMs = 0;
    fake.hangNext(1);
    await expect(post("/v24.0/PNID_TEST_1/messages", waText("+1555", "x"), "T", AbortSignal.timeout(100))).rejects.toThrow();
    expect(fake.sends.map((s) => s.text)).toEqual(["slow"]);
  });

  it("applies a scripted delay to a failure", async () => {
    fake.failNext(1, { status: 500, body: { error: { message: "boom", code: 1 } }, delayMs: 50 });
    const started = Date.now();
    const r = await post("/v24.0/PNID_TEST_1/messages", waText("+1555", "x"));
    expect(r.status).toBe(500);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });
});

describe("FakeGraphApi — Messenger / Instagram and the rest", () => {
  it("accepts a Send API message with access_token in the query", async () => {
    const res = await fetch(`${fake.url}/v24.0/PAGE_TEST_1/messages?access_token=PAGE_TOKEN`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ recipient: { id: "PSID_TEST_1" }, messaging_type: "RESPONSE", message: { text: "Hi!" } }),
    });
    const json = (await res.json()) as Record<string, string>;
    expect(json).toEqual({ recipient_id: "PSID_TEST_1", message_id: expect.stringMatching(/^m_FAKE_OUT_\d+$/) });
    expect(fake.sends[0]).toMatchObject({ channel: "messenger", pageId: "PAGE_TEST_1", to: "PSID_TEST_1", text: "Hi!", token: "PAGE_TOKEN", messageId: json.message_id });
  });

  it("answers sender actions without counting them as sends", async () => {
    fake.failNext(1, graphErrors.tokenExpired());
    const r = await post("/v25.0/IGBIZ_1/messages", { recipient: { id: "IGSID_1" }, sender_action: "typing_on" }, "IG");
    expect(r).toEqual({ status: 200, json: { recipient_id: "IGSID_1" } });
    expect(fake.senderActions).toMatchObject([{ accountId: "IGBIZ_1", to: "IGSID_1", action: "typing_on" }]);
    expect(fake.sends).toHaveLength(0);
    const attachment = await post("/v25.0/IGBIZ_1/messages", { recipient: { id: "IGSID_1" }, message: { attachment: { type: "image", payload: { url: "u" } } } }, "IG");
    expect(attachment.status).toBe(401); // the scripted failure hit the real send
  });

  it("serves profiles (default {}), subscribed_apps and IG token endpoints", async () => {
    const get = async (path: string) => {
      const res = await fetch(`${fake.url}${path}`);
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    expect(await get("/v24.0/PSID_1?fields=first_name&access_token=T")).toEqual({ status: 200, json: {} });
    fake.setProfile("PSID_1", { first_name: "Jane", last_name: "Doe", id: "PSID_1" });
    expect((await get("/PSID_1?access_token=T")).json).toMatchObject({ first_name: "Jane" });
    fake.setProfile("IGSID_X", graphError(230, "User consent is required to access user profile").body, 400);
    expect((await get("/v25.0/IGSID_X?access_token=T")).status).toBe(400);

    expect(await post("/v24.0/PAGE_1/subscribed_apps?subscribed_fields=messages", {}, "T")).toEqual({ status: 200, json: { success: true } });

    const refreshed = await get("/refresh_access_token?grant_type=ig_refresh_token&access_token=IGQ_OLD");
    expect(refreshed.json).toEqual({ access_token: expect.stringMatching(/^IGQ_FAKE_\d+$/), token_type: "bearer", expires_in: 5184000 });
    const exchanged = await get("/access_token?grant_type=ig_exchange_token&client_secret=s&access_token=short");
    expect(exchanged.json.access_token).not.toBe(refreshed.json.access_token);
    expect(fake.requests.map((r) => r.path)).toContain("/refresh_access_token");
  });
});

describe("FakeGraphApi — accounts a connect checks", () => {
  const get = async (path: string, token: string) => {
    const res = await fetch(`${fake.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, json: (await res.json()) as Record<string, any> };
  };

  it("answers a number, its WABA and subscriptions only to the number's token, with Meta's errors otherwise", async () => {
    fake.accounts.addWhatsAppNumber({ id: "111", wabaId: "222", token: "WA_OK", verifiedName: "Shop" });
    fake.accounts.addPage({ id: "333", token: "PAGE_OK" });
    expect(await get("/v24.0/111?fields=id,verified_name", "WA_OK")).toMatchObject({ status: 200, json: { id: "111", verified_name: "Shop" } });
    expect((await get("/v24.0/222/phone_numbers", "WA_OK")).json.data).toMatchObject([{ id: "111" }]);
    expect(await get("/v24.0/111", "PAGE_OK")).toMatchObject({ status: 400, json: { error: { code: 100, error_subcode: 33, type: "GraphMethodException" } } });
    expect(await get("/v24.0/111", "NOBODY")).toMatchObject({ status: 400, json: { error: { code: 190, type: "OAuthException" } } });
    expect((await get("/v24.0/999/phone_numbers", "WA_OK")).json.error).toMatchObject({ code: 100, error_subcode: 33 });
    expect((await post("/v24.0/222/subscribed_apps", {}, "PAGE_OK")).status).toBe(400);
    expect(await post("/v24.0/222/subscribed_apps", {}, "WA_OK")).toEqual({ status: 200, json: { success: true } });
    expect(fake.accounts.subscriptions).toMatchObject([{ objectId: "222", token: "WA_OK" }]);
  });

  it("exchanges a registered short-lived Instagram token for a long-lived one that /me answers to", async () => {
    fake.accounts.addInstagramUser({ userId: "178", shortLivedToken: "IG_SHORT", username: "shop" });
    fake.accounts.instagramAppSecret = "igsecret";
    const wrong = await get("/access_token?grant_type=ig_exchange_token&client_secret=nope&access_token=IG_SHORT", "");
    expect(wrong.json.error).toMatchObject({ code: 101, message: "Error validating client secret." });
    const { json } = await get("/access_token?grant_type=ig_exchange_token&client_secret=igsecret&access_token=IG_SHORT", "");
    expect(json).toMatchObject({ access_token: expect.stringMatching(/^IGQ_LONG_/), expires_in: 5184000 });
    expect((await get("/v24.0/me?fields=user_id,username", json.access_token)).json).toMatchObject({ user_id: "178", username: "shop" });
    expect((await get("/v24.0/me", "IG_SHORT")).json.error.code).toBe(190);
  });
});
