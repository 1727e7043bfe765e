import type { ChannelUnsubscriber } from "../../core/channels/ports.js";
import type { GraphClient } from "../meta/graph-client.js";

/** The app is subscribed per WhatsApp Business Account (connect.ts), so it is removed per WABA. */
export function createWhatsAppUnsubscriber(facebook: GraphClient): ChannelUnsubscriber {
  return {
    platform: "whatsapp",
    subscription: (channel) => (channel.accountId ? { objectId: channel.accountId } : { unsupported: "the channel has no WhatsApp Business Account id stored" }),
    async unsubscribe(channel) {
      await facebook.delete(`/${channel.accountId}/subscribed_apps`, channel.credentials.accessToken);
    },
  };
}
