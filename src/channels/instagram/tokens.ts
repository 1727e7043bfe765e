import { SendError, type TokenRefresher } from "../../core/ports.js";
import type { GraphClient } from "../meta/graph-client.js";

/** The part of the graph.instagram.com client the token endpoints use. */
export type InstagramTokenApi = Pick<GraphClient, "getUnversioned">;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Meta's documented lifetime of a long-lived token, used only if an answer omits `expires_in`. */
const DEFAULT_LIFETIME_S = 60 * 24 * 3600;

export interface LongLivedToken {
  accessToken: string;
  expiresAt: Date;
}

/**
 * Short-lived (1 hour) Instagram Login token → long-lived (60 days) one (meta-platform.md §5.5).
 * Server-side only: the request carries the Instagram app secret.
 */
export async function exchangeForLongLivedToken(
  instagram: InstagramTokenApi,
  shortLivedToken: string,
  appSecret: string,
  now = new Date(),
): Promise<LongLivedToken> {
  const answer = await instagram.getUnversioned("/access_token", {
    grant_type: "ig_exchange_token",
    client_secret: appSecret,
    access_token: shortLivedToken,
  });
  return readToken(answer, now);
}

/**
 * A new long-lived token, valid 60 days from now. Meta only refreshes a token that is still valid
 * and at least 24 hours old (see refreshDue); an expired one answers 190 and needs a new login (C22).
 */
export async function refreshLongLivedToken(instagram: InstagramTokenApi, token: string, now = new Date()): Promise<LongLivedToken> {
  const answer = await instagram.getUnversioned("/refresh_access_token", { grant_type: "ig_refresh_token", access_token: token });
  return readToken(answer, now);
}

/**
 * Whether a scheduled job should refresh now: the token is at least 24 hours old (Meta refuses
 * younger ones), not yet expired (an expired one cannot be refreshed) and expires within 10 days
 * (room for several daily attempts before it lapses) (C22).
 */
export function refreshDue(issuedAt: Date, expiresAt: Date, now: Date): boolean {
  const age = now.getTime() - issuedAt.getTime();
  const left = expiresAt.getTime() - now.getTime();
  return age >= DAY_MS && left > 0 && left <= 10 * DAY_MS;
}

/**
 * The core's TokenRefresher port for Instagram Login channels. Facebook Login channels hold a Page
 * token that graph.instagram.com cannot renew, so they are refused rather than sent there.
 */
export function createInstagramTokenRefresher(instagram: InstagramTokenApi): TokenRefresher {
  return {
    // Facebook Login channels hold a Page token, which graph.instagram.com cannot renew.
    due: (credentials, issuedAt, expiresAt, now) => credentials.instagramLogin !== "facebook" && refreshDue(issuedAt, expiresAt, now),
    refresh(credentials, now) {
      if (credentials.instagramLogin === "facebook") {
        const error = { code: "not_refreshable", title: "Instagram channels on Facebook Login use a Page token, not an Instagram token" };
        return Promise.reject(new SendError(error, false));
      }
      return refreshLongLivedToken(instagram, credentials.accessToken, now);
    },
  };
}

/** `{access_token, token_type: "bearer", expires_in}` with expires_in in seconds. */
function readToken(answer: unknown, now: Date): LongLivedToken {
  const record = typeof answer === "object" && answer !== null ? (answer as Record<string, unknown>) : {};
  const token = record.access_token;
  if (typeof token !== "string" || token.trim() === "") {
    throw new SendError({ code: "bad_response", title: "Instagram answered without an access_token" }, true);
  }
  const raw = typeof record.expires_in === "string" ? Number(record.expires_in) : record.expires_in;
  const seconds = typeof raw === "number" && Number.isFinite(raw) && raw > 0 ? raw : DEFAULT_LIFETIME_S;
  return { accessToken: token, expiresAt: new Date(now.getTime() + seconds * 1000) };
}
