import type { ChannelUnsubscriber } from "../../core/channels/ports.js";
import type { GraphClient } from "../meta/graph-client.js";

/** The Page's subscription (connect.ts), removed with the Page token. */
export function createMessengerUnsubscriber(facebook: GraphClient): ChannelUnsubscriber {
  return {
    platform: "messenger",
    subscription: (channel) => ({ objectId: channel.externalId }),
    async unsubscribe(channel) {
      await facebook.delete(`/${channel.externalId}/subscribed_apps`, channel.credentials.accessToken);
    },
  };
}
