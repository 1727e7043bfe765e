import { record, text } from "./connect-support.js";
import type { GraphClient } from "./graph-client.js";

/**
 * The Facebook user (app-scoped id) behind a token, from `debug_token`: Meta's data-deletion and
 * deauthorize callbacks name that user. `/me` would not do: with a Page token it is the Page.
 * With META_APP_ID and META_APP_SECRET the app token asks (Meta's documented way); else the token
 * asks about itself. Best effort: a connect never fails for it; the id is then simply unknown.
 */
export async function tokenUser(facebook: GraphClient, token: string, appToken: string | undefined): Promise<string | undefined> {
  try {
    const answer = record(await facebook.get("/debug_token", { input_token: token }, appToken ?? token));
    const data = record(answer.data);
    if (data.is_valid === false) return undefined;
    const id = text(data.user_id);
    return id && /^\d{1,64}$/.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Meta's app access token, `{app-id}|{app-secret}`, when both are configured. */
export const appAccessToken = (meta: { appId?: string; appSecret?: string }) => (meta.appId && meta.appSecret ? `${meta.appId}|${meta.appSecret}` : undefined);
