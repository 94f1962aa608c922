/**
 * bench:broadcast — 2,000 proactive Telegram messages through the durable delivery queue to a
 * fake Bot API on loopback that allows 30 msg/s (sliding 1 s window) and answers 429 with
 * retry_after beyond it. Reports total time against the ideal 2000/30 s, 429s, lost and
 * duplicated messages.
 *
 *   npm run bench:broadcast                      # embedded PGlite, in-memory limiter
 *   npm run bench:broadcast -- --db postgres --redis
 *   npm run bench:broadcast -- --kill            # SIGKILL the sender halfway, restart it
 *   options: --count N (default 2000)
 *
 * --kill runs the sender in a child process (the fake Bot API stays in this process), kills it
 * with SIGKILL once half the messages arrived, records which deliveries were "in flight"
 * (received by the Bot API but not yet marked sent), restarts it, and checks that nothing was
 * lost and that duplicates happened only among those in-flight messages.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import pino from 'pino';
import { createTelegramChannel } from '../src/channels/telegram/index.js';
import type { InboundMessage } from '../src/core/message.js';
import { createDb, type Db } from '../src/db/client.js';
import { createDeliveryQueue } from '../src/delivery/queue.js';
import {
  createMemoryLimiter,
  createRedisLimiter,
  type RateLimiter,
} from '../src/delivery/limiter.js';
import { createBoss } from '../src/jobs/boss.js';
import { startFakeBotApi } from '../test/channels/fakes/bot-api.js';
import { waitForLine } from './child-lines.js';
import { createTestDb } from '../test/helpers/db.js';

const { values: args } = parseArgs({
  options: {
    db: {
      type: 'string',
      default: process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'pglite',
    },
    redis: { type: 'boolean', default: false },
    count: { type: 'string', default: '2000' },
    kill: { type: 'boolean', default: false },
    child: { type: 'boolean', default: false },
    'data-dir': { type: 'string' },
    'database-url': { type: 'string' },
    api: { type: 'string' },
    enqueue: { type: 'string', default: '0' },
    prefix: { type: 'string', default: '' },
  },
});

const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
const COUNT = Number(args.count);
const TOKEN = '7000000:BENCH';
const textOf = (i: number) =>
  `Thông báo #${i}: hạn báo cáo chỉ tiêu CĐS tháng 11/2026 là 25/11/2026.`;
const chatOf = (i: number) => String(1_000_000 + i);

/** The sending side: database, pg-boss, Telegram channel, limiter, delivery queue. */
async function startSender(opts: { db: Db; apiRoot: string; redisPrefix?: string }) {
  const noPipeline = {
    process: async (_m: InboundMessage) => ({ status: 'processed' as const, replies: [] }),
  };
  const telegram = createTelegramChannel({
    config: { telegram: { token: TOKEN, webhookSecret: 'x', apiRoot: opts.apiRoot } },
    logger,
    pipeline: noPipeline,
  });
  let redis: Redis | undefined;
  let limiter: RateLimiter = createMemoryLimiter();
  if (opts.redisPrefix) {
    redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    limiter = createRedisLimiter(redis, opts.redisPrefix);
  }
  const boss = await createBoss({ db: opts.db, logger, superviseIntervalSeconds: 5 });
  const queue = createDeliveryQueue({
    boss,
    prisma: opts.db.prisma,
    channels: { telegram },
    limiter,
    logger,
    expireInSeconds: 15,
  });
  return {
    queue,
    async stop() {
      await queue.stop();
      await boss.stop({ graceful: true, timeout: 5000 });
      await redis?.quit();
    },
  };
}

async function counts(db: Db): Promise<Record<string, number>> {
  const rows = await db.prisma.delivery.groupBy({ by: ['status'], _count: { _all: true } });
  return Object.fromEntries(rows.map((r) => [r.status, r._count._all]));
}

/** Child process: open the database, optionally enqueue, send until told to stop. */
async function runChild(): Promise<void> {
  const db = await createDb({
    dataDir: args['data-dir']!,
    databaseUrl: args['database-url'] || undefined,
  });
  const sender = await startSender({
    db,
    apiRoot: args.api!,
    redisPrefix: args.prefix || undefined,
  });
  const toEnqueue = Number(args.enqueue);
  for (let i = 0; i < toEnqueue; i++) {
    await sender.queue.enqueue(
      { channel: 'telegram', chatId: chatOf(i), text: textOf(i) },
      'broadcast',
    );
  }
  process.stdout.write(`${JSON.stringify({ type: 'ready' })}\n`);
  await sender.queue.start();
  const timer = setInterval(() => {
    counts(db)
      .then((c) => process.stdout.write(`${JSON.stringify({ type: 'status', counts: c })}\n`))
      .catch(() => undefined);
  }, 1000);
  process.on('SIGTERM', () => {
    clearInterval(timer);
    void sender
      .stop()
      .then(() => db.close())
      .finally(() => process.exit(0));
  });
}

function spawnChild(extra: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const self = fileURLToPath(import.meta.url);
  return spawn(process.execPath, ['--import', 'tsx', self, '--child', ...extra], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env,
  });
}

function waitLine(
  child: ChildProcess,
  pred: (msg: { type: string; counts?: Record<string, number> }) => boolean,
): Promise<void> {
  return waitForLine(child, pred).then(() => undefined);
}

function report(title: string, fields: Record<string, string | number>) {
  console.log(`\n${title}`);
  for (const [k, v] of Object.entries(fields)) console.log(`  ${k.padEnd(28)} ${v}`);
}

async function main(): Promise<void> {
  if (args.child) return runChild();
  const kind = args.db === 'postgres' ? 'postgres' : 'pglite';
  const api = await startFakeBotApi({
    rateLimit: { limit: 30, windowMs: 1000, retryAfterSeconds: 1 },
  });
  const testDb = await createTestDb(kind);
  const prefix = args.redis ? `bench:${randomBytes(4).toString('hex')}:` : undefined;
  const ideal = COUNT / 30;
  console.log(
    `bench:broadcast  ${COUNT} messages, db=${kind}, limiter=${args.redis ? 'redis' : 'memory'}, mode=${args.kill ? 'SIGKILL halfway + restart' : 'single run'}`,
  );

  const received = () => {
    const byText = new Map<string, number>();
    for (const c of api.of('sendMessage'))
      byText.set(String(c.body.text), (byText.get(String(c.body.text)) ?? 0) + 1);
    return byText;
  };

  let elapsed: number;
  let inFlightAtKill = new Set<string>();
  if (!args.kill) {
    const sender = await startSender({ db: testDb.db, apiRoot: api.url, redisPrefix: prefix });
    for (let i = 0; i < COUNT; i++) {
      await sender.queue.enqueue(
        { channel: 'telegram', chatId: chatOf(i), text: textOf(i) },
        'broadcast',
      );
    }
    const t0 = Date.now();
    await sender.queue.start();
    while (received().size < COUNT || ((await counts(testDb.db)).queued ?? 0) > 0) {
      if (Date.now() - t0 > ideal * 3000 + 60_000) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    // The time the last message reached the Bot API.
    elapsed = (Math.max(...api.of('sendMessage').map((c) => c.at)) - t0) / 1000;
    await sender.stop();
  } else {
    // The parent must not hold PGlite while a child uses it.
    const dataDir = testDb.dataDir;
    const databaseUrl = testDb.databaseUrl ?? '';
    await testDb.db.close();
    const childArgs = [
      '--data-dir',
      dataDir,
      '--database-url',
      databaseUrl,
      '--api',
      api.url,
      '--prefix',
      prefix ?? '',
    ];
    const first = spawnChild([...childArgs, '--enqueue', String(COUNT)], process.env);
    await waitLine(first, (m) => m.type === 'ready');
    const t0 = Date.now();
    while (api.of('sendMessage').length < COUNT / 2) await new Promise((r) => setTimeout(r, 20));
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const killedAt = Date.now();
    console.log(
      `  killed the sender (SIGKILL) after ${api.of('sendMessage').length} sends, ${((killedAt - t0) / 1000).toFixed(1)} s`,
    );

    // Which deliveries did the Bot API receive although the database does not say 'sent'?
    const db = await createDb({ dataDir, databaseUrl: databaseUrl || undefined });
    const queuedRows = await db.prisma.delivery.findMany({
      where: { status: 'queued' },
      select: { text: true },
    });
    const got = received();
    inFlightAtKill = new Set(queuedRows.map((r) => r.text).filter((t) => got.has(t)));
    const before = await counts(db);
    await db.close();
    console.log(
      `  after the kill: ${JSON.stringify(before)}; in flight (received, not marked sent): ${inFlightAtKill.size}`,
    );

    const second = spawnChild(childArgs, process.env);
    await waitLine(
      second,
      (m) => m.type === 'status' && (m.counts?.queued ?? 0) === 0 && (m.counts?.sent ?? 0) > 0,
    );
    elapsed = (Math.max(...api.of('sendMessage').map((c) => c.at)) - t0) / 1000;
    console.log(
      `  restart to completion: ${((Date.now() - killedAt) / 1000).toFixed(1)} s (includes the job expiry wait)`,
    );
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
    testDb.db = await createDb({ dataDir, databaseUrl: databaseUrl || undefined });
  }

  const final = await counts(testDb.db);
  const got = received();
  let lost = 0;
  let duplicated = 0;
  let dupOutsideInFlight = 0;
  for (let i = 0; i < COUNT; i++) {
    const c = got.get(textOf(i)) ?? 0;
    if (c === 0) lost++;
    if (c > 1) {
      duplicated += c - 1;
      if (!inFlightAtKill.has(textOf(i))) dupOutsideInFlight++;
    }
  }
  if (process.env.BENCH_DEBUG && api.rejectedAt.length > 0) {
    const r0 = api.rejectedAt[0]!;
    const acc = api.of('sendMessage').map((c) => c.at);
    const t0 = Math.min(...acc);
    console.log(
      'first 429 at',
      r0 - t0,
      'accepted in (r0-1000, r0]:',
      acc
        .filter((a) => a > r0 - 1000 && a <= r0)
        .map((a) => a - t0)
        .join(','),
    );
    console.log('429 times', api.rejectedAt.map((a) => a - t0).join(','));
  }
  report('result', {
    'total time (s)': elapsed.toFixed(1),
    [`ideal ${COUNT}/30 (s)`]: ideal.toFixed(1),
    'ratio to ideal': (elapsed / ideal).toFixed(3),
    '429 received': api.rejected,
    'lost (never received)': lost,
    'duplicated (extra copies)': duplicated,
    ...(args.kill
      ? { 'in flight at kill': inFlightAtKill.size, 'duplicates not in flight': dupOutsideInFlight }
      : {}),
    'delivery rows': JSON.stringify(final),
  });
  if (prefix) {
    const r = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379');
    const keys = await r.keys(`${prefix}*`);
    if (keys.length) await r.del(...keys);
    await r.quit();
  }
  await api.close();
  await testDb.db.close();
  await testDb.cleanup();
  const ok = lost === 0 && (args.kill ? dupOutsideInFlight === 0 : duplicated === 0);
  process.exit(ok ? 0 : 1);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
