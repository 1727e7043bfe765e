import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waMessage } from "./fakes/index.js";
import { type Harness, PNID, startCosbot } from "./support/cosbot-under-test.js";
import { customerText, nowSeconds } from "./support/payloads.js";

let h: Harness;
beforeAll(async () => {
  h = await startCosbot();
});
afterAll(async () => h?.close());

const reaction = (id: string, target: string, emoji?: string) =>
  waMessage(PNID, { from: "15551230001", id, timestamp: nowSeconds(), type: "reaction", reaction: emoji === undefined ? { message_id: target } : { message_id: target, emoji } });

describe("WhatsApp reactions (C15)", () => {
  it("are stored against the message they react to, cleared on removal, and never start the agent", async () => {
    h.graph.queueMessageIds("wamid.TEST_OUT_0001");
    await h.post(customerText("wamid.R_IN_1", "Do you have croissants?"));
    await h.settle();
    h.openai.reset();
    h.graph.reset();

    expect((await h.post(reaction("wamid.TEST_IN_0040", "wamid.TEST_OUT_0001", "👍"))).status).toBe(200);
    await h.settle();
    const target = async () => (await h.messages()).find((m) => m.platformMessageId === "wamid.TEST_OUT_0001")!;
    expect((await target()).reaction).toBe("👍");
    expect((await h.messages()).find((m) => m.platformMessageId === "wamid.TEST_IN_0040")).toMatchObject({ kind: "reaction", replyToPlatformId: "wamid.TEST_OUT_0001" });

    await h.post(reaction("wamid.TEST_IN_0041", "wamid.TEST_OUT_0001", ""));
    expect((await target()).reaction).toBeNull();
    await h.post(reaction("wamid.TEST_IN_0042", "wamid.TEST_OUT_0001", "❤️"));
    await h.post(reaction("wamid.TEST_IN_0043", "wamid.TEST_OUT_0001"));
    await h.settle();
    expect((await target()).reaction).toBeNull();
    expect(h.openai.calls).toHaveLength(0);
    expect(h.graph.sends).toHaveLength(0);
  });

  it("to an unknown message is kept without an error", async () => {
    expect((await h.post(reaction("wamid.R_UNKNOWN", "wamid.NOT_HERE", "😮"))).status).toBe(200);
    expect((await h.messages()).some((m) => m.platformMessageId === "wamid.R_UNKNOWN")).toBe(true);
  });
});
