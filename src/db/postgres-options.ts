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
    // Behind PgBouncer in transaction mode (Neon's "-pooler" host) a named statement lives on whichever
    // server connection prepared it; unnamed ones depend on no such tracking and still bind parameters.
    prepare: !isPooledUrl(url),
    onnotice: () => {},
    ...(pool.onQuery ? { debug: pool.onQuery } : {}),
  };
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
