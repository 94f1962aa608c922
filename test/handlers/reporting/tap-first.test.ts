/**
 * Staff flows on a phone (issue 15, items 4 and 5): /trangthai per period with names and a
 * "Báo cáo ngay" button, `/baocao <kỳ>` for exactly what is missing, examples from the open
 * period, a lock refusal that does not ask to "correct and resend", one example per guided
 * error, and 0/0 ("không phát sinh").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReportApp, vn, type ReportTestApp } from './helpers.js';

let app: ReportTestApp;
beforeAll(async () => {
  app = await startReportApp(vn('2026-12-02T09:00:00'));
  await app.linkReporter('t1', '18100');
  await app.linkReporter('t2', '18073');
  await app.linkReporter('t3', '18115');
}, 120_000);
afterAll(() => app?.close());

async function saved(unitCode: string): Promise<string[]> {
  const rows = await app.activeRows(unitCode);
  return rows.map(
    (r) =>
      `${r.indicatorCode} ${r.period} ${String(r.numerator)}/${String(r.denominator)} ${String(r.value)}`,
  );
}

describe('/trangthai', () => {
  it('shows each period on its own, names what is missing and offers "Báo cáo ngay" per open period', async () => {
    await app.press('t1', (await app.say('t1', 'bc HSCV 65/100')).button('Xác nhận'));
    const st = await app.say('t1', '/trangthai');
    expect(st.text).toContain('T11/2026 · còn 3 ngày (hạn 05/12/2026) · đã báo cáo 1/4');
    expect(st.text).toContain('Q4/2026 · còn 34 ngày (hạn 05/01/2027) · đã báo cáo 0/10');
    expect(st.text).toContain('năm 2026 · còn 34 ngày (hạn 05/01/2027) · đã báo cáo 0/1');
    expect(st.text).not.toMatch(/\d+\/15/);
    expect(st.text).toContain('✓ HSCV: 65/100 (65%)');
    expect(st.text).toContain('• HSTT — Tỷ lệ hồ sơ thủ tục hành chính');
    expect(st.text).toContain('• TCNS — Số thành viên Tổ công nghệ số cộng đồng');
    expect(st.buttons.map((b) => b.label)).toEqual([
      'Báo cáo ngay T11/2026',
      'Báo cáo ngay Q4/2026',
      'Báo cáo ngay năm 2026',
    ]);
    // The button asks exactly the three missing monthly indicators, not the period first.
    const now = await app.press('t1', st.button('Báo cáo ngay T11/2026'));
    expect(now.text).toContain('Kỳ T11/2026: còn 3 chỉ tiêu.');
    expect(now.text).toContain('(1/3) HSTT');
    expect(now.text).not.toContain('HSCV —');
    await app.say('t1', 'hủy');
  });

  it('a status question naming a period answers that period, even a locked one', async () => {
    const one = await app.say('t1', 'HSCV tháng 11 của phường mình là bao nhiêu');
    expect(one.text).toContain('Kỳ T11/2026: đã báo cáo 1/1');
    expect(one.text).toContain('✓ HSCV: 65/100 (65%)');
    const old = await app.say('t1', 'tháng 10 phường mình báo cáo chưa');
    expect(old.text).toContain('Kỳ T10/2026: đã báo cáo 0/4');
    expect(old.text).toContain('• HSTT: chưa có số liệu');
  });

  it('"/baocao <kỳ>" typed, in any period form, starts guided entry for that period', async () => {
    const q = await app.say('t2', '/baocao quý 4');
    expect(q.text).toContain('Kỳ Q4/2026: còn 10 chỉ tiêu.');
    await app.say('t2', 'hủy');
    const m = await app.say('t2', 'báo cáo tháng 11');
    expect(m.text).toContain('Kỳ T11/2026: còn 4 chỉ tiêu.');
    await app.say('t2', 'hủy');
  });

  it('refuses a locked period when it is chosen, saying who can reopen it', async () => {
    const locked = await app.say('t2', '/baocao T10');
    expect(locked.text).toContain('Kỳ T10/2026 của Phường Thành Sen đã khóa sổ');
    expect(locked.text).toContain('Muốn mở lại');
    expect(locked.buttons).toEqual([]);
  });
});

describe('suggestions', () => {
  it('"có phải …?" for a mistyped code in /rut comes with a button that accepts it', async () => {
    await app.press('t2', (await app.say('t2', 'bc HSTT 10/20')).button('Xác nhận'));
    const r = await app.say('t2', '/rut HSTTT T11/2026');
    expect(r.text).toContain('có phải HSTT?');
    const accept = await app.press('t2', r.button('/rut HSTT T11/2026'));
    expect(accept.text).toContain('Rút số liệu HSTT kỳ T11/2026 (10/20 (50%))');
    await app.press('t2', accept.button('Hủy'));
  });
});

describe('texts for the open period', () => {
  it('examples use the current open period, not a fixed year', async () => {
    const usage = await app.say('t2', '/rut XYZ');
    expect(usage.text).toContain('/rut HSTT T11/2026');
    const bad = await app.say('t2', '/rut HSTT abc');
    expect(bad.text).toContain('T11/2026, Q4/2026, năm 2026');
    expect(`${usage.text}${bad.text}`).not.toContain('2025');
  });

  it('a lock refusal does not ask to correct and resend', async () => {
    const r = await app.say('t2', 'bc T10/2026 HSCV 10/20');
    expect(r.text).toContain('đã khóa sổ');
    expect(r.text).toContain('Chưa lưu số liệu nào.');
    expect(r.text).not.toContain('sửa và gửi lại');
  });

  it('an invalid answer in a guided step gets one example, for the indicator asked', async () => {
    await app.say('t3', '/baocao T11');
    const words = await app.say('t3', 'abc');
    expect(words.text).toContain('Em chưa hiểu "abc" là số liệu của HSCV.');
    expect(words.text.match(/[Vv]í dụ/g)).toHaveLength(1);
    expect(words.text).toContain('ví dụ: 120/150');
    expect(words.text).not.toContain('HSTT');
    const over = await app.say('t3', '200/100');
    expect(over.text).toContain('HSCV: tử số 200 lớn hơn mẫu số 100');
    expect(over.text.match(/[Vv]í dụ/g)).toHaveLength(1);
    await app.say('t3', 'hủy');
  });
});

describe('0/0 — no dossiers of the kind ("không phát sinh")', () => {
  it('is accepted, stored without a value, shown as "không phát sinh" and counted as reported', async () => {
    const r = await app.say('t3', 'bc TTTT 0/0, HSTT không phát sinh hồ sơ');
    expect(r.texts[0]).toContain('TTTT: không phát sinh');
    expect(r.texts[0]).toContain('HSTT: không phát sinh');
    expect(r.texts[0]).not.toMatch(/TTTT:.*%/);
    await app.press('t3', r.button('Xác nhận'));
    expect(await saved('18115')).toEqual(['HSTT T11/2026 0/0 null', 'TTTT T11/2026 0/0 null']);
    const st = await app.say('t3', '/trangthai');
    expect(st.text).toContain('đã báo cáo 2/4');
    expect(st.text).toContain('✓ TTTT: không phát sinh');
    // A zero denominator with dossiers is still an error.
    const bad = await app.say('t3', 'bc SOHOA 5/0');
    expect(bad.text).toContain('Mẫu số của SOHOA không được bằng 0');
  });

  it('is explained in guided entry and accepted there', async () => {
    const g = await app.say('t3', '/baocao T11');
    expect(g.text).toContain('Không phát sinh hồ sơ thì gõ 0/0.');
    expect(g.text).toContain('(1/2) HSCV');
    const next = await app.say('t3', 'không phát sinh');
    expect(next.text).toContain('(2/2) SOHOA');
    await app.say('t3', 'hủy');
  });
});
