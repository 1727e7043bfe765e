import { z } from "zod";
import { type ChannelConnector, CredentialsRefused } from "../../core/channels/ports.js";
import { checked, numericId, record, secret, text, webhookSecrets } from "../meta/connect-support.js";
import type { GraphClient } from "../meta/graph-client.js";
import { tokenUser } from "../meta/token-user.js";

export const whatsappConnectBody = z
  .object({
    phoneNumberId: numericId("phone number id from WhatsApp Manager"),
    wabaId: numericId("WhatsApp Business Account id"),
    accessToken: secret,
    ...webhookSecrets,
  })
  .strict();

export type WhatsAppConnect = z.infer<typeof whatsappConnectBody>;

/**
 * The number must answer to the token, belong to the WABA, and the app is subscribed to the
 * WABA's webhooks (meta-platform.md §1.5). A system-user token does not expire: no expiry stored.
 */
export function createWhatsAppConnector(facebook: GraphClient, appToken?: string): ChannelConnector<WhatsAppConnect> & { input: typeof whatsappConnectBody } {
  return {
    platform: "whatsapp",
    input: whatsappConnectBody,
    externalId: (input) => input.phoneNumberId,
    async connect(input) {
      const { phoneNumberId, wabaId, accessToken: token } = input;
      const secrets = [token, input.appSecret, input.verifyToken];
      const number = record(
        await checked(() => facebook.get(`/${phoneNumberId}`, { fields: "id,display_phone_number,verified_name" }, token), {
          what: `WhatsApp phone number ${phoneNumberId}`, idField: "phoneNumberId", tokenField: "accessToken", secrets,
        }),
      );
      if (String(number.id ?? "") !== phoneNumberId) throw new CredentialsRefused("phoneNumberId", `${phoneNumberId} is not a WhatsApp phone number id`);

      const wabaCheck = { what: `WhatsApp Business Account ${wabaId}`, idField: "wabaId", tokenField: "accessToken", secrets };
      const owned = record(await checked(() => facebook.get(`/${wabaId}/phone_numbers`, { fields: "id", limit: 100 }, token), wabaCheck));
      const ids = Array.isArray(owned.data) ? owned.data.map((n) => String(record(n).id)) : [];
      if (!ids.includes(phoneNumberId)) throw new CredentialsRefused("wabaId", `phone number ${phoneNumberId} is not in WhatsApp Business Account ${wabaId}`);

      await checked(() => facebook.post(`/${wabaId}/subscribed_apps`, {}, token), { ...wabaCheck, what: `subscribing the app to ${wabaCheck.what}` });
      return {
        externalId: phoneNumberId,
        accountId: wabaId,
        displayName: input.displayName ?? text(number.verified_name) ?? text(number.display_phone_number),
        credentials: { accessToken: token, appSecret: input.appSecret, verifyToken: input.verifyToken },
        connectedByMetaUserId: await tokenUser(facebook, token, appToken),
      };
    },
  };
}
