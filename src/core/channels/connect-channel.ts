import { AppError } from "../errors.js";
import type { Platform } from "../events.js";
import { SendError } from "../ports.js";
import { type ChannelConnector, CredentialsRefused, type VerifiedChannel } from "./ports.js";

/** Where a channel with this platform and external id already is, as far as this portfolio may know. */
export type ExistingChannel = { portfolio: "this"; id: string; state: "active" | "needs_reauth" | "disabled" } | { portfolio: "another" };

/** The channel table as connecting needs it; every call names the portfolio. `S` is the stored summary. */
export interface ChannelRegistry<S> {
  existing(portfolioId: string, platform: Platform, externalId: string): Promise<ExistingChannel | undefined>;
  /** Stores a new channel; a concurrent connect of the same id is a conflict AppError. */
  add(portfolioId: string, platform: Platform, channel: VerifiedChannel): Promise<S>;
  /** Brings a disabled or needs_reauth channel back with new credentials, keeping its conversations. */
  reconnect(portfolioId: string, channelId: string, channel: VerifiedChannel): Promise<S | undefined>;
}

export interface ConnectDeps<S> {
  connectors: Partial<Record<Platform, ChannelConnector>>;
  registry: ChannelRegistry<S>;
  now(): Date;
  /** The webhook routing table must see the channel at once. */
  onChannelsChanged(): void;
}

/**
 * Connects a channel: refuses this portfolio's duplicates before calling Meta, lets the platform's connector check
 * the credentials and subscribe the app, and stores the channel only when all of that succeeded.
 */
export async function connectChannel<S>(
  request: { portfolioId: string; platform: Platform; input: unknown },
  deps: ConnectDeps<S>,
): Promise<S> {
  const { portfolioId, platform } = request;
  const connector = deps.connectors[platform];
  if (!connector) throw new AppError("not_found", `${platform} channels cannot be connected on this server`);
  const externalId = connector.externalId(request.input);
  const existing = await deps.registry.existing(portfolioId, platform, externalId);
  // A disconnected channel, or one whose token Meta stopped accepting, is connected again in place.
  if (existing?.portfolio === "this" && existing.state === "active") {
    throw new AppError("conflict", `${platform} ${externalId} is already connected to this portfolio as channel ${existing.id}`);
  }

  const verified = await verify(connector, request.input, deps.now());
  // Only after Meta accepted the credentials: nobody learns from a made-up token which accounts use Cosbot.
  if (existing?.portfolio === "another") throw new AppError("conflict", `${platform} ${externalId} is already connected to another portfolio`);
  const stored = existing
    ? await deps.registry.reconnect(portfolioId, existing.id, verified)
    : await deps.registry.add(portfolioId, platform, verified);
  if (stored === undefined) throw new AppError("conflict", `${platform} ${externalId} was connected by another request meanwhile`);
  deps.onChannelsChanged();
  return stored;
}

/** Meta's refusals become a 400 naming the field to fix; Meta being unreachable or busy a 502. */
async function verify(connector: ChannelConnector, input: unknown, now: Date): Promise<VerifiedChannel> {
  try {
    return await connector.connect(input, now);
  } catch (error) {
    if (error instanceof CredentialsRefused) {
      throw new AppError("bad_request", `${error.message}; nothing was stored`, [{ field: `body.${error.field}`, message: error.message }]);
    }
    if (error instanceof SendError) {
      // Connectors turn every permanent refusal into CredentialsRefused; what is left may pass.
      throw new AppError("upstream_unavailable", `the Graph API could not be reached or is busy (${error.error.code}); nothing was stored, try again`);
    }
    throw error;
  }
}
