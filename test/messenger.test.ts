// Messenger end to end through POST /webhooks/messenger: the agent's answer, watermarks, long
// replies, profiles, reactions, standby, deletions, the 24-hour rule and signatures.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { pageEvent, pageMessage, signBody } from "./fakes/index.js";
import { APP_SECRET } from "./support/cosbot-under-test.js";
import { type ChannelHarness, codePoints, HOUR_MS, startChannelsCosbot, turnsOf, wellFormed } from "./support/channels.js";

const PAGE_ID = "PAGE_TEST_1";
const PAGE_TOKEN = "EAAG_PAGE_TOKEN_1";

let h: ChannelHarness;
let channelId: string;
beforeAll(async () => {
  h = await startChannelsCosbot();
  channelId = await h.seedMessenger({ pageId: PAGE_ID, token: PAGE_TOKEN });
});
afterAll(async () => h?.close());
// A test that failed half-way must not leave work running into the next one.
beforeEach(async () => {
  await h.settle().catch(() => {});
  h.resetFakes();
});

let n = 0;
const newPsid = () => `PSID_M_${++n}`;
const says = (psid: string, mid: string, text: string, extra: { timestamp?: number; standby?: boolean } = {}) =>
  pageMessage({ pageId: PAGE_ID, psid, mid, text, ...extra });
const outbound = async (psid: string) => (await h.thread((await h.conversation(channelId, psid)).id)).filter((m) => m.direction === "out");

describe("a Messenger conversation", () => {
  it("acknowledges at once, then answers through /{PAGE_ID}/messages with the Page token as a RESPONSE to the PSID after typing_on (C03)", async () => {
    const psid = "PSID_TEST_1";
    h.openai.latencyMs = 4_000;
    h.openai.reply = () => "The basic plan costs 10 EUR per month.";
    h.graph.queueMessageIds("m_TEST_OUT_0001");
    // The C03 payload, timestamped now so the 24-hour window is open.
    const payload = says(psid, "m_TEST_IN_0001", "What is the price of the basic plan?");
    const started = Date.now();
    const res = await h.postMessenger(payload);
    expect(res.status).toBe(200);
    // The 200 does not wait for the (slow) model: it comes before the model could have answered,
    // and nothing was generated or sent yet.
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(h.openai.calls.filter((c) => c.endedAt !== undefined)).toHaveLength(0);
    expect(h.graph.sendRequests).toHaveLength(0);
    // A redelivery while the model is still thinking adds nothing.
    expect((await h.postMessenger(payload)).status).toBe(200);
    await h.settle();

    expect(h.openai.calls).toHaveLength(1);
    expect(h.graph.sends).toHaveLength(1);
    const send = h.graph.sends[0]!;
    expect(send).toMatchObject({ pageId: PAGE_ID, to: psid, token: PAGE_TOKEN, version: "v24.0" });
    expect(send.body).toEqual({ recipient: { id: psid }, messaging_type: "RESPONSE", message: { text: "The basic plan costs 10 EUR per month." } });
    expect(h.graph.sendRequests.map((r) => r.path)).toEqual([`/v24.0/${PAGE_ID}/messages`]);
    const typing = h.graph.senderActions.filter((a) => a.action === "typing_on");
    expect(typing).toEqual([expect.objectContaining({ accountId: PAGE_ID, to: psid, token: PAGE_TOKEN })]);
    // The typing indicator goes out before the answer.
    expect(typing[0]!.at).toBeLessThanOrEqual(send.at);
    // Nothing went to the Instagram host.
    expect(h.igGraph.requests).toHaveLength(0);

    const thread = await h.thread((await h.conversation(channelId, psid)).id);
    expect(thread.filter((m) => m.platformMessageId === "m_TEST_IN_0001")).toHaveLength(1);
    expect(thread.filter((m) => m.direction === "out")).toEqual([
      expect.objectContaining({ author: "ai", status: "sent", platformMessageId: "m_TEST_OUT_0001", text: "The basic plan costs 10 EUR per month." }),
    ]);

    // ...and after the job, once more: still one answer.
    expect((await h.postMessenger(payload)).status).toBe(200);
    await h.settle();
    expect(h.openai.calls).toHaveLength(1);
    expect(h.graph.sends).toHaveLength(1);
  });

  it("moves the stored reply to delivered and then read by the watermarks, and never by an earlier one", async () => {
    const psid = newPsid();
    h.graph.queueMessageIds("m_WM_OUT_1");
    await h.postMessenger(says(psid, "m_WM_IN_1", "hello"));
    await h.settle();
    const [reply] = await outbound(psid);
    expect(reply).toMatchObject({ status: "sent", platformMessageId: "m_WM_OUT_1" });
    h.resetFakes();

    const watermarkEvent = (key: "delivery" | "read", watermark: number) =>
      pageEvent(PAGE_ID, { sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: Date.now(), [key]: { watermark } });
    // A watermark from before the reply was sent says nothing about it.
    expect((await h.postMessenger(watermarkEvent("delivery", reply!.sentAt!.getTime() - 60_000))).status).toBe(200);
    expect((await outbound(psid))[0]!.status).toBe("sent");

    expect((await h.postMessenger(watermarkEvent("delivery", Date.now()))).status).toBe(200);
    const delivered = (await outbound(psid))[0]!;
    expect(delivered.status).toBe("delivered");
    expect(delivered.deliveredAt).not.toBeNull();

    expect((await h.postMessenger(watermarkEvent("read", Date.now()))).status).toBe(200);
    const read = (await outbound(psid))[0]!;
    expect(read.status).toBe("read");
    expect(read.readAt).not.toBeNull();
    await h.settle();
    expect(h.openai.calls).toHaveLength(0);
    expect(h.graph.sends).toHaveLength(0);
  });

  it("moves only that customer's messages: another customer's reply on the same Page stays sent", async () => {
    const reader = newPsid();
    const other = newPsid();
    await h.postMessenger(says(reader, "m_WM_ISO_IN_1", "hello"));
    await h.postMessenger(says(other, "m_WM_ISO_IN_2", "hello"));
    await h.settle();
    const readEvent = pageEvent(PAGE_ID, { sender: { id: reader }, recipient: { id: PAGE_ID }, timestamp: Date.now(), read: { watermark: Date.now() } });
    expect((await h.postMessenger(readEvent)).status).toBe(200);
    expect((await outbound(reader)).map((m) => m.status)).toEqual(["read"]);
    expect((await outbound(other)).map((m) => m.status)).toEqual(["sent"]);
  });

  it("a delivery watermark just after the reply's own Messenger timestamp marks it delivered, even though our answer came later", async () => {
    // Meta stamps our message when it accepts it; its answer (and our write of "sent") comes later.
    // The watermark is Meta's clock: "every message sent before this timestamp was delivered".
    const psid = newPsid();
    const unsubscribe = h.graph.onSend(() => new Promise((r) => setTimeout(r, 50)));
    await h.postMessenger(says(psid, "m_WM_EXACT_IN", "hello"));
    await h.settle();
    unsubscribe();
    const send = h.graph.sends[0]!;
    const delivery = pageEvent(PAGE_ID, { sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: Date.now(), delivery: { watermark: send.at + 10 } });
    expect((await h.postMessenger(delivery)).status).toBe(200);
    expect((await outbound(psid)).map((m) => [m.platformMessageId, m.status])).toEqual([[send.messageId, "delivered"]]);
  });

  it("a delivery watermark that overtakes the Send API's answer is still applied (C06 for watermarks)", async () => {
    const psid = newPsid();
    h.graph.queueMessageIds("m_WM_EARLY_OUT");
    let early: number | undefined;
    const unsubscribe = h.graph.onSend(async (send) => {
      if (send.messageId !== "m_WM_EARLY_OUT") return;
      await new Promise((r) => setTimeout(r, 5));
      // The customer's phone confirms delivery before Meta's answer to our send reaches us.
      const delivery = pageEvent(PAGE_ID, { sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: Date.now(), delivery: { mids: [], watermark: Date.now() } });
      early = (await h.postMessenger(delivery)).status;
    });
    await h.postMessenger(says(psid, "m_WM_EARLY_IN", "hello"));
    await h.settle();
    unsubscribe();
    expect(early).toBe(200);
    expect(h.graph.hookErrors).toEqual([]);
    expect((await outbound(psid)).map((m) => [m.platformMessageId, m.status])).toEqual([["m_WM_EARLY_OUT", "delivered"]]);
  });

  it("splits a long reply with emoji at 2000 characters on whole characters and sends the parts in order", async () => {
    const sentence = "Our plans differ in storage, support and seats 😀. ";
    const long = sentence.repeat(Math.ceil(4_500 / sentence.length)).trim();
    // No whitespace at all: the cut must fall exactly between two whole characters.
    const solid = "ab😀".repeat(1_000);

    for (const [text, mid] of [[long, "m_LONG_IN_1"], [solid, "m_LONG_IN_2"]] as const) {
      h.resetFakes();
      h.openai.reply = () => text;
      const psid = newPsid();
      await h.postMessenger(says(psid, mid, "Tell me everything"));
      await h.settle();
      const parts = h.graph.sends.map((s) => s.text ?? "");
      expect(parts.length).toBeGreaterThanOrEqual(2);
      for (const part of parts) {
        expect(codePoints(part)).toBeLessThanOrEqual(2_000);
        expect(wellFormed(part)).toBe(true);
      }
      if (text === solid) {
        expect(parts.join("")).toBe(solid);
        expect(codePoints(parts[0]!)).toBe(2_000);
      } else {
        expect(parts.join(" ").replace(/\s+/g, " ")).toBe(long.replace(/\s+/g, " "));
      }
      // Stored in the same order, each with the id Messenger gave it.
      const stored = await outbound(psid);
      expect(stored.map((m) => m.text)).toEqual(parts);
      expect(stored.map((m) => m.platformMessageId)).toEqual(h.graph.sends.map((s) => s.messageId));
      expect(stored.every((m) => m.status === "sent")).toBe(true);
    }
  });

  it("looks the customer's name up once in the profile API with the Page token and stores it", async () => {
    const psid = newPsid();
    h.graph.setProfile(psid, { first_name: "Jane", last_name: "Doe", name: "Jane Doe", id: psid });
    await h.postMessenger(says(psid, "m_PROFILE_1", "hi"));
    await h.settle();
    expect((await h.customer(channelId, psid))?.profileName).toBe("Jane Doe");
    await h.postMessenger(says(psid, "m_PROFILE_2", "are you there?"));
    await h.settle();
    const lookups = h.graph.requests.filter((r) => r.method === "GET" && r.path === `/v24.0/${psid}`);
    expect(lookups).toHaveLength(1);
    expect(lookups[0]!.headers.authorization).toBe(`Bearer ${PAGE_TOKEN}`);
    expect(h.graph.sends).toHaveLength(2);
  });

  it("keeps going without a name when the profile API gives none (empty object)", async () => {
    const psid = newPsid();
    await h.postMessenger(says(psid, "m_NOPROFILE_1", "hi"));
    await h.settle();
    expect((await h.customer(channelId, psid))?.profileName).toBeNull();
    expect(h.graph.sends).toHaveLength(1);
  });
});

describe("Messenger reactions (C15)", () => {
  it("are stored against the reply they react to, cleared on unreact, and never start the agent", async () => {
    const psid = newPsid();
    h.graph.queueMessageIds("m_TEST_OUT_REACT");
    await h.postMessenger(says(psid, "m_REACT_IN_1", "Do you have croissants?"));
    await h.settle();
    h.resetFakes();

    const reaction = (action: "react" | "unreact", timestamp: number) =>
      pageEvent(PAGE_ID, {
        sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp,
        reaction: action === "react" ? { mid: "m_TEST_OUT_REACT", action, reaction: "love", emoji: "❤️" } : { mid: "m_TEST_OUT_REACT", action },
      });
    const target = async () => (await h.byPlatformId(channelId, "m_TEST_OUT_REACT"))[0]!;
    const t = Date.now();
    expect((await h.postMessenger(reaction("react", t))).status).toBe(200);
    expect((await target()).reaction).toBe("❤️");
    expect((await h.postMessenger(reaction("unreact", t + 1_000))).status).toBe(200);
    expect((await target()).reaction).toBeNull();
    // To a message we do not know: kept (or ignored) without an error.
    const unknown = pageEvent(PAGE_ID, { sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: t + 2_000, reaction: { mid: "m_NOT_HERE", action: "react", reaction: "like", emoji: "👍" } });
    expect((await h.postMessenger(unknown)).status).toBe(200);
    await h.settle();
    expect(h.openai.calls).toHaveLength(0);
    expect(h.graph.sends).toHaveLength(0);
    expect(h.graph.senderActions).toHaveLength(0);
  });
});

describe("Messenger standby (another app owns the thread)", () => {
  it("stores the customer's message and never answers it", async () => {
    const psid = newPsid();
    expect((await h.postMessenger(says(psid, "m_STANDBY_1", "hello? anyone?", { standby: true }))).status).toBe(200);
    await h.settle();
    const thread = await h.thread((await h.conversation(channelId, psid)).id);
    expect(thread).toEqual([expect.objectContaining({ platformMessageId: "m_STANDBY_1", direction: "in", text: "hello? anyone?" })]);
    expect(h.openai.calls).toHaveLength(0);
    expect(h.graph.sends).toHaveLength(0);
    expect(h.graph.senderActions).toHaveLength(0);
  });
});

describe("a message the customer deleted", () => {
  it("is marked deleted, dropped from the next model request, and not answered", async () => {
    const psid = newPsid();
    await h.postMessenger(says(psid, "m_DEL_1", "my card number is 4111 1111 1111 1111"));
    await h.settle();
    expect(h.openai.calls).toHaveLength(1);
    h.resetFakes();

    const unsent = pageEvent(PAGE_ID, { sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: Date.now(), message: { mid: "m_DEL_1", is_deleted: true } });
    expect((await h.postMessenger(unsent)).status).toBe(200);
    await h.settle();
    expect((await h.byPlatformId(channelId, "m_DEL_1"))[0]).toMatchObject({ deleted: true });
    expect(h.openai.calls).toHaveLength(0);
    expect(h.graph.sends).toHaveLength(0);

    await h.postMessenger(says(psid, "m_DEL_2", "sorry, wrong chat. What are your opening hours?"));
    await h.settle();
    expect(h.openai.calls).toHaveLength(1);
    const prompt = JSON.stringify(h.openai.calls[0]!.request.messages);
    expect(prompt).not.toContain("4111");
    expect(turnsOf(h.openai.calls[0]!.request).at(-1)).toEqual(["user", "sorry, wrong chat. What are your opening hours?"]);
  });

  it("is not answered when it is unsent before the reply is written", async () => {
    const psid = newPsid();
    const now = Date.now();
    // Written and unsent within one POST: nothing is left to answer.
    const batch = pageEvent(PAGE_ID, { sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: now, message: { mid: "m_DEL_3", text: "oops" } });
    (batch.entry[0]!.messaging as unknown[]).push({ sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: now + 1, message: { mid: "m_DEL_3", is_deleted: true } });
    expect((await h.postMessenger(batch)).status).toBe(200);
    await h.settle();
    expect((await h.byPlatformId(channelId, "m_DEL_3"))[0]).toMatchObject({ deleted: true });
    expect(h.openai.calls).toHaveLength(0);
    expect(h.graph.sends).toHaveLength(0);
  });
});

describe("the 24-hour window on Messenger", () => {
  it("the agent never answers a message older than 24 hours", async () => {
    const psid = newPsid();
    await h.postMessenger(says(psid, "m_OLD_1", "hello?", { timestamp: Date.now() - 25 * HOUR_MS }));
    await h.settle();
    expect(h.openai.calls).toHaveLength(0);
    expect(h.graph.sends).toHaveLength(0);
    expect(await h.conversation(channelId, psid)).toMatchObject({ attentionCode: "window_closed", mode: "ai" });
  });
});

describe("Messenger signatures", () => {
  it("refuses a bad or missing signature with 401 and stores nothing", async () => {
    const psid = newPsid();
    const payload = says(psid, "m_SIG_1", "Café 10/12? 😀");
    const before = (await h.messages()).length;
    expect((await h.postMessenger(payload, { signature: signBody("{}", APP_SECRET) })).status).toBe(401);
    expect((await h.postMessenger(payload, { signature: null })).status).toBe(401);
    expect((await h.postMessenger(payload, { secret: "someone_elses_secret" })).status).toBe(401);
    await h.settle();
    expect((await h.messages()).length).toBe(before);
    expect(await h.customer(channelId, psid)).toBeUndefined();
    expect(h.openai.calls).toHaveLength(0);
    // The genuine delivery still goes through, accents and emoji intact (C21).
    expect((await h.postMessenger(payload)).status).toBe(200);
    expect((await h.byPlatformId(channelId, "m_SIG_1"))[0]?.text).toBe("Café 10/12? 😀");
    await h.settle();
  });
});
