import { z } from "zod";
import { type ChannelConnector, CredentialsRefused } from "../../core/channels/ports.js";
import { checked, numericId, record, secret, text, webhookSecrets } from "../meta/connect-support.js";
import type { GraphClient } from "../meta/graph-client.js";
import { tokenUser } from "../meta/token-user.js";

export const messengerConnectBody = z.object({ pageId: numericId("Facebook Page id"), pageToken: secret, ...webhookSecrets }).strict();

export type MessengerConnect = z.infer<typeof messengerConnectBody>;

/** The events Cosbot handles for a Page (meta-platform.md §1.5). */
export const PAGE_FIELDS = "messages,message_echoes,message_deliveries,message_reads,messaging_postbacks,message_reactions";

/**
 * The Page must answer to its token, and the app is subscribed to the Page's messaging webhooks
 * (which only a Page token may do). Page tokens from a system user do not expire.
 */
export function createMessengerConnector(facebook: GraphClient, appToken?: string): ChannelConnector<MessengerConnect> & { input: typeof messengerConnectBody } {
  return {
    platform: "messenger",
    input: messengerConnectBody,
    externalId: (input) => input.pageId,
    async connect(input) {
      const { pageId, pageToken: token } = input;
      const check = { what: `Facebook Page ${pageId}`, idField: "pageId", tokenField: "pageToken", secrets: [token, input.appSecret, input.verifyToken] };
      const page = record(await checked(() => facebook.get(`/${pageId}`, { fields: "id,name" }, token), check));
      if (String(page.id ?? "") !== pageId) throw new CredentialsRefused("pageId", `${pageId} is not a Facebook Page id`);
      await checked(() => facebook.post(`/${pageId}/subscribed_apps`, { subscribed_fields: PAGE_FIELDS }, token), {
        ...check, what: `subscribing the app to ${check.what}`,
      });
      return {
        externalId: pageId,
        displayName: input.displayName ?? text(page.name),
        credentials: { accessToken: token, appSecret: input.appSecret, verifyToken: input.verifyToken },
        connectedByMetaUserId: await tokenUser(facebook, token, appToken),
      };
    },
  };
}
