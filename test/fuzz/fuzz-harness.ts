// The server under fuzz: the real app on its real database and cache, with one connected channel
// per platform in each of two portfolios (the second signs with its own app secret). The work
// runner is stopped, so no reply or profile work runs: the fuzz is about intake, and replies
// would only add model and Graph traffic to every case.
import { randomUUID } from "node:crypto";
import { gt, inArray, sql } from "drizzle-orm";
import type { Platform } from "../../src/core/events.js";
import { channels as channelTable, conversations, customers, messages, portfolios } from "../../src/db/schema/index.js";
import { signBody } from "../fakes/index.js";
import { type ChannelHarness, startChannelsCosbot } from "../support/channels.js";
import { APP_SECRET } from "../support/cosbot-under-test.js";

export const SECRET_B = "app_secret_portfolio_b";
/** The platform body limit we run with: the default (4 MiB), named here so cases can aim at it. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Meta-shaped, numeric recipient ids (WhatsApp phone_number_id, Page id, IG account id). */
export const RECIPIENTS: Record<Platform, { a: string; b: string }> = {
  whatsapp: { a: "100000000000001", b: "100000000000002" },
  messenger: { a: "200000000000001", b: "200000000000002" },
  instagram: { a: "17840000000001", b: "17840000000002" },
};
/** Not connected anywhere: the fast cases address these, so they never reach the store. */
export const UNKNOWN_RECIPIENTS: Record<Platform, string> = { whatsapp: "100000000000999", messenger: "200000000000999", instagram: "17840000000999" };

export interface KnownChannel {
  id: string;
  portfolioId: string;
  platform: Platform;
  externalId: string;
  secret: string;
}

export interface FuzzServer {
  h: ChannelHarness;
  /** By `${platform}:${externalId}`, as the server routes. */
  channels: Map<string, KnownChannel>;
  byId: Map<string, KnownChannel>;
  /** In process, through the app's fetch: no sockets. */
  fetchApp(platform: Platform, body: Buffer, signature: string | null): Promise<Response>;
  /** Over HTTP on 127.0.0.1, as Meta delivers. */
  postHttp(platform: Platform, body: Buffer, signature: string | null): Promise<Response>;
  lastMessageId(): Promise<number>;
  /** Message rows after `afterId`, each with its conversation and customer. */
  rowsAfter(afterId: number): Promise<StoredRow[]>;
  counts(): Promise<{ messages: number; customers: number; conversations: number }>;
  close(): Promise<void>;
}

export type StoredRow = typeof messages.$inferSelect & {
  conversation: typeof conversations.$inferSelect | undefined;
  customer: typeof customers.$inferSelect | undefined;
};

export const sign = (body: Buffer, secret: string) => signBody(body, secret);

export async function startFuzzServer(): Promise<FuzzServer> {
  const h = await startChannelsCosbot({ env: { WEBHOOK_MAX_BODY_BYTES: String(MAX_BODY_BYTES) } });
  await h.cosbot.runner.stop();
  const db = h.testDb.database.db;
  const known: KnownChannel[] = [];

  const waA = randomUUID();
  await db.insert(channelTable).values({
    id: waA,
    portfolioId: h.portfolioId,
    platform: "whatsapp",
    externalId: RECIPIENTS.whatsapp.a,
    accountId: "900000000000001",
    credentials: h.cosbot.box.sealJson({ accessToken: "EAAG_A", appSecret: APP_SECRET }),
  });
  known.push({ id: waA, portfolioId: h.portfolioId, platform: "whatsapp", externalId: RECIPIENTS.whatsapp.a, secret: APP_SECRET });
  const msA = await h.seedMessenger({ pageId: RECIPIENTS.messenger.a, token: "EAAG_PAGE_A" });
  known.push({ id: msA, portfolioId: h.portfolioId, platform: "messenger", externalId: RECIPIENTS.messenger.a, secret: APP_SECRET });
  const igA = await h.seedInstagram({ igId: RECIPIENTS.instagram.a, token: "IGAA_A", login: "instagram" });
  known.push({ id: igA, portfolioId: h.portfolioId, platform: "instagram", externalId: RECIPIENTS.instagram.a, secret: APP_SECRET });

  const portfolioB = randomUUID();
  await db.insert(portfolios).values({ id: portfolioB, name: "Other Shop", slug: `other-shop-${portfolioB.slice(0, 8)}` });
  for (const platform of ["whatsapp", "messenger", "instagram"] as const) {
    const id = randomUUID();
    const credentials = platform === "instagram" ? { accessToken: "IGAA_B", appSecret: SECRET_B, instagramLogin: "instagram" } : { accessToken: "EAAG_B", appSecret: SECRET_B };
    await db.insert(channelTable).values({ id, portfolioId: portfolioB, platform, externalId: RECIPIENTS[platform].b, credentials: h.cosbot.box.sealJson(credentials) });
    known.push({ id, portfolioId: portfolioB, platform, externalId: RECIPIENTS[platform].b, secret: SECRET_B });
  }
  h.cosbot.directory.invalidate();

  const headers = (signature: string | null) => ({
    "content-type": "application/json",
    "user-agent": "facebookexternalua",
    ...(signature === null ? {} : { "x-hub-signature-256": signature }),
  });

  const ourChannelIds = known.map((c) => c.id);
  return {
    h,
    channels: new Map(known.map((c) => [`${c.platform}:${c.externalId}`, c])),
    byId: new Map(known.map((c) => [c.id, c])),
    fetchApp: async (platform, body, signature) =>
      h.cosbot.app.fetch(new Request(`http://127.0.0.1/webhooks/${platform}`, { method: "POST", body: new Uint8Array(body), headers: headers(signature) })),
    postHttp: (platform, body, signature) => fetch(`${h.url}/webhooks/${platform}`, { method: "POST", body: new Uint8Array(body), headers: headers(signature) }),
    async lastMessageId() {
      const [row] = await db.select({ max: sql<string | number>`coalesce(max(${messages.id}), 0)` }).from(messages);
      return Number(row?.max ?? 0);
    },
    async rowsAfter(afterId) {
      const rows = await db.select().from(messages).where(gt(messages.id, afterId)).orderBy(messages.id);
      if (rows.length === 0) return [];
      const convs = await db.select().from(conversations).where(inArray(conversations.id, rows.map((r) => r.conversationId)));
      const custs = convs.length ? await db.select().from(customers).where(inArray(customers.id, convs.map((c) => c.customerId))) : [];
      return rows.map((r) => {
        const conversation = convs.find((c) => c.id === r.conversationId);
        return { ...r, conversation, customer: custs.find((c) => c.id === conversation?.customerId) };
      });
    },
    async counts() {
      const [m, cu, co] = await Promise.all([
        db.select({ id: messages.id }).from(messages).where(inArray(messages.channelId, ourChannelIds)),
        db.select({ id: customers.id }).from(customers),
        db.select({ id: conversations.id }).from(conversations),
      ]);
      return { messages: m.length, customers: cu.length, conversations: co.length };
    },
    close: () => h.close(),
  };
}
