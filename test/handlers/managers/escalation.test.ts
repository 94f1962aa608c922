/**
 * Escalation beyond the first level, end to end: a three-level tree (province 42 → a district
 * → a commune), a schedule with two escalation offsets, and `reminders run --at` at each
 * instant with the injected clock. Step 1 reaches the managers of the late commune and of its
 * district; step 2 reaches the province's managers too; nobody hears of it twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../../src/admin/run.js';
import { DEFAULT_SCHEDULE } from '../../../src/domain/schedule.js';
import { fold } from '../../../src/text/vietnamese.js';
import { startManagersApp, vn, type ManagersTestApp } from './helpers.js';

let app: ManagersTestApp;
const NOW = vn('2026-12-02T09:00:00');

const admin = (argv: string[], file = '') =>
  runAdminCommand(argv, {
    db: app.testDb.db,
    config: { dataDir: app.testDb.dataDir, timezone: 'Asia/Ho_Chi_Minh' },
    now: () => NOW,
    readFile: () => Promise.resolve(Buffer.from(file)),
    writeFile: () => Promise.reject(new Error('no files')),
    delivery: () => app.app.delivery,
  });

beforeAll(async () => {
  app = await startManagersApp(NOW);
  const prisma = app.testDb.db.prisma;
  const province = await prisma.unit.findFirstOrThrow({
    where: { code: '42', effectiveTo: null },
  });
  const unit = (code: string, name: string, level: 'district' | 'commune', parentId: string) =>
    prisma.unit.create({
      data: {
        code,
        name,
        type: level === 'district' ? 'huyện' : 'xã',
        level,
        parentId,
        effectiveFrom: new Date('2020-01-01'),
        nameFolded: fold(name),
      },
    });
  const district = await unit('99001', 'Huyện Thử Nghiệm', 'district', province.id);
  await unit('99002', 'Xã Thử Nghiệm', 'commune', district.id);
  const schedule = { ...DEFAULT_SCHEDULE, escalation: ['+1d', '+2d'] };
  const imported = await admin(['import', 'schedule', 'schedule.json'], JSON.stringify(schedule));
  expect(imported.exitCode, imported.stderr).toBe(0);
  await app.link('boss', '42', 'manager');
  await app.link('dist', '99001', 'manager');
  await app.link('comm', '99002', 'manager');
  await app.link('rep', '99002');
}, 180_000);
afterAll(() => app?.close());

const digestsOf = async (user: string) =>
  (await app.inbox(user, 0, 0)).filter((m) => m.text.includes('Đơn vị quá hạn báo cáo T11/2026'));

describe('escalation up the tree', () => {
  it('step 1 reaches the late unit and its parent, step 2 one ancestor more, each once', async () => {
    const run = async (at: string) => {
      const r = await admin(['reminders', 'run', '--at', at]);
      expect(r.exitCode, r.stderr).toBe(0);
      return r.stdout;
    };
    // Before the deadline: the commune's reporter is reminded, no manager hears of it.
    expect(await run('2026-12-02T08:00')).toContain('T11/2026 -3d remind');
    await app.arrived('rep', 'Nhắc báo cáo T11/2026');

    // +1d (6 Dec 08:00): escalation step 1.
    expect(await run('2026-12-06T08:00')).toContain('T11/2026 +1d escalate');
    const comm = await app.arrived('comm', 'Đơn vị quá hạn báo cáo T11/2026');
    expect(comm.text).toContain('Xã Thử Nghiệm (99002)');
    const dist = await app.arrived('dist', 'Đơn vị quá hạn báo cáo T11/2026');
    expect(dist.text).toContain('Xã Thử Nghiệm (99002)');
    // The province hears of its own communes at step 1, not of the district's commune yet.
    const boss1 = await app.arrived('boss', 'Đơn vị quá hạn báo cáo T11/2026');
    const count = (text: string) => Number(/\): (\d+)/.exec(text)?.[1]);
    expect(count(boss1.text)).toBeGreaterThan(0);
    expect(count(dist.text)).toBe(1);

    // +2d (7 Dec 08:00): step 2 reaches the province's managers with the commune.
    expect(await run('2026-12-07T08:00')).toContain('T11/2026 +2d escalate');
    // The district's commune joins the province's digest: one late unit more than at step 1.
    await expect
      .poll(async () => (await digestsOf('boss')).map((m) => count(m.text)), { timeout: 20_000 })
      .toEqual([count(boss1.text), count(boss1.text) + 1]);
    await expect.poll(async () => (await digestsOf('dist')).length, { timeout: 20_000 }).toBe(2);

    // The cron firing again later sends no step twice.
    const again = await run('2026-12-07T08:30');
    expect(again).toMatch(/\+1d escalate: 0 queued/);
    expect(again).toMatch(/\+2d escalate: 0 queued/);
    const escalations = await app.testDb.db.prisma.delivery.count({
      where: { chatId: { in: ['boss', 'dist', 'comm'] }, batchId: { startsWith: 'escalate:' } },
    });
    // comm, dist, boss at step 1; the same three at step 2.
    expect(escalations).toBe(6);
    expect((await digestsOf('rep')).length).toBe(0);
  });
});
