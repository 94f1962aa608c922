import { describe, expect, it } from 'vitest';
import {
  comparePeriods,
  formatPeriod,
  isValidPeriod,
  makePeriod,
  matchPeriodAt,
  nextPeriod,
  parsePeriod,
  parsePeriodId,
  periodAt,
  periodContains,
  periodContainsInstant,
  periodEnd,
  periodId,
  periodLastDay,
  periodStart,
  previousPeriod,
  previousPeriodAt,
  shiftPeriod,
  vnDateParts,
  type Period,
} from '../../src/domain/periods.js';

const month = (year: number, index: number): Period => ({ kind: 'month', year, index });
const quarter = (year: number, index: number): Period => ({ kind: 'quarter', year, index });
const half = (year: number, index: number): Period => ({ kind: 'half', year, index });
const year = (y: number): Period => ({ kind: 'year', year: y, index: 1 });

// 27/11/2026 15:39 in Hà Nội.
const NOW = new Date('2026-11-27T08:39:00Z');

describe('parsePeriod', () => {
  it.each([
    ['T10/2025', month(2025, 10)],
    ['t10/2025', month(2025, 10)],
    ['tháng 10/2025', month(2025, 10)],
    ['Tháng 10/2025', month(2025, 10)],
    ['thang 10 2025', month(2025, 10)],
    ['tháng 10 năm 2025', month(2025, 10)],
    ['10/2025', month(2025, 10)],
    ['1/2026', month(2026, 1)],
    ['T1-2026', month(2026, 1)],
    ['T02/28', month(2028, 2)],
    ['Q3/2025', quarter(2025, 3)],
    ['Q3-2025', quarter(2025, 3)],
    ['q3 2025', quarter(2025, 3)],
    ['quý 3/2025', quarter(2025, 3)],
    ['QUÝ III/2025', quarter(2025, 3)],
    ['quý IV/2025', quarter(2025, 4)],
    ['quy 3-2025', quarter(2025, 3)],
    ['quy 1 nam 2026', quarter(2026, 1)],
    ['6 tháng đầu năm 2025', half(2025, 1)],
    ['6 thang dau nam 2025', half(2025, 1)],
    ['6 tháng cuối năm 2025', half(2025, 2)],
    ['6T/2025', half(2025, 1)],
    ['6TC/2025', half(2025, 2)],
    ['6TĐ/2025', half(2025, 1)],
    ['H2/2025', half(2025, 2)],
    ['năm 2025', year(2025)],
    ['nam 2025', year(2025)],
    ['NĂM 2025', year(2025)],
    ['2025-M10', month(2025, 10)],
    ['2025-Q3', quarter(2025, 3)],
    ['2025-H2', half(2025, 2)],
    ['2025-Y', year(2025)],
    ['2025-10', month(2025, 10)],
    ['2025', year(2025)],
  ])('reads %s', (text, expected) => {
    expect(parsePeriod(text, NOW)).toEqual(expected);
  });

  it('reads decomposed (NFD) Vietnamese input the same as precomposed', () => {
    expect(parsePeriod('quý 3/2025'.normalize('NFD'), NOW)).toEqual(quarter(2025, 3));
  });

  it.each([
    // 27/11/2026: Q3 has started this year, Q4 too; T12 has not, so it is last year's.
    ['Q3', quarter(2026, 3)],
    ['Q4', quarter(2026, 4)],
    ['T11', month(2026, 11)],
    ['T12', month(2025, 12)],
    ['tháng 12', month(2025, 12)],
    ['6 tháng cuối năm', half(2026, 2)],
  ])('resolves %s without a year to the latest such period that has started', (text, expected) => {
    expect(parsePeriod(text, NOW)).toEqual(expected);
  });

  it('takes the year from the Hà Nội calendar, not UTC, on New Year’s night', () => {
    // 31/12/2025 17:30 UTC is already 01/01/2026 00:30 in Hà Nội: T1 has started.
    expect(parsePeriod('T1', new Date('2025-12-31T17:30:00Z'))).toEqual(month(2026, 1));
    expect(parsePeriod('T1', new Date('2025-12-31T16:59:59Z'))).toEqual(month(2025, 1));
  });

  it.each([
    'T13/2025',
    'T0/2025',
    'Q5/2025',
    'Q0/2025',
    'năm 1890',
    '13/2025',
    '',
    'HSCV',
    'T10/2025 HSTT',
    'quy',
  ])('rejects %j', (text) => {
    expect(parsePeriod(text, NOW)).toBeUndefined();
  });
});

describe('matchPeriodAt', () => {
  it('only reads a bare mm/yyyy where a period may stand', () => {
    expect(matchPeriodAt('10/2025', 0, NOW, false)).toBeUndefined();
    expect(matchPeriodAt('10/2025', 0, NOW, true)).toMatchObject({ ok: true, end: 7, bare: true });
  });

  it('stops at the end of the period inside a longer message', () => {
    const text = 'bc t10/2025 hstt 120/150';
    expect(matchPeriodAt(text, 3, NOW, false)).toEqual({
      ok: true,
      period: month(2025, 10),
      end: 11,
      bare: false,
    });
  });

  it('reports a period-shaped token that does not exist', () => {
    expect(matchPeriodAt('t13/2025 x', 0, NOW, false)).toEqual({ ok: false, end: 8 });
  });

  it('does not take a numerator/denominator for a year', () => {
    expect(matchPeriodAt('t10 120/150', 0, NOW, false)).toMatchObject({ ok: true, end: 3 });
  });
});

describe('formatPeriod', () => {
  it.each([
    [month(2025, 10), 'T10/2025'],
    [month(2026, 1), 'T1/2026'],
    [quarter(2025, 3), 'Q3/2025'],
    [half(2025, 1), '6T/2025'],
    [half(2025, 2), '6TC/2025'],
    [year(2025), 'năm 2025'],
  ])('prints %j as %s, which parses back to the same period', (p, text) => {
    expect(formatPeriod(p)).toBe(text);
    expect(parsePeriod(text, NOW)).toEqual(p);
  });

  it('gives every period a sortable ASCII id that parses back', () => {
    for (const p of [month(2025, 3), quarter(2025, 4), half(2026, 2), year(2030)]) {
      expect(parsePeriodId(periodId(p))).toEqual(p);
    }
    expect(periodId(month(2025, 3))).toBe('2025-M03');
    expect(parsePeriodId('2025-M13')).toBeUndefined();
  });
});

describe('period boundaries in Asia/Ho_Chi_Minh', () => {
  it('starts a month at local midnight, i.e. 17:00 UTC the day before', () => {
    expect(periodStart(month(2025, 10)).toISOString()).toBe('2025-09-30T17:00:00.000Z');
    expect(periodEnd(month(2025, 10)).toISOString()).toBe('2025-10-31T17:00:00.000Z');
  });

  it('ends February on the 29th in the leap year 2028 and on the 28th in 2027', () => {
    expect(periodLastDay(month(2028, 2))).toEqual({ year: 2028, month: 2, day: 29 });
    expect(periodLastDay(month(2027, 2))).toEqual({ year: 2027, month: 2, day: 28 });
    expect(periodEnd(month(2028, 2)).toISOString()).toBe('2028-02-29T17:00:00.000Z');
  });

  it('ends a year on 31/12 local and a quarter on its last month', () => {
    expect(periodLastDay(year(2025))).toEqual({ year: 2025, month: 12, day: 31 });
    expect(periodLastDay(quarter(2025, 3))).toEqual({ year: 2025, month: 9, day: 30 });
    expect(periodLastDay(half(2025, 1))).toEqual({ year: 2025, month: 6, day: 30 });
  });

  it('places an instant by the local clock around midnight', () => {
    // 31/10/2025 16:59:59 UTC = 23:59:59 local on 31/10 → still October.
    expect(periodAt('month', new Date('2025-10-31T16:59:59Z'))).toEqual(month(2025, 10));
    // 31/10/2025 17:00 UTC = 00:00 local on 01/11 → November, although UTC still says October.
    expect(periodAt('month', new Date('2025-10-31T17:00:00Z'))).toEqual(month(2025, 11));
    expect(periodAt('quarter', new Date('2025-12-31T17:00:00Z'))).toEqual(quarter(2026, 1));
    expect(periodAt('year', new Date('2025-12-31T16:59:59Z'))).toEqual(year(2025));
    expect(periodAt('half', new Date('2025-06-30T17:00:00Z'))).toEqual(half(2025, 2));
  });

  it('reads local calendar fields with the +07:00 offset whatever the process time zone', () => {
    expect(vnDateParts(new Date('2028-02-28T17:00:00Z'))).toMatchObject({
      year: 2028,
      month: 2,
      day: 29,
      hour: 0,
    });
  });

  it('tells whether an instant falls within a period, end exclusive', () => {
    const p = month(2028, 2);
    expect(periodContainsInstant(p, new Date('2028-02-29T16:59:59Z'))).toBe(true);
    expect(periodContainsInstant(p, new Date('2028-02-29T17:00:00Z'))).toBe(false);
    expect(periodContainsInstant(p, new Date('2028-01-31T17:00:00Z'))).toBe(true);
    expect(periodContainsInstant(p, new Date('2028-01-31T16:59:59Z'))).toBe(false);
  });
});

describe('navigating periods', () => {
  it('moves across year ends', () => {
    expect(nextPeriod(month(2025, 12))).toEqual(month(2026, 1));
    expect(previousPeriod(month(2026, 1))).toEqual(month(2025, 12));
    expect(nextPeriod(quarter(2025, 4))).toEqual(quarter(2026, 1));
    expect(previousPeriod(half(2026, 1))).toEqual(half(2025, 2));
    expect(nextPeriod(year(2025))).toEqual(year(2026));
    expect(shiftPeriod(month(2025, 3), -15)).toEqual(month(2023, 12));
  });

  it('gives the previous period of a periodicity at an instant', () => {
    const newYear = new Date('2025-12-31T17:00:00Z'); // 01/01/2026 00:00 local
    expect(previousPeriodAt('month', newYear)).toEqual(month(2025, 12));
    expect(previousPeriodAt('quarter', newYear)).toEqual(quarter(2025, 4));
    expect(previousPeriodAt('year', newYear)).toEqual(year(2025));
  });

  it('tells whether a period lies within another', () => {
    expect(periodContains(quarter(2025, 3), month(2025, 8))).toBe(true);
    expect(periodContains(quarter(2025, 3), month(2025, 10))).toBe(false);
    expect(periodContains(year(2025), half(2025, 2))).toBe(true);
    expect(periodContains(month(2025, 8), quarter(2025, 3))).toBe(false);
  });

  it('orders periods by start, shorter first', () => {
    const sorted = [year(2025), quarter(2025, 1), month(2025, 2), month(2025, 1)].sort(
      comparePeriods,
    );
    expect(sorted.map(formatPeriod)).toEqual(['T1/2025', 'Q1/2025', 'năm 2025', 'T2/2025']);
  });

  it('validates periods it is asked to build', () => {
    expect(() => makePeriod('month', 2025, 13)).toThrow(RangeError);
    expect(makePeriod('year', 2025)).toEqual(year(2025));
    expect(isValidPeriod({ kind: 'quarter', year: 2025, index: 4.5 })).toBe(false);
  });
});
