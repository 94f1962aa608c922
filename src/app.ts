import { mkdirSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import { FEATURES, fallbackHandler } from '../handlers/index.js';
import { CitizenService } from './citizens/service.js';
import { commandMenu, composeFeatures, type Feature } from './core/feature.js';
import type { Channel } from './channels/types.js';
import type { ReachabilityEvent } from './channels/webhook.js';
import { moveGroupChat } from './domain/people/groups.js';
import { markReachable, markUnreachable, reachableMarkDue } from './domain/people/reachability.js';
import { createTelegramChannel, type TelegramChannel } from './channels/telegram/index.js';
import { createZaloBotChannel, type OptionsStore } from './channels/zalo-bot/index.js';
import { createZaloOaChannel } from './channels/zalo-oa/index.js';
import {
  createDeliveryQueue,
  createMemoryLimiter,
  createRedisLimiter,
  type DeliveryQueue,
} from './delivery/index.js';
import { createBoss } from './jobs/boss.js';
import { startHousekeeping } from './jobs/housekeeping.js';
import { startScheduledJobs } from './jobs/scheduled.js';
import type { PgBoss } from 'pg-boss';
import type { Button, OutboundMessage } from './core/message.js';
import { RedisStateStore } from './state/redis-store.js';
import { createSimChannel } from './channels/sim/index.js';
import type { Config } from './config.js';
import { createPipeline, DuplicateUpdateError, type PipelineDb } from './core/conversation.js';
import type { Handler } from './core/handler.js';
import { createI18n, type I18n } from './core/i18n.js';
import type { Pipeline } from './core/pipeline.js';
import { Router } from './core/router.js';
import { createDb, type Db, type Prisma } from './db/client.js';
import type { PglitePreload } from './db/pglite-preload.js';
import { createSecretBox } from './db/secret-box.js';
import { acquireDataDirLock, releaseDataDirLock } from './db/datadir-lock.js';
import { migrate } from './db/migrate.js';
import { createAdminRunner } from './admin/endpoint.js';
import { BackupFormatError, readLines, restoreLines, writeBackup } from './admin/backup.js';
import { seedIfEmpty } from './admin/seed.js';
import { createHttpApp, listen, type RunningServer } from './server/http.js';
import { createChannelHealth } from './server/channel-health.js';
import { createMetrics, listenMetrics, type AppMetrics } from './server/metrics.js';
import {
  generateAdminToken,
  readRuntimeFile,
  removeRuntimeFile,
  writeRuntimeFile,
} from './server/runtime-file.js';
import { loadOrCreateSecret } from './server/secrets.js';
import { createServiceFactory, type AppServices } from './services/index.js';
import { createSenderReads } from './services/sender-reads.js';
import { createDashboardRouter } from './dashboard/router.js';
import { createStateStore, type StateStore } from './state/index.js';

export interface AppOverrides {
  logger?: Logger;
  /** Use an already opened (and migrated) database, e.g. in tests. */
  db?: Db;
  /** The embedded engine, read and compiled ahead by main.ts (see db/pglite-preload.ts). */
  pglitePreload?: PglitePreload;
  store?: StateStore;
  clock?: () => Date;
  /** Start pg-boss and the delivery queue (default true; tests that need no queue skip it). */
  startJobs?: boolean;
  /** Seed an empty provided database too (an owned one always is). */
  seedIfEmpty?: boolean;
  /** The features of the bot (default: handlers/index.ts's FEATURES). */
  features?: readonly Feature<AppServices>[];
  /** More handlers, routed before the features' (tests, plug-ins). */
  extraHandlers?: Handler<AppServices>[];
  /** First delay before a platform whose start failed is tried again (default 5 s, doubling). */
  channelRetryMs?: number;
}

export interface App {
  readonly config: Config;
  readonly logger: Logger;
  readonly db: Db;
  readonly store: StateStore;
  readonly i18n: I18n;
  readonly pipeline: Pipeline;
  readonly channels: Channel[];
  /** The router (its handlers, for audits such as the access-matrix test). */
  readonly router: Router<AppServices>;
  /** Prometheus metrics (served when METRICS_TOKEN or METRICS_PORT is set). */
  readonly metrics: AppMetrics;
  /** The METRICS_PORT listener's URL, once started. */
  metricsUrl?: string;
  /** Durable, paced proactive delivery (set once started, unless startJobs is false). */
  delivery?: DeliveryQueue;
  /** Set once started. */
  url?: string;
  server?: RunningServer['server'];
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The composition root: builds the whole bot from explicit dependencies (config, database,
 * state store, handlers, channels, HTTP server). No module-level singletons, so a test builds
 * a complete app in-process.
 */
export async function createApp(config: Config, overrides: AppOverrides = {}): Promise<App> {
  const logger =
    overrides.logger ??
    pino({
      level: config.logLevel,
      base: { app: 'cds-bot' },
      redact: ['*.token', '*.adminToken', 'config'],
    });
  mkdirSync(config.dataDir, { recursive: true });
  // Required in the environment with DATABASE_URL (loadConfig); else kept in DATA_DIR.
  const invitePepper = loadOrCreateSecret(
    config.dataDir,
    'invite-code-pepper',
    config.inviteCodePepper,
  ).value;

  const ownsDb = !overrides.db;
  // PGlite allows one process per data folder: take the folder's lock before opening it.
  const holdsDataDir = ownsDb && !config.databaseUrl;
  if (holdsDataDir) acquireDataDirLock(config.dataDir);
  let db: Db;
  try {
    db =
      overrides.db ??
      (await createDb({
        databaseUrl: config.databaseUrl,
        dataDir: config.dataDir,
        logger,
        ...(overrides.pglitePreload ? { pglitePreload: overrides.pglitePreload } : {}),
      }));
  } catch (err) {
    if (holdsDataDir) releaseDataDirLock(config.dataDir);
    throw err;
  }
  try {
    if (ownsDb) {
      const applied = await migrate(db, { release: true });
      if (applied.length > 0) logger.info({ migrations: applied }, 'database migrated');
    }
    if (ownsDb || overrides.seedIfEmpty) {
      if (await seedIfEmpty(db, { actor: 'first-start' }))
        logger.info('empty database seeded with the default Hà Tĩnh data');
    }
  } catch (err) {
    await db
      .close()
      .catch((closeErr: unknown) =>
        logger.warn({ err: closeErr }, 'database not closed after a failed start'),
      );
    if (holdsDataDir) releaseDataDirLock(config.dataDir);
    throw err;
  }
  const store =
    overrides.store ??
    createStateStore({
      redisUrl: config.redisUrl,
      keyPrefix: config.redisKeyPrefix,
      ttlMs: config.stateTtlMs,
    });
  const citizens = new CitizenService({ prisma: db.prisma, logger });
  // The search index builds while the rest starts and after the server is ready (a restart is
  // ready sooner); a question asked before it is built waits for it.
  const citizensReady = citizens.load();
  citizensReady.catch((err: unknown) =>
    logger.error({ err }, 'citizen search index not built at start; built at the first question'),
  );
  // Features declare their handlers, commands, flows, texts and jobs; conflicts stop start-up.
  const composition = composeFeatures(overrides.features ?? FEATURES);
  const i18n = createI18n({
    defaultLocale: config.defaultLocale,
    addressForm: config.addressForm,
    texts: composition.texts,
  });
  const router = new Router<AppServices>(fallbackHandler, composition);
  if (overrides.extraHandlers) router.use(...overrides.extraHandlers);

  // Handlers see narrow domain services bound to the update's transaction, never the database.
  let listeningUrl: string | undefined;
  // Assigned below when Telegram is configured; its username makes invitation deep links.
  let telegramChannel: TelegramChannel | undefined;
  // `app` is assigned below; the queue exists once the app has started.
  const senderReads = createSenderReads();
  const services = createServiceFactory({
    root: db.prisma,
    read: db.read,
    citizens,
    citizensReady,
    logger,
    baseUrl: () => config.publicUrl ?? listeningUrl,
    // Called per update, long after start-up has created the metrics below.
    onSecurityEvent: (event, channel) => metrics.securityEvent(event, channel),
    invitations: { pepper: invitePepper, failureBudget: config.inviteFailureBudget },
    delivery: () => app.delivery,
    telegramUsername: () => telegramChannel?.username(),
    onSenderRead: (channel, userId, state) => senderReads.record(channel, userId, state),
  });
  await services.warm();

  const pipeline = createPipeline<AppServices, Prisma.TransactionClient>({
    db: createPipelineDb(db),
    store,
    router,
    i18n,
    logger,
    services,
    commands: composition.commands,
    localeOf: (msg) => services.localeOf(msg),
    stateTtlMs: config.stateTtlMs,
    clock: overrides.clock,
  });

  const metricsOn = config.metrics.token !== undefined || config.metrics.port !== undefined;
  const metrics = createMetrics({ processMetrics: metricsOn });
  const health = createChannelHealth(overrides.clock);
  db.pgPool?.on('error', () => metrics.dependencyError('database'));
  if (store instanceof RedisStateStore)
    store.redis.on('error', () => metrics.dependencyError('redis'));

  const channels: Channel[] = [];
  if (config.simulator)
    channels.push(
      createSimChannel({
        pipeline,
        store,
        logger,
        outboxTtlMs: config.stateTtlMs,
        bodyLimit: config.bodyLimit,
      }),
    );
  const channelT = i18n.translator('vi');
  const jobsOn = overrides.startJobs ?? true;
  // Retryable failures of direct replies go to the durable queue, which starts before the
  // server listens; without jobs there is no queue and such a failure is only logged.
  const replyFallback = jobsOn
    ? async (m: OutboundMessage) => {
        if (!app.delivery) throw new Error('delivery queue not started');
        await app.delivery.enqueue(m, 'notice');
      }
    : undefined;
  const base = {
    logger,
    pipeline,
    t: channelT,
    bodyLimit: config.bodyLimit,
    replyFallback,
    // Blocked, unfollowed, or back: proactive messages use a reachable identity.
    onReachability: async (e: ReachabilityEvent) => {
      // What this update's sender lookup read moments ago (taken either way, so a later
      // event never trusts it): no statement when there is no identity (a citizen) or it is
      // reachable and was seen within the hour.
      const known = senderReads.take(e.channel, e.userId);
      if (e.reachable) {
        if (known === null || (known && !reachableMarkDue(known, e.at))) return;
        await markReachable(db.prisma, e.channel, e.userId, e.at);
      } else if (await markUnreachable(db.prisma, e.channel, e.userId, e.at))
        logger.info({ channel: e.channel }, 'identity marked unreachable');
    },
    // A Telegram group that became a supergroup keeps its registration.
    onChatMigrated: async (e: { channel: string; from: string; to: string }) => {
      if (await moveGroupChat(db.prisma, e.channel, e.from, e.to))
        logger.info({ channel: e.channel, from: e.from, to: e.to }, 'group chat moved');
    },
    onUpdate: (e: Parameters<AppMetrics['update']>[0]) => {
      metrics.update(e);
      health.update(e);
    },
  };
  if (config.telegram) {
    telegramChannel = createTelegramChannel({
      ...base,
      config: { publicUrl: config.publicUrl, telegram: config.telegram },
      // The menu comes from the features' command declarations, per audience.
      menu: (audiences) => commandMenu(composition.commands, audiences, channelT),
    });
    channels.push(telegramChannel);
  }
  const optionsStore: OptionsStore = {
    get: (chatId) => store.get<Button[]>(`zalo-options:${chatId}`),
    set: (chatId, options) =>
      options && options.length > 0
        ? store.set(`zalo-options:${chatId}`, options, config.stateTtlMs)
        : store.delete(`zalo-options:${chatId}`),
  };
  if (config.zaloBot) {
    channels.push(
      createZaloBotChannel({
        ...base,
        config: { publicUrl: config.publicUrl, zaloBot: config.zaloBot },
        optionsStore,
      }),
    );
  }
  if (config.zaloOa) {
    channels.push(
      createZaloOaChannel({
        ...base,
        config: { zaloOa: config.zaloOa },
        prisma: db.prisma,
        maxEventAgeMs: config.zaloOaMaxEventAgeMs,
        tokenBox: createSecretBox(
          loadOrCreateSecret(config.dataDir, 'token-encryption-key', config.tokenEncryptionKey)
            .value,
          config.tokenEncryptionKeyPrevious,
        ),
        optionsStore,
        onTokenRefreshFailure: () => {
          metrics.tokenRefreshFailed('zalo-oa');
          health.tokenRefreshFailed('zalo-oa');
        },
        onStaleEvent: () => metrics.securityEvent('stale_event_dropped', 'zalo-oa'),
      }),
    );
  }
  let boss: PgBoss | undefined;

  // A platform whose start (setWebhook, getMe) fails does not stop the server: it is shown as
  // degraded in /readyz and the log, and tried again with back-off (5 s doubling, 5 min at most).
  const channelState: Record<string, string> = Object.fromEntries(
    channels.map((c) => [c.name, 'starting']),
  );
  const retryTimers = new Set<NodeJS.Timeout>();
  const secrets = [
    config.telegram?.token,
    config.zaloBot?.token,
    config.zaloOa?.accessToken,
    config.zaloOa?.secretKey,
    config.zaloOa?.appSecret,
  ].filter((x): x is string => !!x);
  const scrub = (err: unknown) =>
    secrets.reduce(
      (text, secret) => text.split(secret).join('***'),
      err instanceof Error ? err.message : String(err),
    );
  const startChannel = async (c: Channel, attempt: number): Promise<void> => {
    try {
      await c.start?.();
      if (channelState[c.name] === 'degraded')
        logger.info({ channel: c.name }, 'channel recovered');
      channelState[c.name] = 'ok';
    } catch (err) {
      const delayMs = Math.min((overrides.channelRetryMs ?? 5000) * 2 ** attempt, 300_000);
      channelState[c.name] = 'degraded';
      logger.error(
        { channel: c.name, err: scrub(err), retryInMs: delayMs },
        'channel start failed; degraded, trying again',
      );
      if (stopping) return;
      const timer = setTimeout(() => {
        retryTimers.delete(timer);
        void startChannel(c, attempt + 1);
      }, delayMs);
      timer.unref();
      retryTimers.add(timer);
    }
  };

  let adminToken = config.adminToken;
  const mounts = Object.fromEntries(
    channels
      .filter((c) => c.router)
      .map((c) => [c.name === 'sim' ? '/sim' : `/webhooks/${c.name}`, c.router!]),
  );
  mounts['/dashboard'] = createDashboardRouter({
    db: db.prisma,
    logger,
    schedule: () => services.standalone().schedule.get(),
    adminToken: () => adminToken,
    secureCookies: config.publicUrl?.startsWith('https://') ?? false,
    now: () => (overrides.clock ?? (() => new Date()))(),
    services: () => services.standalone(),
    t: i18n.translator('vi'),
    texts: (locale) => i18n.translator(locale ?? i18n.defaultLocale),
  });
  const httpApp = createHttpApp({
    logger,
    bodyLimit: config.bodyLimit,
    adminBodyLimit: config.adminBodyLimit,
    adminAllowRemote: config.adminAllowRemote,
    mounts,
    landing: [
      { href: '/dashboard', label: 'Bảng điều khiển của lãnh đạo' },
      ...(config.simulator ? [{ href: '/sim', label: 'Trình mô phỏng (chat thử)' }] : []),
    ],
    readiness: [
      {
        name: 'database',
        check: () =>
          db.ping().catch((err: unknown) => {
            metrics.dependencyError('database');
            throw err;
          }),
      },
      {
        name: 'state',
        check: () =>
          store.ping().catch((err: unknown) => {
            if (store.kind === 'redis') metrics.dependencyError('redis');
            throw err;
          }),
      },
    ],
    // A platform that is down must not take every instance out of the load balancer: its
    // state is detail, not readiness. Start-up registration failing shows as degraded too.
    readinessDetail: () => {
      const snap = health.snapshot(channels.map((c) => c.name));
      for (const [name, h] of Object.entries(snap))
        if (channelState[name] === 'degraded') h.status = 'degraded';
      return { channels: snap };
    },
    adminStreams: {
      backup: (out) => writeBackup(db, out),
      restore: async (input) => {
        const summary = await restoreLines(db, readLines(input));
        logger.info({ tables: summary.tables }, 'data restored from a backup');
        await services.warm();
        return summary;
      },
      isBadInput: (err) =>
        err instanceof BackupFormatError || (err as { code?: string }).code === 'Z_DATA_ERROR',
    },
    metrics: { registry: metrics, token: config.metrics.token },
    adminToken: () => adminToken,
    runAdmin: createAdminRunner({
      db,
      delivery: () => app.delivery,
      config: {
        ...config,
        dataDir: config.dataDir,
        timezone: config.timeZone,
        inviteCodePepper: invitePepper,
      },
      now: () => (overrides.clock ?? (() => new Date()))(),
      logger,
      onChange: async () => {
        // Pre-warm this instance; others follow the data version on their next update.
        await services.warm();
      },
    }),
  });

  let running: RunningServer | undefined;
  let metricsServer: Awaited<ReturnType<typeof listenMetrics>> | undefined;
  let stopping: Promise<void> | undefined;

  const app: App = {
    config,
    logger,
    db,
    store,
    i18n,
    pipeline,
    channels,
    router,
    metrics,
    async start() {
      // The queue first, so a reply that fails during the first updates has somewhere to go.
      if (jobsOn) {
        boss = await createBoss({ db, logger });
        const limiter =
          store instanceof RedisStateStore
            ? createRedisLimiter(store.redis, 'limit:')
            : createMemoryLimiter();
        app.delivery = createDeliveryQueue({
          boss,
          prisma: db.prisma,
          channels: Object.fromEntries(channels.map((c) => [c.name, c])),
          limiter,
          logger,
          onOutcome: (channel, outcome) => metrics.delivery(channel, outcome),
        });
        metrics.queueDepth(() => db.prisma.delivery.count({ where: { status: 'queued' } }));
        await app.delivery.start();
        await startHousekeeping({
          boss,
          prisma: db.prisma,
          logger,
          timeZone: config.timeZone,
          minProcessedRetentionMs: config.zaloOaMaxEventAgeMs,
          unansweredRetentionDays: config.unansweredRetentionDays,
        });
        await startScheduledJobs({
          boss,
          jobs: composition.jobs,
          logger,
          timeZone: config.timeZone,
          services: () => services.standalone(),
          now: overrides.clock,
          onRun: (job, outcome, durationMs) => metrics.jobRun(job, outcome, durationMs),
          texts: { tFor: (l) => i18n.translator(l), defaultLocale: i18n.defaultLocale },
        });
      }
      if (config.metrics.port !== undefined) {
        metricsServer = await listenMetrics(
          metrics,
          config.metrics.port,
          config.metrics.host,
          config.metrics.token,
        );
        app.metricsUrl = metricsServer.url;
      }
      running = await listen(httpApp, config.port, config.host);
      app.url = running.url;
      listeningUrl = running.url;
      app.server = running.server;
      if (!adminToken) adminToken = generateAdminToken();
      const existing = readRuntimeFile(config.dataDir);
      if (existing && !existing.stale && existing.info.pid !== process.pid) {
        logger.warn({ pid: existing.info.pid }, 'another server wrote a runtime file in DATA_DIR');
      }
      writeRuntimeFile(config.dataDir, {
        url: running.url,
        pid: process.pid,
        adminToken,
        startedAt: new Date().toISOString(),
      });
      for (const c of channels) await startChannel(c, 0);
      logger.info(
        {
          url: running.url,
          database: db.kind,
          state: store.kind,
          channels: channels.map((c) => c.name),
        },
        'cds-bot ready',
      );
    },
    stop() {
      stopping ??= (async () => {
        for (const timer of retryTimers) clearTimeout(timer);
        retryTimers.clear();
        for (const c of channels)
          await c.stop?.().catch((err: unknown) => logger.warn({ err }, 'channel stop failed'));
        if (running) await running.close(config.shutdownTimeoutMs);
        await metricsServer?.close();
        await app.delivery
          ?.stop()
          .catch((err: unknown) => logger.warn({ err }, 'queue stop failed'));
        await boss
          ?.stop({ graceful: true, timeout: 5000 })
          .catch((err: unknown) => logger.warn({ err }, 'pg-boss stop failed'));
        await store
          .close()
          .catch((err: unknown) => logger.warn({ err }, 'state store close failed'));
        if (ownsDb)
          await db.close().catch((err: unknown) => logger.warn({ err }, 'database close failed'));
        if (running) removeRuntimeFile(config.dataDir);
        if (holdsDataDir) releaseDataDirLock(config.dataDir);
        logger.info('cds-bot stopped');
      })();
      return stopping;
    },
  };
  return app;
}

/**
 * The pipeline's view of the database: dedupe records in ProcessedUpdate, whose primary key
 * (channel, update id) makes a concurrent second delivery fail inside its transaction.
 */
export function createPipelineDb(db: Db): PipelineDb<Prisma.TransactionClient> {
  return {
    root: db.prisma,
    async markProcessed(tx, channel, updateId) {
      // ON CONFLICT DO NOTHING: a duplicate costs no exception and no aborted transaction. A
      // plain statement: it runs in every transactional update.
      const count = await (tx ?? db.prisma).$executeRaw`
        INSERT INTO processed_update (channel, update_id)
        VALUES (${channel}, ${updateId}) ON CONFLICT DO NOTHING`;
      if (count === 0) throw new DuplicateUpdateError(`${channel}:${updateId}`);
    },
    transaction: (fn) => db.transaction(fn, { maxWait: 10_000, timeout: 30_000 }),
    ping: () => db.ping(),
  };
}
