import { parseArgs } from "node:util";
import { exchangeForLongLivedToken } from "../../channels/instagram/tokens.js";
import { createGraphClient } from "../../channels/meta/graph-client.js";
import { AppError } from "../../core/errors.js";
import { SendError } from "../../core/ports.js";
import { addChannel } from "../../db/repositories/channel-repository.js";
import { badInput, type CliContext, type Command, iso, numericId, optional, printable, required, resolvePortfolio } from "../context.js";

/** Meta's lifetime of a long-lived Instagram token, assumed when --long-lived says the token is one. */
const LONG_LIVED_MS = 60 * 24 * 3_600_000;

// Secrets arrive as options: they are sealed at once and never echoed, at most as "…abcd".
const shared = {
  portfolio: { type: "string" },
  "app-secret": { type: "string" },
  "verify-token": { type: "string" },
  "display-name": { type: "string" },
} as const;

interface Shared {
  appSecret?: string;
  verifyToken?: string;
  displayName?: string;
}

function sharedValues(values: { "app-secret"?: string; "verify-token"?: string; "display-name"?: string }): Shared {
  return {
    appSecret: optional(values["app-secret"], "app-secret"),
    verifyToken: optional(values["verify-token"], "verify-token"),
    displayName: values["display-name"]?.trim() || undefined,
  };
}

function token(value: string, name: string): string {
  if (/\s/.test(value)) throw badInput(`--${name} must not contain spaces`);
  return value;
}

function numeric(value: string, name: string, what: string): string {
  if (!numericId.test(value)) throw badInput(`--${name} must be the numeric ${what}`);
  return value;
}

/** Without a secret the webhook signature cannot be checked, so every event would be refused. */
function warnUnverifiable(ctx: CliContext, hasSecret: boolean, verifyToken: string | undefined): void {
  if (!hasSecret && !ctx.config.META_APP_SECRET) ctx.info("warning: no app secret given and META_APP_SECRET is not set: this channel's webhooks will be rejected");
  if (!verifyToken && !ctx.config.META_VERIFY_TOKEN) ctx.info("warning: no --verify-token and META_VERIFY_TOKEN is not set: Meta cannot verify the webhook subscription");
}

export const addMessenger: Command = async (ctx, argv) => {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { ...shared, "page-id": { type: "string" }, "page-token": { type: "string" } },
  });
  const portfolioRef = required(values, "portfolio");
  const pageId = numeric(required(values, "page-id"), "page-id", "Facebook Page id");
  const accessToken = token(required(values, "page-token"), "page-token");
  const { appSecret, verifyToken, displayName } = sharedValues(values);

  const portfolio = await resolvePortfolio(ctx, portfolioRef);
  const { db, box } = await ctx.database();
  const channel = await addChannel(db, box, portfolio.id, {
    platform: "messenger",
    externalId: pageId,
    displayName,
    credentials: { accessToken, appSecret, verifyToken },
  });
  ctx.out(channel.id);
  ctx.info(`connected Facebook Page ${pageId} (Messenger) to ${portfolio.slug}, token ${channel.tokenHint}`);
  warnUnverifiable(ctx, Boolean(appSecret), verifyToken);
};

export const addInstagram: Command = async (ctx, argv) => {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      ...shared,
      "account-id": { type: "string" },
      token: { type: "string" },
      login: { type: "string" },
      "page-id": { type: "string" },
      "instagram-app-secret": { type: "string" },
      "long-lived": { type: "boolean" },
    },
  });
  const portfolioRef = required(values, "portfolio");
  const accountId = numeric(required(values, "account-id"), "account-id", "Instagram professional account id");
  const given = token(required(values, "token"), "token");
  const login = values.login?.trim() ?? "instagram";
  if (login !== "instagram" && login !== "facebook") throw badInput("--login must be instagram or facebook");
  const pageId = optional(values["page-id"], "page-id");
  const instagramAppSecret = optional(values["instagram-app-secret"], "instagram-app-secret");
  const longLived = values["long-lived"] === true;
  const { appSecret, verifyToken, displayName } = sharedValues(values);
  if (login === "facebook") {
    if (!pageId) throw badInput("--page-id is required with --login facebook: the Page linked to the account sends its messages");
    numeric(pageId, "page-id", "Facebook Page id");
    if (longLived) throw badInput("--long-lived only applies to --login instagram: a Page token is not exchanged");
    if (instagramAppSecret) throw badInput("--instagram-app-secret only applies to --login instagram");
  } else if (pageId) {
    throw badInput("--page-id only applies to --login facebook");
  }
  const exchangeSecret = instagramAppSecret ?? appSecret ?? ctx.config.META_APP_SECRET;
  if (login === "instagram" && !longLived && !exchangeSecret) {
    throw badInput("exchanging the short-lived token needs the Instagram app secret: give --instagram-app-secret (or --long-lived for a token that already is long-lived)");
  }

  const portfolio = await resolvePortfolio(ctx, portfolioRef);
  const now = new Date();
  // Instagram Login tokens expire (1 hour short-lived, 60 days long-lived); Page tokens do not.
  let accessToken = given;
  let life: { tokenIssuedAt: Date; tokenExpiresAt: Date } | undefined;
  if (login === "instagram" && longLived) {
    life = { tokenIssuedAt: now, tokenExpiresAt: new Date(now.getTime() + LONG_LIVED_MS) };
  } else if (login === "instagram") {
    const exchanged = await exchange(ctx, given, exchangeSecret!, now);
    accessToken = exchanged.accessToken;
    life = { tokenIssuedAt: now, tokenExpiresAt: exchanged.expiresAt };
  }

  const { db, box } = await ctx.database();
  const channel = await addChannel(db, box, portfolio.id, {
    platform: "instagram",
    externalId: accountId,
    accountId: pageId,
    displayName,
    credentials: { accessToken, appSecret, instagramAppSecret, verifyToken, instagramLogin: login, pageId },
    ...life,
  });
  ctx.out(channel.id);
  const how = login === "facebook" ? `through Page ${pageId} (Facebook Login)` : "(Instagram Login)";
  const expiry = life ? `, ${longLived ? "long-lived" : "exchanged for a long-lived one"}, expires ${iso(life.tokenExpiresAt)}` : "";
  ctx.info(`connected Instagram account ${accountId} ${how} to ${portfolio.slug}, token ${channel.tokenHint}${expiry}`);
  warnUnverifiable(ctx, Boolean(appSecret || instagramAppSecret), verifyToken);
};

/** Short-lived → long-lived on graph.instagram.com; any refusal is one line, and nothing is stored. */
async function exchange(ctx: CliContext, shortLived: string, secret: string, now: Date) {
  const { config } = ctx;
  const instagram = createGraphClient({ baseUrl: config.INSTAGRAM_GRAPH_API_URL, version: config.GRAPH_API_VERSION, timeoutMs: config.GRAPH_TIMEOUT_MS });
  try {
    return await exchangeForLongLivedToken(instagram, shortLived, secret, now);
  } catch (error) {
    // Meta's message should not quote the request, but the request did carry both secrets.
    let reason = error instanceof Error ? error.message : String(error);
    // Values too short to be real secrets would garble every word they occur in.
    for (const secretValue of [shortLived, secret]) if (secretValue.length >= 8) reason = reason.split(secretValue).join("…");
    // Refused by Meta (not a network fault): most often an expired or already long-lived token.
    const refused = error instanceof SendError && !error.retryable;
    const hint = refused ? " (a short-lived token lasts one hour; pass --long-lived if it already is long-lived)" : "";
    throw new AppError("bad_request", `could not exchange the token for a long-lived one: ${printable(reason)}; nothing was stored${hint}`);
  }
}
