import { SendError, type ChannelSender, type CustomerProfile, type OutboundTarget } from "../../core/ports.js";
import type { GraphClient } from "../meta/graph-client.js";

const HOUR_MS = 3_600_000;

export interface InstagramGraphClients {
  /** graph.facebook.com: accounts connected through Facebook Login, which send as their Page. */
  facebook: GraphClient;
  /** graph.instagram.com: accounts connected through Instagram Login (no Page needed). */
  instagram: GraphClient;
}

interface Route {
  graph: GraphClient;
  /** Who sends: the IG account (Instagram Login) or the Page linked to it (Facebook Login). */
  senderId: string;
  token: string;
}

/**
 * Instagram sends (meta-platform.md §5.1, §5.3-5.4). The two logins use the same bodies but a
 * different host, sender id and token, so every call first picks its route.
 */
export function createInstagramSender(clients: InstagramGraphClients): ChannelSender {
  const route = (target: OutboundTarget): Route => {
    const { credentials } = target;
    if (credentials.instagramLogin === "facebook") {
      const pageId = credentials.pageId?.trim();
      if (!pageId) {
        throw new SendError({ code: "channel_misconfigured", title: "Instagram channel on Facebook Login has no Page id" }, false);
      }
      return { graph: clients.facebook, senderId: pageId, token: credentials.accessToken };
    }
    return { graph: clients.instagram, senderId: target.channelExternalId, token: credentials.accessToken };
  };

  const post = (target: OutboundTarget, body: Record<string, unknown>) => {
    const { graph, senderId, token } = route(target);
    return graph.post(`/${encodeURIComponent(senderId)}/messages`, { recipient: { id: target.recipientPlatformUserId }, ...body }, token);
  };

  return {
    platform: "instagram",
    // Instagram counts UTF-8 bytes: an emoji costs 4 of the 1000.
    textLimit: { max: 1000, unit: "bytes" },
    // HUMAN_AGENT lets a person (never the AI) answer up to 7 days after the customer's last message.
    window: { aiMs: 24 * HOUR_MS, humanMs: 7 * 24 * HOUR_MS },

    // replyToPlatformId is not sent: Instagram's Send API documents no quote/reply field.
    async sendText(target, text, options) {
      const tagging = options?.humanAgent ? { messaging_type: "MESSAGE_TAG", tag: "HUMAN_AGENT" } : { messaging_type: "RESPONSE" };
      const answer = await post(target, { ...tagging, message: { text } });
      const id = stringField(answer, "message_id");
      // A 2xx without an id leaves us unable to match echoes and reads; treat it as a hiccup.
      if (!id) throw new SendError({ code: "bad_response", title: "Instagram accepted the send but returned no message_id" }, true);
      return { platformMessageId: id };
    },

    async markReadAndTyping(target) {
      try {
        await post(target, { sender_action: "mark_seen" });
      } catch {
        // A refused mark_seen must not cost the typing indicator; a dead token fails typing_on too.
      }
      await post(target, { sender_action: "typing_on" });
    },

    async fetchProfile(target) {
      let answer: unknown;
      try {
        const { graph, token } = route(target);
        answer = await graph.get(`/${encodeURIComponent(target.recipientPlatformUserId)}`, { fields: "name,username" }, token);
      } catch (error) {
        // A dead token concerns the whole channel; anything else ("User consent is required",
        // a blocked business, a hiccup) only means this customer has no name for now.
        if (error instanceof SendError && error.tokenInvalid) throw error;
        return undefined;
      }
      return profileOf(answer);
    },
  };
}

/** `name` may be null; `username` is the @handle. Nothing usable (e.g. `{}`) means no profile. */
function profileOf(answer: unknown): CustomerProfile | undefined {
  const profile: CustomerProfile = {};
  const name = stringField(answer, "name");
  const username = stringField(answer, "username");
  if (name) profile.name = name;
  if (username) profile.username = username;
  return name || username ? profile : undefined;
}

function stringField(value: unknown, key: string): string | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const field = (value as Record<string, unknown>)[key];
  return typeof field === "string" && field.trim() !== "" ? field.trim() : undefined;
}
