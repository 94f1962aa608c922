/**
 * The acceptance cycle of the managers' reminders as one test, driven by `reminders run --at`
 * (the cron's code path) with the app's clock injected, messages read where a simulator user
 * reads them (GET /sim/api/messages): deadline approaches → only owing reporters reminded →
 * one reports → not reminded again → deadline passes → managers get the late-units digest.
 * Then (PostgreSQL + Redis) two app instances on one database running the cron at once, and a
 * restarted one running it late: nobody is reminded twice.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReminders } from '../../../handlers/managers/jobs.js';
import { runAdminCommand } from '../../../src/admin/run.js';
import { createApp, type App } from '../../../src/app.js';
import { CitizenService } from '../../../src/citizens/service.js';
import { loadConfig } from '../../../src/config.js';
import { createServiceFactory } from '../../../src/services/index.js';
import { testStateKind } from '../../helpers/app.js';
import { testDbKind } from '../../helpers/db.js';
import { startManagersApp, vn, type ManagersTestApp } from './helpers.js';

let app: ManagersTestApp;
let clock = vn('2026-12-01T09:00:00');

const REMINDER = 'Nhắc báo cáo T11/2026';
const DIGEST = 'Đơn vị quá hạn báo cáo T11/2026';

beforeAll(async () => {
  app = await startManagersApp(clock);
  await app.link('boss', '42', 'manager');
  await app.link('ward', '18100', 'manager');
  await app.link('done', '18100'); // Phường Trần Phú: reports everything before the reminders
  await app.link('late', '18073'); // Phường Thành Sen: reports after the first reminder
  await app.link('never', '18115'); // Phường Bắc Hồng Lĩnh: never reports
}, 180_000);
afterAll(() => app?.close());

const setClock = (d: Date) => {
  clock = d;
  app.setNow(d);
};

/** `npm run admin -- reminders run --at <at>`, the clock at that instant. */
async function remindersRunAt(at: string): Promise<string> {
  setClock(vn(`${at}:00`));
  const r = await runAdminCommand(['reminders', 'run', '--at', at], {
    db: app.testDb.db,
    config: { dataDir: app.testDb.dataDir, timezone: 'Asia/Ho_Chi_Minh' },
    now: () => clock,
    readFile: () => Promise.reject(new Error('no files')),
    writeFile: () => Promise.reject(new Error('no files')),
    delivery: () => app.app.delivery,
  });
  expect(r.exitCode, r.stderr).toBe(0);
  return r.stdout;
}

async function reportAll(user: string) {
  const echo = await app.say(user, 'bc T11/2026 HSTT 40/100 HSCV 65% SOHOA 12% TTTT 10%');
  await app.press(user, echo.button('Xác nhận'));
}

/** Messages of a kind a simulator user has received so far (GET /sim/api/messages). */
const received = async (user: string, text: string) =>
  (await app.inbox(user, 0, 0)).filter((m) => m.text.includes(text));

/** Wait until the queue has nothing left to deliver, so "not received" means not sent. */
const drained = () =>
  expect
    .poll(() => app.testDb.db.prisma.delivery.count({ where: { status: 'queued' } }), {
      timeout: 20_000,
    })
    .toBe(0);

describe('acceptance cycle', () => {
  it('deadline approaches → only owing reporters reminded → one reports → not again → late digest to managers', async () => {
    await reportAll('done');

    // 2 Dec 08:00, three days before the 5 Dec deadline: the -3d reminders.
    expect(await remindersRunAt('2026-12-02T08:00')).toContain('T11/2026 -3d remind: 2 queued');
    await app.arrived('late', REMINDER);
    const never = await app.arrived('never', REMINDER);
    expect(never.text).toContain('Phường Bắc Hồng Lĩnh: còn thiếu HSCV, HSTT, SOHOA, TTTT');
    expect(never.buttons.map((b) => b.data)).toEqual(['cmd:/baocao T11/2026']);
    await drained();
    expect(await received('done', REMINDER)).toEqual([]);

    // One of them reports the next day.
    setClock(vn('2026-12-03T10:00:00'));
    await reportAll('late');

    // 4 Dec 08:00: the -1d reminder reaches the one still owing only.
    expect(await remindersRunAt('2026-12-04T08:00')).toContain('T11/2026 -1d remind: 1 queued');
    await expect.poll(async () => (await received('never', REMINDER)).length).toBe(2);
    await drained();
    expect((await received('late', REMINDER)).length).toBe(1);
    expect(await received('done', REMINDER)).toEqual([]);

    // 6 Dec 08:00, a day past the deadline: the managers' late-units digest.
    expect(await remindersRunAt('2026-12-06T08:00')).toContain('T11/2026 +1d escalate');
    const digest = await app.arrived('boss', DIGEST);
    expect(digest.text).toContain('Phường Bắc Hồng Lĩnh (18115)');
    expect(digest.text).not.toContain('Phường Thành Sen');
    expect(digest.text).not.toContain('Phường Trần Phú');
    await drained();
    // The ward's own unit reported: its manager has no late unit to hear about.
    expect(await received('ward', DIGEST)).toEqual([]);
    for (const user of ['done', 'late', 'never']) expect(await received(user, DIGEST)).toEqual([]);
  });
});

const shared = testDbKind() === 'postgres' && testStateKind() === 'redis';

describe.skipIf(!shared)('two instances on one database, and a restart', () => {
  const others: { app: App; dir: string }[] = [];
  afterAll(async () => {
    for (const o of others) {
      await o.app.stop();
      await rm(o.dir, { recursive: true, force: true });
    }
  });

  /** Another instance of the same deployment: same database and Redis, its own process state. */
  async function instance(): Promise<App> {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cds-bot-second-'));
    const first = app.app.config;
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dir,
      LOG_LEVEL: 'silent',
      DATABASE_URL: app.testDb.databaseUrl ?? '',
      REDIS_URL: first.redisUrl ?? '',
      REDIS_KEY_PREFIX: first.redisKeyPrefix,
      // Required with DATABASE_URL; no invitation or OA token is used here.
      INVITE_CODE_PEPPER: 'p'.repeat(32),
      TOKEN_ENCRYPTION_KEY: 'k'.repeat(32),
    });
    const other = await createApp(config, {
      logger: pino({ level: 'silent' }),
      clock: () => clock,
    });
    await other.start();
    others.push({ app: other, dir });
    return other;
  }

  /** What an instance's cron worker does at `at`. */
  const cronOf = (a: App) => {
    const logger = pino({ level: 'silent' });
    const services = createServiceFactory({
      root: a.db.prisma,
      citizens: new CitizenService({ prisma: a.db.prisma, logger }),
      logger,
      delivery: () => a.delivery,
    });
    return (at: Date) =>
      runReminders(
        services.standalone(),
        (locale) => a.i18n.translator(locale ?? a.i18n.defaultLocale),
        at,
      );
  };

  it('the cron on both at once, then on a restarted one late: each reminder once', async () => {
    await app.link('twin', '18118'); // Phường Nam Hồng Lĩnh, owing T11 (and T12 later)
    const second = await instance();
    // T12/2026: deadline 5 Jan 2027, -3d reminders on 2 Jan 08:00.
    setClock(vn('2027-01-02T08:00:00'));
    const at = vn('2027-01-02T08:00:00');
    const runs = await Promise.all([
      cronOf(app.app)(at),
      cronOf(second)(at),
      cronOf(app.app)(new Date(at.getTime() + 60_000)),
      cronOf(second)(new Date(at.getTime() + 60_000)),
    ]);
    type Run = Awaited<ReturnType<ReturnType<typeof cronOf>>>;
    const sum = (rs: Run, key: 'queued' | 'planned') =>
      rs.filter((r) => r.slot.kind === 'remind').reduce((n, r) => n + r[key], 0);
    // Every run planned the same messages; together they queued each exactly once.
    const planned = sum(runs[0] ?? [], 'planned');
    expect(planned).toBeGreaterThanOrEqual(4);
    for (const r of runs) expect(sum(r, 'planned')).toBe(planned);
    expect(runs.map((r) => sum(r, 'queued')).reduce((a, b) => a + b, 0)).toBe(planned);

    // The second instance goes away and comes back; its cron fires late (09:40).
    await second.stop();
    const restarted = await instance();
    setClock(vn('2027-01-02T09:40:00'));
    const late = await cronOf(restarted)(vn('2027-01-02T09:40:00'));
    expect(sum(late, 'planned')).toBe(planned);
    expect(sum(late, 'queued')).toBe(0);

    await drained();
    const sent = await app.testDb.db.prisma.delivery.count({
      where: { batchId: { startsWith: 'remind:' }, createdAt: { gte: vn('2027-01-02T00:00:00') } },
    });
    expect(sent).toBe(planned);
    const twin = await received('twin', 'Nhắc báo cáo T12/2026');
    expect(twin.length).toBe(1);
    expect((await received('never', 'Nhắc báo cáo T12/2026')).length).toBe(1);
  });
});
