/**
 * aggregatesOver: the province page's figures over many periods in one grouped query — for each
 * period exactly aggregateRows(periodRows(period)), with the units in force in that period (the
 * commune merged in 2025 counts before the merge, its successor after), percentages summed as
 * numerators over denominators, counts summed, yes/no as the share of "yes".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../helpers/db.js';
import { NotFoundError } from '../../../src/domain/access.js';
import { parsePeriod, type Period } from '../../../src/domain/periods.js';
import { DEFAULT_SCHEDULE } from '../../../src/domain/schedule.js';
import { aggregateRows, aggregatesOver, periodRows } from '../../../src/domain/reports/index.js';
import { submitFigures } from '../../../src/domain/submissions/index.js';
import { addPerson, seedFixture, vn, type Fixture } from '../people/fixture.js';

let t: TestDb;
let f: Fixture;
const schedule = DEFAULT_SCHEDULE;
const now = vn('2026-01-20T09:00:00');
const P = (s: string) => parsePeriod(s, now) as Period;
/** When each period's figures are sent: before its lock. */
const AT: Record<string, string> = {
  T5: '2025-06-02T09:00:00',
  Q2: '2025-07-02T09:00:00',
  T1: '2025-11-03T09:00:00',
};
const PERIODS = ['T5/2025', 'Q2/2025', 'T10/2025', 'Q4/2025', '2025', 'T12/2025'].map(P);

beforeAll(async () => {
  t = await createTestDb();
  f = await seedFixture(t.db);
  const submit = async (
    unitId: string,
    period: string,
    items: Parameters<typeof submitFigures>[1]['items'],
  ) => {
    const personId = await addPerson(t.db, {
      name: `R ${unitId} ${period}`,
      unitId,
      role: 'reporter',
    });
    await submitFigures(t.db.prisma, {
      personId,
      unitId,
      channel: 'sim',
      period: P(period),
      now: vn(AT[period.slice(0, 2)] ?? '2026-01-02T09:00:00'),
      schedule,
      items,
    });
  };
  await submit(f.oldThachHa, 'T5/2025', [{ indicatorCode: 'HSTT', numerator: 3, denominator: 4 }]);
  await submit(f.thanhSen, 'T5/2025', [{ indicatorCode: 'HSTT', numerator: 1, denominator: 4 }]);
  await submit(f.oldThachHa, 'Q2/2025', [{ indicatorCode: 'TCNS', value: 7 }]);
  await submit(f.tranPhu, 'T10/2025', [
    { indicatorCode: 'HSTT', numerator: 120, denominator: 150 },
    { indicatorCode: 'HSCV', value: 55.25 },
  ]);
  await submit(f.thanhSen, 'T10/2025', [{ indicatorCode: 'HSTT', numerator: 10, denominator: 40 }]);
  await submit(f.tranPhu, 'Q4/2025', [
    { indicatorCode: 'TCNS', value: 12 },
    { indicatorCode: 'KNS', numerator: 0, denominator: 0 },
  ]);
  await submit(f.thanhSen, 'Q4/2025', [{ indicatorCode: 'TCNS', value: 5 }]);
  await submit(f.tranPhu, '2025', [{ indicatorCode: 'CNTT', value: 1 }]);
  await submit(f.thanhSen, '2025', [{ indicatorCode: 'CNTT', value: 0 }]);
  await submit(f.province, '2025', [{ indicatorCode: 'CNTT', value: 1 }]);
}, 120_000);
afterAll(async () => {
  await t?.cleanup();
});

describe('aggregatesOver', () => {
  it('gives for each period what aggregateRows gives over its periodRows, in one query', async () => {
    const over = await aggregatesOver(t.db.prisma, {
      periods: PERIODS,
      schedule,
      rootUnitCode: '42',
    });
    expect(over).toHaveLength(PERIODS.length);
    for (const [i, period] of PERIODS.entries()) {
      const rows = await periodRows(t.db.prisma, { period, schedule, rootUnitCode: '42' });
      expect(over[i]!.aggregates, `period ${i}`).toEqual(aggregateRows(rows));
      expect(over[i]!.due).toBe(rows.length);
      expect(over[i]!.reported).toBe(rows.filter((r) => r.figure).length);
    }
  });

  it('sums percentages as numerators over denominators, counts as sums, yes/no as a share', async () => {
    const [t5, q2, , q4, year] = await aggregatesOver(t.db.prisma, {
      periods: PERIODS,
      schedule,
      rootUnitCode: '42',
    });
    const of = (p: typeof t5, code: string) => p!.aggregates.find((a) => a.code === code);
    // Before the 2025 merge only the province and the old Thạch Hạ are in force: Thành Sen
    // (from 1 July) does not count.
    expect(of(t5, 'HSTT')).toMatchObject({
      due: 2,
      reported: 1,
      numerator: 3,
      denominator: 4,
      value: 75,
    });
    expect(of(q2, 'TCNS')).toMatchObject({ reported: 1, value: 7 });
    expect(of(q4, 'TCNS')).toMatchObject({ due: 3, reported: 2, value: 17 });
    expect(of(q4, 'KNS')).toMatchObject({ reported: 1, value: null });
    expect(of(year, 'CNTT')).toMatchObject({ due: 3, reported: 3 });
    expect(of(year, 'CNTT')!.value).toBeCloseTo(200 / 3);
    // The province-level indicator is due from the province only.
    expect(year!.levels.get('CNTT')).toBe('province');
    expect(of(q4, 'TTHCTT')).toMatchObject({ due: 1, reported: 0, value: null });
  });

  it('refuses a unit that is in force in none of the periods', async () => {
    await expect(
      aggregatesOver(t.db.prisma, { periods: PERIODS, schedule, rootUnitCode: '99999' }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});
