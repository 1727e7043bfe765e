import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeGraphApi, graphError, graphErrors } from "../../../test/fakes/graph-api.js";
import { SendError, type ChannelCredentials, type OutboundTarget } from "../../core/ports.js";
import { createGraphClient } from "../meta/graph-client.js";
import { createInstagramSender } from "./sender.js";

// Two fakes stand for the two hosts, so a test sees which one a call went to.
const facebookHost = new FakeGraphApi();
const instagramHost = new FakeGraphApi();
let sender: ReturnType<typeof createInstagramSender>;

beforeAll(async () => {
  const [fb, ig] = await Promise.all([facebookHost.start(), instagramHost.start()]);
  sender = createInstagramSender({
    facebook: createGraphClient({ baseUrl: fb.url, version: "v24.0", timeoutMs: 1000 }),
    instagram: createGraphClient({ baseUrl: ig.url, version: "v25.0", timeoutMs: 1000 }),
  });
});

afterAll(async () => {
  await Promise.all([facebookHost.stop(), instagramHost.stop()]);
});

beforeEach(() => {
  facebookHost.reset();
  instagramHost.reset();
});

const IG_ID = "IGBIZ_TEST_1";
const IGSID = "IGSID_TEST_1";

const target = (credentials: Partial<ChannelCredentials> = {}): OutboundTarget => ({
  channelExternalId: IG_ID,
  credentials: { accessToken: "IGQ_TOKEN", ...credentials },
  recipientPlatformUserId: IGSID,
});
const pageTarget = () => target({ instagramLogin: "facebook", pageId: "PAGE_TEST_1", accessToken: "PAGE_TOKEN" });

describe("createInstagramSender", () => {
  it("declares Instagram's 1000-byte limit and the 24 h / 7 day windows", () => {
    expect(sender.platform).toBe("instagram");
    expect(sender.textLimit).toEqual({ max: 1000, unit: "bytes" });
    expect(sender.window).toEqual({ aiMs: 24 * 3_600_000, humanMs: 7 * 24 * 3_600_000 });
  });

  it("sends through graph.instagram.com as the IG account by default (Instagram Login)", async () => {
    instagramHost.queueMessageIds("aWdf_OUT_1");
    const result = await sender.sendText(target(), "We open at 10 😀", { replyToPlatformId: "aWdf_IN_1" });
    expect(result).toEqual({ platformMessageId: "aWdf_OUT_1" });
    expect(facebookHost.requests).toEqual([]);
    const [send] = instagramHost.sends;
    expect(send).toMatchObject({ version: "v25.0", accountId: IG_ID, to: IGSID, token: "IGQ_TOKEN", text: "We open at 10 😀" });
    expect(send?.body).toEqual({ recipient: { id: IGSID }, messaging_type: "RESPONSE", message: { text: "We open at 10 😀" } });
  });

  it("sends through graph.facebook.com as the Page with the Page token (Facebook Login)", async () => {
    await sender.sendText(pageTarget(), "Hello");
    expect(instagramHost.requests).toEqual([]);
    expect(facebookHost.sends[0]).toMatchObject({ version: "v24.0", accountId: "PAGE_TEST_1", to: IGSID, token: "PAGE_TOKEN" });
  });

  it("refuses a Facebook Login channel without a Page id, permanently", async () => {
    const error = (await sender.sendText(target({ instagramLogin: "facebook" }), "Hi").catch((e: unknown) => e)) as SendError;
    expect(error).toBeInstanceOf(SendError);
    expect(error.retryable).toBe(false);
    expect(facebookHost.requests).toEqual([]);
  });

  it("tags a person's late reply with HUMAN_AGENT", async () => {
    await sender.sendText(target(), "Sorry for the wait", { humanAgent: true });
    expect(instagramHost.sends[0]?.body).toMatchObject({ messaging_type: "MESSAGE_TAG", tag: "HUMAN_AGENT" });
  });

  it("throws a retryable SendError when the answer has no message_id", async () => {
    instagramHost.failNext(1, { status: 200, body: { recipient_id: IGSID } });
    const error = (await sender.sendText(target(), "Hi").catch((e: unknown) => e)) as SendError;
    expect(error).toBeInstanceOf(SendError);
    expect(error.retryable).toBe(true);
  });

  it("reports an expired token as tokenInvalid (C22)", async () => {
    instagramHost.failNext(1, graphErrors.tokenExpired());
    const error = (await sender.sendText(target(), "Hi").catch((e: unknown) => e)) as SendError;
    expect(error.tokenInvalid).toBe(true);
    expect(error.retryable).toBe(false);
    expect(error.error.category).toBe("token_invalid");
  });

  it("marks seen, then shows typing", async () => {
    await sender.markReadAndTyping(target(), "aWdf_IN_1");
    expect(instagramHost.senderActions.map((a) => [a.accountId, a.to, a.action, a.token])).toEqual([
      [IG_ID, IGSID, "mark_seen", "IGQ_TOKEN"],
      [IG_ID, IGSID, "typing_on", "IGQ_TOKEN"],
    ]);
  });

  it("still shows typing when mark_seen is refused", async () => {
    instagramHost.refuseSenderAction("mark_seen", graphError(100, "(#100) Invalid sender_action"));
    await sender.markReadAndTyping(target(), "aWdf_IN_1");
    expect(instagramHost.senderActions.map((a) => a.action)).toEqual(["typing_on"]);
    expect(instagramHost.requests).toHaveLength(2);
  });

  it("fetches name and username from the matching host", async () => {
    instagramHost.setProfile(IGSID, { name: "Test Customer", username: "test.customer", id: IGSID });
    expect(await sender.fetchProfile?.(target())).toEqual({ name: "Test Customer", username: "test.customer" });
    const request = instagramHost.requests.at(-1);
    expect(request?.path).toBe(`/v25.0/${IGSID}`);
    expect(request?.query.fields).toBe("name,username");

    facebookHost.setProfile(IGSID, { name: null, username: "page.side" });
    expect(await sender.fetchProfile?.(pageTarget())).toEqual({ username: "page.side" });
    expect(facebookHost.requests.at(-1)?.headers.authorization).toBe("Bearer PAGE_TOKEN");
  });

  it("has no profile for {} or a consent error, and rethrows 190", async () => {
    expect(await sender.fetchProfile?.(target())).toBeUndefined();
    instagramHost.setProfile(IGSID, graphError(230, "(#230) User consent is required to access user profile").body, 400);
    expect(await sender.fetchProfile?.(target())).toBeUndefined();
    instagramHost.invalidTokens.add("IGQ_TOKEN");
    const error = (await sender.fetchProfile?.(target()).catch((e: unknown) => e)) as SendError;
    expect(error).toBeInstanceOf(SendError);
    expect(error.tokenInvalid).toBe(true);
  });
});
