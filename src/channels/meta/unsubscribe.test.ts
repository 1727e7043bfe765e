// The three platforms' unsubscribers against the fake Graph API: which object each call removes,
// with which token, and what they say when Meta offers no call (Instagram Login).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { FakeGraphApi } from "../../../test/fakes/graph-api.js";
import { metaError } from "../../../test/fakes/graph-accounts.js";
import type { SubscribedChannel } from "../../core/channels/ports.js";
import { SendError } from "../../core/ports.js";
import { createInstagramUnsubscriber } from "../instagram/unsubscribe.js";
import { createMessengerUnsubscriber } from "../messenger/unsubscribe.js";
import { createWhatsAppUnsubscriber } from "../whatsapp/unsubscribe.js";
import { createGraphClient } from "./graph-client.js";

const fake = new FakeGraphApi();
let facebook: ReturnType<typeof createGraphClient>;

beforeAll(async () => {
  const { url } = await fake.start();
  facebook = createGraphClient({ baseUrl: url, version: "v24.0", timeoutMs: 1000 });
});
afterAll(() => fake.stop());
beforeEach(() => fake.reset());

const channel = (c: Partial<SubscribedChannel> & Pick<SubscribedChannel, "platform">): SubscribedChannel => ({
  channelId: "c1", externalId: "111", accountId: null, credentials: { accessToken: "EAAG_TOKEN" }, ...c,
});

describe("channel unsubscribers", () => {
  it("WhatsApp removes the WABA's subscription with the channel's token", async () => {
    fake.accounts.addWhatsAppNumber({ id: "111", wabaId: "222", token: "EAAG_TOKEN" });
    const wa = createWhatsAppUnsubscriber(facebook);
    const c = channel({ platform: "whatsapp", accountId: "222" });
    expect(wa.subscription(c)).toEqual({ objectId: "222" });
    await wa.unsubscribe(c);
    expect(fake.requests.map((r) => `${r.method} ${r.path} ${r.headers.authorization}`)).toEqual(["DELETE /v24.0/222/subscribed_apps Bearer EAAG_TOKEN"]);
    expect(fake.accounts.unsubscriptions.map((u) => u.objectId)).toEqual(["222"]);
    expect(wa.subscription(channel({ platform: "whatsapp" }))).toEqual({ unsupported: expect.stringContaining("WhatsApp Business Account") });
  });

  it("Messenger removes the Page's subscription, and a refusal is thrown as Meta's error", async () => {
    fake.accounts.addPage({ id: "333", token: "EAAP_TOKEN" });
    const fb = createMessengerUnsubscriber(facebook);
    const c = channel({ platform: "messenger", externalId: "333", credentials: { accessToken: "EAAP_TOKEN" } });
    expect(fb.subscription(c)).toEqual({ objectId: "333" });
    await fb.unsubscribe(c);
    expect(fake.accounts.unsubscriptions.map((u) => u.objectId)).toEqual(["333"]);
    fake.accounts.refusedUnsubscribes.set("333", metaError(200, "(#200) Permissions error"));
    await expect(fb.unsubscribe(c)).rejects.toBeInstanceOf(SendError);
  });

  it("Instagram through Facebook Login removes the linked Page's; Instagram Login says there is no call for it", async () => {
    fake.accounts.addPage({ id: "444", token: "EAAP_IG", instagramAccountId: "555" });
    const ig = createInstagramUnsubscriber(facebook);
    const viaPage = channel({ platform: "instagram", externalId: "555", accountId: "444", credentials: { accessToken: "EAAP_IG", instagramLogin: "facebook", pageId: "444" } });
    expect(ig.subscription(viaPage)).toEqual({ objectId: "444" });
    await ig.unsubscribe(viaPage);
    expect(fake.accounts.unsubscriptions.map((u) => u.objectId)).toEqual(["444"]);
    const viaInstagram = channel({ platform: "instagram", externalId: "555", credentials: { accessToken: "IGQ", instagramLogin: "instagram" } });
    expect(ig.subscription(viaInstagram)).toEqual({ unsupported: expect.stringContaining("Instagram Login") });
  });
});
