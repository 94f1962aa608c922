import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReportApp, vn, type ReportTestApp } from './helpers.js';

let app: ReportTestApp;
const NOW = vn('2025-11-03T09:00:00');
beforeAll(async () => {
  app = await startReportApp(NOW);
}, 120_000);
afterAll(() => app?.close());

const unitId = async (code: string) =>
  (await app.testDb.db.prisma.unit.findFirstOrThrow({ where: { code, effectiveTo: null } })).id;

/** Active submissions of a unit as `CODE period value` strings. */
async function saved(code: string): Promise<string[]> {
  const rows = await app.testDb.db.prisma.submission.findMany({
    where: { unitId: await unitId(code), status: 'active' },
    orderBy: [{ indicatorCode: 'asc' }, { period: 'asc' }],
  });
  return rows.map(
    (r) =>
      `${r.indicatorCode} ${r.period} ${r.numerator ? `${Number(r.numerator)}/${Number(r.denominator)} ` : ''}${Number(r.value)}`,
  );
}

describe('one-line reports', () => {
  it('echoes a bare percentage, saves nothing before Xác nhận, then saves with a receipt and asks for numerator/denominator', async () => {
    await app.linkReporter('r1', '18100');
    const r = await app.say('r1', 'bc HSCV 65%');
    expect(r.texts[0]).toContain('Đơn vị: Phường Trần Phú');
    expect(r.texts[0]).toContain('Kỳ T10/2025:');
    expect(r.texts[0]).toContain('HSCV: 65% — đạt chỉ tiêu ≥60%');
    expect(r.buttons.map((b) => b.label)).toEqual(['Xác nhận', 'Sửa', 'Hủy']);
    expect(await saved('18100')).toEqual([]);
    const receipt = await app.press('r1', r.button('Xác nhận'));
    expect(receipt.text).toMatch(/Mã biên nhận: [2-9A-Z]{6}/);
    expect(receipt.text).toContain('gửi thêm tử số/mẫu số');
    expect(await saved('18100')).toEqual(['HSCV T10/2025 65']);
  });

  it('reads an explicit period and several pairs, and says what a correction replaced', async () => {
    const r = await app.say('r1', 'báo cáo T10/2025 HSTT 120/150 HSCV 65,5%');
    expect(r.texts[0]).toContain('HSTT: 120/150 (80%) — đạt chỉ tiêu >50%');
    expect(r.texts[0]).toContain('HSCV: 65,5% — đạt chỉ tiêu ≥60%');
    expect(r.texts[0]).toContain('(thay số cũ: 65%)');
    const receipt = await app.press('r1', r.button('Xác nhận'));
    expect(receipt.text).toContain('đã cập nhật, trước: 65%');
    expect(await saved('18100')).toEqual(['HSCV T10/2025 65.5', 'HSTT T10/2025 120/150 80']);
  });

  it('reads `HSTT=120/150; TTTT 30/100` and `CNTT có`', async () => {
    await app.linkReporter('r2', '18073');
    const a = await app.say('r2', 'HSTT=120/150; TTTT 30/100');
    expect(a.texts[0]).toContain('HSTT: 120/150 (80%)');
    expect(a.texts[0]).toContain('TTTT: 30/100 (30%) — chưa có chỉ tiêu');
    await app.press('r2', a.button('Xác nhận'));
    const b = await app.say('r2', 'CNTT có');
    expect(b.texts[0]).toContain('Kỳ năm 2025:');
    expect(b.texts[0]).toContain('CNTT: có — đạt chỉ tiêu');
    await app.press('r2', b.button('Xác nhận'));
    expect(await saved('18073')).toEqual([
      'CNTT năm 2025 1',
      'HSTT T10/2025 120/150 80',
      'TTTT T10/2025 30/100 30',
    ]);
  });

  it('reads `bao cao quy 3 KNS 45/50` when the quarter is still open', async () => {
    await app.linkReporter('r3', '18115');
    app.setNow(vn('2025-10-10T09:00:00'));
    try {
      const r = await app.say('r3', 'bao cao quy 3 KNS 45/50');
      expect(r.texts[0]).toContain('Kỳ Q3/2025:');
      expect(r.texts[0]).toContain('KNS: 45/50 (90%) — chưa đạt chỉ tiêu ≥100%');
      await app.press('r3', r.button('Xác nhận'));
    } finally {
      app.setNow(NOW);
    }
    expect(await saved('18115')).toEqual(['KNS Q3/2025 45/50 90']);
  });

  it('answers errors precisely with a suggestion and saves nothing', async () => {
    const r = await app.say('r1', 'bc HSCC 50% HSTT 160/150');
    expect(r.text).toContain('"HSCC" — có phải HSCV?');
    expect(r.text).toContain('tử số 160 lớn hơn mẫu số 150');
    expect(r.text).toContain('Chưa lưu số liệu nào');
    // No likely reading (the fraction is wrong whatever the code): only the search is offered.
    expect(r.buttons.map((b) => b.label)).toEqual(['Tra cứu thủ tục']);
    const month = await app.say('r1', 'bc T10/2025 KNS 45/50');
    expect(month.text).toContain('KNS báo cáo theo quý');
  });

  it('refuses an indicator the unit does not report', async () => {
    const r = await app.say('r1', 'bc TTHCTT 10/20');
    expect(r.text).toContain('TTHCTT không thuộc các chỉ tiêu Phường Trần Phú phải báo cáo');
    expect(r.buttons).toEqual([]);
  });

  it('Hủy saves nothing; Sửa asks for the corrected line and confirms it again', async () => {
    await app.linkReporter('r4', '18118');
    const r = await app.say('r4', 'bc HSTT 10/20');
    const cancelled = await app.press('r4', r.button('Hủy'));
    expect(cancelled.text).toContain('Đã hủy, chưa lưu số liệu nào');
    expect(await saved('18118')).toEqual([]);
    const stale = await app.press('r4', r.button('Xác nhận'));
    expect(stale.text).toContain('đã xong hoặc đã hủy');
    expect(await saved('18118')).toEqual([]);

    const again = await app.say('r4', 'bc HSTT 10/20');
    const edit = await app.press('r4', again.button('Sửa'));
    expect(edit.text).toContain('bc T10/2025 HSTT 10/20');
    const fixed = await app.say('r4', 'HSTT 12/20');
    expect(fixed.texts[0]).toContain('HSTT: 12/20 (60%)');
    await app.press('r4', fixed.button('Xác nhận'));
    expect(await saved('18118')).toEqual(['HSTT T10/2025 12/20 60']);
  });

  it('warns softly about a large jump from the last period, which the user confirms', async () => {
    await app.linkReporter('r5', '18133');
    app.setNow(vn('2025-10-03T09:00:00'));
    try {
      const sep = await app.say('r5', 'bc T9/2025 HSTT 20/100');
      await app.press('r5', sep.button('Xác nhận'));
    } finally {
      app.setNow(NOW);
    }
    const oct = await app.say('r5', 'bc T10/2025 HSTT 90/100');
    expect(oct.texts[0]).toContain(
      '⚠ HSTT: 90/100 (90%), kỳ T9/2025 là 20/100 (20%) — chênh lệch lớn.',
    );
    await app.press('r5', oct.button('Xác nhận'));
    expect(await saved('18133')).toEqual(['HSTT T10/2025 90/100 90', 'HSTT T9/2025 20/100 20']);
  });

  it('refuses a locked period and names who can reopen it', async () => {
    const mgr = await app.invite('42', 'manager');
    await app.say('boss', `/link ${mgr}`);
    await app.testDb.db.prisma.person.updateMany({
      where: { identities: { some: { externalId: 'boss' } } },
      data: { displayName: 'Nguyễn Văn Quản' },
    });
    app.setNow(vn('2025-11-16T09:00:00')); // T10/2025 locked at 17:00 15/11/2025
    try {
      const r = await app.say('r1', 'bc T10/2025 HSTT 100/150');
      expect(r.text).toContain('Kỳ T10/2025 của Phường Trần Phú đã khóa sổ lúc 17:00 15/11/2025');
      expect(r.text).toContain('Nguyễn Văn Quản');
      expect(r.buttons).toEqual([]);
    } finally {
      app.setNow(NOW);
    }
    expect(await saved('18100')).toContain('HSTT T10/2025 120/150 80');
  });

  it('refuses at Xác nhận when the period locked after the confirmation was shown', async () => {
    app.setNow(vn('2025-11-15T16:59:00'));
    try {
      const r = await app.say('r4', 'bc T10/2025 HSTT 13/20');
      app.setNow(vn('2025-11-15T17:01:00'));
      const late = await app.press('r4', r.button('Xác nhận'));
      expect(late.text).toContain('đã khóa sổ');
    } finally {
      app.setNow(NOW);
    }
    expect(await saved('18118')).toEqual(['HSTT T10/2025 12/20 60']);
  });

  it('lists the figures that can still be withdrawn when /rut has no arguments, one tap each', async () => {
    const list = await app.say('r2', '/rut');
    expect(list.texts[0]).toContain('Chọn số liệu muốn rút');
    const labels = list.buttons.map((b) => b.label);
    expect(labels).toEqual(
      expect.arrayContaining(['TTTT T10/2025', 'HSTT T10/2025', 'CNTT năm 2025']),
    );
    const ask = await app.press('r2', list.button('TTTT T10/2025'));
    expect(ask.text).toContain('Rút số liệu TTTT kỳ T10/2025 (30/100 (30%)) của Phường Thành Sen?');
    expect((await app.press('r2', ask.button('Hủy'))).text).toContain('Đã hủy');
    expect((await app.say('nobody-r', '/rut')).text).toContain('cán bộ đã liên kết');
  });

  it('withdraws a figure after confirmation, keeping its history', async () => {
    const ask = await app.say('r2', '/rut TTTT');
    expect(ask.text).toContain('Rút số liệu TTTT kỳ T10/2025 (30/100 (30%)) của Phường Thành Sen?');
    const done = await app.press('r2', ask.button('Rút số liệu'));
    expect(done.text).toContain('Đã rút số liệu TTTT kỳ T10/2025');
    expect(await saved('18073')).toEqual(['CNTT năm 2025 1', 'HSTT T10/2025 120/150 80']);
    const row = await app.testDb.db.prisma.submission.findFirstOrThrow({
      where: { unitId: await unitId('18073'), indicatorCode: 'TTTT' },
      include: { versions: true },
    });
    expect(row.status).toBe('withdrawn');
    expect(row.versions.map((v) => v.action).sort()).toEqual(['create', 'withdraw']);
    expect((await app.say('r2', '/rut TTTT T10/2025')).text).toContain('chưa có số liệu TTTT');
    expect((await app.say('r2', '/rut HSTTT')).text).toContain('có phải HSTT?');
  });

  it('answers an unknown command close to a known one with the likely command as a button', async () => {
    const r = await app.say('r2', '/baocaoo');
    expect(r.texts[0]).toContain('Có phải anh/chị muốn gõ /baocao?');
    const guided = await app.press('r2', r.button('/baocao'));
    expect(guided.text).toContain('Chọn kỳ báo cáo');
    await app.say('r2', 'hủy');
    const citizen = await app.say('cit-1', '/dichvuu');
    expect(citizen.button('/dichvu')).toBe('cmd:/dichvu');
    expect((await app.say('cit-1', '/xyzabc')).text).toContain('Gõ /help để xem các lệnh');
  });

  it('lets a reporter of several units pick the unit first', async () => {
    await app.linkReporter('r6', '18100');
    await app.linkReporter('r6', '18073');
    const r = await app.say('r6', 'bc HSSK 10/20');
    expect(r.text).toContain('chọn đơn vị báo cáo');
    const confirm = await app.press('r6', r.button('Phường Thành Sen'));
    expect(confirm.texts[0]).toContain('Đơn vị: Phường Thành Sen');
    expect(confirm.texts[0]).toContain('Kỳ Q4/2025:');
    await app.press('r6', confirm.button('Xác nhận'));
    expect(await saved('18073')).toContain('HSSK Q4/2025 10/20 50');
  });
});

describe('who may report', () => {
  it('explains to someone not linked how to get an invitation when the message is clearly a report', async () => {
    for (const text of ['bc HSTT 120/150', 'báo cáo', '/baocao', 'HSTT 120/150', '/trangthai']) {
      const r = await app.say('citizen', text);
      expect(r.text, text).toContain('Chức năng báo cáo dành cho cán bộ đã liên kết tài khoản');
      expect(r.text, text).toContain('/link');
    }
  });

  it('leaves other free text from citizens to the public-services lookup', async () => {
    const r = await app.say('citizen', 'đăng ký khai sinh online');
    expect(r.text).not.toContain('Chức năng báo cáo');
  });

  it('tells a linked manager that reporting needs a reporter link', async () => {
    const r = await app.say('boss', 'bc HSTT 1/2');
    expect(r.text).toContain('chưa có vai trò cán bộ báo cáo');
  });
});

describe('/trangthai', () => {
  it('lists submitted and missing figures per current period with the deadline and days left', async () => {
    const r = await app.say('r1', '/trangthai');
    expect(r.text).toContain('Phường Trần Phú — tình hình báo cáo');
    expect(r.text).toContain('T10/2025 · còn 2 ngày (hạn 05/11/2025) · đã báo cáo 2/4');
    expect(r.text).toContain('✓ HSTT: 120/150 (80%) — đạt chỉ tiêu >50%');
    expect(r.text).toContain('Còn thiếu:\n• SOHOA — Tỷ lệ hồ sơ kết quả');
    expect(r.text).toContain('• TTTT — Tỷ lệ hồ sơ có thanh toán');
    expect(r.text).toContain('Q4/2025 · còn 63 ngày (hạn 05/01/2026)');
    expect((await app.say('r1', 'trạng thái')).text).toBe(r.text);
  });
});

describe('English', () => {
  it('answers in English after /lang en, with English number format', async () => {
    await app.say('r4', '/lang en');
    const r = await app.say('r4', 'bc SMARTPHONE 1234/2000');
    expect(r.texts[0]).toContain('Unit: Phường Nam Hồng Lĩnh');
    expect(r.texts[0]).toContain('SMARTPHONE: 1,234/2,000 (61.7%) — below target ≥80%');
    expect(r.buttons.map((b) => b.label)).toEqual(['Confirm', 'Edit', 'Cancel']);
    const receipt = await app.press('r4', r.button('Confirm'));
    expect(receipt.text).toMatch(/Receipt: [2-9A-Z]{6}/);
    const status = await app.say('r4', '/status');
    expect(status.text).toContain('Q4/2025 · 63 days left (due 05/01/2026)');
  });
});

describe('what the status handler leaves alone', () => {
  it('does not answer a citizen asking about the status of their dossier', async () => {
    const r = await app.say('citizen', 'trạng thái hồ sơ của tôi');
    expect(r.text).not.toContain('Chức năng báo cáo');
  });
});
