/**
 * A confirmation takes effect once: when the state store fails after the database commit (a
 * Redis blip), the chat still holds the confirmation step and the same Xác nhận button can be
 * pressed again. Simulated here by writing back the state as it was before the press.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReportApp, vn, type ReportTestApp } from './helpers.js';

let app: ReportTestApp;
beforeAll(async () => {
  app = await startReportApp(vn('2025-11-03T09:00:00'));
}, 120_000);
afterAll(() => app?.close());

const stateKey = (user: string) => `state:sim:${user}`;

async function figures(unitCode: string) {
  const rows = await app.testDb.db.prisma.submission.findMany({
    where: { unit: { code: unitCode }, indicatorCode: 'HSCV' },
    include: { versions: true },
  });
  return rows.map((r) => ({ value: Number(r.value), versions: r.versions.length }));
}

describe('confirming a report after the state store failed', () => {
  it('answers "already saved" with the original receipt and saves no second version', async () => {
    await app.linkReporter('once-1', '18100');
    const draft = await app.say('once-1', 'bc HSCV 65%');
    const before = await app.app.store.get(stateKey('once-1'));
    expect(before).toBeDefined();
    const first = await app.press('once-1', draft.button('Xác nhận'));
    const ref = /Mã biên nhận: ([2-9A-Z]{6})/.exec(first.text)?.[1];
    expect(ref).toBeDefined();
    // The end of the flow was never recorded: the chat is back at the confirmation.
    await app.app.store.set(stateKey('once-1'), before, 3600_000);
    const again = await app.press('once-1', draft.button('Xác nhận'));
    expect(again.text).toContain('đã được lưu trước đó');
    expect(again.text).toContain(ref!);
    expect(await figures('18100')).toEqual([{ value: 65, versions: 1 }]);
  });

  it('never overwrites a newer figure with the stale draft', async () => {
    await app.linkReporter('once-2', '18073');
    const old = await app.say('once-2', 'bc HSCV 61%');
    const stale = await app.app.store.get(stateKey('once-2'));
    await app.press('once-2', old.button('Xác nhận'));
    const newer = await app.say('once-2', 'bc HSCV 72%');
    await app.press('once-2', newer.button('Xác nhận'));
    await app.app.store.set(stateKey('once-2'), stale, 3600_000);
    const r = await app.press('once-2', old.button('Xác nhận'));
    expect(r.text).toContain('đã được lưu trước đó');
    expect(await figures('18073')).toEqual([{ value: 72, versions: 2 }]);
  });
});
