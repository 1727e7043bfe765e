import { serve } from "@hono/node-server";
import { issueLocalSignInLink } from "./auth/create-auth.js";
import { createCosbot } from "./compose.js";
import { ConfigError, loadConfig } from "./config.js";
import { shutDown } from "./shutdown.js";

async function main(): Promise<void> {
  const config = loadConfig();
  const cosbot = await createCosbot(config, {
    onLocalSignInLink: (url) => cosbot.log.info({ url }, `Sign in as the local owner (one use, valid 1 hour; restart for a new link): ${url}`),
  });
  const { log } = cosbot;
  const server = serve({ fetch: cosbot.app.fetch, port: config.PORT }, (info) => {
    cosbot.startSchedules();
    log.info(
      { port: info.port, database: cosbot.database.driver, cache: cosbot.cache.driver, model: config.OPENAI_API_KEY ? "configured" : "missing" },
      `Cosbot listening on http://localhost:${info.port}`,
    );
    if (config.NODE_ENV === "production" && !config.METRICS_TOKEN) log.warn("METRICS_TOKEN is not set: /metrics is open to anyone who reaches the server");
    if (!config.OPENAI_API_KEY) log.warn("OPENAI_API_KEY is not set: messages are stored, replies are marked failed");
    if (cosbot.cache.driver === "memory") log.warn("REDIS_URL is not set: live updates reach only browsers connected to this process");
    if (config.localSignIn) void issueLocalSignInLink(cosbot.auth).catch((err: unknown) => log.warn({ err }, "no local sign-in link"));
    else if (!config.github) log.warn("No way to sign in: set GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET, or LOCAL_SIGN_IN=on");
  });
  server.once("error", async (error: NodeJS.ErrnoException) => {
    await cosbot.close();
    const reason = error.code === "EADDRINUSE" ? `port ${config.PORT} is already in use` : error.message;
    fail(new ConfigError(`Cannot listen (PORT): ${reason}`));
  });
  const shutdown = async (signal: string) => {
    log.info({ signal, timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, "shutting down");
    const ok = await shutDown(server, cosbot, config.SHUTDOWN_TIMEOUT_MS).then(
      () => true,
      (err: unknown) => (log.error({ err }, "shutdown failed"), false),
    );
    process.exit(ok ? 0 : 1);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
}

/** A setting problem is one readable line; anything else is a bug and keeps its stack. */
function fail(error: unknown): never {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
}

main().catch(fail);
