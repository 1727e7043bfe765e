// One Messenger or Instagram conversation: the agent answers a question, a person then answers in
// Meta's own inbox (an echo from another app), which hands the thread to people, so the customer's
// next message is kept but not answered. The echo of the agent's own reply changes nothing.
import { and, eq } from "drizzle-orm";
import { workItems } from "../../src/db/schema/index.js";
import { getVerification, postWebhook, type SendRecord, type WebhookPayload } from "../../test/fakes/index.js";
import { check, must, say, type Stage, step, yes } from "./harness.js";
import { type Dm, META_INBOX_APP_ID, OUR_APP_ID } from "./meta-channels.js";
import { loadSnapshot, phoneView, type Snapshot } from "./report.js";
import { pendingCustomerText } from "./shop-assistant.js";

/** What is left to confirm once the quiet period after the customer's last message has passed. */
export interface Unanswered {
  dm: Dm;
  conversationId: string;
  followUpMid: string;
  /** Wall-clock ms when the follow-up was accepted. */
  at: number;
}

export async function playDm(stage: Stage, dm: Dm): Promise<Unanswered> {
  const { url, settle, agent } = stage;
  const name = (text: string) => `${dm.app}: ${text}`;
  const sendsToCustomer = () => dm.fake.sends.filter((s) => s.to === dm.customer.id);
  const snapshot = () => loadSnapshot(stage.db, stage.portfolio.id, dm.channelId);
  const echoes = (outcome: "ours" | "person") => stage.cosbot.counters.get("webhook_echo", { platform: dm.platform, outcome });
  const post = async (what: string, payload: WebhookPayload) => {
    const res = await postWebhook(url, `/webhooks/${dm.platform}`, payload, dm.appSecret);
    must(name(`webhook accepted: ${what}`), res.status === 200, `HTTP ${res.status} ${await res.text()}`);
  };

  say();
  say(`${dm.app}: playing the script (signed ${dm.app} webhooks, as Meta sends them):`);

  // 1. Meta checks the callback URL.
  const challenge = String(1_000_000_000 + Math.floor(Math.random() * 1_000_000_000));
  const handshake = await getVerification(url, `/webhooks/${dm.platform}`, dm.verifyToken, challenge);
  const echoed = await handshake.text();
  must(name("GET verification handshake echoes the challenge"), handshake.status === 200 && echoed === challenge, `HTTP ${handshake.status} "${echoed}"`);
  step(`Meta verifies the webhook URL: HTTP ${handshake.status}, challenge echoed`);

  // 2. The customer asks; the agent answers.
  dm.fake.setProfile(dm.customer.id, dm.customer.profile);
  dm.fake.queueMessageIds(dm.outMid());
  await post("customer question", dm.message(dm.mid(), dm.lines.question));
  step(`${dm.customer.name}: "${dm.lines.question}"`);
  await settle();
  const sent = sendsToCustomer();
  must(name("the question gets one reply"), sent.length === 1, `${sent.length} sends`);
  const reply = sent[0]!;
  step(`${agent} replied (Send API on the ${dm.host} stand-in, ${reply.messageId})`);
  checkSend(stage, dm, reply);

  // 3. Meta echoes the agent's reply back: it is ours, nothing changes.
  const before = await snapshot();
  await post("echo of our own reply", dm.message(reply.messageId, reply.text ?? "", OUR_APP_ID));
  step(`Meta echoes ${agent}'s reply back (app_id ${OUR_APP_ID}: our app)`);
  await settle();
  const afterOwn = await snapshot();
  check(name("the echo of our own reply is recognised as ours and changes nothing"),
    echoes("ours") === 1 && afterOwn.messages.length === before.messages.length && afterOwn.conversation.mode === "ai",
    `ours ${echoes("ours")}, ${before.messages.length} → ${afterOwn.messages.length} messages, mode ${afterOwn.conversation.mode}`);

  // 4. A person answers in Meta's inbox: another app's echo. People have the thread now.
  const personMid = dm.mid();
  await post("echo of a person's reply", dm.message(personMid, dm.lines.person, META_INBOX_APP_ID));
  step(`${dm.person.name} answers in ${dm.person.inbox} (echo with app_id ${META_INBOX_APP_ID})`);
  await settle();
  const afterPerson = await snapshot();
  const team = afterPerson.messages.find((m) => m.platformMessageId === personMid);
  check(name("the person's reply is stored as the team's"),
    team?.direction === "out" && team.author === "business_app" && team.text === dm.lines.person && echoes("person") === 1, `${team?.author} ${team?.direction}`);
  check(name("a person answering switches the conversation to manual"), afterPerson.conversation.mode === "manual", afterPerson.conversation.mode);
  step(afterPerson.conversation.mode === "manual" ? `the conversation is now manual: ${agent} stays out of it` : `the conversation is STILL in ${afterPerson.conversation.mode} mode`);

  // 5. The customer writes again: kept, not answered.
  const followUpMid = dm.mid();
  await post("customer follow-up", dm.message(followUpMid, dm.lines.followUp));
  const at = Date.now();
  step(`${dm.customer.name}: "${dm.lines.followUp}"`);
  const conversationId = afterPerson.conversation.id;
  const replyWork = await stage.db.select().from(workItems)
    .where(and(eq(workItems.kind, "reply"), eq(workItems.subjectId, conversationId), eq(workItems.state, "pending")));
  check(name("the follow-up schedules no reply"), replyWork.length === 0, `${replyWork.length} pending replies`);
  await settle();

  const snap = await snapshot();
  printThread(stage, dm, snap, personMid, followUpMid);
  verify(stage, dm, snap, reply, personMid, followUpMid);
  return { dm, conversationId, followUpMid, at };
}

/** Endpoint, token and messaging type of the agent's send (meta-platform.md §4.2, §5.3). */
function checkSend(stage: Stage, dm: Dm, reply: SendRecord): void {
  const name = (text: string) => `${dm.app}: ${text}`;
  const version = stage.config.GRAPH_API_VERSION;
  const path = `/${reply.version}/${reply.accountId}/messages`;
  check(name(`reply sent to POST /${version}/${dm.businessId}/messages on the ${dm.host} stand-in`),
    reply.version === version && reply.accountId === dm.businessId, path);
  check(name("reply authorised with the channel's token"), reply.token === dm.token);
  check(name("reply sent with messaging_type RESPONSE to the customer"),
    reply.body.messaging_type === "RESPONSE" && reply.to === dm.customer.id, `${String(reply.body.messaging_type)} to ${reply.to}`);
  const actions = dm.fake.senderActions.filter((a) => a.to === dm.customer.id).map((a) => a.action);
  check(name("the question was marked seen and a typing indicator shown"), actions.join(",") === "mark_seen,typing_on", actions.join(","));
}

function printThread(stage: Stage, dm: Dm, snap: Snapshot, personMid: string, followUpMid: string): void {
  const notes = new Map([
    [personMid, `written by ${dm.person.name} in ${dm.person.inbox}, not by ${stage.agent}`],
    [followUpMid, "kept, not answered: a person has the conversation"],
  ]);
  say();
  for (const line of phoneView(snap, { business: stage.business, agent: stage.agent, app: dm.app, customerRef: dm.customer.ref, notes })) say(`  ${line}`.trimEnd());
  say();
  say(`Conversation: mode ${snap.conversation.mode}, unread ${snap.conversation.unreadCount}`);
}

function verify(stage: Stage, dm: Dm, s: Snapshot, reply: SendRecord, personMid: string, followUpMid: string): void {
  const name = (text: string) => `${dm.app}: ${text}`;
  const inbound = s.messages.filter((m) => m.direction === "in");
  const outbound = s.messages.filter((m) => m.direction === "out");
  const ai = outbound.filter((m) => m.author === "ai");
  const followUp = s.messages.find((m) => m.platformMessageId === followUpMid);
  check(name("2 customer messages and 2 business messages stored (the agent's and the person's)"),
    inbound.length === 2 && outbound.length === 2, `${inbound.length} in, ${outbound.length} out`);
  check(name("the stored reply is exactly what was sent"), ai.length === 1 && ai[0]!.platformMessageId === reply.messageId && ai[0]!.text === reply.text);
  check(name("the follow-up is stored as the customer's message"), followUp?.direction === "in" && followUp.text === dm.lines.followUp);
  check(name("the customer's name came from the profile API"), s.customer.profileName === dm.customer.name, String(s.customer.profileName));
  const work = s.workItems.filter((w) => w.subjectId === s.conversation.id || w.subjectId === s.customer.id);
  check(name("the conversation's work items are done, none dead"), work.length > 0 && work.every((w) => w.state === "done"), work.map((w) => w.state).join(","));
  say(
    `Checks: messages stored: ${s.messages.length} (${inbound.length} in, ${outbound.length} out) | answered by ${stage.agent}: ${ai.length}` +
      ` | endpoint, token, RESPONSE: ${yes(reply.accountId === dm.businessId && reply.token === dm.token && reply.body.messaging_type === "RESPONSE")}` +
      ` | person took over: ${yes(s.messages.some((m) => m.platformMessageId === personMid) && s.conversation.mode === "manual")}` +
      ` | own echo ignored: ${yes(stage.cosbot.counters.get("webhook_echo", { platform: dm.platform, outcome: "ours" }) === 1)}`,
  );
}

/** After the quiet period a reply would have gone out by now: none did. */
export async function confirmUnanswered(stage: Stage, u: Unanswered): Promise<boolean> {
  const { dm } = u;
  const seenByModel = stage.openai.calls.some((c) => pendingCustomerText(c.request).includes(dm.lines.followUp));
  const sentAfter = dm.fake.sends.filter((s) => s.to === dm.customer.id && s.at >= u.at).length;
  const replies = await stage.db.select().from(workItems).where(and(eq(workItems.kind, "reply"), eq(workItems.subjectId, u.conversationId)));
  return check(`${dm.app}: the follow-up was not answered (no reply scheduled, no model call saw it, nothing sent after it)`,
    !seenByModel && sentAfter === 0 && replies.length === 1, `model saw it: ${seenByModel}, sends after: ${sentAfter}, reply work items: ${replies.length}`);
}

/** Wall-clock ms at which every follow-up has been quiet for longer than the reply delay. */
export const quietUntil = (pending: Unanswered[], quietMs: number) => Math.max(...pending.map((p) => p.at)) + quietMs + 500;
