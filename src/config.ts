import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { z } from "zod";

/** Every setting Cosbot reads. Nothing else in the code base reads process.env. */
const schema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  DATA_DIR: z.string().default("./data"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\/[^/]/, "must be a postgres:// or postgresql:// URL")
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/[^/]/, "must be a redis:// or rediss:// URL")
    .optional(),
  ENCRYPTION_KEY: z
    .string()
    .regex(/^[0-9a-fA-F]{64}$|^[A-Za-z0-9+/]{43}=$/, "must be 32 bytes as 64 hex characters or base64")
    .optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  OPENAI_BASE_URL: z.string().url().optional(),
  DEFAULT_MODEL: z.string().min(1).default("gpt-4o-mini"),
  MODEL_CONTEXT_TOKENS: z.coerce.number().int().min(1000).default(16000),
  MODEL_MAX_OUTPUT_TOKENS: z.coerce.number().int().min(16).default(1000),
  MODEL_TIMEOUT_MS: z.coerce.number().int().min(100).default(60000),
  GRAPH_API_URL: z.string().url().default("https://graph.facebook.com"),
  GRAPH_API_VERSION: z.string().regex(/^v\d+\.\d+$/, "must look like v24.0").default("v24.0"),
  GRAPH_TIMEOUT_MS: z.coerce.number().int().min(100).default(15000),
  /** Instagram Login accounts talk to graph.instagram.com instead. */
  INSTAGRAM_GRAPH_API_URL: z.string().url().default("https://graph.instagram.com"),
  /** The Meta app's own id, secret and verify token; channels may also carry their own secret. */
  META_APP_ID: z.string().min(1).optional(),
  META_APP_SECRET: z.string().min(1).optional(),
  META_VERIFY_TOKEN: z.string().min(1).optional(),
  WEBHOOK_MAX_BODY_BYTES: z.coerce.number().int().min(1024).default(4 * 1024 * 1024),
  /** Quiet period after a customer message before the agent answers, so a burst gets one reply. */
  REPLY_QUIET_MS: z.coerce.number().int().min(0).default(2000),
  /** How often the sweeper looks for due or abandoned work items. */
  SWEEP_INTERVAL_MS: z.coerce.number().int().min(50).default(5000),
  WORK_LEASE_MS: z.coerce.number().int().min(1000).default(120000),
  /** Work items (replies, sends) one process runs at once; replies mostly wait on the model. */
  WORK_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  WORK_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(6),
  WORK_BACKOFF_BASE_MS: z.coerce.number().int().min(1).default(2000),
  /** How often the in-process schedule renews expiring channel tokens. */
  TOKEN_REFRESH_INTERVAL_MS: z.coerce.number().int().min(1000).default(6 * 3_600_000),
  /** Where browsers reach the server: the OAuth callback base and the one origin the API trusts. */
  PUBLIC_URL: z.string().url().optional(),
  /** Signs sessions and seals OAuth tokens; generated under DATA_DIR on the embedded defaults. */
  AUTH_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  GITHUB_CLIENT_ID: z.string().min(1).optional(),
  GITHUB_CLIENT_SECRET: z.string().min(1).optional(),
  /** The one-time local owner sign-in link: on by default only outside production and without GitHub. */
  LOCAL_SIGN_IN: z.enum(["auto", "on", "off"]).default("auto"),
  /** Requests per minute per client: the API, and (stricter) the sign-in routes. */
  API_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  SIGN_IN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  /** Live event streams (SSE): a comment this often keeps proxies from closing an idle stream; open streams per user and process. */
  LIVE_HEARTBEAT_MS: z.coerce.number().int().min(50).default(20000),
  LIVE_MAX_STREAMS_PER_USER: z.coerce.number().int().min(1).default(10),
  /** Behind a proxy that sets X-Forwarded-For (Vercel, a load balancer): rate limits count by it. On by default when VERCEL=1. */
  TRUST_PROXY: z.enum(["true", "false"]).default("false").transform((v) => v === "true"),
  /** Bearer secret for the /cron/* routes that serverless schedulers call. Unset: the routes refuse. */
  CRON_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
  /** Where people write about their data; shown on /privacy and /data-deletion (unset: the pages say so). */
  PRIVACY_CONTACT_EMAIL: z.string().trim().email("must be an e-mail address").max(254).optional(),
  /** Who runs this installation, named on the public pages (unset: "the operator of this Cosbot installation"). */
  OPERATOR_NAME: z.string().trim().min(1).max(200, "must be at most 200 characters").optional(),
  /** Bearer token /metrics asks for; unset, the metrics are open (keep them off the internet then). */
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  /** On SIGTERM: how long running work may finish before its leases are given back and the process exits. */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(500).default(10000),
  /** Counts every query sent to Postgres, as cosbot_db_queries_total on /metrics (the benchmark reads it). */
  DB_QUERY_COUNTING: z.enum(["true", "false"]).default("false").transform((v) => v === "true"),
});

type RawConfig = z.infer<typeof schema>;
export type Config = Omit<RawConfig, "ENCRYPTION_KEY" | "AUTH_SECRET" | "PUBLIC_URL" | "LOCAL_SIGN_IN"> & {
  ENCRYPTION_KEY: Buffer;
  /** True when the key was generated and kept under DATA_DIR rather than configured. */
  encryptionKeyGenerated: boolean;
  AUTH_SECRET: string;
  /** Without a trailing slash. */
  PUBLIC_URL: string;
  /** Whether the one-time local owner sign-in link is offered (LOCAL_SIGN_IN resolved). */
  localSignIn: boolean;
  github?: { clientId: string; clientSecret: string };
};

export class ConfigError extends Error {}

/** Parses the environment once. A missing or malformed setting throws naming it. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  // Vercel sets VERCEL=1 and replaces X-Forwarded-For with the client's address: trust it there by default.
  if (cleaned.VERCEL === "1" && cleaned.TRUST_PROXY === undefined) cleaned.TRUST_PROXY = "true";
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const raw = parsed.data;
  if (raw.NODE_ENV === "production") checkProduction(raw);
  if (Boolean(raw.GITHUB_CLIENT_ID) !== Boolean(raw.GITHUB_CLIENT_SECRET)) {
    throw new ConfigError("Invalid configuration:\n  GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET: set both or neither");
  }
  const github = raw.GITHUB_CLIENT_ID && raw.GITHUB_CLIENT_SECRET ? { clientId: raw.GITHUB_CLIENT_ID, clientSecret: raw.GITHUB_CLIENT_SECRET } : undefined;
  const generated = !raw.ENCRYPTION_KEY;
  const key = raw.ENCRYPTION_KEY ? decodeKey(raw.ENCRYPTION_KEY) : localEncryptionKey(raw.DATA_DIR);
  return {
    ...raw,
    ENCRYPTION_KEY: key,
    encryptionKeyGenerated: generated,
    AUTH_SECRET: raw.AUTH_SECRET ?? localSecret(raw.DATA_DIR, "auth.secret"),
    PUBLIC_URL: (raw.PUBLIC_URL ?? `http://localhost:${raw.PORT}`).replace(/\/+$/, ""),
    // A sign-in link in production logs would let whoever reads them in: there it takes LOCAL_SIGN_IN=on.
    localSignIn: raw.LOCAL_SIGN_IN === "on" || (raw.LOCAL_SIGN_IN === "auto" && !github && raw.NODE_ENV !== "production"),
    github,
  };
}

/** Only what `npm run db:migrate` needs: a deploy step may have the database URL and nothing else. */
export function loadDatabaseConfig(env: Record<string, string | undefined> = process.env): Pick<RawConfig, "NODE_ENV" | "DATABASE_URL" | "DATA_DIR"> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = schema.pick({ NODE_ENV: true, DATABASE_URL: true, DATA_DIR: true }).safeParse(cleaned);
  if (!parsed.success) throw new ConfigError(`Invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}`);
  if (parsed.data.NODE_ENV === "production" && !parsed.data.DATABASE_URL) throw new ConfigError("Missing required setting(s) for production: DATABASE_URL");
  return parsed.data;
}

/** Settings production cannot run without: the embedded defaults are for one machine, not a service. */
export const productionSettings = ["DATABASE_URL", "REDIS_URL", "ENCRYPTION_KEY", "AUTH_SECRET", "PUBLIC_URL", "META_APP_SECRET"] as const;

/** One error naming every missing setting, so an operator fixes them in one go. */
function checkProduction(raw: RawConfig): void {
  const missing = productionSettings.filter((k) => !raw[k]);
  const problems = missing.length ? [`Missing required setting(s) for production: ${missing.join(", ")}`] : [];
  // Session cookies are only Secure over https, and OAuth callbacks land there: no plain http in production.
  if (raw.PUBLIC_URL && !raw.PUBLIC_URL.startsWith("https://")) problems.push("  PUBLIC_URL: must be an https:// URL in production");
  if (problems.length) throw new ConfigError(problems.join("\n"));
}

function decodeKey(value: string): Buffer {
  return /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, "hex") : Buffer.from(value, "base64");
}

/** On the embedded defaults the key is generated once and kept beside the data it protects. */
function localEncryptionKey(dataDir: string): Buffer {
  return decodeKey(localSecret(dataDir, "encryption.key"));
}

/** 32 random bytes as hex, generated once into DATA_DIR and read from there afterwards. */
function localSecret(dataDir: string, name: string): string {
  const file = join(resolve(dataDir), name);
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  mkdirSync(resolve(dataDir), { recursive: true });
  const secret = randomBytes(32).toString("hex");
  writeFileSync(file, secret + "\n", { mode: 0o600 });
  return secret;
}
