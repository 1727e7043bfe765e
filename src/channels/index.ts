import type { z } from "zod";
import type { Platform } from "../core/events.js";
import type { ChannelSender, TokenRefresher } from "../core/ports.js";
import type { WebhookParser } from "../http/routes/webhooks.js";
import type { ChannelConnector, ChannelUnsubscriber } from "../core/channels/ports.js";
import { createInstagramConnector } from "./instagram/connect.js";
import { InstagramEnvelopeError, parseInstagramWebhook } from "./instagram/parse-webhook.js";
import { createInstagramSender } from "./instagram/sender.js";
import { createInstagramTokenRefresher } from "./instagram/tokens.js";
import { createInstagramUnsubscriber } from "./instagram/unsubscribe.js";
import { createGraphClient } from "./meta/graph-client.js";
import { appAccessToken } from "./meta/token-user.js";
import { createMessengerConnector } from "./messenger/connect.js";
import { MessengerEnvelopeError, parseMessengerWebhook } from "./messenger/parse-webhook.js";
import { createMessengerSender } from "./messenger/sender.js";
import { createMessengerUnsubscriber } from "./messenger/unsubscribe.js";
import { createWhatsAppConnector } from "./whatsapp/connect.js";
import { parseWhatsAppWebhook, WebhookEnvelopeError } from "./whatsapp/parse-webhook.js";
import { createWhatsAppSender } from "./whatsapp/sender.js";
import { createWhatsAppUnsubscriber } from "./whatsapp/unsubscribe.js";

export interface ChannelAdapters {
  parsers: Partial<Record<Platform, WebhookParser>>;
  senders: Partial<Record<Platform, ChannelSender>>;
  tokenRefreshers: Partial<Record<Platform, TokenRefresher>>;
  /** Connecting a channel: credentials checked with Meta, app subscribed; `input` is the body's zod schema. */
  connectors: Partial<Record<Platform, ChannelConnector & { input: z.ZodType }>>;
  /** Removing the app's webhook subscription when a channel is disconnected or its portfolio deleted. */
  unsubscribers: Partial<Record<Platform, ChannelUnsubscriber>>;
}

export interface GraphSettings {
  baseUrl: string;
  version: string;
  timeoutMs: number;
}

/** The platforms Cosbot speaks, each behind the same parse, send and token ports. */
export function channelAdapters(graph: { facebook: GraphSettings; instagram: GraphSettings }, meta: { appSecret?: string; appId?: string } = {}): ChannelAdapters {
  const facebook = createGraphClient(graph.facebook);
  const instagram = createGraphClient(graph.instagram);
  return {
    parsers: {
      whatsapp: { parse: parseWhatsAppWebhook, isEnvelopeError: (e) => e instanceof WebhookEnvelopeError },
      messenger: { parse: parseMessengerWebhook, isEnvelopeError: (e) => e instanceof MessengerEnvelopeError },
      instagram: { parse: parseInstagramWebhook, isEnvelopeError: (e) => e instanceof InstagramEnvelopeError },
    },
    senders: {
      whatsapp: createWhatsAppSender(facebook),
      messenger: createMessengerSender(facebook),
      instagram: createInstagramSender({ facebook, instagram }),
    },
    tokenRefreshers: { instagram: createInstagramTokenRefresher(instagram) },
    connectors: {
      whatsapp: createWhatsAppConnector(facebook, appAccessToken(meta)),
      messenger: createMessengerConnector(facebook, appAccessToken(meta)),
      // The server's app secret exchanges Instagram tokens for channels that bring none of their own.
      instagram: createInstagramConnector({ facebook, instagram }, { appSecret: meta.appSecret, appToken: appAccessToken(meta) }),
    },
    unsubscribers: {
      whatsapp: createWhatsAppUnsubscriber(facebook),
      messenger: createMessengerUnsubscriber(facebook),
      instagram: createInstagramUnsubscriber(facebook),
    },
  };
}
