import { connectChannel } from "../../../core/channels/connect-channel.js";
import { disconnectAndUnsubscribe } from "../../../core/channels/disconnect-channel.js";
import type { Platform } from "../../../core/events.js";
import { channelRegistry } from "../../../db/repositories/channel-registry.js";
import { liveChannelsOn, subscribedChannel } from "../../../db/repositories/portfolio-erasure.js";
import { type ChannelSummary, disableChannel, failedSendsSince, listChannels } from "../../../db/repositories/channel-repository.js";
import type { ApiDeps } from "../deps.js";
import { id, portfolioParams } from "../params.js";
import { type ApiRoute, route } from "../route.js";

const DAY_MS = 24 * 3_600_000;

/**
 * Connected WhatsApp numbers, Messenger Pages and Instagram accounts. Credentials go in once and
 * never come back out: a summary shows at most the token's last four characters.
 */
export function channelRoutes(deps: ApiDeps): ApiRoute[] {
  const registry = channelRegistry(deps.db, deps.box);
  const withErrors = async (portfolioId: string, summaries: ChannelSummary[]) => {
    const failed = await failedSendsSince(deps.db, portfolioId, new Date(deps.now().getTime() - DAY_MS));
    return summaries.map((c) => ({ ...c, errorsLast24h: failed.get(c.id) ?? 0 }));
  };

  const connectRoutes = Object.entries(deps.connectors).map(([platform, connector]) =>
    route({
      method: "POST",
      path: `/portfolios/:portfolioId/channels/${platform}`,
      access: "channels:manage",
      status: 201,
      params: portfolioParams,
      body: connector.input,
      summary: `Connects a channel on ${platform}: the credentials are checked with the Graph API and the app is subscribed to its webhooks; nothing is stored if any check fails.`,
      async handle({ tenant, body }) {
        const channel = await connectChannel(
          { portfolioId: tenant.portfolioId, platform: platform as Platform, input: body },
          { connectors: deps.connectors, registry, now: deps.now, onChannelsChanged: deps.onChannelsChanged },
        );
        const [view] = await withErrors(tenant.portfolioId, [channel]);
        // Other browsers of the portfolio see a (re)connected channel without a reload.
        void deps.live.publish(tenant.portfolioId, { type: "channel.state", channelId: channel.id, state: "active" });
        return { channel: view };
      },
    }),
  );

  return [
    route({
      method: "GET",
      path: "/portfolios/:portfolioId/channels",
      access: "conversations:read",
      params: portfolioParams,
      summary: "The portfolio's channels: state (active, needs_reauth, disabled) and why, token expiry and hint, last webhook, failed sends in the last 24 hours.",
      async handle({ tenant }) {
        return { channels: await withErrors(tenant.portfolioId, await listChannels(deps.db, deps.box, tenant.portfolioId)) };
      },
    }),
    ...connectRoutes,
    route({
      method: "DELETE",
      path: "/portfolios/:portfolioId/channels/:channelId",
      access: "channels:manage",
      params: portfolioParams.extend({ channelId: id }),
      summary: "Disconnects a channel: credentials wiped, webhooks no longer routed, nothing more sent; its conversations stay, and connecting it again reuses them. The app is unsubscribed from its webhooks at Meta where the Graph API allows it; `unsubscribe` reports how that went and a failure does not undo the disconnect.",
      async handle({ tenant, params }) {
        const { channel, unsubscribe } = await disconnectAndUnsubscribe(
          { portfolioId: tenant.portfolioId, channelId: params.channelId, by: tenant.name || tenant.email },
          {
            registry: { disable: (p, c, reason) => disableChannel(deps.db, deps.box, p, c, reason) },
            onChannelsChanged: deps.onChannelsChanged,
            live: deps.live,
            subscribed: (p, c) => subscribedChannel(deps.db, deps.box, p, c),
            unsubscribers: deps.unsubscribers,
            sharing: { liveChannelsOn: (objectId, excluding) => liveChannelsOn(deps.db, objectId, excluding) },
          },
        );
        const [view] = await withErrors(tenant.portfolioId, [channel]);
        return { channel: view, unsubscribe };
      },
    }),
  ];
}
