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
  WORK_MAX_ATTEMPTS: z.coerce.number().int().min(1).default(6),
  WORK_BACKOFF_BASE_MS: z.coerce.number().int().min(1).default(2000),
  /** How often the in-process schedule renews expiring channel tokens. */
  TOKEN_REFRESH_INTERVAL_MS: z.coerce.number().int().min(1000).default(6 * 3_600_000),
  /** Bearer secret for the /cron/* routes that serverless schedulers call. Unset: the routes refuse. */
  CRON_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
});

type RawConfig = z.infer<typeof schema>;
export type Config = Omit<RawConfig, "ENCRYPTION_KEY"> & {
  ENCRYPTION_KEY: Buffer;
  /** True when the key was generated and kept under DATA_DIR rather than configured. */
  encryptionKeyGenerated: boolean;
};

export class ConfigError extends Error {}

/** Parses the environment once. A missing or malformed setting throws naming it. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const raw = parsed.data;
  if (raw.NODE_ENV === "production") {
    const missing = (["DATABASE_URL", "ENCRYPTION_KEY"] as const).filter((k) => !raw[k]);
    if (missing.length) throw new ConfigError(`Missing required setting(s) for production: ${missing.join(", ")}`);
  }
  const generated = !raw.ENCRYPTION_KEY;
  const key = raw.ENCRYPTION_KEY ? decodeKey(raw.ENCRYPTION_KEY) : localEncryptionKey(raw.DATA_DIR);
  return { ...raw, ENCRYPTION_KEY: key, encryptionKeyGenerated: generated };
}

function decodeKey(value: string): Buffer {
  return /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, "hex") : Buffer.from(value, "base64");
}

/** On the embedded defaults the key is generated once and kept beside the data it protects. */
function localEncryptionKey(dataDir: string): Buffer {
  const file = join(resolve(dataDir), "encryption.key");
  if (existsSync(file)) return decodeKey(readFileSync(file, "utf8").trim());
  mkdirSync(resolve(dataDir), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString("hex") + "\n", { mode: 0o600 });
  return key;
}
