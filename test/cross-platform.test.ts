// One portfolio, three platforms: each conversation is answered on its own platform only.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { igMessage, pageMessage } from "./fakes/index.js";
import { PNID } from "./support/cosbot-under-test.js";
import { customerText } from "./support/payloads.js";
import { type ChannelHarness, startChannelsCosbot, turnsOf } from "./support/channels.js";

const PAGE_ID = "PAGE_X_1";
const PAGE_TOKEN = "EAAG_PAGE_X";
const IG_ID = "IGBIZ_X_1";
const IG_TOKEN = "IGQ_X";

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

describe("the same person on several platforms", () => {
  it("writing on WhatsApp and on Instagram at once gets two customers, two conversations, and one answer on each platform", async () => {
    const waId = "15551238888";
    const igsid = "IGSID_SAME_PERSON";
    h.openai.reply = (req) => `Answer to: ${turnsOf(req).at(-1)![1]}`;
    const [wa, ig] = await Promise.all([
      h.post(customerText("wamid.SAME_1", "Do you have the red one? (WhatsApp)", waId, "Sam")),
      h.postInstagram(igMessage({ igId: IG_ID, igsid, mid: "ig_mid_SAME_1", text: "Do you have the red one? (Instagram)" })),
    ]);
    expect([wa.status, ig.status]).toEqual([200, 200]);
    await h.settle();

    const waConversation = await h.conversation(h.channelId, waId);
    const igConversation = await h.conversation(igChannel, igsid);
    expect(waConversation.id).not.toBe(igConversation.id);
    expect(waConversation.customerId).not.toBe(igConversation.customerId);

    expect(h.graph.sends).toEqual([expect.objectContaining({ channel: "whatsapp", phoneNumberId: PNID, to: `+${waId}`, text: "Answer to: Do you have the red one? (WhatsApp)" })]);
    expect(h.igGraph.sends).toEqual([expect.objectContaining({ pageId: IG_ID, to: igsid, token: IG_TOKEN, text: "Answer to: Do you have the red one? (Instagram)" })]);

    // Each model request holds only its own conversation.
    expect(h.openai.calls).toHaveLength(2);
    for (const call of h.openai.calls) {
      const text = JSON.stringify(turnsOf(call.request));
      expect(text.includes("(WhatsApp)") !== text.includes("(Instagram)")).toBe(true);
    }
    expect((await h.thread(waConversation.id)).map((m) => [m.direction, m.channelId])).toEqual([["in", h.channelId], ["out", h.channelId]]);
    expect((await h.thread(igConversation.id)).map((m) => [m.direction, m.channelId])).toEqual([["in", igChannel], ["out", igChannel]]);
  });

  it("the same message id on Messenger and on Instagram are two different messages, both answered on their own platform", async () => {
    const mid = "m_SHARED_ID_1";
    await h.postMessenger(pageMessage({ pageId: PAGE_ID, psid: "PSID_SHARED", mid, text: "hi from Messenger" }));
    await h.postInstagram(igMessage({ igId: IG_ID, igsid: "IGSID_SHARED", mid, text: "hi from Instagram" }));
    await h.settle();
    expect(await h.byPlatformId(pageChannel, mid)).toHaveLength(1);
    expect(await h.byPlatformId(igChannel, mid)).toHaveLength(1);
    expect(h.graph.sends.map((s) => [s.pageId, s.to, s.token])).toEqual([[PAGE_ID, "PSID_SHARED", PAGE_TOKEN]]);
    expect(h.igGraph.sends.map((s) => [s.pageId, s.to, s.token])).toEqual([[IG_ID, "IGSID_SHARED", IG_TOKEN]]);
  });

  it("a takeover on one platform leaves the person's conversation on the other platform with the agent", async () => {
    const waId = "15551238889";
    const igsid = "IGSID_SAME_PERSON_2";
    await h.post(customerText("wamid.SPLIT_1", "hello", waId));
    await h.postInstagram(igMessage({ igId: IG_ID, igsid, mid: "ig_mid_SPLIT_1", text: "hello" }));
    await h.settle();
    await h.setMode((await h.conversation(igChannel, igsid)).id, "manual");
    h.resetFakes();

    await h.post(customerText("wamid.SPLIT_2", "still there?", waId));
    await h.postInstagram(igMessage({ igId: IG_ID, igsid, mid: "ig_mid_SPLIT_2", text: "still there?" }));
    await h.settle();
    expect(h.openai.calls).toHaveLength(1);
    expect(h.graph.sends.map((s) => s.to)).toEqual([`+${waId}`]);
    expect(h.igGraph.sends).toHaveLength(0);
  });
});
