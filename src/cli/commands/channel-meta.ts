import { parseArgs } from "node:util";
import { ZodError } from "zod";
import { channelAdapters } from "../../channels/index.js";
import { connectChannel } from "../../core/channels/connect-channel.js";
import type { Platform } from "../../core/events.js";
import { channelRegistry } from "../../db/repositories/channel-registry.js";
import type { ChannelSummary } from "../../db/repositories/channel-repository.js";
import type { Portfolio } from "../../db/repositories/portfolio-repository.js";
import { badInput, type CliContext, type Command, iso, required, resolvePortfolio } from "../context.js";

// Secrets arrive as options and go to the same connectors as the API: Meta checks them, the app is
// subscribed, and they are sealed at once. They are never echoed, at most as "…abcd".
const shared = {
  portfolio: { type: "string" },
  "app-secret": { type: "string" },
  "verify-token": { type: "string" },
  "display-name": { type: "string" },
} as const;

function sharedInput(values: { "app-secret"?: string; "verify-token"?: string; "display-name"?: string }) {
  return { appSecret: values["app-secret"], verifyToken: values["verify-token"], displayName: values["display-name"] };
}

/**
 * Runs `connectChannel` as the API does. Bad input names its option and fails before the
 * database opens; Meta's refusals are the API's AppErrors, printed on one line, nothing stored.
 */
async function connect(
  ctx: CliContext,
  portfolioRef: string,
  platform: Platform,
  input: Record<string, unknown>,
): Promise<{ portfolio: Portfolio; channel: ChannelSummary }> {
  const { config } = ctx;
  const graph = (baseUrl: string) => ({ baseUrl, version: config.GRAPH_API_VERSION, timeoutMs: config.GRAPH_TIMEOUT_MS });
  const { connectors } = channelAdapters(
    { facebook: graph(config.GRAPH_API_URL), instagram: graph(config.INSTAGRAM_GRAPH_API_URL) },
    { appSecret: config.META_APP_SECRET, appId: config.META_APP_ID },
  );
  const connector = connectors[platform]!;
  const parsed = await connector.input.safeParseAsync(input);
  if (!parsed.success) throw badInput(describeIssue(parsed.error));
  const portfolio = await resolvePortfolio(ctx, portfolioRef);
  const { db, box } = await ctx.database();
  const channel = await connectChannel(
    { portfolioId: portfolio.id, platform, input: parsed.data },
    // A running server picks the channel up when its routing table next reloads.
    { connectors, registry: channelRegistry(db, box), now: () => new Date(), onChannelsChanged: () => {} },
  );
  return { portfolio, channel };
}

/** The first problem, with the input field spelled as its option (accessToken → --access-token). */
function describeIssue(error: unknown): string {
  const issue = error instanceof ZodError ? error.issues[0] : undefined;
  if (!issue) return "invalid input";
  const field = String(issue.path[0] ?? "input");
  return `--${field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${issue.message}`;
}

/** Without a secret the webhook signature cannot be checked, so every event would be refused. */
function warnUnverifiable(ctx: CliContext, hasSecret: boolean, verifyToken: string | undefined): void {
  if (!hasSecret && !ctx.config.META_APP_SECRET) ctx.info("warning: no app secret given and META_APP_SECRET is not set: this channel's webhooks will be rejected");
  if (!verifyToken && !ctx.config.META_VERIFY_TOKEN) ctx.info("warning: no --verify-token and META_VERIFY_TOKEN is not set: Meta cannot verify the webhook subscription");
}

export const addWhatsapp: Command = async (ctx, argv) => {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { ...shared, "phone-number-id": { type: "string" }, "waba-id": { type: "string" }, "access-token": { type: "string" } },
  });
  const portfolioRef = required(values, "portfolio");
  const phoneNumberId = required(values, "phone-number-id");
  const wabaId = required(values, "waba-id");
  const input = { phoneNumberId, wabaId, accessToken: required(values, "access-token"), ...sharedInput(values) };
  const { portfolio, channel } = await connect(ctx, portfolioRef, "whatsapp", input);
  ctx.out(channel.id);
  ctx.info(`connected WhatsApp number ${phoneNumberId} (WABA ${wabaId}) to ${portfolio.slug}, token ${channel.tokenHint}`);
  warnUnverifiable(ctx, Boolean(input.appSecret), input.verifyToken);
};

export const addMessenger: Command = async (ctx, argv) => {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: { ...shared, "page-id": { type: "string" }, "page-token": { type: "string" } },
  });
  const portfolioRef = required(values, "portfolio");
  const pageId = required(values, "page-id");
  const input = { pageId, pageToken: required(values, "page-token"), ...sharedInput(values) };
  const { portfolio, channel } = await connect(ctx, portfolioRef, "messenger", input);
  ctx.out(channel.id);
  ctx.info(`connected Facebook Page ${pageId} (Messenger) to ${portfolio.slug}, token ${channel.tokenHint}`);
  warnUnverifiable(ctx, Boolean(input.appSecret), input.verifyToken);
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
  const accountId = required(values, "account-id");
  const login = values.login?.trim() || "instagram";
  const longLived = values["long-lived"] === true;
  const input = {
    accountId, token: required(values, "token"), login, pageId: values["page-id"], longLived,
    instagramAppSecret: values["instagram-app-secret"], ...sharedInput(values),
  };
  const { portfolio, channel } = await connect(ctx, portfolioRef, "instagram", input);
  ctx.out(channel.id);
  const how = login === "facebook" ? `through Page ${input.pageId} (Facebook Login)` : "(Instagram Login)";
  // Instagram Login tokens expire (60 days once long-lived); Page tokens do not.
  const expiry = channel.tokenExpiresAt ? `, ${longLived ? "long-lived" : "exchanged for a long-lived one"}, expires ${iso(channel.tokenExpiresAt)}` : "";
  ctx.info(`connected Instagram account ${accountId} ${how} to ${portfolio.slug}, token ${channel.tokenHint}${expiry}`);
  warnUnverifiable(ctx, Boolean(input.appSecret || input.instagramAppSecret), input.verifyToken);
};
