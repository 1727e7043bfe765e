import { describe, expect, it } from "vitest";
import { SendError } from "../ports.js";
import type { ChannelUnsubscriber, SubscribedChannel } from "./ports.js";
import { unsubscribeChannels } from "./unsubscribe-channels.js";

const wa = (channelId: string, accountId: string, token = "TOKEN_1234"): SubscribedChannel => ({
  channelId, platform: "whatsapp", externalId: `pn-${channelId}`, accountId, credentials: { accessToken: token },
});

function recorder(fail?: (c: SubscribedChannel) => unknown) {
  const calls: string[] = [];
  const unsubscriber: ChannelUnsubscriber = {
    platform: "whatsapp",
    subscription: (c) => ({ objectId: c.accountId! }),
    async unsubscribe(c) {
      calls.push(c.accountId!);
      const error = fail?.(c);
      if (error) throw error;
    },
  };
  return { calls, unsubscribers: { whatsapp: unsubscriber } };
}
const nobodyElse = { liveChannelsOn: async () => [] };

describe("unsubscribeChannels", () => {
  it("calls Meta once per object and reports every channel", async () => {
    const r = recorder();
    const results = await unsubscribeChannels([wa("a", "W1"), wa("b", "W1"), wa("c", "W2")], { unsubscribers: r.unsubscribers, sharing: nobodyElse });
    expect(r.calls).toEqual(["W1", "W2"]);
    expect(results).toEqual([
      { channelId: "a", platform: "whatsapp", ok: true },
      { channelId: "b", platform: "whatsapp", ok: true },
      { channelId: "c", platform: "whatsapp", ok: true },
    ]);
  });

  it("keeps a subscription another connected channel still needs, asking about the others only", async () => {
    const r = recorder();
    const asked: string[][] = [];
    const sharing = { liveChannelsOn: async (_: string, excluding: string[]) => (asked.push(excluding), ["sibling"]) };
    const [result] = await unsubscribeChannels([wa("a", "W1")], { unsubscribers: r.unsubscribers, sharing });
    expect(r.calls).toEqual([]);
    expect(asked).toEqual([["a"]]);
    expect(result).toMatchObject({ ok: true, kept: "W1 still serves 1 other connected channel(s)" });
  });

  it("never throws: Meta's refusal, a crash and a platform without unsubscribe are reported, without the token", async () => {
    const r = recorder((c) => (c.channelId === "a" ? new SendError({ code: "200", title: "no permission for TOKEN_1234" }, false) : new Error("socket hang up")));
    const ig: SubscribedChannel = { channelId: "i", platform: "instagram", externalId: "9", accountId: null, credentials: { accessToken: "IGQ" } };
    const results = await unsubscribeChannels([wa("a", "W1"), wa("b", "W2"), ig], { unsubscribers: r.unsubscribers, sharing: nobodyElse });
    expect(results).toEqual([
      { channelId: "a", platform: "whatsapp", ok: false, error: "Meta answered 200: no permission for …" },
      { channelId: "b", platform: "whatsapp", ok: false, error: "socket hang up" },
      { channelId: "i", platform: "instagram", ok: false, error: "no unsubscribe for instagram" },
    ]);
  });
});
