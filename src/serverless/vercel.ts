import { waitUntil } from "@vercel/functions";
import { createCosbot, type Cosbot } from "../compose.js";
import { ConfigError, loadConfig } from "../config.js";
import { type Database, openDatabase } from "../db/client.js";

/**
 * Cosbot as a Vercel function: the same Hono app as the Node server, built once per function
 * instance on its first request. Work a request schedules runs after the response in waitUntil;
 * the cron routes (vercel.json) sweep what is left and refresh tokens. No in-process schedules.
 */
let instance: Promise<{ cosbot: Cosbot; database?: Database }> | undefined;

async function build(): Promise<{ cosbot: Cosbot; database?: Database }> {
  const config = loadConfig();
  // Postgres is opened here, not migrated: a cold start must stay short, and migrating through Neon's
  // transaction pooler would leave the migration lock on a pooled connection. `npm run db:migrate`
  // applies migrations before a deploy. Without DATABASE_URL (local tries only) the embedded one is used.
  let database: Database | undefined;
  if (config.DATABASE_URL) {
    try {
      database = await openDatabase({ url: config.DATABASE_URL, serverless: true });
    } catch (error) {
      throw new ConfigError(`Cannot open the database (DATABASE_URL): ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  try {
    const cosbot = await createCosbot(config, { database, runWorkAfterResponse: (work) => void waitUntil(work) });
    return { cosbot, database };
  } catch (error) {
    await database?.close().catch(() => {});
    throw error;
  }
}

/** The function instance's Cosbot; a failed build is retried by the next request. */
export function functionCosbot(): Promise<Cosbot> {
  instance ??= build().catch((error: unknown) => {
    instance = undefined;
    throw error;
  });
  return instance.then((built) => built.cosbot);
}

/** Closes the instance's Cosbot (tests; a function instance is simply frozen and dropped). */
export async function closeFunctionCosbot(): Promise<void> {
  const built = await instance?.catch(() => undefined);
  instance = undefined;
  if (!built) return;
  await built.cosbot.close();
  await built.database?.close();
}

/**
 * The parameter vercel.json's rewrites capture. Vercel appends a captured parameter the destination
 * does not use to the query, and the API refuses query keys it does not know, so it is taken off.
 */
export const rewriteParam = "cosbot_rest";

function withoutRewriteParam(request: Request): Request {
  const url = new URL(request.url);
  if (!url.searchParams.has(rewriteParam)) return request;
  url.searchParams.delete(rewriteParam);
  return new Request(url, request);
}

export async function handleRequest(incoming: Request): Promise<Response> {
  const request = withoutRewriteParam(incoming);
  let cosbot: Cosbot;
  try {
    cosbot = await functionCosbot();
  } catch (error) {
    // The setting's name goes to the function log, not to whoever sent the request.
    console.error(error instanceof ConfigError ? error.message : error);
    return Response.json({ error: { code: "internal", message: "the server cannot start; see its logs" } }, { status: 500 });
  }
  return cosbot.app.fetch(request);
}

/** The Web-standard export Vercel's Node.js runtime calls: a Request in, a Response out. */
export default { fetch: handleRequest };
