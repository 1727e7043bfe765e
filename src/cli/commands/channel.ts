import { parseArgs } from "node:util";
import { type ChannelSummary, listChannels } from "../../db/repositories/channel-repository.js";
import { listPortfolios, type Portfolio } from "../../db/repositories/portfolio-repository.js";
import { type Command, iso, printable, resolvePortfolio, table } from "../context.js";
import { addInstagram, addMessenger, addWhatsapp } from "./channel-meta.js";

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
