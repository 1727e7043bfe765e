import type { ChannelRegistry } from "../../core/channels/connect-channel.js";
import type { DbOrTx } from "../client.js";
import type { SecretBox } from "../../security/secret-box.js";
import { addChannel, type ChannelSummary, existingChannel, reconnectChannel } from "./channel-repository.js";

/** The channel table as `connectChannel` needs it; one definition for the API and the CLI. */
export function channelRegistry(db: DbOrTx, box: SecretBox): ChannelRegistry<ChannelSummary> {
  return {
    existing: (portfolioId, platform, externalId) => existingChannel(db, portfolioId, platform, externalId),
    add: (portfolioId, platform, channel) => addChannel(db, box, portfolioId, { platform, ...channel }),
    reconnect: (portfolioId, channelId, channel) => reconnectChannel(db, box, portfolioId, channelId, channel),
  };
}
