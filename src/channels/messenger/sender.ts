import { SendError, type ChannelSender, type CustomerProfile, type OutboundTarget } from "../../core/ports.js";
import type { GraphClient } from "../meta/graph-client.js";

const HOUR_MS = 3_600_000;

/** Messenger Send API (meta-platform.md §4.2-4.3): text with optional quote, sender actions, profile. */
export function createMessengerSender(graph: GraphClient): ChannelSender {
  const messagesPath = (target: OutboundTarget) => `/${encodeURIComponent(target.channelExternalId)}/messages`;
  const senderAction = (target: OutboundTarget, action: string) =>
    graph.post(
      messagesPath(target),
      { recipient: { id: target.recipientPlatformUserId }, sender_action: action },
      target.credentials.accessToken,
    );

  return {
    platform: "messenger",
    textLimit: { max: 2000, unit: "chars" },
    // HUMAN_AGENT lets a person (never the AI) answer up to 7 days after the customer's last message.
    window: { aiMs: 24 * HOUR_MS, humanMs: 7 * 24 * HOUR_MS },

    async sendText(target, text, options) {
      const body: Record<string, unknown> = { recipient: { id: target.recipientPlatformUserId } };
      if (options?.humanAgent) {
        body.messaging_type = "MESSAGE_TAG";
        body.tag = "HUMAN_AGENT";
      } else {
        body.messaging_type = "RESPONSE";
      }
      body.message = { text };
      if (options?.replyToPlatformId) body.reply_to = { mid: options.replyToPlatformId };

      const answer = await graph.post(messagesPath(target), body, target.credentials.accessToken);
      const id = stringField(answer, "message_id");
      // A 2xx without an id leaves us unable to match echoes and watermarks; treat it as a hiccup.
      if (!id) throw new SendError({ code: "bad_response", title: "Messenger accepted the send but returned no message_id" }, true);
      return { platformMessageId: id };
    },

    async markReadAndTyping(target) {
      try {
        await senderAction(target, "mark_seen");
      } catch {
        // Messenger's current docs list only typing_on; a refused mark_seen must not cost the typing indicator.
      }
      await senderAction(target, "typing_on");
    },

    async fetchProfile(target) {
      let answer: unknown;
      try {
        answer = await graph.get(
          `/${encodeURIComponent(target.recipientPlatformUserId)}`,
          { fields: "first_name,last_name,name" },
          target.credentials.accessToken,
        );
      } catch (error) {
        // A dead token concerns the whole channel; anything else (2018218 "No profile available",
        // missing permission, a hiccup) only means this customer has no name for now.
        if (error instanceof SendError && error.tokenInvalid) throw error;
        return undefined;
      }
      return profileOf(answer);
    },
  };
}

/** `{}` when profile access is not allowed: no name, no profile. */
function profileOf(answer: unknown): CustomerProfile | undefined {
  const name = stringField(answer, "name") ?? [stringField(answer, "first_name"), stringField(answer, "last_name")].filter(Boolean).join(" ");
  return name ? { name } : undefined;
}

function stringField(value: unknown, key: string): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === "string" && field.trim() !== "" ? field.trim() : undefined;
}
