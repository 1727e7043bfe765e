import type { ChannelDisabler } from "../channels/disconnect-channel.js";
import type { LiveEvents } from "../live/ports.js";

export type DeletionState = "received" | "completed" | "failed";

/** A Meta data-deletion request as its status page shows it. */
export interface DeletionRequest {
  confirmationCode: string;
  state: DeletionState;
  channelsDisabled: number;
  userIdsRemoved: number;
  failureReason: string | null;
  receivedAt: Date;
  completedAt: Date | null;
}

/** What was removed for one Meta user. */
export interface MetaUserRemoval {
  channelsDisabled: number;
  userIdsRemoved: number;
}

/** The channels a Meta user connected, across portfolios: Meta's callbacks name the user, not a portfolio. */
export interface MetaUserChannels {
  /** Channels this user's token connected that still hold credentials. */
  liveChannelsOf(metaUserId: string): Promise<{ portfolioId: string; channelId: string }[]>;
  /** Wipes the stored user id from every channel that has it; returns how many. */
  forget(metaUserId: string): Promise<number>;
}

export interface DeletionRequestStore {
  create(request: { confirmationCode: string; platformUserId: string; receivedAt: Date }): Promise<void>;
  /** Records what was removed and drops the request's own copy of the user id. */
  complete(confirmationCode: string, removed: MetaUserRemoval, at: Date): Promise<void>;
  fail(confirmationCode: string, reason: string, at: Date): Promise<void>;
  find(confirmationCode: string): Promise<DeletionRequest | undefined>;
}

export interface MetaUserDeps {
  channels: MetaUserChannels;
  /** The same disabling the Disconnect button uses. */
  disabler: ChannelDisabler<unknown>;
  onChannelsChanged(): void;
  live: LiveEvents;
  log: { warn(obj: object, msg: string): void };
}
