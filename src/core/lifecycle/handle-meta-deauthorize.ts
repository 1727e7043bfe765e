import { disconnectMetaUser } from "./disconnect-meta-user.js";
import type { MetaUserDeps, MetaUserRemoval } from "./ports.js";

/**
 * Meta's deauthorize callback for a verified user id: the user removed the app, so the tokens
 * they gave are dead. Their channels are disconnected and their id forgotten; no record is kept.
 */
export async function handleMetaDeauthorize(metaUserId: string, deps: MetaUserDeps): Promise<MetaUserRemoval> {
  return disconnectMetaUser(metaUserId, deps);
}
