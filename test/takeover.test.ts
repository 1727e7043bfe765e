// Echoes and takeover (C08, C10, C11), WhatsApp coexistence echoes, a person's replies and the
// messaging windows, end to end through the webhook endpoints and the admin use cases.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { igMessage, pageMessage, postWebhook, waBusinessAppEcho, waEnvelope } from "./fakes/index.js";
import { APP_SECRET, PNID } from "./support/cosbot-under-test.js";
import { customerText } from "./support/payloads.js";
import {
  type ChannelHarness, DAY_MS, eventually, HOUR_MS, META_INBOX_APP_ID, OUR_APP_ID, startChannelsCosbot, turnsOf,
} from "./support/channels.js";

const PAGE_ID = "PAGE_TEST_1";
const PAGE_TOKEN = "EAAG_PAGE_TOKEN_1";
const IG_ID = "IGBIZ_TEST_1";
const IG_TOKEN = "IGQ_TOKEN_1";

let h: ChannelHarness;
let pageChannel: string;
let igChannel: string;
beforeAll(async () => {
  h = await startChannelsCosbot();
  pageChannel = await h.seedMessenger({ pageId: PAGE_ID, token: PAGE_TOKEN });
  igChannel = await h.seedInstagram({ igId: IG_ID, token: IG_TOKEN, login: "instagram" });
});
afterAll(async () => h?.close());
// A test that failed half-way must not leave work running into the next one.
beforeEach(async () => {
  await h.settle().catch(() => {});
  h.resetFakes();
});

let n = 0;
const psidOf = () => `PSID_T_${++n}`;
const igsidOf = () => `IGSID_T_${++n}`;
const waIdOf = () => `1555444${String(++n).padStart(4, "0")}`;

const customerSays = (psid: string, mid: string, text: string) => pageMessage({ pageId: PAGE_ID, psid, mid, text });
const pageEcho = (psid: string, mid: string, text: string, appId?: string) =>
  pageMessage({ pageId: PAGE_ID, psid, mid, text, isEcho: true, ...(appId === undefined ? {} : { appId }) });
const igSays = (igsid: string, mid: string, text: string) => igMessage({ igId: IG_ID, igsid, mid, text });
/** Instagram echoes carry no app_id (meta-platform.md §5.2). */
const igEcho = (igsid: string, mid: string, text: string) => igMessage({ igId: IG_ID, igsid, mid, text, isEcho: true });

/** A customer writes on Messenger and the agent answers with `outMid`. */
async function answeredOnMessenger(psid: string, outMid: string, inMid = `${outMid}_IN`) {
  h.graph.queueMessageIds(outMid);
  await h.postMessenger(customerSays(psid, inMid, "What is the price of the basic plan?"));
  await h.settle();
  expect(h.graph.sends.map((s) => s.messageId)).toContain(outMid);
  const conversation = await h.conversation(pageChannel, psid);
  h.resetFakes();
  return conversation;
}

async function answeredOnInstagram(igsid: string, outMid: string, inMid = `${outMid}_IN`) {
  h.igGraph.queueMessageIds(outMid);
  await h.postInstagram(igSays(igsid, inMid, "Is this still available?"));
  await h.settle();
  expect(h.igGraph.sends.map((s) => s.messageId)).toContain(outMid);
  const conversation = await h.conversation(igChannel, igsid);
  h.resetFakes();
  return conversation;
}

describe("echoes of our own sends (C08)", () => {
  it("Messenger: the echo of our reply, by its mid, adds no row, asks no model, sends nothing and keeps the mode", async () => {
    const psid = psidOf();
    const conversation = await answeredOnMessenger(psid, "m_TEST_OUT_0001");
    const before = await h.thread(conversation.id);
    expect((await h.postMessenger(pageEcho(psid, "m_TEST_OUT_0001", "Reply to: What is the price of the basic plan?", OUR_APP_ID))).status).toBe(200);
    await h.settle();
    expect(await h.thread(conversation.id)).toEqual(before);
    expect(h.openai.calls).toHaveLength(0);
    expect(h.graph.sends).toHaveLength(0);
    expect((await h.conversation(pageChannel, psid)).mode).toBe("ai");
  });

  it("Messenger: an echo carrying our app_id (a JSON number, as Meta sends it) is ours even when its mid is unknown", async () => {
    const psid = psidOf();
    const conversation = await answeredOnMessenger(psid, "m_OURS_APP_1");
    const before = await h.thread(conversation.id);
    const echo = pageEcho(psid, "m_SOMETHING_WE_SENT", "Your order has shipped.");
    ((echo.entry[0]!.messaging as Array<{ message: Record<string, unknown> }>)[0]!.message).app_id = Number(OUR_APP_ID);
    expect((await h.postMessenger(echo)).status).toBe(200);
    await h.settle();
    expect(await h.thread(conversation.id)).toEqual(before);
    expect(h.openai.calls).toHaveLength(0);
    expect(h.graph.sends).toHaveLength(0);
    expect((await h.conversation(pageChannel, psid)).mode).toBe("ai");
  });

  it("Instagram: the echo of our reply (no app_id, as Instagram sends them) adds no row, asks no model and keeps the mode", async () => {
    const igsid = igsidOf();
    const conversation = await answeredOnInstagram(igsid, "ig_mid_OUT_ECHO_1");
    const before = await h.thread(conversation.id);
    expect((await h.postInstagram(igEcho(igsid, "ig_mid_OUT_ECHO_1", "Reply to: Is this still available?"))).status).toBe(200);
    await h.settle();
    expect(await h.thread(conversation.id)).toEqual(before);
    expect(h.openai.calls).toHaveLength(0);
    expect(h.igGraph.sends).toHaveLength(0);
    expect((await h.conversation(igChannel, igsid)).mode).toBe("ai");
  });

  it("Messenger: an echo that arrives before our sender stored the mid is still recognised as ours", async () => {
    const psid = psidOf();
    h.graph.queueMessageIds("m_EARLY_OUT_1");
    let early: number | undefined;
    const unsubscribe = h.graph.onSend(async (send) => {
      if (send.messageId !== "m_EARLY_OUT_1") return;
      // Meta's echo overtakes the Send API's answer.
      early = (await h.postMessenger(pageEcho(psid, send.messageId, send.text ?? "", OUR_APP_ID))).status;
    });
    await h.postMessenger(customerSays(psid, "m_EARLY_IN_1", "hi"));
    await h.settle();
    unsubscribe();
    expect(early).toBe(200);
    expect(h.graph.hookErrors).toEqual([]);
    const thread = await h.thread((await h.conversation(pageChannel, psid)).id);
    expect(thread.filter((m) => m.author === "business_app")).toEqual([]);
    expect(thread.filter((m) => m.direction === "out")).toEqual([expect.objectContaining({ author: "ai", status: "sent", platformMessageId: "m_EARLY_OUT_1" })]);
    expect((await h.conversation(pageChannel, psid)).mode).toBe("ai");
  });

  it("Instagram: an echo without app_id that arrives before our sender stored the mid is still recognised as ours", async () => {
    const igsid = igsidOf();
    h.igGraph.queueMessageIds("ig_mid_EARLY_OUT_1");
    let early: number | undefined;
    const unsubscribe = h.igGraph.onSend(async (send) => {
      if (send.messageId !== "ig_mid_EARLY_OUT_1") return;
      early = (await h.postInstagram(igEcho(igsid, send.messageId, send.text ?? ""))).status;
    });
    await h.postInstagram(igSays(igsid, "ig_mid_EARLY_IN_1", "hi"));
    await h.settle();
    unsubscribe();
    expect(early).toBe(200);
    expect(h.igGraph.hookErrors).toEqual([]);
    const conversation = await h.conversation(igChannel, igsid);
    expect(conversation.mode).toBe("ai");
    const thread = await h.thread(conversation.id);
    expect(thread.filter((m) => m.author === "business_app")).toEqual([]);
    expect(thread.filter((m) => m.direction === "out")).toEqual([expect.objectContaining({ author: "ai", status: "sent", platformMessageId: "ig_mid_EARLY_OUT_1" })]);

    // The customer writes again: the agent still answers.
    await h.postInstagram(igSays(igsid, "ig_mid_EARLY_IN_2", "and in blue?"));
    await h.settle();
    expect(h.openai.calls).toHaveLength(2);
  });
});

describe("a person answering from Meta's inbox (C11 A)", () => {
  it("Messenger: a stranger's echo is stored once as a business_app message, the conversation goes manual, and the agent stays silent", async () => {
    const psid = psidOf();
    const conversation = await answeredOnMessenger(psid, "m_C11A_OUT_1");
    const echo = pageEcho(psid, "m_TEST_HUMAN_0001", "Hi, this is Ana from the team, I'll take it from here.", META_INBOX_APP_ID);
    expect((await h.postMessenger(echo)).status).toBe(200);
    expect((await h.postMessenger(echo)).status).toBe(200);
    await h.settle();
    const stored = await h.byPlatformId(pageChannel, "m_TEST_HUMAN_0001");
    expect(stored).toEqual([
      expect.objectContaining({ direction: "out", author: "business_app", text: "Hi, this is Ana from the team, I'll take it from here.", conversationId: conversation.id }),
    ]);
    expect(stored[0]!.details).toMatchObject({ appId: META_INBOX_APP_ID });
    expect((await h.conversation(pageChannel, psid)).mode).toBe("manual");

    await h.postMessenger(customerSays(psid, "m_C11A_IN_2", "Thanks Ana!"));
    await h.settle();
    expect((await h.byPlatformId(pageChannel, "m_C11A_IN_2"))).toHaveLength(1);
    expect(h.openai.calls).toHaveLength(0);
    expect(h.graph.sends).toHaveLength(0);
  });

  it("Messenger: the same stranger's echo re-delivered after the cache forgot it is still stored once", async () => {
    const psid = psidOf();
    await answeredOnMessenger(psid, "m_C11A_OUT_2");
    const echo = pageEcho(psid, "m_HUMAN_TWICE", "Ana here.", META_INBOX_APP_ID);
    await h.postMessenger(echo);
    const keys = await h.cache.kv.keys(`dedup:${pageChannel}:`);
    await h.cache.kv.delete(...keys);
    expect((await h.postMessenger(echo)).status).toBe(200);
    expect(await h.byPlatformId(pageChannel, "m_HUMAN_TWICE")).toHaveLength(1);
  });

  it("Instagram: an echo with an unknown mid (no app_id) switches to manual; the customer's next message gets no model call", async () => {
    const igsid = igsidOf();
    await answeredOnInstagram(igsid, "ig_mid_C11A_OUT");
    expect((await h.postInstagram(igEcho(igsid, "ig_mid_HUMAN_1", "Ana here, from the shop 👋"))).status).toBe(200);
    await h.settle();
    expect(await h.byPlatformId(igChannel, "ig_mid_HUMAN_1")).toEqual([expect.objectContaining({ author: "business_app", direction: "out" })]);
    expect((await h.conversation(igChannel, igsid)).mode).toBe("manual");
    await h.postInstagram(igSays(igsid, "ig_mid_C11A_IN_2", "great, thanks"));
    await h.settle();
    expect(h.openai.calls).toHaveLength(0);
    expect(h.igGraph.sends).toHaveLength(0);
  });

  it("WhatsApp coexistence: an smb_message_echoes echo is a person answering from the Business app", async () => {
    const waId = waIdOf();
    h.graph.queueMessageIds("wamid.SMB_OUT_AI");
    await h.post(customerText("wamid.SMB_IN_1", "Do you deliver?", waId));
    await h.settle();
    h.resetFakes();
    // meta-platform.md §2: field smb_message_echoes, value.message_echoes[{from, to, id, timestamp, type, text}].
    const echo = waBusinessAppEcho(PNID, { to: waId, id: "wamid.SMB_ECHO_1", body: "Yes, we deliver on Saturdays. — Marta" });
    expect((await h.post(echo)).status).toBe(200);
    expect((await h.post(echo)).status).toBe(200);
    await h.settle();
    expect(await h.byPlatformId(h.channelId, "wamid.SMB_ECHO_1")).toEqual([
      expect.objectContaining({ author: "business_app", direction: "out", text: "Yes, we deliver on Saturdays. — Marta" }),
    ]);
    expect((await h.conversation(h.channelId, waId)).mode).toBe("manual");
    await h.post(customerText("wamid.SMB_IN_2", "Perfect, thanks Marta", waId));
    await h.settle();
    expect(h.openai.calls).toHaveLength(0);
    expect(h.graph.sends).toHaveLength(0);
  });
});

describe("our own messages never pause the agent (C11 B)", () => {
  it("Messenger: the echo of our earlier reply (our app_id, our mid) keeps the mode; the customer's next message gets 1 model call", async () => {
    const psid = psidOf();
    await answeredOnMessenger(psid, "m_C11B_OUT_1");
    expect((await h.postMessenger(pageEcho(psid, "m_C11B_OUT_1", "Reply to: What is the price of the basic plan?", OUR_APP_ID))).status).toBe(200);
    await h.settle();
    expect((await h.conversation(pageChannel, psid)).mode).toBe("ai");
    expect(await h.byPlatformId(pageChannel, "m_C11B_OUT_1")).toEqual([expect.objectContaining({ author: "ai" })]);
    await h.postMessenger(customerSays(psid, "m_C11B_IN_2", "And the premium plan?"));
    await h.settle();
    expect(h.openai.calls).toHaveLength(1);
    expect(h.graph.sends).toHaveLength(1);
  });

  it("Instagram: the echo of our earlier reply keeps the mode; the customer's next message gets 1 model call", async () => {
    const igsid = igsidOf();
    await answeredOnInstagram(igsid, "ig_mid_C11B_OUT_1");
    await h.postInstagram(igEcho(igsid, "ig_mid_C11B_OUT_1", "Reply to: Is this still available?"));
    await h.settle();
    expect((await h.conversation(igChannel, igsid)).mode).toBe("ai");
    await h.postInstagram(igSays(igsid, "ig_mid_C11B_IN_2", "Can I pick it up today?"));
    await h.settle();
    expect(h.openai.calls).toHaveLength(1);
    expect(h.igGraph.sends).toHaveLength(1);
  });
});

describe("an admin takes over and hands back (C10)", () => {
  it("Messenger: silent while manual, the admin's reply goes out, and after release the agent sees it as its own (assistant) turn", async () => {
    const psid = psidOf();
    const conversation = await answeredOnMessenger(psid, "m_C10_OUT_1", "m_C10_IN_1");
    await h.setMode(conversation.id, "manual");

    await h.postMessenger(customerSays(psid, "m_TEST_IN_0002", "I want a human"));
    await h.settle();
    expect(await h.byPlatformId(pageChannel, "m_TEST_IN_0002")).toHaveLength(1);
    expect(h.openai.calls).toHaveLength(0);
    expect(h.graph.sends).toHaveLength(0);

    h.graph.queueMessageIds("m_C10_ADMIN_1");
    const result = await h.manualReply(conversation.id, "Hi, Ana here. The premium plan is 25 EUR.");
    expect(result.status).toBe("queued");
    await h.settle();
    expect(h.graph.sends).toHaveLength(1);
    expect(h.graph.sends[0]!.body).toEqual({ recipient: { id: psid }, messaging_type: "RESPONSE", message: { text: "Hi, Ana here. The premium plan is 25 EUR." } });
    expect(h.graph.sends[0]!.token).toBe(PAGE_TOKEN);
    const adminRow = (await h.byPlatformId(pageChannel, "m_C10_ADMIN_1"))[0];
    expect(adminRow).toMatchObject({ author: "member", status: "sent", direction: "out" });
    // Its echo (our app) is ours: no second row.
    await h.postMessenger(pageEcho(psid, "m_C10_ADMIN_1", "Hi, Ana here. The premium plan is 25 EUR.", OUR_APP_ID));
    expect(await h.byPlatformId(pageChannel, "m_C10_ADMIN_1")).toHaveLength(1);
    expect(h.openai.calls).toHaveLength(0);

    await h.setMode(conversation.id, "ai");
    await h.postMessenger(customerSays(psid, "m_TEST_IN_0003", "OK, I'll take it"));
    await h.settle();
    expect(h.openai.calls).toHaveLength(1);
    expect(h.graph.sends).toHaveLength(2);
    expect(turnsOf(h.openai.calls[0]!.request)).toEqual([
      ["user", "What is the price of the basic plan?"],
      ["assistant", "Reply to: What is the price of the basic plan?"],
      ["user", "I want a human"],
      ["assistant", "Hi, Ana here. The premium plan is 25 EUR."],
      ["user", "OK, I'll take it"],
    ]);
  });

  it("Messenger: handing back answers what the customer wrote meanwhile, once, if the 24-hour window is open", async () => {
    const psid = psidOf();
    const conversation = await answeredOnMessenger(psid, "m_BACK_OUT_1", "m_BACK_IN_1");
    await h.setMode(conversation.id, "manual");
    await h.postMessenger(customerSays(psid, "m_BACK_IN_2", "hello? anyone?"));
    await h.settle();
    expect(h.openai.calls).toHaveLength(0);

    await h.setMode(conversation.id, "ai");
    await h.settle();
    expect(h.openai.calls).toHaveLength(1);
    expect(turnsOf(h.openai.calls[0]!.request).at(-1)).toEqual(["user", "hello? anyone?"]);
    expect(h.graph.sends.map((s) => s.to)).toEqual([psid]);
    // Handing back again with nothing new to answer asks nothing.
    await h.setMode(conversation.id, "manual");
    await h.setMode(conversation.id, "ai");
    await h.settle();
    expect(h.openai.calls).toHaveLength(1);
  });

  it("Messenger: handing back after the window closed sends nothing from the agent", async () => {
    const psid = psidOf();
    const conversation = await answeredOnMessenger(psid, "m_BACK_OUT_3", "m_BACK_IN_3");
    await h.setMode(conversation.id, "manual");
    await h.postMessenger(customerSays(psid, "m_BACK_IN_4", "still there?"));
    await h.settle();
    await h.setLastInboundAt(conversation.id, new Date(Date.now() - 25 * HOUR_MS));
    await h.setMode(conversation.id, "ai");
    await h.settle();
    expect(h.openai.calls).toHaveLength(0);
    expect(h.graph.sendRequests).toHaveLength(0);
    expect((await h.conversation(pageChannel, psid)).attentionCode).toBe("window_closed");
  });

  it("WhatsApp: the same takeover and release", async () => {
    const waId = waIdOf();
    await h.post(customerText("wamid.C10_IN_1", "hello", waId));
    await h.settle();
    const conversation = await h.conversation(h.channelId, waId);
    h.resetFakes();
    await h.setMode(conversation.id, "manual");
    await h.post(customerText("wamid.C10_IN_2", "human please", waId));
    await h.settle();
    expect(h.openai.calls).toHaveLength(0);
    expect(h.graph.sends).toHaveLength(0);

    expect((await h.manualReply(conversation.id, "Marta here, how can I help?")).status).toBe("queued");
    await h.settle();
    expect(h.graph.sends.map((s) => [s.to, s.text])).toEqual([[`+${waId}`, "Marta here, how can I help?"]]);

    await h.setMode(conversation.id, "ai");
    await h.post(customerText("wamid.C10_IN_3", "what time do you close?", waId));
    await h.settle();
    expect(h.openai.calls).toHaveLength(1);
    const turns = turnsOf(h.openai.calls[0]!.request);
    expect(turns).toContainEqual(["assistant", "Marta here, how can I help?"]);
    expect(turns.at(-1)).toEqual(["user", "what time do you close?"]);
  });

  it("a reply still being written when the admin takes over is thrown away", async () => {
    const psid = psidOf();
    h.openai.latencyMs = 1_500;
    await h.postMessenger(customerSays(psid, "m_SLOW_IN_1", "hi"));
    await eventually(() => expect(h.openai.inFlight).toBe(1));
    await h.setMode((await h.conversation(pageChannel, psid)).id, "manual");
    await h.settle();
    expect(h.openai.calls).toHaveLength(1);
    expect(h.graph.sends).toHaveLength(0);
    const thread = await h.thread((await h.conversation(pageChannel, psid)).id);
    expect(thread.filter((m) => m.direction === "out" && m.status !== "failed")).toEqual([]);
  });

  it("WhatsApp: a takeover while the read receipt is still on its way, after the model answered, sends nothing", async () => {
    const waId = waIdOf();
    // The model answers at once; Meta is slow to take the read receipt that went out alongside.
    h.graph.readDelayMs = 1_000;
    await h.post(customerText("wamid.C10_SLOW_READ_1", "are you open today?", waId));
    await eventually(() => expect(h.openai.calls).toHaveLength(1));
    await h.setMode((await h.conversation(h.channelId, waId)).id, "manual");
    await h.settle();
    expect(h.graph.sends).toHaveLength(0);
    const thread = await h.thread((await h.conversation(h.channelId, waId)).id);
    expect(thread.filter((m) => m.direction === "out" && m.status !== "failed")).toEqual([]);
  });

  it("a takeover while a long reply is going out part by part stops the parts not yet sent", async () => {
    const psid = psidOf();
    h.openai.reply = () => "ab😀".repeat(2_000); // 6000 characters: three Messenger parts
    let conversationId: string | undefined;
    const unsubscribe = h.graph.onSend(async (send) => {
      if (send.to !== psid || h.graph.sends.length !== 1) return;
      // The admin takes over right after the first part went out.
      conversationId = (await h.conversation(pageChannel, psid)).id;
      await h.setMode(conversationId, "manual");
    });
    await h.postMessenger(customerSays(psid, "m_PARTS_IN_1", "tell me everything"));
    await h.settle();
    unsubscribe();
    expect(conversationId).toBeDefined();
    expect(h.graph.sends).toHaveLength(1);
    const out = (await h.thread(conversationId!)).filter((m) => m.direction === "out");
    expect(out.filter((m) => m.status === "sent")).toHaveLength(1);
    expect(out.filter((m) => m.status === "queued")).toHaveLength(0);
  });

  it("a reply still being written when a person answers from the Page inbox is thrown away", async () => {
    const psid = psidOf();
    h.openai.latencyMs = 1_500;
    await h.postMessenger(customerSays(psid, "m_SLOW_IN_2", "hi"));
    await eventually(() => expect(h.openai.inFlight).toBe(1));
    await h.postMessenger(pageEcho(psid, "m_SLOW_HUMAN_2", "Ana here!", META_INBOX_APP_ID));
    await h.settle();
    expect(h.graph.sends).toHaveLength(0);
    expect((await h.conversation(pageChannel, psid)).mode).toBe("manual");
  });
});

describe("a person's reply and the messaging windows", () => {
  it("Messenger, 30 hours after the customer's last message: sent with the HUMAN_AGENT tag", async () => {
    const psid = psidOf();
    const conversation = await answeredOnMessenger(psid, "m_HA_OUT_1");
    await h.setLastInboundAt(conversation.id, new Date(Date.now() - 30 * HOUR_MS));
    h.graph.queueMessageIds("m_HA_ADMIN_1");
    expect((await h.manualReply(conversation.id, "Sorry for the late answer: yes, it is in stock.")).status).toBe("queued");
    await h.settle();
    expect(h.graph.sends).toHaveLength(1);
    expect(h.graph.sends[0]!.body).toEqual({
      recipient: { id: psid },
      messaging_type: "MESSAGE_TAG",
      tag: "HUMAN_AGENT",
      message: { text: "Sorry for the late answer: yes, it is in stock." },
    });
    expect((await h.byPlatformId(pageChannel, "m_HA_ADMIN_1"))[0]).toMatchObject({ author: "member", status: "sent" });
  });

  it("Messenger, 8 days after: refused, stored as failed with a clear reason, nothing sent", async () => {
    const psid = psidOf();
    const conversation = await answeredOnMessenger(psid, "m_HA_OUT_2");
    await h.setLastInboundAt(conversation.id, new Date(Date.now() - 8 * DAY_MS));
    const result = await h.manualReply(conversation.id, "Are you still interested?");
    expect(result.status).toBe("failed");
    expect(result.reason).toMatch(/192 hours ago/);
    await h.settle();
    expect(h.graph.sendRequests).toHaveLength(0);
    const failed = (await h.thread(conversation.id)).find((m) => m.author === "member");
    expect(failed).toMatchObject({ status: "failed", errorCode: "window_closed", text: "Are you still interested?", platformMessageId: null });
    expect(failed!.errorDetail).toBe(result.reason);
    // A message that reached nobody does not take the conversation over.
    expect((await h.conversation(pageChannel, psid)).mode).toBe("ai");
  });

  it("Instagram, 30 hours after: sent with the HUMAN_AGENT tag", async () => {
    const igsid = igsidOf();
    const conversation = await answeredOnInstagram(igsid, "ig_mid_HA_OUT_1");
    await h.setLastInboundAt(conversation.id, new Date(Date.now() - 30 * HOUR_MS));
    expect((await h.manualReply(conversation.id, "Still available, yes.")).status).toBe("queued");
    await h.settle();
    expect(h.igGraph.sends.map((s) => s.body)).toEqual([
      { recipient: { id: igsid }, messaging_type: "MESSAGE_TAG", tag: "HUMAN_AGENT", message: { text: "Still available, yes." } },
    ]);
  });

  it("WhatsApp, 30 hours after: refused (no human-agent extension), nothing sent", async () => {
    const waId = waIdOf();
    await h.post(customerText("wamid.HA_WA_IN", "hello", waId));
    await h.settle();
    const conversation = await h.conversation(h.channelId, waId);
    h.resetFakes();
    await h.setLastInboundAt(conversation.id, new Date(Date.now() - 30 * HOUR_MS));
    const result = await h.manualReply(conversation.id, "Hi again!");
    expect(result.status).toBe("failed");
    expect(result.reason).toMatch(/template/);
    await h.settle();
    expect(h.graph.sendRequests).toHaveLength(0);
    expect((await h.thread(conversation.id)).find((m) => m.author === "member")).toMatchObject({ status: "failed", errorCode: "window_closed" });
  });

  it("the agent never sends after 24 hours, on any platform", async () => {
    const old = Date.now() - 25 * HOUR_MS;
    const psid = psidOf();
    const igsid = igsidOf();
    const waId = waIdOf();
    await h.postMessenger(pageMessage({ pageId: PAGE_ID, psid, mid: "m_OLD_WIN_1", text: "hello?", timestamp: old }));
    await h.postInstagram(igMessage({ igId: IG_ID, igsid, mid: "ig_mid_OLD_WIN_1", text: "hello?", timestamp: old }));
    const wa = waEnvelope(PNID, {
      contacts: [{ profile: { name: "Late" }, wa_id: waId }],
      messages: [{ from: waId, id: "wamid.OLD_WIN_1", timestamp: String(Math.floor(old / 1000)), type: "text", text: { body: "hello?" } }],
    });
    expect((await postWebhook(h.url, "/webhooks/whatsapp", wa, APP_SECRET)).status).toBe(200);
    await h.settle();
    expect(h.openai.calls).toHaveLength(0);
    expect(h.graph.sendRequests).toHaveLength(0);
    expect(h.igGraph.sendRequests).toHaveLength(0);
    for (const conversation of [await h.conversation(pageChannel, psid), await h.conversation(igChannel, igsid), await h.conversation(h.channelId, waId)]) {
      expect(conversation.attentionCode).toBe("window_closed");
    }
  });
});
