/**
 * bench:webhook — autocannon on loopback against our POST /webhooks/telegram (the full app:
 * secret check, pipeline with dedupe + per-chat lock + transaction, handler, reply sent to
 * a fake Bot API), and in the same run a bare express + telegraf echo webhook against the same
 * fake Bot API. Every request carries a unique update_id; replies are counted at the fake.
 * Two workloads on our side, side by side with the bare webhook:
 *   - `/help` (reads, writes nothing);
 *   - the write path: each of --chats linked reporters sends a one-line report (`HSTT n/120`),
 *     then presses Xác nhận on the echo (the button data read from the reply the fake Bot API
 *     received), mixed with citizens' questions; a chat whose echo has not arrived yet asks a
 *     question meanwhile. Confirmed figures are counted in the database at the end.
 *
 *   npm run bench:webhook                        # embedded defaults (PGlite, in-memory state)
 *   npm run bench:webhook -- --db postgres --redis
 *   options: --duration 10 (s per side), --connections 20, --chats 500,
 *            --only help|write|bare|floor|floor-prisma (one side alone, e.g. under `node --cpu-prof`)
 *
 * On PostgreSQL two more sides, the floors: the same bare webhook that first commits each update
 * in its own transaction (BEGIN; INSERT; COMMIT), then replies — the least any webhook can do
 * that stores what it is sent before it answers — once through a plain `pg` pool and once
 * through the app's Prisma client. Their ratios to the bare echo bound what a write path can
 * reach here, and show what the data layer alone costs.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import express from 'express';
import pg from 'pg';
import pino from 'pino';
import type { Registry } from 'prom-client';
import { Telegraf } from 'telegraf';
import { createApp } from '../src/app.js';
import { createTelegramChannel } from '../src/channels/telegram/index.js';
import { loadConfig } from '../src/config.js';
import type { Db } from '../src/db/client.js';
import { startFakeBotApi, type FakeBotApi } from '../test/channels/fakes/bot-api.js';
import { createTestDb } from '../test/helpers/db.js';
import { addPerson } from '../test/domain/people/fixture.js';

const { values: args } = parseArgs({
  options: {
    db: {
      type: 'string',
      default: process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'pglite',
    },
    redis: { type: 'boolean', default: false },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '20' },
    chats: { type: 'string', default: '500' },
    /** Run one side only (for profiling): help, write or bare. */
    only: { type: 'string' },
  },
});

const TOKEN = '7000001:BENCH-WEBHOOK';
const SECRET = 'bench_secret-token';
let nextUpdateId = 1_000_000;

function helpUpdate(chats: number): string {
  const id = nextUpdateId++;
  const chat = 10_000 + (id % chats);
  return JSON.stringify({
    update_id: id,
    message: {
      message_id: id,
      date: Math.floor(Date.now() / 1000),
      chat: { id: chat, type: 'private', first_name: 'Bench' },
      from: { id: chat, is_bot: false, first_name: 'Bench', language_code: 'vi' },
      text: '/help',
      entities: [{ offset: 0, length: 5, type: 'bot_command' }],
    },
  });
}

const QUESTIONS = [
  'làm giấy khai sinh online được không',
  'dang ky tam tru o dau',
  'cấp lại căn cước công dân',
  'thủ tục đăng ký kết hôn',
];

/** The write path's per-chat script: report → confirm → question → report… */
function writeWorkload(chats: number) {
  const confirm = new Map<number, string>();
  /** Chats whose echo arrived, in order: their confirmation goes first. */
  const ready: number[] = [];
  const waiting = new Set<number>();
  const next = new Map<number, 'report' | 'question'>();
  let i = 0;
  return {
    /** Fake Bot API hook: remember the Xác nhận button of each echo. */
    observe(call: { method: string; body: Record<string, unknown> }) {
      if (call.method !== 'sendMessage') return;
      const chat = Number(call.body.chat_id);
      const markup = call.body.reply_markup as
        { inline_keyboard?: { text: string; callback_data?: string }[][] } | string | undefined;
      const kb = (typeof markup === 'string' ? JSON.parse(markup) : markup) as
        { inline_keyboard?: { text: string; callback_data?: string }[][] } | undefined;
      const ok = kb?.inline_keyboard?.flat().find((b) => b.text === 'Xác nhận');
      if (ok?.callback_data && waiting.has(chat)) {
        waiting.delete(chat);
        confirm.set(chat, ok.callback_data);
        ready.push(chat);
      }
    },
    body(): string {
      const id = nextUpdateId++;
      const chat = ready.shift() ?? 10_000 + (i++ % chats);
      const from = { id: chat, is_bot: false, first_name: 'Bench', language_code: 'vi' };
      const data = confirm.get(chat);
      if (data) {
        confirm.delete(chat);
        next.set(chat, 'question');
        return JSON.stringify({
          update_id: id,
          callback_query: {
            id: String(id),
            from,
            chat_instance: String(chat),
            data,
            message: {
              message_id: id,
              date: Math.floor(Date.now() / 1000),
              chat: { id: chat, type: 'private' },
            },
          },
        });
      }
      let text = QUESTIONS[id % QUESTIONS.length]!;
      if ((next.get(chat) ?? 'report') === 'report' && !waiting.has(chat)) {
        text = `HSTT ${60 + (id % 60)}/120`;
        waiting.add(chat);
      } else if (!waiting.has(chat)) next.set(chat, 'report');
      return JSON.stringify({
        update_id: id,
        message: {
          message_id: id,
          date: Math.floor(Date.now() / 1000),
          chat: { id: chat, type: 'private', first_name: 'Bench' },
          from,
          text,
        },
      });
    },
  };
}

interface Result {
  rps: number;
  p99: number;
  p50: number;
  total: number;
  non2xx: number;
  errors: number;
  replies: number;
  /** CPU time of this process per request (app + fake Bot API + load generator), ms. */
  cpuMs: number;
}

async function load(
  url: string,
  api: FakeBotApi,
  token: string,
  body: () => string = () => helpUpdate(Number(args.chats)),
): Promise<Result> {
  const before = api.of('sendMessage').filter((c) => c.token === token).length;
  const run = (duration: number) =>
    autocannon({
      url,
      method: 'POST',
      connections: Number(args.connections),
      duration,
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      requests: [
        {
          setupRequest: (req) => ({ ...req, body: body() }),
        },
      ],
    });
  await run(2); // warm-up (JIT, connection pools, caches)
  const warm = api.of('sendMessage').filter((c) => c.token === token).length;
  const cpu = process.cpuUsage();
  const r = await run(Number(args.duration));
  const used = process.cpuUsage(cpu);
  // Let replies of the last requests land.
  await new Promise((res) => setTimeout(res, 500));
  const replies = api.of('sendMessage').filter((c) => c.token === token).length - warm;
  void before;
  return {
    rps: r.requests.average,
    p99: r.latency.p99,
    p50: r.latency.p50,
    total: r.requests.total,
    non2xx: r.non2xx,
    errors: r.errors,
    replies,
    cpuMs: (used.user + used.system) / 1000 / Math.max(1, r.requests.total),
  };
}

/** Updates and their summed duration per handler, from the app's own latency histogram. */
async function byHandler(registry: Registry): Promise<Map<string, { count: number; sum: number }>> {
  const out = new Map<string, { count: number; sum: number }>();
  const metric = registry.getSingleMetric('cds_update_duration_seconds');
  if (!metric) return out;
  for (const v of (await metric.get()).values) {
    const handler = String(v.labels.handler ?? '');
    const name = (v as { metricName?: string }).metricName ?? '';
    const entry = out.get(handler) ?? { count: 0, sum: 0 };
    if (name.endsWith('_count')) entry.count += v.value;
    else if (name.endsWith('_sum')) entry.sum += v.value;
    else continue;
    out.set(handler, entry);
  }
  return out;
}

/** A telegraf bot behind express on loopback, with telegraf's own webhookCallback. */
async function serveWebhook(bot: Telegraf) {
  const app = express();
  app.post(
    '/webhooks/telegram',
    bot.webhookCallback('/webhooks/telegram', { secretToken: SECRET }),
  );
  const server = app.listen(0, '127.0.0.1');
  await new Promise<void>((r) => server.once('listening', () => r()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/telegram`,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Bare express + telegraf echo webhook (telegraf's own webhookCallback), replies via HTTP. */
async function startBareEcho(apiRoot: string) {
  const bot = new Telegraf(TOKEN.replace('BENCH', 'BARE'), {
    telegram: { apiRoot, webhookReply: false },
  });
  bot.botInfo = {
    id: 1,
    is_bot: true,
    first_name: 'Bare',
    username: 'bare_bot',
    can_join_groups: false,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
  };
  bot.on('message', async (ctx) => {
    await ctx.reply('text' in ctx.message ? ctx.message.text : 'echo');
  });
  return { ...(await serveWebhook(bot)), token: TOKEN.replace('BENCH', 'BARE') };
}

/** How a floor webhook commits one update: its own transaction of one INSERT. */
type Commit = (updateId: number, chat: number, text: string) => Promise<void>;

const FLOOR_TABLE =
  'CREATE TABLE IF NOT EXISTS bench_floor (update_id bigint PRIMARY KEY, chat bigint NOT NULL, text text NOT NULL, at timestamptz NOT NULL DEFAULT now())';

/** A plain `pg` pool: BEGIN; INSERT; COMMIT on one client. */
function commitThroughPg(pool: pg.Pool): Commit {
  return async (updateId, chat, text) => {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query(
        'INSERT INTO bench_floor (update_id, chat, text) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [updateId, chat, text],
      );
      await client.query('COMMIT');
    } finally {
      client.release();
    }
  };
}

/** The app's own Prisma client: an interactive transaction around one `$executeRaw`. */
function commitThroughPrisma(prisma: Db['prisma']): Commit {
  return async (updateId, chat, text) => {
    await prisma.$transaction(async (tx) => {
      await tx.$executeRaw`INSERT INTO bench_floor (update_id, chat, text) VALUES (${updateId}, ${chat}, ${text}) ON CONFLICT DO NOTHING`;
    });
  };
}

/**
 * A floor: the bare webhook that commits every update (one transaction of one INSERT) before
 * it replies, through `commit`.
 */
async function startStoringEcho(apiRoot: string, name: string, commit: Commit) {
  const token = TOKEN.replace('BENCH', name.toUpperCase());
  const bot = new Telegraf(token, { telegram: { apiRoot, webhookReply: false } });
  bot.botInfo = {
    id: 2,
    is_bot: true,
    first_name: name,
    username: `${name}_bot`,
    can_join_groups: false,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
  };
  bot.on('message', async (ctx) => {
    const text = 'text' in ctx.message ? ctx.message.text : '';
    await commit(ctx.update.update_id, ctx.chat.id, text);
    await ctx.reply(text || 'echo');
  });
  return { ...(await serveWebhook(bot)), token };
}

async function main(): Promise<void> {
  const kind = args.db === 'postgres' ? 'postgres' : 'pglite';
  const api = await startFakeBotApi();
  const testDb = await createTestDb(kind);
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cds-bench-webhook-'));
  const logger = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
  const config = loadConfig({
    NODE_ENV: 'production',
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    SIMULATOR: 'off',
    ...(testDb.databaseUrl
      ? {
          DATABASE_URL: testDb.databaseUrl,
          INVITE_CODE_PEPPER: randomBytes(32).toString('hex'),
          TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
        }
      : {}),
    ...(args.redis
      ? {
          REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
          REDIS_KEY_PREFIX: `bench:${process.pid}:`,
        }
      : {}),
    PUBLIC_URL: 'http://127.0.0.1:9',
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_WEBHOOK_SECRET: SECRET,
    TELEGRAM_API_ROOT: api.url,
  });
  const app = await createApp(config, { db: testDb.db, seedIfEmpty: true, logger });
  await app.start();

  // Until the composition root wires the Telegram channel, mount it here on the app's pipeline.
  let ourUrl = `${app.url}/webhooks/telegram`;
  let fallback: { close(): Promise<void> } | undefined;
  if (!app.channels.some((c) => c.name === 'telegram')) {
    const channel = createTelegramChannel({
      config: { publicUrl: config.publicUrl, telegram: config.telegram! },
      logger,
      pipeline: app.pipeline,
    });
    const ex = express();
    ex.use('/webhooks/telegram', channel.router);
    const server = ex.listen(0, '127.0.0.1');
    await new Promise<void>((r) => server.once('listening', () => r()));
    ourUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/telegram`;
    fallback = { close: () => new Promise<void>((r) => server.close(() => r())) };
    console.log(
      'note: the app does not mount the Telegram channel yet; mounted by the bench on app.pipeline',
    );
  }
  const bare = await startBareEcho(api.url);
  const pool = testDb.databaseUrl
    ? new pg.Pool({ connectionString: testDb.databaseUrl, max: 10 })
    : undefined;
  await pool?.query(FLOOR_TABLE);
  const floor = pool ? await startStoringEcho(api.url, 'floor', commitThroughPg(pool)) : undefined;
  const floorPrisma = pool
    ? await startStoringEcho(api.url, 'prismafloor', commitThroughPrisma(app.db.prisma))
    : undefined;

  // The write path's reporters: one linked reporter per chat, spread over the seeded communes.
  const chats = Number(args.chats);
  const communes = await app.db.prisma.unit.findMany({
    where: { level: 'commune', effectiveTo: null },
    orderBy: { code: 'asc' },
  });
  for (let c = 0; c < chats; c++) {
    await addPerson(app.db, {
      name: `Cán bộ ${c}`,
      unitId: communes[c % communes.length]!.id,
      role: 'reporter',
      channel: 'telegram',
      externalId: String(10_000 + c),
    });
  }
  const write = writeWorkload(chats);
  api.respond = (call) => {
    write.observe(call);
    return undefined;
  };

  console.log(
    `bench:webhook  db=${kind}, state=${args.redis ? 'redis' : 'memory'}, ${args.connections} connections, ${args.duration} s each, ${args.chats} chats`,
  );
  const side = (name: string) => args.only === undefined || args.only === name;
  const none: Result = {
    rps: NaN,
    p99: NaN,
    p50: NaN,
    total: 0,
    non2xx: 0,
    errors: 0,
    replies: 0,
    cpuMs: NaN,
  };
  const ours = side('help') ? await load(ourUrl, api, TOKEN) : none;
  const submissionsBefore = await app.db.prisma.submission.count();
  const byHandlerBefore = await byHandler(app.metrics.registry);
  const writes = side('write') ? await load(ourUrl, api, TOKEN, () => write.body()) : none;
  const byHandlerAfter = await byHandler(app.metrics.registry);
  const submissions = (await app.db.prisma.submission.count()) - submissionsBefore;
  const versions = await app.db.prisma.submissionVersion.count();
  const echo = side('bare') ? await load(bare.url, api, bare.token) : none;
  const stores = floor && side('floor') ? await load(floor.url, api, floor.token) : none;
  const storesPrisma =
    floorPrisma && side('floor-prisma')
      ? await load(floorPrisma.url, api, floorPrisma.token)
      : none;
  const stored = pool
    ? Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM bench_floor')).rows[0]!.n)
    : 0;

  const row = (name: string, r: Result) =>
    console.log(
      `  ${name.padEnd(26)} ${r.rps.toFixed(0).padStart(7)} req/s   p50 ${String(r.p50).padStart(4)} ms   p99 ${String(r.p99).padStart(5)} ms   requests ${r.total}   non-2xx ${r.non2xx}   errors ${r.errors}   replies ${r.replies}   CPU ${r.cpuMs.toFixed(2)} ms/req`,
    );
  console.log('');
  row('cds-bot /help', ours);
  row('cds-bot report+confirm+ask', writes);
  row('bare express+telegraf echo', echo);
  if (floor) row('floor: bare + 1 commit (pg)', stores);
  if (floorPrisma) row('floor: same via Prisma', storesPrisma);
  console.log(
    `  write path: ${submissions} new figures confirmed, ${versions} figure versions recorded in all`,
  );
  const kinds = [...byHandlerAfter]
    .map(([handler, a]) => {
      const b = byHandlerBefore.get(handler) ?? { count: 0, sum: 0 };
      return { handler, count: a.count - b.count, sum: a.sum - b.sum };
    })
    .filter((k) => k.count > 0);
  if (kinds.length > 0)
    console.log(
      `  write path by handler (warm-up included; mean time in the app, received to replies sent): ${kinds
        .map((k) => `${k.handler} ${k.count} × ${((k.sum / k.count) * 1000).toFixed(1)} ms`)
        .join(', ')}`,
    );
  console.log(
    `  CPU per request, bare / ours (load-independent capacity ratio): /help ${(echo.cpuMs / ours.cpuMs).toFixed(2)}, write path ${(echo.cpuMs / writes.cpuMs).toFixed(2)}`,
  );
  console.log(
    `  throughput ratio (ours / bare): /help ${(ours.rps / echo.rps).toFixed(2)}, write path ${(writes.rps / echo.rps).toFixed(2)}  (target >= 0.5 on PostgreSQL + Redis, p99 < 100 ms)`,
  );
  if (floor)
    console.log(
      `  floors (the bare webhook committing each update first; ${stored} rows stored): pg / bare ${(stores.rps / echo.rps).toFixed(2)} req/s, Prisma / bare ${(storesPrisma.rps / echo.rps).toFixed(2)} req/s; write path / pg floor ${(writes.rps / stores.rps).toFixed(2)}`,
    );

  await bare.close();
  await floor?.close();
  await floorPrisma?.close();
  await pool?.end();
  await fallback?.close();
  await app.stop();
  await api.close();
  await testDb.cleanup();
  await rm(dataDir, { recursive: true, force: true });
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
