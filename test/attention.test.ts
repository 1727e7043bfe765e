// The needs-attention flag: raised when the agent could not answer, settled when a person answers
// or hands the conversation back to the AI, kept in view while someone has merely taken over.
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { listConversations } from "../src/db/repositories/conversation-repository.js";
import { openAIErrors } from "./fakes/index.js";
import { type ChannelHarness, startChannelsCosbot } from "./support/channels.js";
import { customerText } from "./support/payloads.js";

let h: ChannelHarness;
beforeAll(async () => {
  h = await startChannelsCosbot({ env: { WORK_MAX_ATTEMPTS: "2" } });
});
afterAll(async () => h?.close());
beforeEach(() => h.resetFakes());

let n = 0;
const newCustomer = () => `1555777${String(++n).padStart(4, "0")}`;

async function flaggedConversation(): Promise<string> {
  const from = newCustomer();
  h.openai.failNext(2, openAIErrors.server());
  await h.post(customerText(`wamid.ATTN_${n}`, "hello?", from));
  await h.settle();
  const conversation = await h.conversation(h.channelId, from);
  expect(conversation.attentionCode).toBe("reply_failed");
  return conversation.id;
}

const attentionOf = async (conversationId: string) => (await h.conversations()).find((c) => c.id === conversationId)?.attentionCode;

it("stays while a person has only taken over, and goes once they answered", async () => {
  const conversationId = await flaggedConversation();
  await h.setMode(conversationId, "manual");
  expect(await attentionOf(conversationId)).toBe("reply_failed");
  await h.manualReply(conversationId, "Sorry, a person here: how can I help?");
  await h.settle();
  expect(await attentionOf(conversationId)).toBeNull();
});

it("goes when the conversation is handed back to the AI", async () => {
  const conversationId = await flaggedConversation();
  await h.setMode(conversationId, "ai");
  await h.settle();
  expect(await attentionOf(conversationId)).toBeNull();
});

it("previews the customer's words in the list, not the failed reply that has none", async () => {
  const conversationId = await flaggedConversation();
  const listed = (await listConversations(h.cosbot.database.db, h.portfolioId, { limit: 100 })).find((c) => c.id === conversationId);
  expect(listed?.lastMessageText).toBe("hello?");
});
