import { createHmac, timingSafeEqual } from "node:crypto";

/** What Meta's data-deletion and deauthorize callbacks tell us, once the signature held. */
export interface SignedRequest {
  /** The app-scoped id of the Facebook user who removed the app. */
  userId: string;
  issuedAt?: number;
  expires?: number;
}

export type SignedRequestResult =
  | { ok: true; request: SignedRequest }
  /**
   * `malformed`: not a signed_request at all (400); `bad_signature`: not signed with our app secret
   * (403); `unconfigured`: this server has no app secret to check with (503: the operator's to fix).
   */
  | { ok: false; problem: "malformed" | "bad_signature" | "unconfigured"; message: string };

const BASE64URL = /^[A-Za-z0-9_-]+={0,2}$/;
const USER_ID = /^[A-Za-z0-9_-]{1,128}$/;
/** Far beyond Meta's few fields; refused before any decoding. */
const MAX_LENGTH = 8192;

const malformed = (message: string): SignedRequestResult => ({ ok: false, problem: "malformed", message });

/**
 * Parses and verifies `signed_request` (meta-platform.md §6): `<signature>.<payload>`, both
 * base64url; the signature is HMAC-SHA256 of the *encoded* payload with the app secret. The
 * signature is checked before the payload is read, so an unsigned payload is never interpreted.
 */
export function verifySignedRequest(signedRequest: string | undefined, appSecret: string | undefined): SignedRequestResult {
  if (!signedRequest) return malformed("signed_request is missing or empty");
  if (signedRequest.length > MAX_LENGTH) return malformed(`signed_request is longer than ${MAX_LENGTH} characters`);
  const dot = signedRequest.indexOf(".");
  if (dot < 0) return malformed("signed_request must be <signature>.<payload>: there is no '.'");
  const encodedSignature = signedRequest.slice(0, dot);
  const encodedPayload = signedRequest.slice(dot + 1);
  if (!BASE64URL.test(encodedSignature)) return malformed("the signature part of signed_request is not base64url");
  if (!BASE64URL.test(encodedPayload)) return malformed("the payload part of signed_request is not base64url");

  // An empty key is a misconfiguration: anyone could produce that HMAC.
  if (!appSecret) return { ok: false, problem: "unconfigured", message: "this server has no META_APP_SECRET, so it cannot verify Meta's signature" };
  const given = Buffer.from(encodedSignature, "base64url");
  const expected = createHmac("sha256", appSecret).update(encodedPayload, "utf8").digest();
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, problem: "bad_signature", message: "the signature of signed_request does not match the app secret" };
  }

  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(encodedPayload, "base64url").toString("utf8"));
  } catch {
    return malformed("the payload of signed_request is not JSON");
  }
  if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return malformed("the payload of signed_request is not a JSON object");
  const fields = payload as Record<string, unknown>;
  if (typeof fields.algorithm !== "string" || fields.algorithm.toUpperCase() !== "HMAC-SHA256") {
    return malformed(`signed_request's algorithm must be HMAC-SHA256, not ${JSON.stringify(fields.algorithm ?? null).slice(0, 40)}`);
  }
  const userId = typeof fields.user_id === "number" && Number.isSafeInteger(fields.user_id) ? String(fields.user_id) : fields.user_id;
  if (typeof userId !== "string" || !USER_ID.test(userId)) return malformed("signed_request's payload has no valid user_id");
  return { ok: true, request: { userId, issuedAt: numberOrUndefined(fields.issued_at), expires: numberOrUndefined(fields.expires) } };
}

const numberOrUndefined = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : undefined);

/** A signed_request as Meta builds one: for tests, the demo and the fakes. */
export function signRequest(payload: object | string, appSecret: string): string {
  const encoded = Buffer.from(typeof payload === "string" ? payload : JSON.stringify(payload), "utf8").toString("base64url");
  const signature = createHmac("sha256", appSecret).update(encoded, "utf8").digest("base64url");
  return `${signature}.${encoded}`;
}
