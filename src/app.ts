import { mkdirSync } from 'node:fs';
import { pino, type Logger } from 'pino';
import { FEATURES, fallbackHandler } from '../handlers/index.js';
import { CitizenService } from './citizens/service.js';
import { commandMenu, composeFeatures, type Feature } from './core/feature.js';
import type { Channel } from './channels/types.js';
import { createTelegramChannel } from './channels/telegram/index.js';
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
import { acquireDataDirLock, releaseDataDirLock } from './db/datadir-lock.js';
import { migrate } from './db/migrate.js';
import { createAdminRunner } from './admin/endpoint.js';
import { seedIfEmpty } from './admin/seed.js';
import { createHttpApp, listen, type RunningServer } from './server/http.js';
import {
  generateAdminToken,
  readRuntimeFile,
  removeRuntimeFile,
  writeRuntimeFile,
} from './server/runtime-file.js';
import { createServiceFactory, type AppServices } from './services/index.js';
import { createStateStore, type StateStore } from './state/index.js';

export interface AppOverrides {
  logger?: Logger;
  /** Use an already opened (and migrated) database, e.g. in tests. */
  db?: Db;
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

  const ownsDb = !overrides.db;
  // PGlite allows one process per data folder: take the folder's lock before opening it.
  const holdsDataDir = ownsDb && !config.databaseUrl;
  if (holdsDataDir) acquireDataDirLock(config.dataDir);
  let db: Db;
  try {
    db =
      overrides.db ??
      (await createDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger }));
  } catch (err) {
    if (holdsDataDir) releaseDataDirLock(config.dataDir);
    throw err;
  }
  try {
    if (ownsDb) {
      const applied = await migrate(db);
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
  await citizens.load();
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
  // `app` is assigned below; the queue exists once the app has started.
  const services = createServiceFactory({
    root: db.prisma,
    citizens,
    logger,
    delivery: () => app.delivery,
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
    stateTtlMs: config.stateTtlMs,
    clock: overrides.clock,
  });

  const channels: Channel[] = [];
  if (config.simulator)
    channels.push(createSimChannel({ pipeline, store, logger, outboxTtlMs: config.stateTtlMs }));
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
  const base = { logger, pipeline, t: channelT, bodyLimit: '256kb', replyFallback };
  if (config.telegram) {
    channels.push(
      createTelegramChannel({
        ...base,
        config: { publicUrl: config.publicUrl, telegram: config.telegram },
        // The menu comes from the features' command declarations, per audience.
        menu: (audiences) => commandMenu(composition.commands, audiences, channelT),
      }),
    );
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
        optionsStore,
      }),
    );
  }
  let boss: PgBoss | undefined;

  let adminToken = config.adminToken;
  const mounts = Object.fromEntries(
    channels
      .filter((c) => c.router)
      .map((c) => [c.name === 'sim' ? '/sim' : `/webhooks/${c.name}`, c.router!]),
  );
  const httpApp = createHttpApp({
    logger,
    bodyLimit: config.bodyLimit,
    mounts,
    landing: config.simulator ? [{ href: '/sim', label: 'Trình mô phỏng (chat thử)' }] : [],
    readiness: [
      { name: 'database', check: () => db.ping() },
      { name: 'state', check: () => store.ping() },
    ],
    adminToken: () => adminToken,
    runAdmin: createAdminRunner({
      db,
      delivery: () => app.delivery,
      config: { ...config, dataDir: config.dataDir, timezone: config.timeZone },
      now: () => (overrides.clock ?? (() => new Date()))(),
      onChange: async (what) => {
        logger.info({ what }, 'data changed by an admin command');
        // Pre-warm this instance; others follow the data version on their next update.
        await services.warm();
      },
    }),
  });

  let running: RunningServer | undefined;
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
        });
        await app.delivery.start();
        await startHousekeeping({ boss, prisma: db.prisma, logger, timeZone: config.timeZone });
        await startScheduledJobs({
          boss,
          jobs: composition.jobs,
          logger,
          timeZone: config.timeZone,
          services: () => services.standalone(),
          now: overrides.clock,
          texts: { tFor: (l) => i18n.translator(l), defaultLocale: i18n.defaultLocale },
        });
      }
      running = await listen(httpApp, config.port, config.host);
      app.url = running.url;
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
      for (const c of channels) await c.start?.();
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
        for (const c of channels)
          await c.stop?.().catch((err: unknown) => logger.warn({ err }, 'channel stop failed'));
        if (running) await running.close(config.shutdownTimeoutMs);
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
      // ON CONFLICT DO NOTHING: a duplicate costs no exception and no aborted transaction.
      const { count } = await (tx ?? db.prisma).processedUpdate.createMany({
        data: [{ channel, updateId }],
        skipDuplicates: true,
      });
      if (count === 0) throw new DuplicateUpdateError(`${channel}:${updateId}`);
    },
    transaction: (fn) => db.prisma.$transaction(fn, { maxWait: 10_000, timeout: 30_000 }),
    ping: () => db.ping(),
  };
}
