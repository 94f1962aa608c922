import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReportApp, vn, type ReportTestApp } from './helpers.js';

let app: ReportTestApp;
const NOW = vn('2025-11-03T09:00:00');
beforeAll(async () => {
  app = await startReportApp(NOW);
  await app.linkReporter('g1', '18100');
  await app.linkReporter('g2', '18073');
}, 120_000);
afterAll(() => app?.close());

async function saved(unitCode: string): Promise<string[]> {
  const rows = await app.activeRows(unitCode);
  return rows.map((r) => `${r.indicatorCode} ${r.period} ${Number(r.value)}`);
}

describe('guided entry (/baocao)', () => {
  it('asks the period with the current ones as buttons, then each missing indicator with its target and last value', async () => {
    app.setNow(vn('2025-10-03T09:00:00'));
    try {
      const seed = await app.say('g1', 'bc T9/2025 HSTT 40/100');
      await app.press('g1', seed.button('Xác nhận'));
    } finally {
      app.setNow(NOW);
    }
    const start = await app.say('g1', '/baocao');
    expect(start.text).toContain('Báo cáo cho Phường Trần Phú');
    expect(start.buttons.map((b) => b.label)).toEqual([
      'T10/2025 (còn thiếu 4)',
      'Q4/2025 (còn thiếu 10)',
      'năm 2025 (còn thiếu 1)',
      'Hủy',
    ]);
    const first = await app.press('g1', start.button('T10/2025 (còn thiếu 4)'));
    expect(first.text).toContain('Kỳ T10/2025: còn 4 chỉ tiêu.');
    expect(first.text).toContain(
      '(1/4) HSCV — Tỷ lệ hồ sơ công việc được xử lý trên môi trường mạng',
    );
    expect(first.text).toContain('Chỉ tiêu: ≥60%');
    expect(first.buttons.map((b) => b.label)).toEqual(['Bỏ qua', 'Quay lại', 'Hủy']);

    const second = await app.say('g1', '650/1.000');
    expect(second.text).toContain('(2/4) HSTT');
    expect(second.text).toContain('Kỳ trước (T9/2025): 40/100 (40%)');
    // "Bỏ qua" on the first question, pressed while the second is asked: the report is still
    // in progress, so the answer says the button is from an earlier step and asks again.
    const early = await app.press('g1', first.button('Bỏ qua'));
    expect(early.texts[0]).toContain('bước trước');
    expect(early.text).toContain('(2/4) HSTT');
    expect(early.text).not.toContain('đã xong hoặc đã hủy');
    const third = await app.press('g1', early.button('Bỏ qua'));
    expect(third.text).toContain('(3/4) SOHOA');
    const back = await app.press('g1', third.button('Quay lại'));
    expect(back.text).toContain('(2/4) HSTT');
    const bad = await app.say('g1', '160/150');
    expect(bad.text).toContain('tử số 160 lớn hơn mẫu số 150');
    expect(bad.text).toContain('gõ lại số liệu cho HSTT');
    const again = await app.say('g1', '90/150');
    expect(again.text).toContain('(3/4) SOHOA');
    await app.say('g1', 'bỏ qua');
    const confirm = await app.say('g1', '12%');
    expect(confirm.texts[0]).toContain('HSCV: 650/1.000 (65%) — đạt chỉ tiêu ≥60%');
    expect(confirm.texts[0]).toContain('HSTT: 90/150 (60%)');
    expect(confirm.texts[0]).toContain('TTTT: 12% — chưa có chỉ tiêu');
    expect(await saved('18100')).toEqual(['HSTT T9/2025 40']);
    await app.press('g1', confirm.button('Xác nhận'));
    expect(await saved('18100')).toEqual([
      'HSCV T10/2025 65',
      'HSTT T10/2025 60',
      'HSTT T9/2025 40',
      'TTTT T10/2025 12',
    ]);
  });

  it('resumes after an interruption and can be cancelled at any step', async () => {
    const start = await app.say('g2', 'báo cáo');
    const first = await app.press('g2', start.button('năm 2025 (còn thiếu 1)'));
    expect(first.text).toContain('(1/1) CNTT');
    expect(first.buttons.map((b) => b.label)).toEqual(['Có', 'Không', 'Bỏ qua', 'Quay lại', 'Hủy']);
    // Interrupted by another command: the flow is kept.
    await app.say('g2', '/trangthai');
    const resumed = await app.say('g2', '/baocao');
    expect(resumed.text).toContain('Tiếp tục báo cáo đang làm dở');
    expect(resumed.text).toContain('(1/1) CNTT');
    const cancelled = await app.press('g2', resumed.button('Hủy'));
    expect(cancelled.text).toContain('Đã hủy');
    expect(await saved('18073')).toEqual([]);
    // A fresh start after the cancel, answered with a button.
    const again = await app.say('g2', 'bao cao');
    const q = await app.press('g2', again.button('năm 2025 (còn thiếu 1)'));
    const confirm = await app.press('g2', q.button('Không'));
    expect(confirm.texts[0]).toContain('CNTT: không — chưa đạt chỉ tiêu');
    await app.press('g2', confirm.button('Xác nhận'));
    expect(await saved('18073')).toEqual(['CNTT năm 2025 0']);
  });

  it('accepts a typed period, and goes back from the first indicator to the period', async () => {
    const start = await app.say('g2', '/baocao');
    const first = await app.say('g2', 'tháng 10/2025');
    expect(first.text).toContain('(1/4) HSCV');
    const back = await app.press('g2', first.button('Quay lại'));
    expect(back.text).toContain('Chọn kỳ báo cáo');
    expect(back.buttons[0]?.data).not.toBe(start.buttons[0]?.data);
    // A button of an earlier step of the report still in progress is not "finished": it says
    // so and asks the current question again, without acting on the old step.
    const old = await app.press('g2', start.buttons[0]!.data);
    expect(old.texts[0]).toContain('bước trước');
    expect(old.text).toContain('Chọn kỳ báo cáo');
    expect(old.text).not.toContain('(1/4) HSCV');
    const cancel = await app.say('g2', 'hủy');
    expect(cancel.text).toContain('Đã hủy');
  });

  it('tells the user when the flow expired after 24 hours', async () => {
    const start = await app.say('g2', '/baocao');
    await app.press('g2', start.button('T10/2025 (còn thiếu 4)'));
    app.setNow(vn('2025-11-04T10:00:00'));
    try {
      const late = await app.say('g2', '12/20');
      expect(late.texts[0]).toContain('hết hạn');
    } finally {
      app.setNow(NOW);
    }
  });
});

describe('guided entry refuses a period it cannot save when it is chosen', () => {
  it('names the lock of a locked period before any value is asked', async () => {
    await app.linkReporter('g-lock', '18100');
    await app.say('g-lock', '/baocao');
    const r = await app.say('g-lock', 'T8/2025');
    expect(r.text).toContain('Kỳ T8/2025 của Phường Trần Phú đã khóa sổ');
    expect(r.text).not.toContain('(1/');
  });

  it('refuses a future period when it is typed', async () => {
    await app.linkReporter('g-future', '18100');
    await app.say('g-future', '/baocao');
    const r = await app.say('g-future', 'T12/2025');
    expect(r.text).not.toContain('(1/');
  });
});
