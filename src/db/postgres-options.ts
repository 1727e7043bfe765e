import type postgres from "postgres";

export interface PostgresPoolOptions {
  /** Connections in this process's pool (a long-running server). */
  poolSize?: number;
  /** A serverless function instance: a small pool whose idle connections close before it is frozen. */
  serverless?: boolean;
  /** Called for every query sent (postgres.js' debug hook): the query counter of DB_QUERY_COUNTING. */
  onQuery?(): void;
}

/**
 * The postgres.js options for a URL. TLS comes from the URL itself (`?sslmode=require`, as Neon
 * gives it; postgres.js reads sslmode and channel_binding), so nothing here overrides `ssl`.
 */
export function postgresOptions(url: string, pool: PostgresPoolOptions = {}): postgres.Options<{}> {
  return {
    max: pool.serverless ? 3 : (pool.poolSize ?? 10),
    // A frozen function instance keeps its sockets; short idle times let the server drop them cleanly.
    ...(pool.serverless ? { idle_timeout: 20, max_lifetime: 5 * 60 } : {}),
    connect_timeout: 10,
    backoff: reconnectBackoffSeconds,
    // Behind PgBouncer in transaction mode (Neon's "-pooler" host) a named statement lives on whichever
    // server connection prepared it; unnamed ones depend on no such tracking and still bind parameters.
    prepare: !isPooledUrl(url),
    onnotice: () => {},
    ...(pool.onQuery ? { debug: pool.onQuery } : {}),
  };
}

/**
 * Seconds before the pool tries to connect again after failed attempts; meanwhile queries fail at
 * once. postgres.js' own curve reaches 7 s after six failures and 20 s after seven, so a restart
 * of a few hundred milliseconds under load kept this server refusing webhooks (and unable to
 * record sends) for ten seconds more. Capped at 2 s: back within that of the database.
 */
export function reconnectBackoffSeconds(retries: number): number {
  return Math.min(2, 0.05 * 2 ** retries) * (0.5 + Math.random() / 2);
}

/** Neon's pooled endpoint is its direct host with "-pooler" added to the first label. */
export function isPooledUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host.endsWith(".neon.tech") && host.split(".")[0]!.endsWith("-pooler");
  } catch {
    return false;
  }
}
