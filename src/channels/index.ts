import type { Platform } from "../core/events.js";
import type { ChannelSender } from "../core/ports.js";
import type { WebhookParser } from "../http/routes/webhooks.js";
import { createGraphClient } from "./meta/graph-client.js";
import { parseWhatsAppWebhook, WebhookEnvelopeError } from "./whatsapp/parse-webhook.js";
import { createWhatsAppSender } from "./whatsapp/sender.js";

export interface ChannelAdapters {
  parsers: Partial<Record<Platform, WebhookParser>>;
  senders: Partial<Record<Platform, ChannelSender>>;
}

export interface GraphSettings {
  baseUrl: string;
  version: string;
  timeoutMs: number;
}

/** The platforms Cosbot speaks, each behind the same parse and send ports. */
export function channelAdapters(graph: GraphSettings): ChannelAdapters {
  const client = createGraphClient(graph);
  const isEnvelopeError = (error: unknown) => error instanceof WebhookEnvelopeError;
  return {
    parsers: { whatsapp: { parse: parseWhatsAppWebhook, isEnvelopeError } },
    senders: { whatsapp: createWhatsAppSender(client) },
  };
}
