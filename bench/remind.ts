/**
 * `npm run bench:remind` — the scheduled reminders at national scale, on PostgreSQL + Redis.
 *
 * Seeds a fresh database with bench:domain's national units (34 provinces, 3,321 communes, the
 * operator's `import units` path), one reporter per commune on Telegram, and every monthly
 * figure of T11/2026 for half of the communes, so the other half owe. Then, against a fake Bot
 * API on loopback that allows 30 msg/s (429 with retry_after beyond):
 *  1. one app instance runs the -3d reminder run of T11/2026 (2 Dec 08:00, the cron's code path):
 *     time to compute and enqueue it (goal < 5 s), then the delivery time against the ideal
 *     N/30 s (goal ≤ 1.1×), lost and duplicated messages (goal 0);
 *  2. the same run started twice at once, by two instances sharing the database and Redis;
 *  3. the same run once more; the instance is SIGKILLed halfway through the delivery and
 *     restarted (its cron runs the run again): no loss, duplicates only among the messages in
 *     flight at the kill (received by the Bot API, not yet marked sent).
 * Between the runs the reminders' delivery rows are deleted, so each run sends anew.
 *
 *   npm run bench:remind          (BENCH_DATABASE_ADMIN_URL, REDIS_URL to override 127.0.0.1)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { runReminders } from '../handlers/managers/jobs.js';
import { createApp } from '../src/app.js';
import { CitizenService } from '../src/citizens/service.js';
import { loadConfig } from '../src/config.js';
import { formatPeriod, makePeriod, periodStart } from '../src/domain/periods.js';
import { createServiceFactory } from '../src/services/index.js';
import { startFakeBotApi, type FakeBotApi } from '../test/channels/fakes/bot-api.js';
import { waitForLine } from './child-lines.js';
import { COMMUNES, createBenchDatabase, importNationalUnits } from './national.js';

const { values: args } = parseArgs({
  options: {
    child: { type: 'boolean', default: false },
    url: { type: 'string', default: '' },
    api: { type: 'string', default: '' },
    prefix: { type: 'string', default: '' },
  },
});

/** The instant of the run: 2 Dec 2026 08:00 in Vietnam, T11/2026's -3d reminders. */
const AT = new Date('2026-12-02T01:00:00Z');
const PERIOD = makePeriod('month', 2026, 11);
const RATE = 30;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const chatOf = (code: number) => String(1_000_000 + code);

// ---------------------------------------------------------------- the instance (child process)

interface ChildLine {
  type: 'ready' | 'run' | 'profile';
  dryMs?: number;
  rowsMs?: number;
  ms?: number;
  enqueueMs?: number;
  planned?: number;
  queued?: number;
  endedAt?: number;
}
const say = (line: ChildLine) => process.stdout.write(`${JSON.stringify(line)}\n`);

/** One app instance (Telegram on the fake Bot API), then the cron's reminder run at AT. */
async function runChild(): Promise<void> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cds-bench-remind-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dir,
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'error',
    DATABASE_URL: args.url,
    REDIS_URL,
    REDIS_KEY_PREFIX: args.prefix,
    // Required with DATABASE_URL; no invitation or OA token is used here.
    INVITE_CODE_PEPPER: 'p'.repeat(32),
    TOKEN_ENCRYPTION_KEY: 'k'.repeat(32),
    PUBLIC_URL: 'https://bench.example.test',
    TELEGRAM_BOT_TOKEN: '7000000:BENCH',
    TELEGRAM_WEBHOOK_SECRET: 'bench-secret',
    TELEGRAM_API_ROOT: args.api,
  });
  // The clock stands at AT: a cron tick during the bench computes the same run (deduplicated).
  const app = await createApp(config, { clock: () => AT });
  await app.start();
  const stop = () =>
    void app
      .stop()
      .then(() => rm(dir, { recursive: true, force: true }))
      .finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  say({ type: 'ready' });
  const logger = pino({ level: 'silent' });
  const services = createServiceFactory({
    root: app.db.prisma,
    citizens: new CitizenService({ prisma: app.db.prisma, logger }),
    logger,
    delivery: () => app.delivery,
  }).standalone();
  // The share of the run spent queueing (rows in the delivery table and pg-boss jobs).
  let enqueueMs = 0;
  const enqueue = services.managers.enqueue.bind(services.managers);
  services.managers.enqueue = async (items) => {
    const t = performance.now();
    try {
      return await enqueue(items);
    } finally {
      enqueueMs += performance.now() - t;
    }
  };
  const t0 = performance.now();
  const results = await runReminders(
    services,
    (locale) => app.i18n.translator(locale ?? app.i18n.defaultLocale),
    AT,
  );
  const ms = performance.now() - t0;
  const remind = results.filter((r) => r.slot.kind === 'remind');
  say({
    type: 'run',
    ms,
    enqueueMs,
    planned: remind.reduce((n, r) => n + r.planned, 0),
    queued: remind.reduce((n, r) => n + r.queued, 0),
    endedAt: Date.now(),
  });
  // Where the time goes, warm, once the parent asks (after the delivery, not to slow it down):
  // the same run computed without queueing, and its status query.
  await new Promise((resolve) => process.once('SIGUSR2', resolve));
  const t1 = performance.now();
  await runReminders(
    services,
    (locale) => app.i18n.translator(locale ?? app.i18n.defaultLocale),
    AT,
    { dryRun: true },
  );
  const dryMs = performance.now() - t1;
  const t2 = performance.now();
  await services.managers.rows('all', PERIOD, await services.schedule.get());
  say({ type: 'profile', dryMs, rowsMs: performance.now() - t2 });
}

// ---------------------------------------------------------------- the bench (parent process)

function spawnInstance(url: string, api: string, prefix: string): ChildProcess {
  const self = fileURLToPath(import.meta.url);
  return spawn(
    process.execPath,
    ['--import', 'tsx', self, '--child', '--url', url, '--api', api, '--prefix', prefix],
    { stdio: ['ignore', 'pipe', 'inherit'], env: process.env },
  );
}

const nextLine = (child: ChildProcess, type: ChildLine['type']) =>
  waitForLine<ChildLine>(child, (m) => m.type === type);

const exited = (c: ChildProcess) => new Promise((r) => c.once('exit', r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Reporters, half of the communes reporting every monthly figure of T11/2026. */
async function seedReporters(url: string): Promise<void> {
  const pg = (await import('pg')).default;
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const communes = `SELECT id, code FROM unit WHERE level = 'commune' AND effective_to IS NULL`;
  await pool.query(`INSERT INTO person (id, display_name)
    SELECT 'bp' || code, 'Cán bộ ' || code FROM (${communes}) u`);
  await pool.query(`INSERT INTO identity (channel, external_id, person_id, last_seen_at)
    SELECT 'telegram', (1000000 + code::int)::text, 'bp' || code, now() FROM (${communes}) u`);
  await pool.query(`INSERT INTO membership (id, person_id, unit_id, role)
    SELECT 'bm' || code, 'bp' || code, id, 'reporter' FROM (${communes}) u`);
  const start = new Date(periodStart(PERIOD).getTime() + 7 * 3600_000).toISOString().slice(0, 10);
  await pool.query(
    `INSERT INTO submission (id, unit_id, indicator_code, period, period_start, numerator,
       denominator, value, status, first_submitted_at, last_submitted_at, last_channel, ref)
     SELECT md5(u.id || i.code), u.id, i.code, $1, $2::date,
       CASE WHEN i.unit = 'percent' THEN 50 END, CASE WHEN i.unit = 'percent' THEN 100 END,
       50, 'active', $3, $3, 'sim', 'R' || md5(u.id || i.code)
     FROM (${communes}) u JOIN indicator i ON 'commune' = ANY (i.applies_to)
     WHERE i.periodicity = 'month' AND u.code::int % 2 = 0`,
    [formatPeriod(PERIOD), start, new Date('2026-12-01T03:00:00Z')],
  );
  await pool.query('ANALYZE');
  await pool.end();
}

interface Tally {
  received: number;
  lost: number;
  duplicated: number;
  /** Duplicates of messages that were not in flight at a kill. */
  unexplained: number;
}

function tally(api: FakeBotApi, expected: ReadonlySet<string>, inFlight = new Set<string>()) {
  const byChat = new Map<string, number>();
  for (const c of api.of('sendMessage')) {
    const chat = String(c.body.chat_id);
    byChat.set(chat, (byChat.get(chat) ?? 0) + 1);
  }
  const t: Tally = { received: 0, lost: 0, duplicated: 0, unexplained: 0 };
  for (const chat of expected) {
    const n = byChat.get(chat) ?? 0;
    t.received += n;
    if (n === 0) t.lost++;
    if (n > 1) {
      t.duplicated += n - 1;
      if (!inFlight.has(chat)) t.unexplained += n - 1;
    }
  }
  const strangers = [...byChat.keys()].filter((c) => !expected.has(c)).length;
  if (strangers > 0) console.log(`  ! ${strangers} chats not owing anything were messaged`);
  return t;
}

async function main(): Promise<void> {
  if (args.child) return runChild();
  const load = () =>
    os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
  console.log(
    `bench:remind on PostgreSQL + Redis; ${os.cpus().length} cores, load average ${load()} (a shared machine: other agents' builds and tests run too)`,
  );
  const bench = await createBenchDatabase();
  const api = await startFakeBotApi({
    rateLimit: { limit: RATE, windowMs: 1000, retryAfterSeconds: 1 },
  });
  const children = new Set<ChildProcess>();
  const start = (prefix: string) => {
    const c = spawnInstance(bench.url, api.url, prefix);
    children.add(c);
    void exited(c).then(() => children.delete(c));
    return c;
  };
  try {
    let t0 = performance.now();
    await importNationalUnits(bench, AT);
    await seedReporters(bench.url);
    console.log(
      `seeded ${COMMUNES} communes with a reporter each, half reporting T11/2026, in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    const expected = new Set<string>();
    for (const u of await bench.db.prisma.unit.findMany({
      where: { level: 'commune' },
      select: { code: true },
    }))
      if (Number(u.code) % 2 === 1) expected.add(chatOf(Number(u.code)));
    const n = expected.size;
    const ideal = n / RATE;
    const prisma = bench.db.prisma;
    const pending = () =>
      prisma.delivery.count({ where: { batchId: { startsWith: 'remind:' }, status: 'queued' } });
    const delivered = async (limitS: number) => {
      const until = Date.now() + limitS * 1000;
      while (Date.now() < until) {
        if (tally(api, expected).lost === 0 && (await pending()) === 0) return;
        await sleep(250);
      }
    };
    const lastAt = () => Math.max(...api.of('sendMessage').map((c) => c.at));
    const reset = async (all: ChildProcess[]) => {
      for (const c of all) c.kill('SIGTERM');
      await Promise.all(all.map(exited));
      await prisma.delivery.deleteMany({ where: { batchId: { startsWith: 'remind:' } } });
      api.calls.length = 0;
      api.rejected = 0;
    };
    const prefix = () => `bench-remind:${randomBytes(4).toString('hex')}:`;
    const line = (label: string, t: Tally, extra = '') =>
      console.log(
        `  ${label}: received ${t.received} of ${n}, lost ${t.lost}, duplicated ${t.duplicated}${extra}; 429 answers ${api.rejected}; load ${load()}`,
      );

    // 1. One run, one instance.
    console.log(`\n1. one reminder run (T11/2026 -3d), one instance, ${n} owing reporters`);
    const one = start(prefix());
    await nextLine(one, 'ready');
    const run = await nextLine(one, 'run');
    console.log(
      `  compute + enqueue: ${((run.ms ?? 0) / 1000).toFixed(2)} s for ${run.queued} of ${run.planned} messages, of which queueing ${((run.enqueueMs ?? 0) / 1000).toFixed(2)} s (goal < 5 s)`,
    );
    await delivered(ideal * 3 + 60);
    const d1 = (lastAt() - (run.endedAt ?? 0)) / 1000;
    console.log(
      `  delivery: ${d1.toFixed(1)} s from the end of the run to the last message; ideal ${ideal.toFixed(1)} s at ${RATE} msg/s: ${(d1 / ideal).toFixed(2)}× (goal ≤ 1.1×)`,
    );
    line('result', tally(api, expected));
    const profiled = nextLine(one, 'profile');
    one.kill('SIGUSR2');
    const profile = await profiled;
    console.log(
      `  the same run again, warm, without queueing: ${((profile.dryMs ?? 0) / 1000).toFixed(2)} s, of which the status query over all units ${((profile.rowsMs ?? 0) / 1000).toFixed(2)} s`,
    );
    await reset([one]);

    // 2. The same run started twice at once, by two instances.
    console.log('\n2. the same run started at once by two instances (one database, one Redis)');
    t0 = performance.now();
    const shared = prefix();
    const pair = [start(shared), start(shared)];
    await Promise.all(pair.map((c) => nextLine(c, 'ready')));
    const runs = await Promise.all(pair.map((c) => nextLine(c, 'run')));
    console.log(
      `  queued ${runs.map((r) => r.queued).join(' + ')} of ${runs[0]?.planned} planned by each`,
    );
    await delivered(ideal * 3 + 60);
    const end2 = Math.max(...runs.map((r) => r.endedAt ?? 0));
    console.log(
      `  delivery: ${((lastAt() - end2) / 1000).toFixed(1)} s after the later run ended (ideal ${ideal.toFixed(1)} s)`,
    );
    line('result', tally(api, expected));
    await reset(pair);

    // 3. Once more: SIGKILL halfway, restart (its cron runs the run again).
    console.log('\n3. the same run once more, SIGKILL halfway through the delivery, restart');
    const third = prefix();
    const victim = start(third);
    await nextLine(victim, 'ready');
    const run3 = await nextLine(victim, 'run');
    while (api.of('sendMessage').length < n / 2) await sleep(20);
    victim.kill('SIGKILL');
    await exited(victim);
    const killedAt = Date.now();
    const got = new Set(api.of('sendMessage').map((c) => String(c.body.chat_id)));
    const notSent = await prisma.delivery.findMany({
      where: { batchId: { startsWith: 'remind:' }, status: 'queued' },
      select: { chatId: true },
    });
    const inFlight = new Set(notSent.map((r) => r.chatId).filter((c) => got.has(c)));
    console.log(
      `  killed after ${got.size} messages reached the Bot API, ${notSent.length} not yet marked sent, ${inFlight.size} of them in flight`,
    );
    const restarted = start(third);
    await nextLine(restarted, 'ready');
    const rerun = await nextLine(restarted, 'run');
    console.log(
      `  after the restart the run queued ${rerun.queued} of ${rerun.planned} (first run: ${run3.queued})`,
    );
    await delivered(ideal * 3 + 180);
    console.log(
      `  restart to the last message: ${((lastAt() - killedAt) / 1000).toFixed(1)} s (includes the queue's job expiry after the kill)`,
    );
    const t3 = tally(api, expected, inFlight);
    line('result', t3, `, of them not in flight at the kill ${t3.unexplained}`);
    await reset([restarted]);
  } finally {
    for (const c of children) c.kill('SIGKILL');
    await api.close();
    await bench.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
