import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAdminCommand } from '../../../src/admin/run.js';
import { seed } from '../../../src/admin/seed.js';
import { formatPeriod } from '../../../src/domain/periods.js';
import { currentSchedule } from '../../../src/domain/reports/index.js';
import { startManagersApp, vn, type ManagersTestApp } from './helpers.js';

let app: ManagersTestApp;
const NOW = vn('2026-12-02T09:00:00');

beforeAll(async () => {
  app = await startManagersApp(NOW);
  await app.link('boss', '42', 'manager');
  await app.link('ward', '18100', 'manager');
  await app.link('r1', '18100');
  await app.link('r2', '18073');
  const echo = await app.say('r1', 'bc T11/2026 HSTT 40/100 HSCV 65% SOHOA 12% TTTT 10%');
  await app.press('r1', echo.button('Xác nhận'));
}, 180_000);
afterAll(() => app?.close());

/** Reminders and digests queued for a simulator user (queued in the same transaction as the run). */
const reminded = (user: string) =>
  app.testDb.db.prisma.delivery.count({ where: { chatId: user, kind: 'reminder' } });

describe('status in chat', () => {
  it('/tonghop: completeness, timeliness and the aggregate against the target for T11 by default', async () => {
    const r = await app.say('boss', '/tonghop');
    expect(r.text).toContain('Tổng hợp T11/2026 — Tỉnh Hà Tĩnh');
    expect(r.text).toContain('còn 3 ngày (hạn 05/12/2026)');
    expect(r.text).toContain('Đơn vị đã báo cáo đủ: 1/70');
    expect(r.text).toMatch(/• HSTT: 1\/70 đơn vị, đúng hạn 1 — 40\/100 \(40%\)/);
    expect(r.buttons.map((b) => b.label)).toEqual(['Đơn vị chưa báo cáo', 'Nhắc các đơn vị này']);
  });

  it('a commune manager sees their commune only', async () => {
    const r = await app.say('ward', '/tonghop T11/2026');
    expect(r.text).toContain('Tổng hợp T11/2026 — Phường Trần Phú');
    expect(r.text).toContain('Đơn vị đã báo cáo đủ: 1/1');
  });

  it('/chuabaocao lists the owing units with what is missing and their reporters, paged', async () => {
    const r = await app.say('boss', '/chuabaocao');
    expect(r.text).toContain('Chưa báo cáo đủ T11/2026: 69/70 đơn vị');
    expect(r.text).toMatch(/Phường Thành Sen \(18073\) — thiếu HSCV, HSTT, SOHOA, TTTT · /);
    expect(r.text).not.toContain('Phường Trần Phú');
    expect(r.text).toContain('Trang 1/6');
    const next = await app.press('boss', r.button('Trang sau'));
    expect(next.text).toContain('Trang 2/6');
    const hscv = await app.say('boss', '/chuabaocao T11/2026 HSCV');
    expect(hscv.text).toContain('(HSCV): 69/70');
  });

  it("a manager's question in free text reaches the status, a citizen's the search", async () => {
    const m = await app.say('boss', 'đơn vị nào chưa báo cáo?');
    expect(m.text).toContain('Chưa báo cáo đủ T11/2026');
    const s = await app.say('boss', 'tình hình báo cáo tháng 11');
    expect(s.text).toContain('Tổng hợp T11/2026');
    const u = await app.say('boss', 'xã Thạch Hà báo cáo chưa');
    expect(u.text).toContain('Xã Thạch Hà (18562)');
    expect(u.text).toContain('HSTT: chưa báo cáo');
    const c = await app.say('citizen', 'đơn vị nào chưa báo cáo');
    expect(c.text).not.toContain('Chưa báo cáo đủ');
  });

  it("/help lists the managers' commands for managers only; texts in English too", async () => {
    const help = await app.say('boss', '/help');
    expect(help.text).toContain('/tonghop [kỳ] [chỉ tiêu] — Tổng hợp tình hình báo cáo');
    expect(help.text).toContain('/nhac');
    expect(help.text).toContain('đơn vị nào chưa báo cáo');
    expect((await app.say('r1', '/help')).text).not.toContain('/tonghop');
    await app.say('boss', '/lang en');
    const en = await app.say('boss', '/tonghop');
    expect(en.text).toContain('Summary T11/2026 — Tỉnh Hà Tĩnh');
    expect(en.text).toContain('Units fully reported: 1/70');
    await app.say('boss', '/lang vi');
  });

  it('refuses non-managers politely and keeps scope', async () => {
    expect((await app.say('r1', '/tonghop')).text).toContain('dành cho lãnh đạo');
    expect((await app.say('ward', '/donvi Thạch Hà')).text).toContain(
      'Không tìm thấy đơn vị "Thạch Hà"',
    );
  });
});

describe('reminders', () => {
  it('/nhac previews, sends to owing reporters only, with a "Báo cáo ngay" button, once per hour', async () => {
    const preview = await app.say('ward', '/nhac');
    expect(preview.text).toContain('T11/2026: không có đơn vị nào cần nhắc');
    const p = await app.say('boss', '/nhac');
    expect(p.text).toContain('Nhắc T11/2026: 1 đơn vị, 1 tin (Web 1).');
    expect(p.text).toContain('68 đơn vị chưa có cán bộ liên kết');
    const sent = await app.press('boss', p.button('Gửi nhắc'));
    expect(sent.text).toContain('Đã gửi nhắc T11/2026: 1 tin tới 1 đơn vị.');
    const msg = await app.arrived('r2', 'Nhắc báo cáo T11/2026');
    expect(msg?.text).toContain('Nhắc báo cáo T11/2026');
    expect(msg?.text).toContain('Phường Thành Sen: còn thiếu HSCV, HSTT, SOHOA, TTTT');
    expect(msg?.buttons).toEqual([{ label: 'Báo cáo ngay', data: 'cmd:/baocao T11/2026' }]);
    expect(await reminded('r1')).toBe(0);
    const again = await app.say('boss', '/nhac');
    expect(again.text).toContain('Bỏ qua 1 đơn vị đã được nhắc trong 1 giờ qua.');
    expect(again.buttons).toEqual([]);
  });

  it('deadline approaches → owing reporters reminded once → one reports → not again → late digest to managers', async () => {
    const before = (await app.inbox('r2')).length;
    const first = await app.runAt(vn('2026-12-02T08:05:00'));
    expect(first.map((r) => [r.slot.offset, r.slot.kind, r.queued])).toEqual([
      ['-3d', 'remind', 1],
    ]);
    // The cron firing again (or another instance, or a restart) sends nothing twice.
    const twice = await app.runAt(vn('2026-12-02T08:20:00'));
    expect(twice.map((r) => r.queued)).toEqual([0]);
    const inbox = await app.inbox('r2', before + 1);
    expect(inbox.at(-1)?.text).toContain('Nhắc báo cáo T11/2026');
    // r2 reports everything; the -1d reminder does not reach them.
    app.setNow(vn('2026-12-03T10:00:00'));
    const echo = await app.say('r2', 'bc T11/2026 HSTT 30/100 HSCV 50% SOHOA 10% TTTT 5%');
    await app.press('r2', echo.button('Xác nhận'));
    const second = await app.runAt(vn('2026-12-04T08:00:00'));
    expect(second.map((r) => [r.slot.offset, r.queued])).toEqual([['-1d', 0]]);
    // Muted: r1 would not be reminded either way; the late digest goes to the managers.
    const late = await app.runAt(vn('2026-12-06T08:00:00'));
    expect(late.map((r) => [r.slot.offset, r.slot.kind])).toEqual([['+1d', 'escalate']]);
    const digest = await app.arrived('boss', 'Đơn vị quá hạn báo cáo T11/2026');
    expect(digest.text).toContain(': 68');
    expect(await reminded('ward')).toBe(0);
    app.setNow(NOW);
  });

  it('weekly digest on Monday 08:00: completeness of the subtree, change since last week, late units; can be turned off', async () => {
    expect((await app.say('ward', '/tatnhac tuan')).text).toContain(
      'Đã tắt bản tổng hợp hằng tuần',
    );
    const run = await app.runAt(vn('2026-12-07T08:00:00'));
    const digest = run.find((r) => r.slot.kind === 'digest');
    expect([digest?.planned, digest?.queued]).toEqual([1, 1]);
    const got = (await app.arrived('boss', 'Tổng hợp tuần')).text;
    expect(got).toContain('Tổng hợp tuần — Tỉnh Hà Tĩnh');
    expect(got).toContain(
      'T11/2026: 2/70 đơn vị đã báo cáo đủ (+2 so với tuần trước), quá hạn 68.',
    );
    const again = await app.runAt(vn('2026-12-07T09:00:00'));
    expect(again.find((r) => r.slot.kind === 'digest')?.queued).toBe(0);
    expect(await reminded('ward')).toBe(0);
    await app.say('ward', '/batnhac tuan');
  });

  it('/tatnhac mutes scheduled reminders of the default period, /batnhac turns them back on', async () => {
    expect((await app.say('r1', '/tatnhac')).text).toContain(
      'Đã tắt nhắc hạn tự động cho T11/2026',
    );
    expect((await app.say('r1', '/batnhac')).text).toContain(
      'Đã bật lại nhắc hạn tự động cho T11/2026',
    );
    // Muting T12 leaves r1 out of that period's scheduled reminder; r2 still gets it.
    app.setNow(vn('2027-01-01T10:00:00'));
    expect((await app.say('r1', '/tatnhac T12/2026')).text).toContain('T12/2026');
    const run = await app.runAt(vn('2027-01-02T08:00:00'));
    // T12, Q4 and the year 2026 share the deadline 05/01/2027: r1 muted T12 only.
    expect(run.map((r) => [formatPeriod(r.slot.period!), r.slot.offset, r.queued])).toEqual([
      ['T12/2026', '-3d', 1],
      ['Q4/2026', '-3d', 2],
      ['năm 2026', '-3d', 2],
    ]);
    await app.arrived('r2', 'Nhắc báo cáo T12/2026');
    const r1 = await app.testDb.db.prisma.delivery.findMany({
      where: { chatId: 'r1', kind: 'reminder' },
    });
    expect(r1.map((d) => d.text.split('\n')[0]).sort()).toEqual([
      expect.stringContaining('Nhắc báo cáo Q4/2026'),
      expect.stringContaining('Nhắc báo cáo năm 2026'),
    ]);
    app.setNow(NOW);
  });
});

describe('broadcasts', () => {
  it('/thongbao: audience, text, preview per channel, confirm, then the delivery report', async () => {
    const start = await app.say('boss', '/thongbao');
    expect(start.text).toContain('Gửi thông báo tới ai trong Tỉnh Hà Tĩnh?');
    const ask = await app.press('boss', start.button('Cán bộ báo cáo'));
    expect(ask.text).toContain('Gõ nội dung thông báo');
    const preview = await app.say('boss', 'Họp giao ban CĐS lúc 14:00 thứ Sáu.');
    expect(preview.text).toContain('Cán bộ báo cáo, Tỉnh Hà Tĩnh: 2 người nhận (Web 2).');
    const sent = await app.press('boss', preview.button('Gửi'));
    expect(sent.text).toContain('Đã đưa 2 tin vào hàng gửi.');
    await app.arrived('r2', 'Họp giao ban');
    const report = await app.press('boss', sent.button('Xem báo cáo gửi'));
    expect(report.text).toMatch(/Thông báo "Họp giao ban CĐS lúc 14:00 thứ Sáu\.": 2 tin/);
    // A commune manager's broadcast reaches their commune only.
    const w = await app.say('ward', '/thongbao');
    await app.press('ward', w.button('Cả hai'));
    const wp = await app.say('ward', 'Nhắc nộp số liệu.');
    expect(wp.text).toContain('Phường Trần Phú: 1 người nhận (Web 1).');
    expect((await app.press('ward', wp.button('Hủy'))).text).toContain('Đã hủy thông báo.');
    expect((await app.say('r1', '/thongbao')).text).toContain('dành cho lãnh đạo');
  });
});

describe('self-service', () => {
  it('/moi creates an invitation for a unit in scope; out of scope is refused', async () => {
    const r = await app.say('ward', '/moi Trần Phú reporter');
    expect(r.text).toMatch(/Mã mời cán bộ báo cáo cho Phường Trần Phú: [0-9A-Z-]+/);
    expect((await app.say('ward', '/moi Thành Sen')).text).toContain('Không tìm thấy');
  });

  it("/mokhoa reopens a locked period and tells the unit's reporters", async () => {
    const r = await app.say('ward', '/mokhoa Trần Phú T10/2026');
    expect(r.text).toContain('Đã mở lại T10/2026 của Phường Trần Phú đến');
    expect(r.text).toContain('Đã báo cho 1 cán bộ');
    await app.arrived('r1', 'Kỳ T10/2026 của Phường Trần Phú đã được mở lại');
  });

  it("tells each reporter in the language they chose, not the manager's", async () => {
    await app.say('r1', '/lang en');
    try {
      const r = await app.say('ward', '/mokhoa Trần Phú T9/2026');
      expect(r.text).toContain('Đã mở lại T9/2026 của Phường Trần Phú đến');
      await app.arrived('r1', 'Period T9/2026 of Phường Trần Phú is open again until');
    } finally {
      await app.say('r1', '/lang vi');
    }
  });
});

describe('operations (admin CLI)', () => {
  const admin = (argv: string[]) =>
    runAdminCommand(argv, {
      db: app.testDb.db,
      config: { dataDir: app.testDb.dataDir, timezone: 'Asia/Ho_Chi_Minh' },
      now: () => vn('2026-12-02T09:00:00'),
      readFile: () => Promise.reject(new Error('no files')),
      writeFile: () => Promise.reject(new Error('no files')),
      delivery: () => app.app.delivery,
    });

  it('reminders plan prints each offset with its recipients and units', async () => {
    const r = await admin(['reminders', 'plan', '--period', 'T1/2027']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain(
      '-3d   2027-02-02T08:00:00+07:00  reminders: 2 recipients, 70 units',
    );
    expect(r.stdout).toContain('-1d');
    expect(r.stdout).toMatch(
      /\+1d +2027-02-06T08:00:00\+07:00 {2}escalation step 1: 2 recipients, 70 units/,
    );
    expect((await admin(['reminders', 'plan', '--period', 'T13/2027'])).exitCode).toBe(2);
  });

  it('reminders run --at queues what is due at that instant, through the cron path, once', async () => {
    const r = await admin(['reminders', 'run', '--at', '2027-02-02T08:00']);
    expect(r.stdout).toContain('T1/2027 -3d remind: 2 queued of 2 (70 units)');
    await app.arrived('r2', 'Nhắc báo cáo T1/2027');
    const again = await admin(['reminders', 'run', '--at', '2027-02-02T08:10']);
    expect(again.stdout).toContain('T1/2027 -3d remind: 0 queued of 2');
    expect((await admin(['reminders', 'run', '--at', 'tomorrow'])).exitCode).toBe(2);
  });

  it('broadcast send previews without --yes, sends with it; broadcast report counts', async () => {
    const preview = await admin([
      'broadcast',
      'send',
      '--unit',
      '18073',
      '--role',
      'all',
      '--text',
      'Kiểm tra hệ thống 17:00.',
    ]);
    expect(preview.stdout).toContain(
      'Preview — Phường Thành Sen (18073), all: 1 recipients (Web 1)',
    );
    expect(await app.testDb.db.prisma.broadcast.count({ where: { createdBy: null } })).toBe(0);
    const sent = await admin([
      'broadcast',
      'send',
      '--unit',
      '18073',
      '--role',
      'all',
      '--text',
      'Kiểm tra hệ thống 17:00.',
      '--yes',
    ]);
    expect(sent.exitCode).toBe(0);
    await app.arrived('r2', 'Kiểm tra hệ thống 17:00.');
    const id = sent.stdout.trim().split('\n').at(-1) ?? '';
    const report = await admin(['broadcast', 'report', id]);
    expect(report.stdout).toContain(`Broadcast ${id}: 1 messages — sent 1, pending 0, failed 0`);
    expect((await admin(['broadcast', 'send', '--unit', '99999', '--text', 'x'])).exitCode).toBe(2);
  });

  it("reopen from the CLI tells the unit's reporters", async () => {
    const r = await admin(['reopen', '--unit', '18073', '--period', 'T9/2026']);
    expect(r.stdout).toContain('1 reporter(s) notified');
    await app.arrived('r2', 'Kỳ T9/2026 của Phường Thành Sen đã được mở lại');
  });

  it('seed keeps a schedule an operator imported', async () => {
    const prisma = app.testDb.db.prisma;
    const current = await currentSchedule(prisma);
    await prisma.scheduleConfig.create({
      data: { data: { ...current, reminderTime: '09:30' }, importedBy: 'cli' },
    });
    await seed(app.testDb.db, { actor: 'cli' });
    expect((await currentSchedule(prisma)).reminderTime).toBe('09:30');
  });
});
