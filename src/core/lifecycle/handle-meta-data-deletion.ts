import { randomInt } from "node:crypto";
import { disconnectMetaUser } from "./disconnect-meta-user.js";
import type { DeletionRequestStore, MetaUserDeps } from "./ports.js";

const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
const CODE_LENGTH = 20;

/** Random and alphanumeric, as Meta asks; 20 of 57 symbols is about 116 bits, so codes cannot be guessed. */
export function newConfirmationCode(): string {
  let code = "";
  for (let i = 0; i < CODE_LENGTH; i++) code += ALPHABET[randomInt(ALPHABET.length)];
  return code;
}

export interface DataDeletionDeps extends MetaUserDeps {
  requests: DeletionRequestStore;
  now(): Date;
}

/**
 * Meta's data-deletion callback for a verified user id: records the request, removes what is
 * linked to that user and records what was removed. A failure is recorded on the request (its
 * status page says so) rather than thrown, so Meta still gets the code to show the person.
 */
export async function handleMetaDataDeletion(metaUserId: string, deps: DataDeletionDeps): Promise<{ confirmationCode: string; state: "completed" | "failed" }> {
  const confirmationCode = newConfirmationCode();
  await deps.requests.create({ confirmationCode, platformUserId: metaUserId, receivedAt: deps.now() });
  try {
    const removed = await disconnectMetaUser(metaUserId, deps);
    await deps.requests.complete(confirmationCode, removed, deps.now());
    return { confirmationCode, state: "completed" };
  } catch (error) {
    deps.log.warn({ err: error, confirmationCode }, "Meta data deletion failed");
    await deps.requests.fail(confirmationCode, "an error stopped the deletion; it will be completed by hand", deps.now());
    return { confirmationCode, state: "failed" };
  }
}
