import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../helpers/db.js';
import { parsePeriod, type Period } from '../../../src/domain/periods.js';
import { DEFAULT_SCHEDULE } from '../../../src/domain/schedule.js';
import {
  aggregateOverUnits,
  getUnitStatus,
  submitFigures,
} from '../../../src/domain/submissions/index.js';
import { addPerson, seedFixture, vn, type Fixture } from '../people/fixture.js';

let t: TestDb;
let f: Fixture;
let reporter: string;
const schedule = DEFAULT_SCHEDULE;
const now = vn('2025-11-03T09:00:00');

beforeAll(async () => {
  t = await createTestDb();
  f = await seedFixture(t.db);
  reporter = await addPerson(t.db, { name: 'R', unitId: f.tranPhu, role: 'reporter' });
  const r2 = await addPerson(t.db, { name: 'S', unitId: f.thanhSen, role: 'reporter' });
  await submitFigures(t.db.prisma, {
    personId: reporter,
    unitId: f.tranPhu,
    channel: 'sim',
    period: parsePeriod('T10/2025', now) as Period,
    now,
    schedule,
    items: [{ indicatorCode: 'HSTT', numerator: 30, denominator: 50 }],
  });
  await submitFigures(t.db.prisma, {
    personId: r2,
    unitId: f.thanhSen,
    channel: 'sim',
    period: parsePeriod('T10/2025', now) as Period,
    now,
    schedule,
    items: [
      { indicatorCode: 'HSTT', numerator: 20, denominator: 50 },
      { indicatorCode: 'HSCV', value: 70 },
    ],
  });
}, 120_000);
afterAll(async () => {
  await t?.cleanup();
});

describe('getUnitStatus', () => {
  it('lists the current period of each indicator with submitted/missing, target, deadline and days left', async () => {
    const s = await getUnitStatus(t.db.prisma, { unitId: f.tranPhu, now, schedule });
    expect(s.unit.code).toBe('18100');
    const byCode = Object.fromEntries(s.items.map((i) => [i.indicator.code, i]));
    // Monthly: T10 (ended, not locked); quarterly: Q3 is locked since 15/10, so Q4; yearly: năm 2025.
    expect(byCode.HSTT).toMatchObject({
      periodText: 'T10/2025',
      submitted: true,
      daysLeft: 2,
      onTime: true,
    });
    expect(byCode.HSTT?.figure?.value).toBe(60);
    expect(byCode.HSTT?.target).toMatchObject({ target: 50, op: '>', met: true });
    expect(byCode.HSTT?.deadline.toISOString()).toBe(vn('2025-11-05T17:00:00').toISOString());
    expect(byCode.HSCV).toMatchObject({ submitted: false, figure: null });
    expect(byCode.KNS?.periodText).toBe('Q4/2025');
    expect(byCode.CNTT?.periodText).toBe('năm 2025');
    expect(byCode.TTHCTT).toBeUndefined(); // province only
    expect(byCode.TCNS?.target).toBeNull();
    expect(s.submitted).toBe(1);
    expect(s.missing).toBe(s.items.length - 1);
  });
});

describe('aggregateOverUnits', () => {
  it('sums the communes of a province for one indicator and period', async () => {
    const agg = await aggregateOverUnits(t.db.prisma, {
      unitIds: [f.tranPhu, f.thanhSen],
      indicatorCode: 'HSTT',
      period: parsePeriod('T10/2025', now) as Period,
    });
    expect(agg).toMatchObject({ numerator: 50, denominator: 100, value: 50, included: 2 });
    const bare = await aggregateOverUnits(t.db.prisma, {
      unitIds: [f.tranPhu, f.thanhSen],
      indicatorCode: 'HSCV',
      period: parsePeriod('T10/2025', now) as Period,
    });
    expect(bare).toMatchObject({ value: null, included: 0, excludedBare: [f.thanhSen] });
  });
});
