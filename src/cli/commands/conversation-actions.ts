import { parseArgs } from "node:util";
import { channelAdapters } from "../../channels/index.js";
import { sendManualReply } from "../../core/conversations/send-manual-reply.js";
import { setConversationMode } from "../../core/conversations/set-mode.js";
import { AppError } from "../../core/errors.js";
import { PgConversationStore } from "../../db/conversation-store.js";
import { badInput, type CliContext, type Command, printable, required, resolvePortfolio } from "../context.js";

/** Ids as `conversations list` prints them; anything else would end up in an error line unescaped. */
const conversationIdPattern = /^[A-Za-z0-9-]{1,64}$/;

function conversationId(positional: string | undefined, usage: string): string {
  if (positional === undefined) throw badInput(`give the conversation id: ${usage}`);
  if (!conversationIdPattern.test(positional)) throw badInput(`"${printable(positional)}" is not a conversation id (see \`conversations list\`)`);
  return positional;
}

function senders(ctx: CliContext) {
  const { config } = ctx;
  const graph = (baseUrl: string) => ({ baseUrl, version: config.GRAPH_API_VERSION, timeoutMs: config.GRAPH_TIMEOUT_MS });
  return channelAdapters({ facebook: graph(config.GRAPH_API_URL), instagram: graph(config.INSTAGRAM_GRAPH_API_URL) }).senders;
}

/**
 * A person's answer, stored and queued like one written in the inbox: the server's sweeper sends it.
 * This process does not send it itself, so a send never happens twice or without its retries.
 */
export const reply: Command = async (ctx, argv) => {
  const usage = "conversation reply <conversationId> --portfolio <id|slug> --text <text>";
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: { portfolio: { type: "string" }, text: { type: "string" } },
  });
  if (positionals.length > 1) throw badInput(`give exactly one conversation id: ${usage}`);
  const id = conversationId(positionals[0], usage);
  const portfolioRef = required(values, "portfolio");
  const text = required(values, "text");

  const portfolio = await resolvePortfolio(ctx, portfolioRef);
  const { db } = await ctx.database();
  const result = await sendManualReply(
    { portfolioId: portfolio.id, conversationId: id, text },
    { store: new PgConversationStore(db), senders: senders(ctx), now: () => new Date(), onWorkScheduled: () => {} },
  );
  ctx.out(`${result.messageId} ${result.status}`);
  if (result.status === "failed") {
    throw new AppError("bad_request", `not sent: ${printable(result.reason ?? "refused")} (kept as a failed message; the mode is unchanged)`);
  }
  const when = ctx.config.DATABASE_URL ? "the running server sends it within seconds" : "the server sends it when it starts (PGlite)";
  ctx.info(`queued: ${when}. The conversation is now manual: the agent stays silent until \`conversation mode ${id} --portfolio ${portfolio.slug} ai\``);
};

export const mode: Command = async (ctx, argv) => {
  const usage = "conversation mode <conversationId> --portfolio <id|slug> ai|manual";
  const { values, positionals } = parseArgs({ args: argv, strict: true, allowPositionals: true, options: { portfolio: { type: "string" } } });
  if (positionals.length !== 2) throw badInput(`give a conversation id and a mode: ${usage}`);
  const id = conversationId(positionals[0], usage);
  const wanted = positionals[1];
  if (wanted !== "ai" && wanted !== "manual") throw badInput(`the mode must be ai or manual: ${usage}`);
  const portfolio = await resolvePortfolio(ctx, required(values, "portfolio"));
  const { db } = await ctx.database();
  await setConversationMode({ portfolioId: portfolio.id, conversationId: id, mode: wanted }, { store: new PgConversationStore(db), onWorkScheduled: () => {} });
  ctx.out(`${id} ${wanted}`);
  ctx.info(
    wanted === "ai"
      ? "the agent answers again, from the customer's next message on"
      : "the agent stays silent in this conversation; answer with `conversation reply`",
  );
};
