import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeGraphApi, graphError } from "../../../test/fakes/graph-api.js";
import { SendError, type ChannelSender, type OutboundTarget } from "../../core/ports.js";
import { createGraphClient } from "../meta/graph-client.js";
import { createMessengerSender } from "./sender.js";

const fake = new FakeGraphApi();
let sender: ChannelSender;

beforeAll(async () => {
  const { url } = await fake.start();
  sender = createMessengerSender(createGraphClient({ baseUrl: url, version: "v24.0", timeoutMs: 2000 }));
});
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

const target: OutboundTarget = { channelExternalId: "PAGE_TEST_1", credentials: { accessToken: "PAGE_TOKEN" }, recipientPlatformUserId: "PSID_TEST_1" };

describe("createMessengerSender: limits", () => {
  it("declares Messenger's 2000-character limit and the 24 h / 7 day windows", () => {
    expect(sender.platform).toBe("messenger");
    expect(sender.textLimit).toEqual({ max: 2000, unit: "chars" });
    expect(sender.window).toEqual({ aiMs: 24 * 3_600_000, humanMs: 7 * 24 * 3_600_000 });
  });
});

describe("createMessengerSender: sendText", () => {
  it("sends a RESPONSE to the PSID through the Page with the Page token", async () => {
    fake.queueMessageIds("m_TEST_OUT_0001");
    const result = await sender.sendText(target, "The basic plan costs 10 EUR 😀");
    expect(result).toEqual({ platformMessageId: "m_TEST_OUT_0001" });
    expect(fake.sends).toHaveLength(1);
    expect(fake.sends[0]).toMatchObject({ channel: "messenger", version: "v24.0", pageId: "PAGE_TEST_1", to: "PSID_TEST_1", token: "PAGE_TOKEN" });
    expect(fake.sends[0]?.body).toEqual({ recipient: { id: "PSID_TEST_1" }, messaging_type: "RESPONSE", message: { text: "The basic plan costs 10 EUR 😀" } });
    expect(fake.requests[0]?.path).toBe("/v24.0/PAGE_TEST_1/messages");
  });

  it("tags a person's late reply HUMAN_AGENT and quotes with a top-level reply_to", async () => {
    await sender.sendText(target, "Sorry for the wait", { humanAgent: true, replyToPlatformId: "m_IN_7" });
    expect(fake.sends[0]?.body).toEqual({
      recipient: { id: "PSID_TEST_1" },
      messaging_type: "MESSAGE_TAG",
      tag: "HUMAN_AGENT",
      message: { text: "Sorry for the wait" },
      reply_to: { mid: "m_IN_7" },
    });
  });

  it("throws a retryable SendError when the answer has no message_id", async () => {
    fake.failNext(1, { status: 200, body: { recipient_id: "PSID_TEST_1" } });
    const error = (await sender.sendText(target, "Hi").catch((e: unknown) => e)) as SendError;
    expect(error).toBeInstanceOf(SendError);
    expect(error.retryable).toBe(true);
  });

  it("passes Graph errors through classified: window closed, token expired", async () => {
    fake.failNext(1, { status: 400, body: { error: { message: "(#10) This message is sent outside of allowed window.", code: 10, error_subcode: 2018278 } } });
    const closed = (await sender.sendText(target, "late").catch((e: unknown) => e)) as SendError;
    expect(closed.error).toMatchObject({ code: "10", category: "window_closed" });
    expect(closed.retryable).toBe(false);

    fake.invalidTokens.add("PAGE_TOKEN");
    const expired = (await sender.sendText(target, "x").catch((e: unknown) => e)) as SendError;
    expect(expired.tokenInvalid).toBe(true);
  });
});

describe("createMessengerSender: markReadAndTyping", () => {
  it("sends mark_seen then typing_on as bodiless sender actions", async () => {
    await sender.markReadAndTyping(target, "m_IN_1");
    expect(fake.senderActions.map((a) => [a.accountId, a.to, a.action, a.token])).toEqual([
      ["PAGE_TEST_1", "PSID_TEST_1", "mark_seen", "PAGE_TOKEN"],
      ["PAGE_TEST_1", "PSID_TEST_1", "typing_on", "PAGE_TOKEN"],
    ]);
    for (const request of fake.requests) expect(request.body).not.toHaveProperty("message");
    expect(fake.sends).toHaveLength(0);
  });

  it("still sends typing_on when Meta refuses mark_seen", async () => {
    fake.refuseSenderAction("mark_seen", graphError(100, "(#100) Invalid sender_action"));
    await sender.markReadAndTyping(target, "m_IN_1");
    expect(fake.senderActions.map((a) => a.action)).toEqual(["typing_on"]);
    expect(fake.requests.map((r) => (r.body as { sender_action?: string }).sender_action)).toEqual(["mark_seen", "typing_on"]);
  });
});

describe("createMessengerSender: fetchProfile", () => {
  it("asks for the names with the Page token and prefers `name`", async () => {
    fake.setProfile("PSID_TEST_1", { first_name: "Jane", last_name: "Doe", name: "Jane Q. Doe", id: "PSID_TEST_1" });
    expect(await sender.fetchProfile?.(target)).toEqual({ name: "Jane Q. Doe" });
    const request = fake.requests[0];
    expect(request?.method).toBe("GET");
    expect(request?.path).toBe("/v24.0/PSID_TEST_1");
    expect(request?.query.fields).toBe("first_name,last_name,name");
    expect(request?.headers.authorization).toBe("Bearer PAGE_TOKEN");
  });

  it("joins first and last name when `name` is missing", async () => {
    fake.setProfile("PSID_TEST_1", { first_name: "Jane", last_name: "Doe" });
    expect(await sender.fetchProfile?.(target)).toEqual({ name: "Jane Doe" });
    fake.setProfile("PSID_TEST_1", { first_name: "Jane" });
    expect(await sender.fetchProfile?.(target)).toEqual({ name: "Jane" });
  });

  it("returns undefined for an empty profile and for 2018218 No profile available", async () => {
    expect(await sender.fetchProfile?.(target)).toBeUndefined();
    fake.setProfile("PSID_TEST_1", graphError(2018218, "No profile available for this user.").body, 400);
    expect(await sender.fetchProfile?.(target)).toBeUndefined();
    fake.setProfile("PSID_TEST_1", { error: { message: "boom", code: 1 } }, 500);
    expect(await sender.fetchProfile?.(target)).toBeUndefined();
  });

  it("throws the token error so the caller can flag the channel", async () => {
    fake.invalidTokens.add("PAGE_TOKEN");
    const error = (await sender.fetchProfile?.(target).catch((e: unknown) => e)) as SendError;
    expect(error).toBeInstanceOf(SendError);
    expect(error.tokenInvalid).toBe(true);
  });
});
