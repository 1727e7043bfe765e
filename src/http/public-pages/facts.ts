/** What the public pages say about this installation, taken from its configuration. */
export interface PublicPageFacts {
  /** Who runs this installation; undefined when OPERATOR_NAME is not set. */
  operatorName?: string;
  /** Where people write about their data; undefined when PRIVACY_CONTACT_EMAIL is not set. */
  contactEmail?: string;
  publicUrl: string;
  /** Which kind of database holds the data (never its address). */
  database: "neon" | "postgres" | "embedded";
  /** Which kind of cache holds the short-lived keys (never its address). */
  cache: "upstash" | "redis" | "memory";
  /** OpenAI itself, or another OpenAI-compatible endpoint the operator configured. */
  model: "openai" | "compatible";
}

export interface FactsConfig {
  OPERATOR_NAME?: string;
  PRIVACY_CONTACT_EMAIL?: string;
  PUBLIC_URL: string;
  DATABASE_URL?: string;
  REDIS_URL?: string;
  OPENAI_BASE_URL?: string;
}

/** Only the kind of host is kept from each URL: the pages never show an address or a credential. */
export function publicPageFacts(config: FactsConfig): PublicPageFacts {
  const host = (url: string | undefined) => {
    try {
      return url ? new URL(url).hostname.toLowerCase() : undefined;
    } catch {
      return undefined;
    }
  };
  const within = (name: string | undefined, domain: string) => name !== undefined && (name === domain || name.endsWith(`.${domain}`));
  const db = host(config.DATABASE_URL);
  const cache = host(config.REDIS_URL);
  const model = host(config.OPENAI_BASE_URL);
  return {
    operatorName: config.OPERATOR_NAME,
    contactEmail: config.PRIVACY_CONTACT_EMAIL,
    publicUrl: config.PUBLIC_URL,
    database: !config.DATABASE_URL ? "embedded" : within(db, "neon.tech") ? "neon" : "postgres",
    cache: !config.REDIS_URL ? "memory" : within(cache, "upstash.io") ? "upstash" : "redis",
    model: !config.OPENAI_BASE_URL || within(model, "openai.com") ? "openai" : "compatible",
  };
}
