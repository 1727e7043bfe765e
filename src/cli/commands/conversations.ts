import { parseArgs } from "node:util";
import { AppError } from "../../core/errors.js";
import {
  type ConversationWithMessages,
  getConversationWithMessages,
  listConversations,
  maxConversationLimit,
  type MessageView,
} from "../../db/repositories/conversation-repository.js";
import { listPortfolios, type Portfolio } from "../../db/repositories/portfolio-repository.js";
import { badInput, type CliContext, type Command, iso, printable, required, resolvePortfolio, table } from "../context.js";
import { mode, reply } from "./conversation-actions.js";

const list: Command = async (ctx, argv) => {
  const { values } = parseArgs({ args: argv, strict: true, options: { portfolio: { type: "string" }, limit: { type: "string" } } });
  const portfolioRef = required(values, "portfolio");
  const limit = values.limit === undefined ? undefined : parseLimit(values.limit);
  const portfolio = await resolvePortfolio(ctx, portfolioRef);
  const { db } = await ctx.database();
  const items = await listConversations(db, portfolio.id, { limit });
  if (items.length === 0) return ctx.info(`no conversations in ${portfolio.slug} yet`);
  const rows = items.map((c) => [
    c.id,
    c.platform,
    printable(c.customer.profileName ?? c.customer.platformUserId),
    c.mode,
    String(c.unreadCount),
    iso(c.lastMessageAt),
    c.attentionCode ? printable(c.attentionCode) : "-",
  ]);
  for (const line of table([["ID", "PLATFORM", "CUSTOMER", "MODE", "UNREAD", "LAST MESSAGE", "ATTENTION"], ...rows])) ctx.out(line);
};

function parseLimit(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > maxConversationLimit) throw badInput(`--limit must be a whole number from 1 to ${maxConversationLimit}`);
  return n;
}

const show: Command = async (ctx, argv) => {
  const { values, positionals } = parseArgs({ args: argv, strict: true, allowPositionals: true, options: { portfolio: { type: "string" } } });
  if (positionals.length !== 1) throw badInput("give exactly one conversation id: conversation show <conversationId>");
  const conversationId = positionals[0]!;
  const { db } = await ctx.database();
  // Without --portfolio, look in each portfolio in turn: the repository only answers within a tenant.
  const candidates: Portfolio[] = values.portfolio ? [await resolvePortfolio(ctx, values.portfolio)] : await listPortfolios(db);
  for (const portfolio of candidates) {
    const found = await getConversationWithMessages(db, portfolio.id, conversationId);
    if (found) return printConversation(ctx, portfolio, found);
  }
  const scope = values.portfolio ? ` in portfolio ${values.portfolio}` : "";
  throw new AppError("not_found", `no conversation ${printable(conversationId)}${scope}`);
};

function printConversation(ctx: CliContext, portfolio: Portfolio, data: ConversationWithMessages): void {
  const { conversation: c, customer, channel } = data;
  const who = customer.profileName ? `${printable(customer.profileName)} (${printable(customer.platformUserId)})` : printable(customer.platformUserId);
  const channelName = channel.displayName ? ` "${printable(channel.displayName)}"` : "";
  ctx.out(`conversation  ${c.id}`);
  ctx.out(`portfolio     ${portfolio.slug}`);
  ctx.out(`customer      ${who}`);
  ctx.out(`channel       ${channel.platform} ${channel.externalId}${channelName}`);
  ctx.out(`mode          ${c.mode}`);
  ctx.out(`unread        ${c.unreadCount}`);
  ctx.out(`last inbound  ${iso(c.lastInboundAt)}`);
  ctx.out(`attention     ${attention(c)}`);
  ctx.out(`messages      ${data.messages.length}`);
  for (const m of data.messages) printMessage(ctx, m);
}

function attention(c: ConversationWithMessages["conversation"]): string {
  if (!c.attentionCode) return "none";
  const reason = c.attentionReason ? `: ${printable(c.attentionReason)}` : "";
  return `${printable(c.attentionCode)}${reason} (since ${iso(c.attentionAt)})`;
}

const authors: Record<MessageView["author"], string> = { customer: "customer", ai: "AI", member: "member", business_app: "business app" };
const indent = " ".repeat(26);

function printMessage(ctx: CliContext, m: MessageView): void {
  const body = m.deleted ? "(deleted)" : m.text ? printable(m.text, true) : "(no text)";
  const [first, ...more] = body.split("\n");
  ctx.out("");
  ctx.out(`${iso(m.occurredAt)}  ${authors[m.author].padEnd(12)}  ${m.kind.padEnd(11)}  ${first}`);
  for (const line of more) ctx.out(`${indent}${line}`);
  if (m.direction === "out") ctx.out(`${indent}status: ${status(m)}`);
  if (m.reaction) ctx.out(`${indent}reaction: ${printable(m.reaction)}`);
}

function status(m: MessageView): string {
  const times = [
    m.sentAt && `sent ${iso(m.sentAt)}`,
    m.deliveredAt && `delivered ${iso(m.deliveredAt)}`,
    m.readAt && `read ${iso(m.readAt)}`,
    m.failedAt && `failed ${iso(m.failedAt)}`,
  ].filter(Boolean);
  const when = times.length ? ` (${times.join(", ")})` : "";
  if (m.status !== "failed") return `${m.status}${when}`;
  const why = [m.errorCode, m.errorTitle, m.errorDetail].filter((s): s is string => Boolean(s)).map((s) => printable(s));
  return `failed${when}${why.length ? `: ${why.join(" — ")}` : ""}`;
}

export const conversationsCommands: Record<string, Command> = { list };
export const conversationCommands: Record<string, Command> = { show, reply, mode };
