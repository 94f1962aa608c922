/**
 * The dashboard's unit page actions, province page and exports (issue 17, items 3, 4 and 6):
 * reopen and remind-now go through the same services as /mokhoa and /nhac (the reporter gets
 * the same notice, the same hourly rate key holds), charts are server-side SVG under the
 * nonce CSP, and the downloads are the CLI's documents (XLSX read back with exceljs).
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startManagersApp, vn, type ManagersTestApp } from '../handlers/managers/helpers.js';

let app: ManagersTestApp;
const NOW = vn('2026-12-02T09:00:00');

beforeAll(async () => {
  app = await startManagersApp(NOW);
  await app.link('boss', '42', 'manager');
  await app.link('commune', '18073', 'manager');
  await app.link('r1', '18100');
  // T10 while it was open, T11 now.
  for (const [at, text] of [
    [vn('2026-11-03T09:00:00'), 'bc T10/2026 HSCV 50/100 HSTT 30/100 SOHOA 10% TTTT 10%'],
    [NOW, 'bc T11/2026 HSTT 131/200 HSCV 65% SOHOA 12% TTTT 10%'],
  ] as const) {
    app.setNow(at);
    const echo = await app.say('r1', text);
    await app.press('r1', echo.button('Xác nhận'));
  }
  app.setNow(NOW);
}, 180_000);
afterAll(() => app?.close());

async function signIn(user: string): Promise<{ cookie: string; csrf: string }> {
  const r = await app.say(user, '/dashboard');
  const url = /http:\/\/\S+\/dashboard\/login\?t=[\w-]+/.exec(r.text)?.[0];
  if (!url) throw new Error(`no link in: ${r.text}`);
  const res = await fetch(url, { redirect: 'manual' });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0]!;
  const page = await (await get('/dashboard', cookie)).text();
  const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1] ?? '';
  return { cookie, csrf };
}

const get = (path: string, cookie: string) =>
  fetch(`${app.url}${path}`, { headers: { cookie }, redirect: 'manual' });

const post = (path: string, body: Record<string, string>, cookie: string) =>
  fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    body: new URLSearchParams(body).toString(),
    redirect: 'manual',
  });

/** What a page must never contain under the nonce CSP. */
function expectCspClean(body: string): void {
  expect(body).not.toMatch(/<script|style="|https?:\/\/(?!127\.0\.0\.1|www\.w3\.org)/);
  const styles = body.match(/<style[^>]*>/g) ?? [];
  expect(styles.length).toBe(1);
  expect(styles[0]).toMatch(/nonce=/);
}

describe('the unit page', () => {
  it('charts each indicator against its target and shows the audit trail', async () => {
    const { cookie } = await signIn('boss');
    const body = await (await get('/dashboard/unit/18100', cookie)).text();
    expect(body).toContain('Diễn biến số liệu so với chỉ tiêu');
    expect(body).toMatch(/<svg class="chart" role="img" aria-label="HSCV [^"]*chỉ tiêu"/);
    expect(body).toContain('Chỉ tiêu');
    expect(body).toContain('Nhật ký thay đổi');
    expect(body).toContain('Nộp số liệu');
    expectCspClean(body);
  });

  it('reopens a locked period like /mokhoa: CSRF, scope, and the reporter is told', async () => {
    const { cookie, csrf } = await signIn('boss');
    const path = '/dashboard/unit/18100/reopen';
    expect((await post(path, { csrf: 'wrong', period: 'T10/2026' }, cookie)).status).toBe(403);
    const bad = await post(path, { csrf, period: 'T13/2026' }, cookie);
    expect(bad.status).toBe(400);
    const res = await post(path, { csrf, period: 'T10/2026' }, cookie);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('Đã mở lại T10/2026 của Phường Trần Phú đến');
    expect(text).toContain('Đã báo cho 1 cán bộ');
    await app.arrived('r1', 'Kỳ T10/2026 của Phường Trần Phú đã được mở lại');
    const unitPage = await (await get('/dashboard/unit/18100', cookie)).text();
    expect(unitPage).toContain('Mở khóa kỳ báo cáo');

    const other = await signIn('commune');
    const out = await post(path, { csrf: other.csrf, period: 'T10/2026' }, other.cookie);
    expect(out.status).toBe(404);
    const remind = await post(
      '/dashboard/unit/18100/remind',
      { csrf: other.csrf, period: 'T11/2026' },
      other.cookie,
    );
    expect(remind.status).toBe(404);
  });

  it('reminds now like /nhac, once per unit and period per hour', async () => {
    const { cookie, csrf } = await signIn('commune');
    const before = await app.testDb.db.prisma.delivery.count({ where: { kind: 'reminder' } });
    const first = await (
      await post('/dashboard/unit/18073/remind', { csrf, period: 'T11/2026' }, cookie)
    ).text();
    // No reporter is linked to Thành Sen: nobody to remind, said so.
    expect(first).toContain('1 đơn vị chưa có cán bộ liên kết');
    await app.link('r2', '18073');
    const sent = await (
      await post('/dashboard/unit/18073/remind', { csrf, period: 'T11/2026' }, cookie)
    ).text();
    expect(sent).toContain('T11/2026');
    await app.arrived('r2', 'T11/2026');
    const again = await (
      await post('/dashboard/unit/18073/remind', { csrf, period: 'T11/2026' }, cookie)
    ).text();
    expect(again).toContain('Bỏ qua 1 đơn vị đã được nhắc trong 1 giờ qua');
    const after = await app.testDb.db.prisma.delivery.count({ where: { kind: 'reminder' } });
    expect(after - before).toBe(1);
  });
});

describe('the province page', () => {
  it('charts aggregates over time against the 2025 and 2030 targets, and completeness', async () => {
    const { cookie } = await signIn('boss');
    const res = await get('/dashboard/province?unit=42', cookie);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain('Tổng hợp Tỉnh Hà Tĩnh theo kỳ');
    expect(body).toContain('Tỉ lệ báo cáo đã nộp');
    expect(body).toMatch(/aria-label="HSTT [^"]*chỉ tiêu 2025, 2030"/);
    expect(body).toContain('Chỉ tiêu 2030');
    expectCspClean(body);
    const other = await signIn('commune');
    expect((await get('/dashboard/province?unit=42', other.cookie)).status).toBe(404);
  });
});

describe('broadcasts and reminders', () => {
  it('composes a broadcast within scope: preview with counts per channel, confirm, delivery report', async () => {
    const { cookie, csrf } = await signIn('boss');
    const composer = await (await get('/dashboard/broadcast?unit=42', cookie)).text();
    expect(composer).toContain('Gửi thông báo');
    expectCspClean(composer);
    const fields = {
      csrf,
      unit: '18100',
      audience: 'reporter',
      text: 'Họp giao ban <b>thứ Hai</b>',
    };
    const preview = await (await post('/dashboard/broadcast', fields, cookie)).text();
    expect(preview).toContain('<b>1</b> người nhận');
    expect(preview).toContain('(Web 1)');
    expect(preview).toContain('Họp giao ban &lt;b&gt;thứ Hai&lt;/b&gt;');
    const sent = await post('/dashboard/broadcast', { ...fields, confirm: '1' }, cookie);
    expect(sent.status).toBe(303);
    const report = sent.headers.get('location')!;
    expect(report).toMatch(/^\/dashboard\/broadcast\/[\w-]+$/);
    await app.arrived('r1', 'Họp giao ban <b>thứ Hai</b>');
    const page = await (await get(report, cookie)).text();
    expect(page).toContain('Kết quả gửi thông báo');
    expect(page).toMatch(/Tổng số tin<\/th>\s*<td>1<\/td>/);
    // Another commune's manager can neither send to Trần Phú nor read its report.
    const other = await signIn('commune');
    expect(
      (await post('/dashboard/broadcast', { ...fields, csrf: other.csrf }, other.cookie)).status,
    ).toBe(404);
    expect((await get(report, other.cookie)).status).toBe(404);
  });

  it('shows the reminder plan of a period like `reminders plan`', async () => {
    const { cookie } = await signIn('boss');
    const res = await get('/dashboard/reminders?period=T1/2027&unit=42', cookie);
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain('Lịch nhắc kỳ T1/2027 — Tỉnh Hà Tĩnh');
    expect(body).toMatch(
      /<td>-3d<\/td>\s*<td>[^<]*02\/02\/2027[^<]*<\/td>\s*<td>Nhắc cán bộ báo cáo<\/td>\s*<td>\d+<\/td>\s*<td>70<\/td>/,
    );
    expect(body).toContain('Báo lãnh đạo đơn vị chậm (bậc 1)');
  });
});

describe('exports from the matrix', () => {
  it('XLSX wide: title block, indicator groups with targets, totals, autofilter, frozen panes', async () => {
    const { cookie } = await signIn('boss');
    const res = await get('/dashboard/export.xlsx?period=T11/2026&unit=42&layout=wide', cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('bao-cao-42-T11-2026-ngang.xlsx');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await res.arrayBuffer()) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.getCell('A1').value).toBe('Báo cáo chuyển đổi số — kỳ T11/2026');
    expect(ws.getCell('A2').value).toBe('Đơn vị: Tỉnh Hà Tĩnh');
    expect(String(ws.getCell('A3').value)).toMatch(/^Xuất lúc 02\/12\/2026 09:00/);
    const groups = (ws.getRow(5).values as unknown[]).filter(Boolean).map(String);
    expect(groups.some((g) => /^HSCV — .*\(chỉ tiêu (≥|>) \d+%\)$/.test(g))).toBe(true);
    const header = (ws.getRow(6).values as unknown[]).map((v) => (v ? String(v) : ''));
    expect(header.slice(1, 3)).toEqual(['Mã đơn vị', 'Tên đơn vị']);
    expect(header).toContain('HSTT tử số');
    expect(ws.views[0]).toMatchObject({ state: 'frozen', xSplit: 2, ySplit: 6 });
    expect(ws.autoFilter).toMatch(/^A6:[A-Z]+\d+$/);
    const tranPhu = ws.getRows(7, ws.rowCount - 6)!.find((r) => r.getCell(1).value === '18100')!;
    const col = header.indexOf('HSTT tử số');
    expect(tranPhu.getCell(col).value).toBe(131);
    expect(tranPhu.getCell(col + 1).value).toBe(200);
    const total = ws.getRow(ws.rowCount);
    expect(String(total.getCell(2).value)).toContain('Tổng cộng');
    expect(total.getCell(col).value).toBe(131);
    expect(total.getCell(col + 2).value).toBe(65.5);
  });

  it('XLSX long as the CLI writes it, and CSV in the Excel dialect', async () => {
    const { cookie } = await signIn('boss');
    const x = await get('/dashboard/export.xlsx?period=T11/2026&unit=42', cookie);
    expect(x.headers.get('content-type')).toContain('spreadsheetml');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.from(await x.arrayBuffer()) as unknown as ArrayBuffer);
    expect(wb.worksheets[0]!.getCell('A1').value).toBe('Mã đơn vị');
    const csv = await get('/dashboard/export.csv?period=T11/2026&unit=42&dialect=excel', cookie);
    const bytes = Buffer.from(await csv.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8').slice(1);
    expect(text.split('\r\n')[0]).toBe(
      'unit_code;unit_name;indicator_code;period;numerator;denominator;value;unit;target;target_met;first_submitted_at;last_submitted_at;on_time',
    );
    expect(text).toContain('18100;Phường Trần Phú;HSTT;T11/2026;131;200;65,5;percent');
  });
});
