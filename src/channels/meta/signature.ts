import { createHash, createHmac, timingSafeEqual } from "node:crypto";

const HEADER_PATTERN = /^sha256=([0-9a-fA-F]{64})$/;

/**
 * Checks `X-Hub-Signature-256` against the request body exactly as received.
 * Meta signs its escaped-unicode bytes, so re-serialised JSON would not match (C21).
 * Several secrets are accepted because Instagram Login may sign with the Instagram app secret.
 * Returns the secret that matched (so callers can record which one), or null.
 */
export function verifyMetaSignature(
  rawBody: Uint8Array,
  header: string | undefined | null,
  secrets: readonly string[],
): string | null {
  if (!header) return null;
  const hex = HEADER_PATTERN.exec(header.trim())?.[1];
  if (!hex) return null;
  const given = Buffer.from(hex, "hex");

  let matched: string | null = null;
  for (const secret of secrets) {
    // An empty key is a misconfiguration: anyone could produce that HMAC.
    if (!secret) continue;
    const expected = createHmac("sha256", secret).update(rawBody).digest();
    // Keep looping after a match so the time taken does not reveal which secret matched.
    if (timingSafeEqual(expected, given) && matched === null) matched = secret;
  }
  return matched;
}

/**
 * Constant-time check of `hub.verify_token` for the GET handshake. Both sides are hashed first
 * so `timingSafeEqual` always sees equal-length buffers and the length is not leaked.
 */
export function verifyToken(given: string | undefined | null, candidates: readonly string[]): boolean {
  if (!given) return false;
  const givenDigest = sha256(given);
  let ok = false;
  for (const candidate of candidates) {
    if (!candidate) continue;
    if (timingSafeEqual(sha256(candidate), givenDigest)) ok = true;
  }
  return ok;
}

function sha256(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}
