import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BetterAuthPlugin } from "better-auth";
import { createAuth } from "./auth/create-auth.js";
import { type Cache, openCache } from "./cache/index.js";
import { BusLiveEvents } from "./cache/live-events.js";
import { channelAdapters } from "./channels/index.js";
import { type Config, ConfigError } from "./config.js";
import { refreshChannelTokens } from "./core/channels/refresh-tokens.js";
import { fetchCustomerProfile } from "./core/customers/fetch-profile.js";
import { Deduplicator } from "./core/inbound/dedup.js";
import { recordReplyGaveUp, type ReplyDeps, type ReplyJob, runReply } from "./core/replies/run-reply.js";
import { recordSendGaveUp, runSend } from "./core/replies/run-send.js";
import { withLiveConversationEvents } from "./core/live/live-conversation-store.js";
import { withLiveInboundEvents } from "./core/live/live-inbound-store.js";
import { withLiveReplyEvents } from "./core/live/live-reply-store.js";
import { PgChannelDirectory } from "./db/channel-directory.js";
import { PgChannelStore } from "./db/channel-store.js";
import { applyMigrations, type Database, openDatabase } from "./db/client.js";
import { DataDirInUse } from "./db/data-dir-lock.js";
import { PgConversationStore } from "./db/conversation-store.js";
import { PgInboundStore } from "./db/inbound-store.js";
import { PgReplyStore } from "./db/reply-store.js";
import { createHttpApp } from "./http/app.js";
import { publicPageFacts } from "./http/public-pages/facts.js";
import type { ApiDeps } from "./http/api/deps.js";
import { agentRoutes } from "./http/api/routes/agent.js";
import { channelRoutes } from "./http/api/routes/channels.js";
import { conversationRoutes } from "./http/api/routes/conversations.js";
import { customerRoutes } from "./http/api/routes/customers.js";
import { eventRoutes } from "./http/api/routes/events.js";
import { playgroundRoutes } from "./http/api/routes/playground.js";
import { LiveStreams } from "./http/api/live-stream.js";
import { memberRoutes } from "./http/api/routes/members.js";
import { portfolioRoutes } from "./http/api/routes/portfolios.js";
import { findMembership } from "./db/repositories/member-repository.js";
import { createLogger, type Logger } from "./logger.js";
import { PrometheusMetrics } from "./observability/prometheus.js";
import { readinessCheck } from "./observability/readiness.js";
import { SecretBox } from "./security/secret-box.js";
import { deletionRequestStore, metaUserChannels } from "./db/repositories/deletion-request-repository.js";
import { disableChannel } from "./db/repositories/channel-repository.js";
import { pruneExpired } from "./work/housekeeping.js";
import { runWorkAfterResponse } from "./work/after-response.js";
import { WorkRunner } from "./work/runner.js";
import { type WorkItem, WorkStore } from "./work/work-store.js";

export interface Overrides {
  /** An already migrated database (tests share one per file). */
  database?: Database;
  cache?: Cache;
  logger?: Logger;
  /** Extra better-auth plugins (tests add testUtils). */
  authPlugins?: BetterAuthPlugin[];
  /** Receives the local owner's one-time sign-in link (start-up prints it). */
  onLocalSignInLink?(url: string): void;
  /** Where the built web app is (tests use a temporary folder); web/dist by default. */
  webDistDir?: string;
  /**
   * Serverless (no long-running process): work a request schedules runs after its response, in the
   * promise handed here (Vercel's waitUntil); the cron routes sweep what is left.
   */
  runWorkAfterResponse?(work: Promise<unknown>): void;
}

export type Cosbot = Awaited<ReturnType<typeof createCosbot>>;

/** Builds every part from the config: the one place where dependencies are wired. */
export async function createCosbot(config: Config, overrides: Overrides = {}) {
  const log = overrides.logger ?? createLogger(config.LOG_LEVEL);
  const dbQueries = { total: 0 };
  const onQuery = config.DB_QUERY_COUNTING ? () => void dbQueries.total++ : undefined;
  const database = overrides.database ?? (await openConfiguredDatabase(config, onQuery));
  const cache = overrides.cache ?? (await openConfiguredCache(config));
  const db = database.db;
  const box = new SecretBox(config.ENCRYPTION_KEY);
  // Work counts are read at scrape time, from the work store built below.
  const counters = new PrometheusMetrics({ workCounts: () => workStore.countsByState(), dbQueries: onQuery ? () => dbQueries.total : undefined });
  const live = new BusLiveEvents(cache, (err) => log.warn({ err }, "live event not published"));
  const directory = new PgChannelDirectory(db, box, { appSecret: config.META_APP_SECRET, verifyToken: config.META_VERIFY_TOKEN });
  const adapters = channelAdapters({
    facebook: { baseUrl: config.GRAPH_API_URL, version: config.GRAPH_API_VERSION, timeoutMs: config.GRAPH_TIMEOUT_MS },
    instagram: { baseUrl: config.INSTAGRAM_GRAPH_API_URL, version: config.GRAPH_API_VERSION, timeoutMs: config.GRAPH_TIMEOUT_MS },
  }, { appSecret: config.META_APP_SECRET, appId: config.META_APP_ID });
  const replyStore = withLiveReplyEvents(new PgReplyStore(db, box), live);
  const channelStore = new PgChannelStore(db, box);
  const unreadable = await channelStore.unreadableChannels();
  if (unreadable.length) {
    if (!overrides.cache) await cache.close();
    if (!overrides.database) await database.close();
    throw new ConfigError(
      `ENCRYPTION_KEY (key id ${box.keyId}) cannot open the credentials of ${unreadable.length} channel(s), sealed with key id ` +
        `${[...new Set(unreadable.map((c) => c.sealedWith))].join(", ")}. Start with the key they were sealed with ` +
        `(on the embedded defaults it was generated into ${join(config.DATA_DIR, "encryption.key")}).`,
    );
  }
  const conversationStore = withLiveConversationEvents(new PgConversationStore(db), live);
  const now = () => new Date();

  const replyDeps: ReplyDeps = {
    store: replyStore,
    live,
    senders: adapters.senders,
    model: {
      apiKey: config.OPENAI_API_KEY,
      baseURL: config.OPENAI_BASE_URL,
      timeoutMs: config.MODEL_TIMEOUT_MS,
      limits: { contextTokens: config.MODEL_CONTEXT_TOKENS, maxOutputTokens: config.MODEL_MAX_OUTPUT_TOKENS },
    },
    now,
    log,
    metrics: counters,
  };
  const replyJob = (item: WorkItem): ReplyJob => ({
    id: item.id,
    owner: item.leaseOwner ?? "",
    portfolioId: item.portfolioId,
    conversationId: item.subjectId,
    storedPartIds: (item.progress as { partIds?: number[] } | null)?.partIds,
  });
  const workStore = new WorkStore(db);
  const runner = new WorkRunner(
    workStore,
    {
      reply: (item) => runReply(replyJob(item), replyDeps),
      send: (item) => runSend(item.subjectId, { store: replyStore, live, senders: adapters.senders, now, metrics: counters }),
      fetch_profile: (item) => fetchCustomerProfile(item.subjectId, { store: channelStore, live, senders: adapters.senders }),
    },
    {
      leaseMs: config.WORK_LEASE_MS,
      concurrency: config.WORK_CONCURRENCY,
      maxAttempts: config.WORK_MAX_ATTEMPTS,
      backoffBaseMs: config.WORK_BACKOFF_BASE_MS,
      sweepIntervalMs: config.SWEEP_INTERVAL_MS,
      onDead: async (item, error) => {
        const reason = error instanceof Error ? error.message : String(error);
        if (item.kind === "reply") await recordReplyGaveUp(replyJob(item), reason, replyDeps);
        // A newer send item of the conversation still tries the queued messages; else they failed.
        if (item.kind === "send" && !(await workStore.hasPending("send", item.subjectId))) await recordSendGaveUp(item.subjectId, reason, { store: replyStore });
      },
      log,
    },
  );
  const onWorkScheduled = overrides.runWorkAfterResponse
    ? runWorkAfterResponse(overrides.runWorkAfterResponse, {
        sweepOnce: () => runner.sweepOnce(),
        nextDueAt: () => workStore.nextDueAt(),
        // A burst pushes its reply at most five quiet periods out; beyond this the cron sweep answers.
        maxWaitMs: 6 * config.REPLY_QUIET_MS + 10_000,
        log,
      })
    : (at: Date) => runner.kick(at);
  const refreshTokens = () => refreshChannelTokens({ store: channelStore, refreshers: adapters.tokenRefreshers, live, now, log });

  const auth = createAuth({ config, db, log, plugins: overrides.authPlugins, onLocalSignInLink: overrides.onLocalSignInLink });
  const apiDeps: ApiDeps = { db, box, defaultModel: config.DEFAULT_MODEL, now, senders: adapters.senders, live, onWorkScheduled,
    connectors: adapters.connectors, onChannelsChanged: () => directory.invalidate(), unsubscribers: adapters.unsubscribers, cacheKeys: cache.kv, log };
  const liveStreams = new LiveStreams(live, { heartbeatMs: config.LIVE_HEARTBEAT_MS, maxStreamsPerUser: config.LIVE_MAX_STREAMS_PER_USER });
  const apiRoutes = [
    ...portfolioRoutes(apiDeps),
    ...memberRoutes(apiDeps),
    ...channelRoutes(apiDeps),
    ...agentRoutes(apiDeps),
    ...conversationRoutes(apiDeps),
    ...customerRoutes(apiDeps),
    ...playgroundRoutes(apiDeps, replyDeps.model),
    ...eventRoutes(liveStreams),
  ];

  const app = createHttpApp({
    log,
    publicPages: publicPageFacts(config),
    // web/dist next to src/ (tsx) or dist/ (compiled): both sit one level under the project root.
    webApp: { distDir: overrides.webDistDir ?? fileURLToPath(new URL("../web/dist", import.meta.url)) },
    api: {
      auth,
      routes: apiRoutes,
      kv: cache.kv,
      publicUrl: config.PUBLIC_URL,
      version: "0.1.0",
      limits: { apiPerMinute: config.API_RATE_LIMIT_PER_MINUTE, signInPerMinute: config.SIGN_IN_RATE_LIMIT_PER_MINUTE, trustProxy: config.TRUST_PROXY },
      guard: {
        async caller(c) {
          const found = await auth.api.getSession({ headers: c.req.raw.headers });
          return found ? { userId: found.user.id, name: found.user.name, email: found.user.email } : undefined;
        },
        membership: (userId, portfolioId) => findMembership(db, userId, portfolioId),
      },
    },
    webhooks: {
      parsers: adapters.parsers,
      maxBodyBytes: config.WEBHOOK_MAX_BODY_BYTES,
      directory,
      store: withLiveInboundEvents(new PgInboundStore(db), live),
      dedup: new Deduplicator(cache.kv, runner.owner, (err) => log.warn({ err }, "cache unavailable; the database decides")),
      counters,
      onWorkScheduled,
      ourAppId: config.META_APP_ID,
      replyQuietMs: config.REPLY_QUIET_MS,
      log,
    },
    ops: { readiness: readinessCheck({ database, cache }), scrape: () => counters.scrape(), metricsToken: config.METRICS_TOKEN },
    cron: { cronSecret: config.CRON_SECRET, refreshTokens, sweep: () => runner.sweepOnce().then(() => ({ ok: true })) },
    metaCallbacks: {
      appSecret: config.META_APP_SECRET, publicUrl: config.PUBLIC_URL, requests: deletionRequestStore(db), channels: metaUserChannels(db),
      disabler: { disable: (p, c, reason) => disableChannel(db, box, p, c, reason) }, onChannelsChanged: () => directory.invalidate(), live, now, log,
    },
  });

  const timers: NodeJS.Timeout[] = [];
  /** The in-process schedules of a long-running server (serverless calls the cron routes instead). */
  const startSchedules = () => {
    runner.start();
    const every = (ms: number, job: () => Promise<unknown>, name: string) => {
      const timer = setInterval(() => void job().catch((err: unknown) => log.warn({ err }, `${name} failed`)), ms);
      timer.unref();
      timers.push(timer);
    };
    every(config.TOKEN_REFRESH_INTERVAL_MS, refreshTokens, "token refresh");
    every(3_600_000, () => pruneExpired(db), "housekeeping");
    void refreshTokens().catch((err: unknown) => log.warn({ err }, "token refresh failed"));
  };

  return {
    app,
    auth,
    apiRoutes,
    runner,
    database,
    cache,
    directory,
    counters,
    box,
    log,
    live,
    liveStreams,
    conversationStore,
    senders: adapters.senders,
    refreshTokens,
    startSchedules,
    /** With a deadline (graceful shutdown), work still running then is released rather than awaited. */
    async close(options: { deadlineMs?: number } = {}) {
      timers.forEach(clearInterval);
      const { released } = await runner.stop(options.deadlineMs);
      if (released) log.warn({ released }, "work items still running at the shutdown deadline were released for the next process");
      if (!overrides.cache) await cache.close();
      if (!overrides.database) await database.close();
    },
  };
}

/** The configured database, migrated; a failure names the setting to look at. */
async function openConfiguredDatabase(config: Config, onQuery?: () => void): Promise<Database> {
  const setting = config.DATABASE_URL ? "DATABASE_URL" : "DATA_DIR";
  let database: Database | undefined;
  try {
    database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATABASE_URL ? undefined : join(config.DATA_DIR, "pglite"), onQuery });
    await applyMigrations(database, config.DATABASE_URL);
    return database;
  } catch (error) {
    await database?.close().catch(() => {});
    if (error instanceof DataDirInUse) throw new ConfigError(error.message);
    throw new ConfigError(`Cannot open the database (${setting}): ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function openConfiguredCache(config: Config): Promise<Cache> {
  try {
    return await openCache(config.REDIS_URL);
  } catch (error) {
    throw new ConfigError(`Cannot reach Redis (REDIS_URL): ${error instanceof Error ? error.message : String(error)}`);
  }
}
