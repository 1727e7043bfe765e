import { randomUUID } from "node:crypto";
import { and, asc, count, desc, eq, gte, ne } from "drizzle-orm";
import { AppError } from "../../core/errors.js";
import type { Platform } from "../../core/events.js";
import type { VerifiedChannel } from "../../core/channels/ports.js";
import type { ChannelCredentials } from "../../core/ports.js";
import type { SecretBox } from "../../security/secret-box.js";
import type { DbOrTx } from "../client.js";
import { channels, liveChannel, messages } from "../schema/index.js";
import { isUniqueViolation } from "../pg-errors.js";

/** A channel to store: what a connector checked with Meta, on its platform. */
export interface NewChannel extends VerifiedChannel {
  platform: Platform;
}

/** A channel as admins may see it: the credentials never leave this module, only a hint of the token. */
export interface ChannelSummary {
  id: string;
  portfolioId: string;
  platform: Platform;
  externalId: string;
  accountId: string | null;
  displayName: string | null;
  state: (typeof channels.$inferSelect)["state"];
  stateReason: string | null;
  tokenExpiresAt: Date | null;
  lastWebhookAt: Date | null;
  createdAt: Date;
  /** "…abcd", "…" for a token too short to show any of, or null when the credentials cannot be opened. */
  tokenHint: string | null;
  hasAppSecret: boolean;
  hasVerifyToken: boolean;
  /** Instagram: which login the token comes from; null for other platforms or unreadable credentials. */
  instagramLogin: "instagram" | "facebook" | null;
}

/** Seals the credentials and stores the channel. An external id already connected is a conflict. */
export async function addChannel(db: DbOrTx, box: SecretBox, portfolioId: string, input: NewChannel): Promise<ChannelSummary> {
  const credentials = sealable(input.credentials);
  const [row] = await db
    .insert(channels)
    .values({
      id: randomUUID(),
      portfolioId,
      platform: input.platform,
      externalId: input.externalId,
      accountId: input.accountId ?? null,
      displayName: input.displayName ?? null,
      credentials: box.sealJson(credentials),
      tokenIssuedAt: input.tokenIssuedAt ?? null,
      tokenExpiresAt: input.tokenExpiresAt ?? null,
      connectedByMetaUserId: input.connectedByMetaUserId ?? null,
    })
    .onConflictDoNothing({ target: [channels.platform, channels.externalId], where: liveChannel })
    .returning();
  if (!row) throw await conflict(db, portfolioId, input);
  return summarize(box, row);
}

/** Only the known fields, and none that are empty. */
function sealable(given: ChannelCredentials): ChannelCredentials {
  return {
    accessToken: given.accessToken,
    ...(given.appSecret ? { appSecret: given.appSecret } : {}),
    ...(given.instagramAppSecret ? { instagramAppSecret: given.instagramAppSecret } : {}),
    ...(given.verifyToken ? { verifyToken: given.verifyToken } : {}),
    ...(given.instagramLogin ? { instagramLogin: given.instagramLogin } : {}),
    ...(given.pageId ? { pageId: given.pageId } : {}),
  };
}

/** Names the existing channel only when it belongs to the same portfolio: other tenants stay invisible. */
async function conflict(db: DbOrTx, portfolioId: string, input: NewChannel): Promise<AppError> {
  const [own] = await db
    .select({ id: channels.id })
    .from(channels)
    .where(and(eq(channels.portfolioId, portfolioId), eq(channels.platform, input.platform), eq(channels.externalId, input.externalId), liveChannel));
  const where = own ? `this portfolio as channel ${own.id}` : "another portfolio";
  return new AppError("conflict", `${input.platform} ${input.externalId} is already connected to ${where}`);
}

/** Whether this platform id is connected already, naming the channel only when it is this portfolio's. */
export async function existingChannel(
  db: DbOrTx,
  portfolioId: string,
  platform: Platform,
  externalId: string,
): Promise<{ portfolio: "this"; id: string; state: ChannelSummary["state"] } | { portfolio: "another" } | undefined> {
  const rows = await db
    .select({ id: channels.id, portfolioId: channels.portfolioId, state: channels.state })
    .from(channels)
    .where(and(eq(channels.platform, platform), eq(channels.externalId, externalId)))
    .orderBy(desc(channels.createdAt));
  // The live one wherever it is; else this portfolio's own disconnected one, to continue its history.
  const live = rows.find((r) => r.state !== "disabled");
  if (live) return live.portfolioId === portfolioId ? { portfolio: "this", id: live.id, state: live.state } : { portfolio: "another" };
  const own = rows.find((r) => r.portfolioId === portfolioId);
  return own && { portfolio: "this", id: own.id, state: own.state };
}

/** A disconnected or refused channel connected again with new credentials; undefined if it is active meanwhile. */
export async function reconnectChannel(db: DbOrTx, box: SecretBox, portfolioId: string, channelId: string, input: Omit<NewChannel, "platform">): Promise<ChannelSummary | undefined> {
  const [row] = await db
    .update(channels)
    .set({
      accountId: input.accountId ?? null,
      displayName: input.displayName ?? null,
      credentials: box.sealJson(sealable(input.credentials)),
      tokenIssuedAt: input.tokenIssuedAt ?? null,
      tokenExpiresAt: input.tokenExpiresAt ?? null,
      connectedByMetaUserId: input.connectedByMetaUserId ?? null,
      state: "active",
      stateReason: null,
    })
    .where(and(eq(channels.portfolioId, portfolioId), eq(channels.id, channelId), ne(channels.state, "active")))
    .returning()
    // Another portfolio connected the same account meanwhile: the unique index of live channels says no.
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) return [];
      throw error;
    });
  return row && summarize(box, row);
}

/**
 * Disconnects a channel but keeps it, so its conversations stay: disabled, with the credentials
 * replaced by an empty token (the column is required) and the token dates cleared.
 */
export async function disableChannel(db: DbOrTx, box: SecretBox, portfolioId: string, channelId: string, reason: string): Promise<ChannelSummary | undefined> {
  const [row] = await db
    .update(channels)
    .set({ state: "disabled", stateReason: reason, credentials: box.sealJson({ accessToken: "" }), tokenIssuedAt: null, tokenExpiresAt: null })
    .where(and(eq(channels.portfolioId, portfolioId), eq(channels.id, channelId)))
    .returning();
  return row && summarize(box, row);
}

/** Outbound messages that failed since `since`, per channel of the portfolio. */
export async function failedSendsSince(db: DbOrTx, portfolioId: string, since: Date): Promise<Map<string, number>> {
  const rows = await db
    .select({ channelId: messages.channelId, n: count() })
    .from(messages)
    .where(and(eq(messages.portfolioId, portfolioId), eq(messages.direction, "out"), eq(messages.status, "failed"), gte(messages.failedAt, since)))
    .groupBy(messages.channelId);
  return new Map(rows.map((r) => [r.channelId, Number(r.n)]));
}

export async function listChannels(db: DbOrTx, box: SecretBox, portfolioId: string): Promise<ChannelSummary[]> {
  const rows = await db
    .select()
    .from(channels)
    .where(eq(channels.portfolioId, portfolioId))
    .orderBy(asc(channels.createdAt), asc(channels.id));
  return rows.map((row) => summarize(box, row));
}

function summarize(box: SecretBox, row: typeof channels.$inferSelect): ChannelSummary {
  // The Meta user id stays on the server: it is only for Meta's deletion callbacks.
  const { credentials: sealed, connectedByMetaUserId: _metaUser, ...rest } = row;
  let creds: ChannelCredentials | undefined;
  try {
    creds = box.openJson<ChannelCredentials>(sealed);
  } catch {
    // Sealed with another key (rotation, wrong ENCRYPTION_KEY): still list the channel.
  }
  return {
    ...rest,
    // A disconnected channel holds no token at all.
    tokenHint: creds?.accessToken ? tokenHint(creds.accessToken) : null,
    hasAppSecret: Boolean(creds?.appSecret || creds?.instagramAppSecret),
    hasVerifyToken: Boolean(creds?.verifyToken),
    instagramLogin: creds?.instagramLogin ?? null,
  };
}

/** The last four characters, and only of a token long enough that they give nothing away. */
export function tokenHint(token: string): string {
  return token.length >= 16 ? `…${token.slice(-4)}` : "…";
}

