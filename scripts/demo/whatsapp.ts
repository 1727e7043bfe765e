// The WhatsApp part of the demo: a customer's questions, a burst, a photo, a reaction, a duplicate
// delivery and out-of-order statuses, played as signed WhatsApp Cloud API webhooks.
import { randomBytes } from "node:crypto";
import { addChannel } from "../../src/db/repositories/channel-repository.js";
import { getVerification, metaJson, postWebhook, waMessage, waStatus, waText, type WebhookPayload } from "../../test/fakes/index.js";
import { check, must, offLoopback, say, sleep, type Stage, step, yes } from "./harness.js";
import { loadSnapshot, phoneView, type Snapshot, statusTable } from "./report.js";
import { pendingCustomerText } from "./shop-assistant.js";

const PNID = "106540352242922"; // phone_number_id: what webhooks are routed by
const WABA = "102290129340398";
const DISPLAY_PHONE = "15550100200";
const APP_SECRET = randomBytes(16).toString("hex");
const VERIFY_TOKEN = `demo-verify-${randomBytes(4).toString("hex")}`;
const ACCESS_TOKEN = `EAAGdemo${randomBytes(24).toString("hex")}`;
const CUSTOMER = { waId: "15551234567", name: "Sam Carter" };
const wa = { waba: WABA, displayPhone: DISPLAY_PHONE };
const contacts = [{ profile: { name: CUSTOMER.name }, wa_id: CUSTOMER.waId }];

// The burst's messages arrive BURST_GAP_MS apart. The quiet period must be longer than the gap
// for the burst to get one reply (at 800 ms it gets three); 2000 ms is the product's default.
export const REPLY_QUIET_MS = 2000;
const BURST_GAP_MS = 1000;

const nowSeconds = (offset = 0) => String(Math.floor(Date.now() / 1000) + offset);
/** Unix seconds `offset` after the moment `ms`, never later than now (Meta does not date the future). */
const secondsAfter = (ms: number, offset: number) => String(Math.min(Math.floor(ms / 1000) + offset, Math.floor(Date.now() / 1000)));

export async function connectWhatsApp(stage: Stage): Promise<string> {
  const channel = await addChannel(stage.db, stage.cosbot.box, stage.portfolio.id, {
    platform: "whatsapp",
    externalId: PNID,
    accountId: WABA,
    displayName: `${stage.business} (+${DISPLAY_PHONE})`,
    credentials: { accessToken: ACCESS_TOKEN, appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN },
  });
  stage.cosbot.directory.invalidate();
  say(`  WhatsApp     number +${DISPLAY_PHONE} (phone_number_id ${PNID})`);
  return channel.id;
}

export async function playWhatsApp(stage: Stage, channelId: string): Promise<void> {
  const { url, graph, openai, db, settle } = stage;
  const AGENT = stage.agent;
  const BUSINESS = stage.business;
  const post = async (what: string, payload: WebhookPayload | string) => {
    const res = await postWebhook(url, "/webhooks/whatsapp", payload, APP_SECRET);
    must(`webhook accepted: ${what}`, res.status === 200, `HTTP ${res.status} ${await res.text()}`);
  };
  let inId = 0;
  const nextInId = () => `wamid.HBgLMTU1NTEyMzQ1NjcVAgASGBQzQUVCRDEMO${String(++inId).padStart(4, "0")}`;

  say("WhatsApp: playing the script (signed WhatsApp Cloud API webhooks, as Meta sends them):");

  // 1. Meta checks the callback URL.
  const challenge = String(1_000_000_000 + Math.floor(Math.random() * 1_000_000_000));
  const handshake = await getVerification(url, "/webhooks/whatsapp", VERIFY_TOKEN, challenge);
  const echoed = await handshake.text();
  must("GET verification handshake echoes the challenge", handshake.status === 200 && echoed === challenge, `HTTP ${handshake.status} "${echoed}"`);
  step(`Meta verifies the webhook URL: HTTP ${handshake.status}, challenge echoed`);

  // 1b. Someone who is not Meta tries to inject a message.
  const forgedId = nextInId();
  const forged = await postWebhook(url, "/webhooks/whatsapp", waText({ pnid: PNID, from: CUSTOMER.waId, id: forgedId, body: "free cake?", name: CUSTOMER.name, ...wa }), "not-the-app-secret");
  check("a webhook signed with the wrong secret is refused with 401", forged.status === 401, `HTTP ${forged.status}`);
  step(`a forged webhook (wrong signature) is refused: HTTP ${forged.status}`);

  // 2. The first question.
  const firstId = nextInId();
  const firstQuestion = metaJson(waText({ pnid: PNID, from: CUSTOMER.waId, id: firstId, body: "Are you open on Sunday?", name: CUSTOMER.name, timestamp: nowSeconds(), ...wa }));
  await post("first question", firstQuestion);
  step(`${CUSTOMER.name}: "Are you open on Sunday?"`);
  await settle();
  must("the first question gets one reply", graph.sends.length === 1, `${graph.sends.length} sends`);
  const firstReply = graph.sends[0]!;
  step(`${AGENT} replied (Graph API send, ${firstReply.messageId})`);

  // 3. A burst: three messages a second apart, answered once.
  const burst = [
    "Also, do you deliver?",
    "I'd need 2 sourdough loaves and a dozen cinnamon rolls",
    "to Elm Street 14, tomorrow morning if possible",
  ];
  const burstIds: string[] = [];
  const burstStart = Date.now();
  for (const [i, body] of burst.entries()) {
    await sleep(burstStart + i * BURST_GAP_MS - Date.now()); // on a fixed beat, however slow a POST was
    const id = nextInId();
    burstIds.push(id);
    await post(`burst message ${i + 1}`, waText({ pnid: PNID, from: CUSTOMER.waId, id, body, name: CUSTOMER.name, timestamp: nowSeconds(), ...wa }));
    step(`${CUSTOMER.name}: "${body}"`);
  }
  await settle();
  must("the burst of three messages gets exactly one reply", graph.sends.length === 2, `${graph.sends.length - 1} replies to the burst`);
  const burstReply = graph.sends[1]!;
  step(`${AGENT} replied once to the burst (${burstReply.messageId})`);

  // 4. A photo with a caption.
  const imageId = nextInId();
  const caption = "Could you make a cake like this one for Saturday?";
  await post("image with caption", waMessage(PNID, {
    from: CUSTOMER.waId, id: imageId, timestamp: nowSeconds(), type: "image",
    image: { caption, mime_type: "image/jpeg", sha256: randomBytes(32).toString("base64"), id: "1203948576612345" },
  }, contacts, wa));
  step(`${CUSTOMER.name} sends a photo: "${caption}"`);
  await settle();
  must("the photo gets one reply", graph.sends.length === 3, `${graph.sends.length} sends in total`);
  const imageReply = graph.sends[2]!;
  step(`${AGENT} replied (${imageReply.messageId})`);

  // 5. A reaction to the first reply: stored, never answered.
  const reactionId = nextInId();
  await post("reaction", waMessage(PNID, {
    from: CUSTOMER.waId, id: reactionId, timestamp: nowSeconds(), type: "reaction",
    reaction: { message_id: firstReply.messageId, emoji: "👍" },
  }, contacts, wa));
  step(`${CUSTOMER.name} reacts 👍 to ${AGENT}'s first reply`);
  await settle();

  // 6. Meta delivers the first question again (it does, after timeouts and at random).
  const modelCallsBefore = openai.calls.length;
  const sendsBefore = graph.messageSends.length;
  await post("duplicate delivery", firstQuestion);
  step(`Meta delivers the first question a second time (same wamid, same bytes)`);
  await settle();
  const duplicateIgnored = openai.calls.length === modelCallsBefore && graph.messageSends.length === sendsBefore;

  // 7. Delivery statuses: the first reply's arrive out of order, the last reply fails.
  const status = (what: string, id: string, s: "sent" | "delivered" | "read" | "failed", timestamp: string, extra: Partial<Parameters<typeof waStatus>[0]> = {}) =>
    post(what, waStatus({ pnid: PNID, id, status: s, recipient: CUSTOMER.waId, timestamp, ...wa, ...extra }));
  const pricing = { billable: false, pricing_model: "PMP", category: "service", type: "free_customer_service" };
  await status("read, first reply", firstReply.messageId, "read", secondsAfter(firstReply.at, 3));
  await status("delivered, first reply", firstReply.messageId, "delivered", secondsAfter(firstReply.at, 1), { pricing });
  await status("sent, first reply", firstReply.messageId, "sent", secondsAfter(firstReply.at, 0), { pricing });
  step(`statuses for reply 1 arrive out of order: read, then delivered, then sent`);
  await status("delivered, burst reply", burstReply.messageId, "delivered", secondsAfter(burstReply.at, 1), { pricing });
  await status("read, burst reply", burstReply.messageId, "read", secondsAfter(burstReply.at, 2));
  step(`statuses for reply 2: delivered, read`);
  const failedTitle = "Re-engagement message";
  const failedDetail = "Message failed to send because more than 24 hours have passed since the customer last replied to this number.";
  await status("failed, photo reply", imageReply.messageId, "failed", nowSeconds(), {
    errors: [{
      code: 131047, title: failedTitle, message: failedTitle, error_data: { details: failedDetail },
      href: "https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/",
    }],
  });
  step(`status for reply 3: failed, error 131047 (played as Meta would send it for a window that closed; here it is a scripted failure)`);
  await settle();

  // ---- read back and print ----
  const snap = await loadSnapshot(db, stage.portfolio.id, channelId);
  say();
  const view = phoneView(snap, { business: BUSINESS, agent: AGENT, app: "WhatsApp", customerRef: `+${snap.customer.platformUserId}` });
  for (const line of view) say(`  ${line}`.trimEnd());
  say();
  say("Stored status of each outbound message:");
  for (const line of statusTable(snap)) say(`  ${line}`);
  for (const [i, m] of snap.messages.filter((x) => x.direction === "out").entries()) {
    if (m.status === "failed") say(`  reply ${i + 1} failed with ${m.errorCode ?? "?"} (${m.errorTitle ?? "no title"}): ${m.errorDetail ?? "no detail"}`);
  }
  say();
  const c = snap.conversation;
  say(`Conversation: mode ${c.mode}, unread ${c.unreadCount}, attention ${c.attentionCode ? `${c.attentionCode} (${c.attentionReason})` : "none"}`);

  verify(snap, { stage, firstId, burstIds, imageId, reactionId, forgedId, firstReply: firstReply.messageId, burstReply: burstReply.messageId, imageReply: imageReply.messageId, failedTitle, failedDetail, duplicateIgnored });
}

interface Expect {
  stage: Stage;
  firstId: string;
  burstIds: string[];
  imageId: string;
  reactionId: string;
  forgedId: string;
  firstReply: string;
  burstReply: string;
  imageReply: string;
  failedTitle: string;
  failedDetail: string;
  duplicateIgnored: boolean;
}

function verify(s: Snapshot, e: Expect): void {
  const { graph, openai, cosbot } = e.stage;
  const inbound = s.messages.filter((m) => m.direction === "in");
  const outbound = s.messages.filter((m) => m.direction === "out");
  const byWamid = (id: string) => s.messages.filter((m) => m.platformMessageId === id);
  const one = (id: string) => byWamid(id)[0];
  const duplicateCount = cosbot.counters.get("webhook_duplicate", { platform: "whatsapp", by: "cache" })
    + cosbot.counters.get("webhook_duplicate", { platform: "whatsapp", by: "database" });

  check("6 customer messages stored (question, 3 burst, photo, reaction)", inbound.length === 6, `${inbound.length} stored`);
  check("3 replies stored", outbound.length === 3, `${outbound.length} stored`);
  check("3 model calls", openai.calls.length === 3, `${openai.calls.length} calls`);
  check("exactly 3 messages sent through the Graph API", graph.messageSends.length === 3 && graph.sends.length === 3, `${graph.messageSends.length} sends`);
  check("each customer turn marked read once", graph.markReads.length === 3, `${graph.markReads.length} mark-reads`);
  check("stored replies are exactly what was sent, in order", outbound.map((m) => `${m.platformMessageId} ${m.text}`).join("\n") === graph.sends.map((x) => `${x.messageId} ${x.text}`).join("\n"));
  check("the forged webhook stored nothing", byWamid(e.forgedId).length === 0);
  check("duplicate delivery: the first question is stored once", byWamid(e.firstId).length === 1, `${byWamid(e.firstId).length} rows`);
  check("duplicate delivery: not answered again", e.duplicateIgnored);
  check("duplicate delivery: counted as a duplicate", duplicateCount === 1, `webhook_duplicate = ${duplicateCount}`);
  const lastOfBurst = one(e.burstIds.at(-1)!);
  const burstAnswer = one(e.burstReply);
  check("burst: one reply, written for the last message of the burst", !!lastOfBurst && burstAnswer?.answersMessageId === lastOfBurst.id);
  const burstPrompt = pendingCustomerText(openai.calls[1]!.request);
  check("burst: the model saw all three messages in one turn", ["deliver?", "sourdough", "Elm Street"].every((w) => burstPrompt.includes(w)), JSON.stringify(burstPrompt));
  const photo = one(e.imageId);
  check("photo stored as an image with its caption", photo?.kind === "image" && photo.text === "Could you make a cake like this one for Saturday?", `${photo?.kind} "${photo?.text}"`);
  const reaction = one(e.reactionId);
  const first = one(e.firstReply);
  check("reaction stored, pointing at the first reply", reaction?.kind === "reaction" && reaction.replyToPlatformId === e.firstReply);
  check("first reply carries the 👍 reaction", first?.reaction === "👍", `reaction ${JSON.stringify(first?.reaction)}`);
  check("first reply: statuses out of order end at read, never backwards", first?.status === "read", first?.status);
  check("first reply: sent, delivered and read times stored", !!(first?.sentAt && first.deliveredAt && first.readAt));
  const second = one(e.burstReply);
  check("second reply: delivered then read", second?.status === "read" && !!second.deliveredAt && !!second.readAt, second?.status);
  const third = one(e.imageReply);
  check("third reply: failed with 131047 and its reason", third?.status === "failed" && third.errorCode === "131047" && third.errorTitle === e.failedTitle && third.errorDetail === e.failedDetail && !!third.failedAt,
    `${third?.status} ${third?.errorCode} ${third?.errorTitle}`);
  check("conversation flagged for attention: window_closed", s.conversation.attentionCode === "window_closed", String(s.conversation.attentionCode));
  check("conversation still in AI mode", s.conversation.mode === "ai", s.conversation.mode);
  check("all work items done, none dead", s.workItems.length > 0 && s.workItems.every((w) => w.state === "done"), s.workItems.map((w) => w.state).join(","));
  check("nothing tried to leave 127.0.0.1", offLoopback.length === 0, offLoopback.join(", "));

  say(
    `Checks: messages stored: ${s.messages.length} (${inbound.length} in, ${outbound.length} out) | model calls: ${openai.calls.length}` +
      ` | Graph sends: ${graph.messageSends.length} | burst answered once: ${yes(burstAnswer?.answersMessageId === lastOfBurst?.id && graph.sends.length === 3)}` +
      ` | duplicate delivery ignored: ${yes(e.duplicateIgnored && byWamid(e.firstId).length === 1)}` +
      ` | statuses stored: ${yes(first?.status === "read" && second?.status === "read")} | 131047 stored: ${yes(third?.errorCode === "131047")}`,
  );
}

