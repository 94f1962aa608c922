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
 *            --mix all|reports|questions (the write path's traffic: reports and their
 *            confirmations, citizens' questions, or both mixed as above),
 *            --only help,write,bare,floor,floor-prisma,floor-prisma-statement,ideal (the sides
 *            to run, comma-separated; one alone e.g. under `node --cpu-prof`)
 *
 * On PostgreSQL more sides, the floors: the same bare webhook that first commits each update
 * in its own transaction (BEGIN; INSERT; COMMIT), then replies — the least any webhook can do
 * that stores what it is sent before it answers — once through a plain `pg` pool, once through
 * the app's Prisma client (an interactive transaction), and once as one Prisma statement with
 * no transaction around it. Their ratios to the bare echo show what the data layer alone costs.
 * With Redis too, the ideal write path: the write path's workload done by the least code that
 * does the same work (see startIdealWrite), the most any implementation could reach here.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import express from 'express';
import { Redis } from 'ioredis';
import pg from 'pg';
import pino from 'pino';
import type { Registry } from 'prom-client';
import { Telegraf } from 'telegraf';
import { createApp } from '../src/app.js';
import { loadProceduresCsv } from '../src/citizens/catalog-csv.js';
import { loadFaq } from '../src/citizens/faq.js';
import { loadLexicon } from '../src/citizens/lexicon-files.js';
import { CitizenSearch } from '../src/citizens/search.js';
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
    /** The write path's mix: all (reports, confirmations, questions), reports, questions. */
    mix: { type: 'string', default: 'all' },
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
function writeWorkload(chats: number, token: string, mix = 'all') {
  const confirm = new Map<number, string>();
  /** Chats whose echo arrived, in order: their confirmation goes first. */
  const ready: number[] = [];
  const waiting = new Set<number>();
  const next = new Map<number, 'report' | 'question'>();
  let i = 0;
  return {
    /** Fake Bot API hook: remember the Xác nhận button of each echo. */
    observe(call: { method: string; token: string; body: Record<string, unknown> }) {
      if (call.method !== 'sendMessage' || call.token !== token) return;
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
      let chat = ready.shift() ?? 10_000 + (i++ % chats);
      // Reports only: a chat still waiting for its echo is passed over, not asked a question.
      for (let n = 0; mix === 'reports' && waiting.has(chat) && n < chats; n++)
        chat = 10_000 + (i++ % chats);
      const from = { id: chat, is_bot: false, first_name: 'Bench', language_code: 'vi' };
      const data = confirm.get(chat);
      if (data) {
        confirm.delete(chat);
        next.set(chat, mix === 'reports' ? 'report' : 'question');
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
      if (mix !== 'questions' && (next.get(chat) ?? 'report') === 'report' && !waiting.has(chat)) {
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

/** The app's Prisma client, one `$executeRaw` on its own (atomic alone, no interactive transaction). */
function commitThroughPrismaStatement(prisma: Db['prisma']): Commit {
  return async (updateId, chat, text) => {
    await prisma.$executeRaw`INSERT INTO bench_floor (update_id, chat, text) VALUES (${updateId}, ${chat}, ${text}) ON CONFLICT DO NOTHING`;
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

/** The ideal write path's tables: what a confirmed figure needs stored, and nothing more. */
const IDEAL_TABLES = [
  'CREATE TABLE IF NOT EXISTS bench_ideal_seen (update_id bigint PRIMARY KEY)',
  'CREATE TABLE IF NOT EXISTS bench_ideal_figure (unit text NOT NULL, indicator text NOT NULL, period text NOT NULL, value int NOT NULL, total int NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (unit, indicator, period))',
  'CREATE TABLE IF NOT EXISTS bench_ideal_version (id bigserial PRIMARY KEY, unit text NOT NULL, indicator text NOT NULL, period text NOT NULL, value int NOT NULL, total int NOT NULL, at timestamptz NOT NULL DEFAULT now())',
  'CREATE TABLE IF NOT EXISTS bench_ideal_audit (id bigserial PRIMARY KEY, unit text NOT NULL, chat bigint NOT NULL, action text NOT NULL, data jsonb NOT NULL, at timestamptz NOT NULL DEFAULT now())',
];

/**
 * The ideal write path: the same workload done by the least code that does the same work,
 * with no framework of ours — telegraf + express as in the bare echo, `pg` and `ioredis`
 * directly, and the real citizens' search. Per update: a per-chat lock in Redis (SET NX PX,
 * released with DEL) and a seen-record (SET NX) as every multi-instance webhook needs, and
 * who is writing (the sender's unit, one query on the app's own tables); a report is parsed by one regular expression and its pending figure kept in Redis with a
 * Xác nhận button; a confirmation takes the pending figure and commits the update record, the
 * figure, its version and an audit entry in one transaction; a question is answered with the
 * search's first hit. It bounds what any implementation of this workload reaches here: its
 * ratio to the bare echo is the most the write path could get.
 */
async function startIdealWrite(
  apiRoot: string,
  pool: pg.Pool,
  redis: Redis,
  search: CitizenSearch,
) {
  const token = TOKEN.replace('BENCH', 'IDEAL');
  const bot = new Telegraf(token, { telegram: { apiRoot, webhookReply: false } });
  bot.botInfo = {
    id: 3,
    is_bot: true,
    first_name: 'ideal',
    username: 'ideal_bot',
    can_join_groups: false,
    can_read_all_group_messages: false,
    supports_inline_queries: false,
  };
  for (const sql of IDEAL_TABLES) await pool.query(sql);
  const period = '2026-12';
  /**
   * Per-chat lock and seen-record in one round trip (a script: the seen-record is taken only
   * with the lock), waited for like the app's lock; one round trip to release.
   */
  const take = `if redis.call('SET', KEYS[1], ARGV[1], 'PX', 5000, 'NX') then
      return redis.call('SET', KEYS[2], '1', 'PX', 172800000, 'NX') and 1 or 0
    end
    return -1`;
  const locked = async (updateId: number, chat: number, work: () => Promise<void>) => {
    const lockKey = `ideal:lock:${chat}`;
    let got = -1;
    for (let waited = 0; got < 0; waited += 5) {
      if (waited > 15_000) throw new Error('chat busy');
      got = Number(await redis.eval(take, 2, lockKey, `ideal:seen:${updateId}`, updateId));
      if (got < 0) await new Promise((r) => setTimeout(r, 5));
    }
    try {
      if (got === 1) await work();
    } finally {
      await redis.del(lockKey);
    }
  };
  /** Who is writing: the unit of the sender's active membership (the app's own tables). */
  const unitOf = async (userId: number): Promise<string | undefined> =>
    (
      await pool.query<{ unit_id: string }>(
        `SELECT m.unit_id FROM identity i
           JOIN membership m ON m.person_id = i.person_id AND m.removed_at IS NULL
          WHERE i.channel = 'telegram' AND i.external_id = $1
          ORDER BY m.created_at LIMIT 1`,
        [String(userId)],
      )
    ).rows[0]?.unit_id;
  bot.on('message', async (ctx) => {
    const text = 'text' in ctx.message ? ctx.message.text : '';
    const chat = ctx.chat.id;
    await locked(ctx.update.update_id, chat, async () => {
      const unit = await unitOf(ctx.from.id);
      const m = /^([A-Z]+)\s+(\d+)\s*\/\s*(\d+)$/.exec(text);
      if (m && unit) {
        await redis.set(
          `ideal:pending:${chat}`,
          JSON.stringify({ indicator: m[1], value: Number(m[2]), total: Number(m[3]) }),
          'PX',
          86_400_000,
        );
        await ctx.reply(`${m[1]} kỳ ${period}: ${m[2]}/${m[3]}. Xác nhận để lưu?`, {
          reply_markup: {
            inline_keyboard: [[{ text: 'Xác nhận', callback_data: 'ok' }]],
          },
        });
        return;
      }
      const hit = search.search(text).hits[0];
      await ctx.reply(
        hit?.kind === 'procedure'
          ? `${hit.procedure.code} ${hit.procedure.name}`
          : (hit?.faq.title ?? 'Không tìm thấy'),
      );
    });
  });
  bot.on('callback_query', async (ctx) => {
    const chat = ctx.chat!.id;
    await locked(ctx.update.update_id, chat, async () => {
      const unit = await unitOf(ctx.from.id);
      const raw = await redis.getdel(`ideal:pending:${chat}`);
      if (!raw || !unit) return;
      const f = JSON.parse(raw) as { indicator: string; value: number; total: number };
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query('INSERT INTO bench_ideal_seen (update_id) VALUES ($1)', [
          ctx.update.update_id,
        ]);
        await client.query(
          `INSERT INTO bench_ideal_figure (unit, indicator, period, value, total) VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (unit, indicator, period) DO UPDATE SET value = $4, total = $5, updated_at = now()`,
          [unit, f.indicator, period, f.value, f.total],
        );
        await client.query(
          'INSERT INTO bench_ideal_version (unit, indicator, period, value, total) VALUES ($1, $2, $3, $4, $5)',
          [unit, f.indicator, period, f.value, f.total],
        );
        await client.query(
          "INSERT INTO bench_ideal_audit (unit, chat, action, data) VALUES ($1, $2, 'submit', $3)",
          [unit, chat, JSON.stringify(f)],
        );
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      } finally {
        client.release();
      }
      await ctx.reply(`Đã lưu ${f.indicator} kỳ ${period}: ${f.value}/${f.total}.`);
    });
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
  // On PostgreSQL the app opens its own pool as in production (10 connections; the test
  // database's own client is sized for tests); the embedded database is the test one.
  const app = await createApp(config, {
    ...(testDb.databaseUrl ? {} : { db: testDb.db }),
    seedIfEmpty: true,
    logger,
  });
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
  const floorPrismaStatement = pool
    ? await startStoringEcho(api.url, 'prismastmt', commitThroughPrismaStatement(app.db.prisma))
    : undefined;
  const write = writeWorkload(chats, TOKEN, args.mix);
  // The ideal write path: on PostgreSQL + Redis only (it uses both directly).
  const redis =
    pool && args.redis
      ? new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', {
          keyPrefix: `bench:${process.pid}:`,
        })
      : undefined;
  const ideal =
    pool && redis
      ? await startIdealWrite(
          api.url,
          pool,
          redis,
          new CitizenSearch(
            ...(await Promise.all([loadProceduresCsv(), loadFaq(), loadLexicon()])),
          ),
        )
      : undefined;
  const idealWrite = ideal ? writeWorkload(chats, ideal.token, args.mix) : undefined;
  api.respond = (call) => {
    write.observe(call);
    idealWrite?.observe(call);
    return undefined;
  };

  console.log(
    `bench:webhook  db=${kind}, state=${args.redis ? 'redis' : 'memory'}, ${args.connections} connections, ${args.duration} s each, ${args.chats} chats, write mix: ${args.mix}`,
  );
  const side = (name: string) => args.only === undefined || args.only.split(',').includes(name);
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
  const storesPrismaStatement =
    floorPrismaStatement && side('floor-prisma-statement')
      ? await load(floorPrismaStatement.url, api, floorPrismaStatement.token)
      : none;
  const idealRun =
    ideal && idealWrite && side('ideal')
      ? await load(ideal.url, api, ideal.token, () => idealWrite.body())
      : none;
  const idealFigures = pool
    ? Number(
        (await pool.query<{ n: string }>('SELECT count(*) AS n FROM bench_ideal_version')).rows[0]
          ?.n ?? 0,
      )
    : 0;
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
  if (floorPrismaStatement) row('floor: Prisma, statement only', storesPrismaStatement);
  if (ideal) row('ideal write path (pg+redis)', idealRun);
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
      `  floors (the bare webhook committing each update first; ${stored} rows stored): pg / bare ${(stores.rps / echo.rps).toFixed(2)} req/s, Prisma / bare ${(storesPrisma.rps / echo.rps).toFixed(2)} req/s, Prisma statement alone / bare ${(storesPrismaStatement.rps / echo.rps).toFixed(2)}; write path / pg floor ${(writes.rps / stores.rps).toFixed(2)}`,
    );

  if (ideal)
    console.log(
      `  ideal write path (the same workload with no framework: telegraf, pg, ioredis, the real search; ${idealFigures} figures confirmed): ideal / bare ${(idealRun.rps / echo.rps).toFixed(2)} req/s, CPU ${(echo.cpuMs / idealRun.cpuMs).toFixed(2)}; ours / ideal ${(writes.rps / idealRun.rps).toFixed(2)}`,
    );

  await bare.close();
  await ideal?.close();
  redis?.disconnect();
  await floor?.close();
  await floorPrisma?.close();
  await floorPrismaStatement?.close();
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
