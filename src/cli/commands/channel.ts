import { parseArgs } from "node:util";
import { addChannel, type ChannelSummary, listChannels } from "../../db/repositories/channel-repository.js";
import { listPortfolios, type Portfolio } from "../../db/repositories/portfolio-repository.js";
import { badInput, type Command, iso, numericId, optional, printable, required, resolvePortfolio, table } from "../context.js";
import { addInstagram, addMessenger } from "./channel-meta.js";

// Secrets arrive as options: they are sealed at once and never echoed, at most as "…abcd".
const addWhatsapp: Command = async (ctx, argv) => {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      portfolio: { type: "string" },
      "phone-number-id": { type: "string" },
      "waba-id": { type: "string" },
      "access-token": { type: "string" },
      "app-secret": { type: "string" },
      "verify-token": { type: "string" },
      "display-name": { type: "string" },
    },
  });
  const portfolioRef = required(values, "portfolio");
  const phoneNumberId = required(values, "phone-number-id");
  const wabaId = required(values, "waba-id");
  const accessToken = required(values, "access-token");
  if (!numericId.test(phoneNumberId)) throw badInput("--phone-number-id must be the numeric phone number id from WhatsApp Manager");
  if (!numericId.test(wabaId)) throw badInput("--waba-id must be the numeric WhatsApp Business Account id");
  if (/\s/.test(accessToken)) throw badInput("--access-token must not contain spaces");
  const appSecret = optional(values["app-secret"], "app-secret");
  const verifyToken = optional(values["verify-token"], "verify-token");
  const displayName = values["display-name"]?.trim() || undefined;

  const portfolio = await resolvePortfolio(ctx, portfolioRef);
  const { db, box } = await ctx.database();
  const channel = await addChannel(db, box, portfolio.id, {
    platform: "whatsapp",
    externalId: phoneNumberId,
    accountId: wabaId,
    displayName,
    credentials: { accessToken, appSecret, verifyToken },
  });
  ctx.out(channel.id);
  ctx.info(`connected WhatsApp number ${phoneNumberId} (WABA ${wabaId}) to ${portfolio.slug}, token ${channel.tokenHint}`);
  // Without a secret the webhook signature cannot be checked, so every event would be refused.
  if (!appSecret && !ctx.config.META_APP_SECRET) ctx.info("warning: no --app-secret and META_APP_SECRET is not set: this channel's webhooks will be rejected");
  if (!verifyToken && !ctx.config.META_VERIFY_TOKEN) ctx.info("warning: no --verify-token and META_VERIFY_TOKEN is not set: Meta cannot verify the webhook subscription");
};

const list: Command = async (ctx, argv) => {
  const { values } = parseArgs({ args: argv, strict: true, options: { portfolio: { type: "string" } } });
  const { db, box } = await ctx.database();
  // Listing everything still goes portfolio by portfolio: the repository has no tenant-less query.
  const portfolios: Portfolio[] = values.portfolio ? [await resolvePortfolio(ctx, values.portfolio)] : await listPortfolios(db);
  const rows: string[][] = [];
  for (const portfolio of portfolios) {
    for (const c of await listChannels(db, box, portfolio.id)) rows.push(channelRow(portfolio, c));
  }
  if (rows.length === 0) return ctx.info("no channels yet: connect one with `channel add-whatsapp`, `add-messenger` or `add-instagram`");
  const header = ["PORTFOLIO", "ID", "PLATFORM", "STATE", "EXTERNAL ID", "LAST WEBHOOK", "TOKEN", "TOKEN EXPIRES", "DISPLAY NAME"];
  for (const line of table([header, ...rows])) ctx.out(line);
};

function channelRow(portfolio: Portfolio, c: ChannelSummary, now = Date.now()): string[] {
  const state = c.stateReason ? `${c.state} (${printable(c.stateReason)})` : c.state;
  const login = c.instagramLogin === "facebook" ? " (Facebook Login)" : c.instagramLogin === "instagram" ? " (Instagram Login)" : "";
  return [
    portfolio.slug,
    c.id,
    `${c.platform}${login}`,
    state,
    c.externalId,
    c.lastWebhookAt ? iso(c.lastWebhookAt) : "never",
    c.tokenHint ?? "unreadable",
    expiry(c.tokenExpiresAt, now),
    c.displayName ? printable(c.displayName) : "-",
  ];
}

/** "-" for tokens not known to expire (WhatsApp system users, Page tokens). */
function expiry(at: Date | null, now: number): string {
  if (!at) return "-";
  const days = Math.floor((at.getTime() - now) / 86_400_000);
  if (at.getTime() <= now) return `${iso(at)} (EXPIRED)`;
  return `${iso(at)} (${days < 1 ? "within a day" : `in ${days} d`})`;
}

export const channelCommands: Record<string, Command> = {
  "add-whatsapp": addWhatsapp,
  "add-messenger": addMessenger,
  "add-instagram": addInstagram,
  list,
};
