import { SendError, type ChannelSender, type OutboundTarget } from "../../core/ports.js";
import type { GraphClient } from "../meta/graph-client.js";

/** WhatsApp Cloud API sends (meta-platform.md §3): text with optional quote, read receipt + typing. */
export function createWhatsAppSender(graph: GraphClient): ChannelSender {
  const messagesPath = (target: OutboundTarget) => `/${encodeURIComponent(target.channelExternalId)}/messages`;

  return {
    platform: "whatsapp",
    textLimit: { max: 4096, unit: "chars" },
    // WhatsApp has no human-agent extension: outside 24 hours only templates may go.
    window: { aiMs: 24 * 3_600_000, humanMs: 24 * 3_600_000, afterwards: "an approved message template" },

    async sendText(target, text, options) {
      const body: Record<string, unknown> = {
        messaging_product: "whatsapp",
        recipient_type: "individual",
        ...recipientField(target.recipientPlatformUserId),
        type: "text",
        text: { body: text, preview_url: false },
      };
      if (options?.replyToPlatformId) body.context = { message_id: options.replyToPlatformId };

      const answer = await graph.post(messagesPath(target), body, target.credentials.accessToken);
      const id = firstMessageId(answer);
      // A 2xx without an id leaves us unable to track delivery; treat it as a hiccup, not a send.
      if (!id) throw new SendError({ code: "bad_response", title: "WhatsApp accepted the send but returned no message id" }, true);
      return { platformMessageId: id };
    },

    async markReadAndTyping(target, inboundPlatformMessageId) {
      await graph.post(
        messagesPath(target),
        {
          messaging_product: "whatsapp",
          status: "read",
          message_id: inboundPlatformMessageId,
          typing_indicator: { type: "text" },
        },
        target.credentials.accessToken,
      );
    },
  };
}

/**
 * wa_ids are digits without "+"; without the "+" Meta would prefix the business number's country
 * code. Anything else is a business-scoped user id (BSUID), which goes in `recipient` with no `to`
 * (Meta's business-scoped-user-ids page: "set recipient to the BSUID, omit to").
 */
function recipientField(platformUserId: string): { to: string } | { recipient: string } {
  return /^\d+$/.test(platformUserId) ? { to: `+${platformUserId}` } : { recipient: platformUserId };
}

function firstMessageId(answer: unknown): string | undefined {
  if (typeof answer !== "object" || answer === null) return undefined;
  const messages = (answer as { messages?: unknown }).messages;
  if (!Array.isArray(messages)) return undefined;
  const first: unknown = messages[0];
  if (typeof first !== "object" || first === null) return undefined;
  const id = (first as { id?: unknown }).id;
  return typeof id === "string" && id !== "" ? id : undefined;
}
