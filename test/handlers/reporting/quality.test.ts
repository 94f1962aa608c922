/**
 * The quality bar of issue 5, end to end: real-style staff messages through the simulator,
 * the pipeline and the report handlers. Every positive message must reach a confirmation
 * whose Xác nhận saves exactly the expected figures (≥ 95% of them; the rest must be answered
 * with an error and save nothing); every negative one must get a precise error naming what was
 * wrong, and no message may ever save a wrong figure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staffCases, type Expected } from './corpus.js';
import { startReportApp, vn, type ReportTestApp } from './helpers.js';

let app: ReportTestApp;
let unitId: string;
beforeAll(async () => {
  app = await startReportApp(vn('2025-10-08T10:00:00'));
  await app.linkReporter('q1', '18160');
  unitId = (
    await app.testDb.db.prisma.unit.findFirstOrThrow({
      where: { code: '18160', effectiveTo: null },
    })
  ).id;
}, 120_000);
afterAll(() => app?.close());

async function storedMatches(e: Expected): Promise<boolean> {
  const row = await app.testDb.db.prisma.submission.findUnique({
    where: { unitId_indicatorCode_period: { unitId, indicatorCode: e.code, period: e.period } },
  });
  if (!row || row.status !== 'active') return false;
  const n = (d: { toString(): string } | null) => (d === null ? null : Number(d.toString()));
  return (
    n(row.numerator) === e.numerator &&
    n(row.denominator) === e.denominator &&
    Math.abs((n(row.value) ?? NaN) - e.value) < 1e-3
  );
}

describe('real-style staff messages through the pipeline', () => {
  it('reads at least 95% right, answers the rest precisely, and never saves a wrong figure', async () => {
    const cases = staffCases();
    expect(cases.length).toBeGreaterThanOrEqual(200);
    let right = 0;
    let positives = 0;
    const misses: string[] = [];
    const wrong: string[] = [];
    const countRows = () => app.testDb.db.prisma.submission.count({ where: { unitId } });
    for (const c of cases) {
      const before = c.ok ? 0 : await countRows();
      const r = await app.say('q1', c.text);
      const confirm = r.buttons.find((b) => b.label === 'Xác nhận');
      if (!c.ok) {
        if (confirm) {
          wrong.push(`${c.text} => confirmation offered:\n${r.text}`);
          await app.press('q1', r.button('Hủy'));
          continue;
        }
        expect(r.text, c.text).toContain('Chưa lưu số liệu nào');
        expect(r.text, c.text).toContain(c.mustMention);
        expect(await countRows(), c.text).toBe(before);
        continue;
      }
      positives++;
      if (!confirm) {
        // Not understood: acceptable only as an error that saved nothing.
        misses.push(`${c.text} => ${r.text}`);
        expect(r.text, c.text).toContain('Chưa lưu số liệu nào');
        continue;
      }
      const codes = [...r.texts[0]!.matchAll(/^([A-Z0-9]+): /gm)].map((m) => m[1]).sort();
      const expectedCodes = c.items.map((i) => i.code).sort();
      const periodsOk = c.items.every((i) => r.texts[0]!.includes(`Kỳ ${i.period}:`));
      if (JSON.stringify(codes) !== JSON.stringify(expectedCodes) || !periodsOk) {
        wrong.push(`${c.text} => ${r.texts[0]}`);
        await app.press('q1', r.button('Hủy'));
        continue;
      }
      await app.press('q1', confirm.data);
      const ok = await Promise.all(c.items.map(storedMatches));
      if (ok.every(Boolean)) right++;
      else wrong.push(`${c.text} => saved differently: ${JSON.stringify(c.items)}`);
    }
    const rate = right / positives;
    console.log(
      `report quality: ${right}/${positives} read right (${(rate * 100).toFixed(1)}%), ${misses.length} answered with an error, ${wrong.length} wrong`,
    );
    expect(wrong).toEqual([]);
    expect(rate).toBeGreaterThanOrEqual(0.95);
  }, 300_000);
});
