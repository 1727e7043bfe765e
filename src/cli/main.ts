import { join } from "node:path";
import { ConfigError, loadConfig } from "../config.js";
import { AppError } from "../core/errors.js";
import { applyMigrations, type Database, openDatabase } from "../db/client.js";
import { SecretBox } from "../security/secret-box.js";
import { agentCommands } from "./commands/agent.js";
import { channelCommands } from "./commands/channel.js";
import { conversationCommands, conversationsCommands } from "./commands/conversations.js";
import { portfolioCommands } from "./commands/portfolio.js";
import type { CliContext, Command } from "./context.js";

const usage = `Usage: npm run cosbot -- <command> [options]

  portfolio create --name <name>            create a business and its default agent; prints its id
  portfolio list

  channel add-whatsapp --portfolio <id|slug> --phone-number-id <id> --waba-id <id>
                       --access-token <token> [--app-secret <s>] [--verify-token <t>]
                       [--display-name <name>]
                                            connect a WhatsApp number; prints the channel id
  channel add-messenger --portfolio <id|slug> --page-id <id> --page-token <token>
                        [--app-secret <s>] [--verify-token <t>] [--display-name <name>]
                                            connect a Facebook Page's Messenger; prints the channel id
  channel add-instagram --portfolio <id|slug> --account-id <ig id> --token <token>
                        [--login instagram|facebook] [--page-id <id>] [--app-secret <s>]
                        [--instagram-app-secret <s>] [--verify-token <t>] [--display-name <name>]
                        [--long-lived]
                                            connect an Instagram professional account; prints the
                                            channel id. Instagram Login (the default): --token is
                                            the short-lived token, exchanged here for a 60-day one
                                            (with --instagram-app-secret, else --app-secret, else
                                            META_APP_SECRET); --long-lived when it already is one.
                                            Facebook Login: --token is the Page token and --page-id
                                            the Page linked to the account.
  channel list [--portfolio <id|slug>]      every channel with its state and token expiry

  agent set --portfolio <id|slug> [--name <n>] [--instructions <text> | --instructions-file <path>]
            [--model <model>] [--enabled true|false]
                                            change the agent (created when missing)
  agent show --portfolio <id|slug>

  conversations list --portfolio <id|slug> [--limit N]
  conversation show <conversationId> [--portfolio <id|slug>]
  conversation reply <conversationId> --portfolio <id|slug> --text <text>
                                            answer as a person: the conversation turns manual and
                                            the message is queued; the server's sweeper sends it.
                                            With PGlite the server must be stopped while this runs
                                            (one process owns the data folder), so the message goes
                                            out when the server starts.
  conversation mode <conversationId> --portfolio <id|slug> ai|manual
                                            hand a conversation to the agent, or take it over

  help                                      this text

Settings come from the environment, as for the server (DATABASE_URL, DATA_DIR, ENCRYPTION_KEY, ...).
channel add-* check the credentials with Meta (GRAPH_API_URL, INSTAGRAM_GRAPH_API_URL) and
subscribe the app before anything is stored.
`;

// A Map rather than an object literal: "constructor" or "__proto__" must not resolve to anything.
const commands = new Map<string, Map<string, Command>>(
  Object.entries({
    portfolio: portfolioCommands,
    channel: channelCommands,
    agent: agentCommands,
    conversations: conversationsCommands,
    conversation: conversationCommands,
  }).map(([group, subs]) => [group, new Map(Object.entries(subs))]),
);

async function main(argv: string[]): Promise<number> {
  const [group, sub, ...rest] = argv;
  if (group === undefined || ["help", "--help", "-h"].includes(group) || rest.includes("--help") || rest.includes("-h")) {
    process.stdout.write(usage);
    return 0;
  }
  const command = commands.get(group)?.get(sub ?? "");
  if (!command) {
    process.stderr.write(`unknown command: ${[group, sub].filter(Boolean).join(" ")}\n\n${usage}`);
    return 2;
  }
  let database: Promise<Database> | undefined;
  try {
    const config = loadConfig();
    const open = async () => {
      const db = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATABASE_URL ? undefined : join(config.DATA_DIR, "pglite") });
      await applyMigrations(db, config.DATABASE_URL);
      return db;
    };
    const box = new SecretBox(config.ENCRYPTION_KEY);
    const ctx: CliContext = {
      config,
      database: async () => ({ db: (await (database ??= open())).db, box }),
      out: (line) => void process.stdout.write(`${line}\n`),
      info: (line) => void process.stderr.write(`${line}\n`),
    };
    await command(ctx, rest);
    return 0;
  } catch (error) {
    process.stderr.write(`${describe(error)}\n`);
    return 1;
  } finally {
    if (database) await (await database.catch(() => undefined))?.close();
  }
}

/** One line for the operator; a driver error's message may carry query parameters, so only its first line. */
function describe(error: unknown): string {
  if (error instanceof ConfigError) return error.message;
  if (error instanceof AppError) return `error: ${error.message}`;
  if (isParseArgsError(error)) return `error: ${error.message.split("\n")[0]}`;
  const first = error instanceof Error ? error.message.split("\n")[0] : String(error);
  const cause = error instanceof Error && error.cause instanceof Error ? ` (${error.cause.message.split("\n")[0]})` : "";
  return `error: ${first}${cause}`;
}

function isParseArgsError(error: unknown): error is Error {
  return error instanceof Error && String((error as NodeJS.ErrnoException).code ?? "").startsWith("ERR_PARSE_ARGS");
}

process.exitCode = await main(process.argv.slice(2));
