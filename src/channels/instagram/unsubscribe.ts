import type { ChannelUnsubscriber } from "../../core/channels/ports.js";
import type { GraphClient } from "../meta/graph-client.js";

/**
 * Facebook Login: the linked Page's subscription is removed with the Page token. Instagram Login
 * documents only subscribing (`POST /me/subscribed_apps`), so there is nothing to call; its
 * webhooks then find no channel and are acknowledged and dropped.
 */
export function createInstagramUnsubscriber(facebook: GraphClient): ChannelUnsubscriber {
  const pageOf = (c: { credentials: { pageId?: string }; accountId: string | null }) => c.credentials.pageId ?? c.accountId ?? undefined;
  return {
    platform: "instagram",
    subscription(channel) {
      if (channel.credentials.instagramLogin !== "facebook") {
        return { unsupported: "the Graph API offers no call to unsubscribe an Instagram Login account; remove the app under the account's Instagram settings" };
      }
      const pageId = pageOf(channel);
      return pageId ? { objectId: pageId } : { unsupported: "the channel has no Facebook Page id stored" };
    },
    async unsubscribe(channel) {
      await facebook.delete(`/${pageOf(channel)}/subscribed_apps`, channel.credentials.accessToken);
    },
  };
}
