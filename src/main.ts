import { serve } from "@hono/node-server";
import { createCosbot } from "./compose.js";
import { ConfigError, loadConfig } from "./config.js";

async function main(): Promise<void> {
  const config = loadConfig();
  const cosbot = await createCosbot(config);
  const { log } = cosbot;
  cosbot.startSchedules();
  const server = serve({ fetch: cosbot.app.fetch, port: config.PORT }, (info) => {
    log.info(
      { port: info.port, database: cosbot.database.driver, cache: cosbot.cache.driver, model: config.OPENAI_API_KEY ? "configured" : "missing" },
      `Cosbot listening on http://localhost:${info.port}`,
    );
    if (!config.OPENAI_API_KEY) log.warn("OPENAI_API_KEY is not set: messages are stored, replies are marked failed");
  });
  const shutdown = async (signal: string) => {
    log.info({ signal }, "shutting down");
    server.close();
    await cosbot.close();
    process.exit(0);
  };
  process.once("SIGTERM", () => void shutdown("SIGTERM"));
  process.once("SIGINT", () => void shutdown("SIGINT"));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
    process.exit(1);
  }
  console.error(error);
  process.exit(1);
});
