import { randomUUID } from "node:crypto";
import { and, asc, eq } from "drizzle-orm";
import { AppError } from "../../core/errors.js";
import type { Platform } from "../../core/events.js";
import type { ChannelCredentials } from "../../core/ports.js";
import type { SecretBox } from "../../security/secret-box.js";
import type { DbOrTx } from "../client.js";
import { channels } from "../schema/index.js";

export interface NewChannel {
  platform: Platform;
  externalId: string;
  accountId?: string;
  displayName?: string;
  credentials: ChannelCredentials;
  /** When the token was issued (Instagram Login: a refresh needs a token at least a day old). */
  tokenIssuedAt?: Date;
  tokenExpiresAt?: Date;
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
  const given = input.credentials;
  const credentials: ChannelCredentials = {
    accessToken: given.accessToken,
    ...(given.appSecret ? { appSecret: given.appSecret } : {}),
    ...(given.instagramAppSecret ? { instagramAppSecret: given.instagramAppSecret } : {}),
    ...(given.verifyToken ? { verifyToken: given.verifyToken } : {}),
    ...(given.instagramLogin ? { instagramLogin: given.instagramLogin } : {}),
    ...(given.pageId ? { pageId: given.pageId } : {}),
  };
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
    })
    .onConflictDoNothing({ target: [channels.platform, channels.externalId] })
    .returning();
  if (!row) throw await conflict(db, portfolioId, input);
  return summarize(box, row);
}

/** Names the existing channel only when it belongs to the same portfolio: other tenants stay invisible. */
async function conflict(db: DbOrTx, portfolioId: string, input: NewChannel): Promise<AppError> {
  const [own] = await db
    .select({ id: channels.id })
    .from(channels)
    .where(and(eq(channels.portfolioId, portfolioId), eq(channels.platform, input.platform), eq(channels.externalId, input.externalId)));
  const where = own ? `this portfolio as channel ${own.id}` : "another portfolio";
  return new AppError("conflict", `${input.platform} ${input.externalId} is already connected to ${where}`);
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
  const { credentials: sealed, ...rest } = row;
  let creds: ChannelCredentials | undefined;
  try {
    creds = box.openJson<ChannelCredentials>(sealed);
  } catch {
    // Sealed with another key (rotation, wrong ENCRYPTION_KEY): still list the channel.
  }
  return {
    ...rest,
    tokenHint: creds ? tokenHint(creds.accessToken) : null,
    hasAppSecret: Boolean(creds?.appSecret || creds?.instagramAppSecret),
    hasVerifyToken: Boolean(creds?.verifyToken),
    instagramLogin: creds?.instagramLogin ?? null,
  };
}

/** The last four characters, and only of a token long enough that they give nothing away. */
export function tokenHint(token: string): string {
  return token.length >= 16 ? `…${token.slice(-4)}` : "…";
}
