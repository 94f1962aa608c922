/**
 * Issue 13 end to end, through the simulator: a linked reporter's messages written the way
 * commune officers type, judged as on 2 December 2026 (T10/2026 and Q3/2026 are locked then).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport, type Importer } from '../../../src/admin/importers.js';
import { importer as indicatorsImporter } from '../../../src/admin/importers/indicators.js';
import { importer as unitsImporter } from '../../../src/admin/importers/units.js';
import { startReportApp, vn, type Reply, type ReportTestApp } from './helpers.js';

let app: ReportTestApp;
let unitId: string;
beforeAll(async () => {
  app = await startReportApp(vn('2026-12-02T09:30:00'));
  await app.linkReporter('ts', '18073'); // Phường Thành Sen
  unitId = (
    await app.testDb.db.prisma.unit.findFirstOrThrow({
      where: { code: '18073', effectiveTo: null },
    })
  ).id;
}, 120_000);
afterAll(() => app?.close());

const rows = () =>
  app.testDb.db.prisma.submission.findMany({ where: { unitId, status: 'active' } });

/** Every button's callback data fits Telegram's 64 bytes. */
function shortButtons(r: Reply): void {
  for (const b of r.buttons) expect(Buffer.byteLength(b.data, 'utf8')).toBeLessThanOrEqual(64);
}

async function echoed(text: string): Promise<Reply> {
  const r = await app.say('ts', text);
  shortButtons(r);
  return r;
}

describe('the seven messages of issue 13 (a linked reporter, 02/12/2026)', () => {
  it('greetings, thanks and the own unit around the figures: echoed for T11/2026', async () => {
    const r = await echoed(
      'Dạ em gửi số liệu tháng 11 ạ: HSTT 98/120, HSCV 66%. Em cảm ơn - Phường Thành Sen',
    );
    expect(r.text).toContain('Kỳ T11/2026:');
    expect(r.text).toContain('HSTT: 98/120');
    expect(r.text).toContain('HSCV: 66%');
    expect(r.buttons.map((b) => b.label)).toContain('Xác nhận');
    await app.press('ts', r.button('Hủy'));
  });

  it('a period and a percentage in words, without diacritics', async () => {
    const r = await echoed('thang muoi mot HSTT dat 70 phan tram');
    expect(r.text).toContain('Kỳ T11/2026:');
    expect(r.text).toContain('HSTT: 70%');
    expect(r.buttons.map((b) => b.label)).toContain('Xác nhận');
    await app.press('ts', r.button('Hủy'));
  });

  it('a locked month named by its name: the lock refusal, nothing saved', async () => {
    const before = (await rows()).length;
    const r = await echoed('số hóa tháng 10: 1.100 trên 1.300 hồ sơ');
    expect(r.text).toContain('Kỳ T10/2026');
    expect(r.text).toContain('đã khóa sổ');
    expect(r.text).toContain('Chưa lưu số liệu nào');
    expect(r.buttons.map((b) => b.label)).not.toContain('Xác nhận');
    expect((await rows()).length).toBe(before);
  });

  it('a count with its unit word, for a locked quarter: the lock refusal', async () => {
    const r = await echoed('tổ công nghệ số quý 3 có 40 thành viên');
    expect(r.text).toContain('Kỳ Q3/2026');
    expect(r.text).toContain('đã khóa sổ');
    expect(r.buttons.map((b) => b.label)).not.toContain('Xác nhận');
  });

  it('"có cán bộ CNTT chuyên trách" is CNTT: có for the year', async () => {
    const r = await echoed('xã có cán bộ CNTT chuyên trách');
    expect(r.text).toContain('Kỳ năm 2026:');
    expect(r.text).toContain('CNTT: có');
    await app.press('ts', r.button('Hủy'));
  });

  it('"tiếp nhận 140 hồ sơ, trong đó 98 hồ sơ trực tuyến" is HSTT 98/140, and it saves so', async () => {
    const r = await echoed('Tháng 11 tiếp nhận 140 hồ sơ, trong đó 98 hồ sơ trực tuyến');
    expect(r.text).toContain('HSTT: 98/140 (70%)');
    const done = await app.press('ts', r.button('Xác nhận'));
    expect(done.text).toContain('Đã lưu');
    const row = (await rows()).find((x) => x.indicatorCode === 'HSTT' && x.period === 'T11/2026');
    expect(row && [Number(row.numerator), Number(row.denominator)]).toEqual([98, 140]);
  });

  it('a Telex keyboard left on around the figures', async () => {
    const r = await echoed('baos caos thangs 11 HSCV 70%');
    expect(r.text).toContain('Kỳ T11/2026:');
    expect(r.text).toContain('HSCV: 70%');
    await app.press('ts', r.button('Hủy'));
  });
});

describe('what cannot be read completely is asked back, never searched', () => {
  it('a slip inside a code: what was not understood, a button for the likely reading', async () => {
    const before = (await rows()).length;
    const r = await echoed('HSCVs 72%');
    expect(r.text).toContain('có phải HSCV');
    expect(r.text).toContain('Chưa lưu số liệu nào');
    expect(r.buttons.map((b) => b.label)).toEqual(['Đúng, báo cáo như vậy', 'Tra cứu thủ tục']);
    const echo = await app.press('ts', r.button('Đúng, báo cáo như vậy'));
    expect(echo.text).toContain('HSCV: 72%');
    expect(echo.buttons.map((b) => b.label)).toContain('Xác nhận');
    await app.press('ts', echo.button('Hủy'));
    expect((await rows()).length).toBe(before);
  });

  it('a short form several indicators share: every candidate as a button', async () => {
    const r = await echoed('hồ sơ tháng 11: 45/50');
    const labels = r.buttons.map((b) => b.label.split(' ')[0]);
    // HSSK is quarterly, so "tháng 11" leaves it out.
    expect(labels.slice(0, -1).sort()).toEqual(['HSCV', 'HSTT', 'SOHOA']);
    expect(labels.at(-1)).toBe('Tra');
    const hscv = r.buttons.find((b) => b.label.startsWith('HSCV'));
    const echo = await app.press('ts', hscv!.data);
    expect(echo.text).toContain('HSCV: 45/50 (90%)');
    await app.press('ts', echo.button('Hủy'));
  });

  it('another unit named: refused naming both units', async () => {
    const r = await echoed('Xã Thạch Hà HSTT 98/120');
    expect(r.text).toContain('Xã Thạch Hà');
    expect(r.text).toContain('Phường Thành Sen');
    expect(r.buttons.map((b) => b.label)).not.toContain('Xác nhận');
  });

  it('old names (before the 2025 merger) and abbreviated type words: the own unit is accepted, an official name of another unit wins over an old one', async () => {
    await runImport(
      app.testDb.db,
      unitsImporter as Importer<unknown>,
      readFileSync('prisma/seed/ha_tinh_units_before_2025-07-01.csv'),
      {
        now: new Date('2026-01-01T00:00:00Z'),
        actor: 'cli',
        fileName: 'history.csv',
        progress: () => {},
      },
    );
    for (const text of ['Dạ em gửi HSTT 98/120 ạ - Phường Nam Hà', 'HSTT 98/120 - P. Thành Sen']) {
      const r = await echoed(text);
      expect(r.text, text).toContain('HSTT: 98/120');
      expect(
        r.buttons.map((b) => b.label),
        text,
      ).toContain('Xác nhận');
      await app.press('ts', r.button('Hủy'));
    }
    const other = await echoed('X. Thạch Hà HSTT 98/120');
    expect(other.text).toContain('Xã Thạch Hà');
    expect(other.buttons.map((b) => b.label)).not.toContain('Xác nhận');
    // Hà Huy Tập is an old ward of Thành Sen and the name of a unit in force: the latter wins.
    const current = await echoed('HSTT 98/120 - Phường Hà Huy Tập');
    expect(current.text).toContain('Phường Hà Huy Tập');
    expect(current.text).toContain('Phường Thành Sen');
    expect(current.buttons.map((b) => b.label)).not.toContain('Xác nhận');
  });

  it('"Tra cứu thủ tục" hands the message to the citizens’ search', async () => {
    const r = await echoed('đăng ký khai sinh hồ sơ 2/3');
    const search = await app.press('ts', r.button('Tra cứu thủ tục'));
    expect(search.text).not.toContain('Chưa lưu');
    expect(search.buttons.some((b) => b.data.startsWith('svc:'))).toBe(true);
  });

  it('a figure more precise than what is stored is refused at once; the echo shows every decimal', async () => {
    const r = await echoed('HSCV 61,23456%');
    expect(r.text).toContain('quá 4 chữ số thập phân');
    const ok = await echoed('HSCV 61,25%');
    expect(ok.text).toContain('HSCV: 61,25%');
    await app.press('ts', ok.button('Hủy'));
  });
});

describe('status questions and citizens’ questions of a linked reporter', () => {
  it('a status question gets the status, never a report attempt', async () => {
    const r = await echoed('HSTT tháng 10 của xã mình là bao nhiêu');
    expect(r.text).toContain('Phường Thành Sen — tình hình báo cáo');
    expect(r.text).not.toContain('Chưa lưu');
  });

  it('a citizen’s question with numbers gets the search', async () => {
    const r = await echoed('cấp căn cước cho trẻ 14 tuổi');
    expect(r.text).not.toContain('Chưa lưu');
    expect(r.text).not.toContain('báo cáo');
    expect(r.buttons.some((b) => b.data.startsWith('svc:'))).toBe(true);
  });

  it('unlinked users keep today’s behaviour', async () => {
    const search = await app.say('stranger', 'Dạ em gửi số liệu tháng 11 ạ: HSTT 98/120');
    expect(search.buttons.some((b) => b.data.startsWith('svc:'))).toBe(true);
    const explain = await app.say('stranger', 'bc HSTT 98/120');
    expect(explain.text).toContain('/link');
  });
});

describe('names live in the catalogue', () => {
  it('an alias imported with `import indicators` is read at once, without a code change', async () => {
    const before = await app.say('ts', 'văn thư số 71%');
    expect(before.buttons.map((b) => b.label)).not.toContain('Xác nhận');
    // The seed file with one more alias for HSCV, imported the way a province would.
    const csv = readFileSync('prisma/seed/indicators.csv', 'utf8')
      .split('\n')
      .map((line) => (line.startsWith('HSCV,') ? `${line}|văn thư số` : line))
      .join('\n');
    await runImport(app.testDb.db, indicatorsImporter as Importer<unknown>, Buffer.from(csv), {
      now: vn('2026-12-02T09:00:00'),
      actor: 'cli',
      fileName: 'indicators.csv',
      progress: () => {},
    });
    const after = await app.say('ts', 'văn thư số 71%');
    expect(after.text).toContain('HSCV: 71%');
    expect(after.buttons.map((b) => b.label)).toContain('Xác nhận');
    await app.press('ts', after.button('Hủy'));
  });
});
