import { z } from "zod";
import { type ChannelConnector, CredentialsRefused, type VerifiedChannel } from "../../core/channels/ports.js";
import { SendError } from "../../core/ports.js";
import { checked, numericId, optionalSecret, record, scrub, secret, text, webhookSecrets } from "../meta/connect-support.js";
import type { GraphClient } from "../meta/graph-client.js";
import { tokenUser } from "../meta/token-user.js";
import { PAGE_FIELDS } from "../messenger/connect.js";
import { exchangeForLongLivedToken } from "./tokens.js";

/** Meta's lifetime of a long-lived Instagram token, assumed when `longLived` says the token is one. */
const LONG_LIVED_MS = 60 * 24 * 3_600_000;
/** Instagram Login accounts: which events to receive (per-account field selection is not offered). */
const IG_FIELDS = "messages,messaging_postbacks,messaging_seen,message_reactions";

const shape = z
  .object({
    accountId: numericId("Instagram professional account id"),
    token: secret,
    /** Instagram Login (an Instagram user token) or Facebook Login (the linked Page's token). */
    login: z.enum(["instagram", "facebook"]).default("instagram"),
    pageId: numericId("Facebook Page id").optional(),
    /** The token already is long-lived (60 days), so it is not exchanged. */
    longLived: z.boolean().default(false),
    instagramAppSecret: optionalSecret,
    ...webhookSecrets,
  })
  .strict();

export type InstagramConnect = z.infer<typeof shape>;

/** The same rules as `cosbot channel add-instagram`, each naming its field. */
function instagramConnectBody(serverAppSecret: string | undefined) {
  return shape.superRefine((v, ctx) => {
    const issue = (field: string, message: string) => ctx.addIssue({ code: "custom", path: [field], message });
    if (v.login === "facebook") {
      if (!v.pageId) issue("pageId", "is required with login facebook: the Page linked to the account sends its messages");
      if (v.longLived) issue("longLived", "only applies to login instagram: a Page token is not exchanged");
      if (v.instagramAppSecret) issue("instagramAppSecret", "only applies to login instagram");
    } else {
      if (v.pageId) issue("pageId", "only applies to login facebook");
      if (!v.longLived && !(v.instagramAppSecret ?? v.appSecret ?? serverAppSecret)) {
        issue("instagramAppSecret", "is needed to exchange the short-lived token (or set longLived for a token that already is long-lived)");
      }
    }
  });
}

/**
 * Instagram Login: the short-lived token is exchanged for a long-lived one, `/me` must be the
 * account, and the app is subscribed on graph.instagram.com. Facebook Login: the Page must answer
 * to its token and be linked to the account, and the app is subscribed to the Page.
 */
export function createInstagramConnector(
  hosts: { facebook: GraphClient; instagram: GraphClient },
  server: { appSecret?: string; appToken?: string },
): ChannelConnector<InstagramConnect> & { input: ReturnType<typeof instagramConnectBody> } {
  return {
    platform: "instagram",
    input: instagramConnectBody(server.appSecret),
    externalId: (input) => input.accountId,
    connect: (input, now) => (input.login === "facebook" ? viaPage(hosts.facebook, input, server.appToken) : viaInstagram(hosts.instagram, input, server.appSecret, now)),
  };
}

async function viaInstagram(instagram: GraphClient, input: InstagramConnect, serverSecret: string | undefined, now: Date): Promise<VerifiedChannel> {
  const secrets = [input.token, input.appSecret, input.instagramAppSecret, input.verifyToken, serverSecret];
  let token = input.token;
  let expiresAt = new Date(now.getTime() + LONG_LIVED_MS);
  if (!input.longLived) {
    const exchanged = await exchange(instagram, input, (input.instagramAppSecret ?? input.appSecret ?? serverSecret)!, now, secrets);
    token = exchanged.accessToken;
    expiresAt = exchanged.expiresAt;
    secrets.push(token);
  }
  const check = { what: `Instagram account ${input.accountId}`, idField: "accountId", tokenField: "token", secrets };
  const me = record(await checked(() => instagram.get("/me", { fields: "id,user_id,username" }, token), check));
  if (String(me.user_id ?? "") !== input.accountId) {
    const whose = me.user_id ? `account ${String(me.user_id)}${me.username ? ` (@${String(me.username)})` : ""}` : "another account";
    throw new CredentialsRefused("accountId", `the token belongs to Instagram ${scrub(whose, secrets)}, not to ${input.accountId}`);
  }
  await checked(() => instagram.post("/me/subscribed_apps", { subscribed_fields: IG_FIELDS }, token), { ...check, what: `subscribing the app to ${check.what}` });
  return {
    externalId: input.accountId,
    displayName: input.displayName ?? (text(me.username) && `@${String(me.username)}`),
    credentials: {
      accessToken: token, appSecret: input.appSecret, instagramAppSecret: input.instagramAppSecret, verifyToken: input.verifyToken, instagramLogin: "instagram",
    },
    tokenIssuedAt: now,
    tokenExpiresAt: expiresAt,
    // `id` of `/me` is the app-scoped Instagram user: what an Instagram Login app's callbacks name.
    connectedByMetaUserId: text(me.id),
  };
}

/** Short-lived → long-lived; an expired token or a wrong app secret is the business's to fix. */
async function exchange(instagram: GraphClient, input: InstagramConnect, appSecret: string, now: Date, secrets: (string | undefined)[]) {
  try {
    return await exchangeForLongLivedToken(instagram, input.token, appSecret, now);
  } catch (error) {
    if (!(error instanceof SendError) || error.retryable) throw error;
    const said = scrub(error.error.title ?? `error ${error.error.code}`, secrets);
    // 101: "Error validating client secret".
    if (error.error.code === "101") {
      const field = input.instagramAppSecret ? "instagramAppSecret" : input.appSecret ? "appSecret" : "instagramAppSecret";
      throw new CredentialsRefused(field, `Meta refused the Instagram app secret while exchanging the token (${said})`);
    }
    const hint = "a short-lived token lasts one hour; set longLived if it already is long-lived";
    throw new CredentialsRefused("token", `could not exchange the token for a long-lived one (${said}); ${hint}`);
  }
}

async function viaPage(facebook: GraphClient, input: InstagramConnect, appToken: string | undefined): Promise<VerifiedChannel> {
  const pageId = input.pageId!;
  const check = { what: `Facebook Page ${pageId}`, idField: "pageId", tokenField: "token", secrets: [input.token, input.appSecret, input.verifyToken] };
  const page = record(await checked(() => facebook.get(`/${pageId}`, { fields: "id,name,instagram_business_account" }, input.token), check));
  const linked = record(page.instagram_business_account).id;
  if (String(linked ?? "") !== input.accountId) {
    const link = linked ? `is linked to Instagram account ${String(linked)}` : "has no linked Instagram professional account";
    throw new CredentialsRefused("accountId", `Facebook Page ${pageId} ${link}, not ${input.accountId}`);
  }
  await checked(() => facebook.post(`/${pageId}/subscribed_apps`, { subscribed_fields: PAGE_FIELDS }, input.token), { ...check, what: `subscribing the app to ${check.what}` });
  return {
    externalId: input.accountId,
    accountId: pageId,
    displayName: input.displayName ?? text(page.name),
    credentials: { accessToken: input.token, appSecret: input.appSecret, verifyToken: input.verifyToken, instagramLogin: "facebook", pageId },
    connectedByMetaUserId: await tokenUser(facebook, input.token, appToken),
  };
}
