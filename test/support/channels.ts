// Messenger and Instagram channels for the integration tests: a harness whose Instagram Login host
// is its own loopback fake, channel seeding, and webhook posting to /webhooks/messenger|instagram.
import { randomUUID } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import type { ChannelCredentials } from "../../src/core/ports.js";
import { channels, conversations, customers, messages } from "../../src/db/schema/index.js";
import { sendManualReply } from "../../src/core/conversations/send-manual-reply.js";
import { setConversationMode } from "../../src/core/conversations/set-mode.js";
import { FakeGraphApi, postWebhook, type PostWebhookOptions } from "../fakes/index.js";
import { APP_SECRET, type Harness, type HarnessOptions, startCosbot } from "./cosbot-under-test.js";

/** Our Meta app id (numeric, as Meta's are): echoes that carry it are our own sends. */
export const OUR_APP_ID = "1517776481860111";
/** The Page Inbox / Business Suite app: a person answering from Meta's own apps. */
export const META_INBOX_APP_ID = "263902037430900";
export const INSTAGRAM_APP_SECRET = "instagram_app_secret_test";

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export type MessageRow = typeof messages.$inferSelect;
export type ConversationRow = typeof conversations.$inferSelect;
export type ChannelRow = typeof channels.$inferSelect;

export interface ChannelHarness extends Harness {
  /** graph.instagram.com: Instagram Login sends, profiles and token refreshes. `graph` stays graph.facebook.com. */
  igGraph: FakeGraphApi;
  seedMessenger(input: { pageId: string; token: string; appSecret?: string }): Promise<string>;
  seedInstagram(input: InstagramSeed): Promise<string>;
  postMessenger(payload: object | string, options?: PostWebhookOptions & { secret?: string }): Promise<Response>;
  postInstagram(payload: object | string, options?: PostWebhookOptions & { secret?: string }): Promise<Response>;
  channel(channelId: string): Promise<ChannelRow>;
  credentials(channelId: string): Promise<ChannelCredentials>;
  /** The conversation of one customer of one channel (throws when there is none yet). */
  conversation(channelId: string, platformUserId: string): Promise<ConversationRow>;
  customer(channelId: string, platformUserId: string): Promise<typeof customers.$inferSelect | undefined>;
  /** One conversation's messages in storage order. */
  thread(conversationId: string): Promise<MessageRow[]>;
  byPlatformId(channelId: string, platformMessageId: string): Promise<MessageRow[]>;
  setLastInboundAt(conversationId: string, at: Date): Promise<void>;
  /** The admin console's use cases, wired as the server wires them. */
  manualReply(conversationId: string, text: string): ReturnType<typeof sendManualReply>;
  setMode(conversationId: string, mode: "ai" | "manual"): Promise<void>;
  resetFakes(): void;
}

export interface InstagramSeed {
  igId: string;
  token: string;
  login: "instagram" | "facebook";
  pageId?: string;
  appSecret?: string;
  instagramAppSecret?: string;
  tokenIssuedAt?: Date;
  tokenExpiresAt?: Date;
}

/** startCosbot with META_APP_ID set and INSTAGRAM_GRAPH_API_URL pointing at a second Graph fake. */
export async function startChannelsCosbot(options: HarnessOptions = {}): Promise<ChannelHarness> {
  const igGraph = new FakeGraphApi();
  await igGraph.start();
  let h: Harness;
  try {
    h = await startCosbot({ ...options, env: { META_APP_ID: OUR_APP_ID, INSTAGRAM_GRAPH_API_URL: igGraph.url, ...options.env } });
  } catch (error) {
    await igGraph.stop();
    throw error;
  }
  const db = h.testDb.database.db;

  const insertChannel = async (values: Omit<typeof channels.$inferInsert, "id" | "portfolioId">) => {
    const id = randomUUID();
    await db.insert(channels).values({ id, portfolioId: h.portfolioId, ...values });
    h.cosbot.directory.invalidate();
    return id;
  };

  const ext: Omit<ChannelHarness, keyof Harness> = {
    igGraph,
    seedMessenger: ({ pageId, token, appSecret = APP_SECRET }) =>
      insertChannel({ platform: "messenger", externalId: pageId, credentials: h.cosbot.box.sealJson({ accessToken: token, appSecret }) }),
    seedInstagram: (s) => {
      const credentials: ChannelCredentials = { accessToken: s.token, appSecret: s.appSecret ?? APP_SECRET, instagramLogin: s.login };
      if (s.instagramAppSecret) credentials.instagramAppSecret = s.instagramAppSecret;
      if (s.pageId) credentials.pageId = s.pageId;
      return insertChannel({
        platform: "instagram",
        externalId: s.igId,
        accountId: s.pageId ?? null,
        credentials: h.cosbot.box.sealJson(credentials),
        tokenIssuedAt: s.tokenIssuedAt ?? null,
        tokenExpiresAt: s.tokenExpiresAt ?? null,
      });
    },
    postMessenger: (payload, { secret = APP_SECRET, ...opts } = {}) => postWebhook(h.url, "/webhooks/messenger", payload, secret, opts),
    postInstagram: (payload, { secret = APP_SECRET, ...opts } = {}) => postWebhook(h.url, "/webhooks/instagram", payload, secret, opts),
    async channel(channelId) {
      const [row] = await db.select().from(channels).where(eq(channels.id, channelId));
      if (!row) throw new Error(`no channel ${channelId}`);
      return row;
    },
    async credentials(channelId) {
      return h.cosbot.box.openJson<ChannelCredentials>((await ext.channel(channelId)).credentials);
    },
    async customer(channelId, platformUserId) {
      const [row] = await db
        .select()
        .from(customers)
        .where(and(eq(customers.channelId, channelId), eq(customers.platformUserId, platformUserId)));
      return row;
    },
    async conversation(channelId, platformUserId) {
      const customer = await ext.customer(channelId, platformUserId);
      if (!customer) throw new Error(`no customer ${platformUserId} on channel ${channelId}`);
      const [row] = await db.select().from(conversations).where(eq(conversations.customerId, customer.id));
      if (!row) throw new Error(`no conversation for ${platformUserId}`);
      return row;
    },
    thread: (conversationId) => db.select().from(messages).where(eq(messages.conversationId, conversationId)).orderBy(asc(messages.id)),
    byPlatformId: (channelId, platformMessageId) =>
      db.select().from(messages).where(and(eq(messages.channelId, channelId), eq(messages.platformMessageId, platformMessageId))),
    async setLastInboundAt(conversationId, at) {
      await db.update(conversations).set({ lastInboundAt: at }).where(eq(conversations.id, conversationId));
    },
    manualReply: (conversationId, text) =>
      sendManualReply(
        { portfolioId: h.portfolioId, conversationId, text },
        { store: h.cosbot.conversationStore, senders: h.cosbot.senders, now: () => new Date(), onWorkScheduled: (at) => h.cosbot.runner.kick(at) },
      ),
    setMode: (conversationId, mode) =>
      setConversationMode({ portfolioId: h.portfolioId, conversationId, mode }, { store: h.cosbot.conversationStore, onWorkScheduled: (at) => h.cosbot.runner.kick(at) }),
    resetFakes() {
      h.graph.reset();
      igGraph.reset();
      h.openai.reset();
    },
  };

  const close = h.close.bind(h);
  return Object.assign(h, ext, {
    async close() {
      try {
        await close();
      } finally {
        await igGraph.stop();
      }
    },
  });
}

/** Polls until `check` passes (no fixed sleeps in assertions). */
export async function eventually<T>(check: () => Promise<T> | T, timeoutMs = 10_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      return await check();
    } catch (error) {
      lastError = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw lastError instanceof Error ? lastError : new Error(`condition not met within ${timeoutMs} ms`);
}

/** Non-system turns of a model request as [role, content] pairs. */
export function turnsOf(request: { messages: Array<{ role: string; content?: unknown }> }): Array<[string, string]> {
  return request.messages
    .filter((m) => m.role !== "system")
    .map((m) => [m.role, typeof m.content === "string" ? m.content : JSON.stringify(m.content)]);
}

/** Code points, as Messenger and WhatsApp count characters. */
export const codePoints = (s: string) => [...s].length;
export const utf8Bytes = (s: string) => Buffer.byteLength(s, "utf8");
/** No half of a surrogate pair: the text was cut between whole characters. */
export const wellFormed = (s: string) => !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(s);
