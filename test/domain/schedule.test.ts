import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Period } from '../../src/domain/periods.js';
import {
  DEFAULT_SCHEDULE,
  daysLeft,
  deadlineOf,
  defaultPeriodFor,
  dueIndicators,
  effectivePeriodicity,
  isLocked,
  lockAt,
  parseSchedule,
  remindersOf,
  reopenUntil,
  type Schedule,
  type ScheduledIndicator,
} from '../../src/domain/schedule.js';

const month = (year: number, index: number): Period => ({ kind: 'month', year, index });
const quarter = (year: number, index: number): Period => ({ kind: 'quarter', year, index });
const year = (y: number): Period => ({ kind: 'year', year: y, index: 1 });
/** A local Hà Nội time written as ISO with +07:00. */
const vn = (iso: string): Date => new Date(`${iso}+07:00`);

const S = DEFAULT_SCHEDULE;

describe('the default schedule file', () => {
  it('config/schedule.json validates and equals the built-in default', () => {
    const raw: unknown = JSON.parse(readFileSync('config/schedule.json', 'utf8'));
    const r = parseSchedule(raw);
    expect(r).toEqual({ ok: true, schedule: DEFAULT_SCHEDULE });
  });
});

describe('parseSchedule', () => {
  it('fills defaults for a minimal file', () => {
    const r = parseSchedule({ version: 1, deadline: { daysAfterEnd: 7, time: '12:00' } });
    expect(r.ok && r.schedule.reminders).toEqual(['-3d', '-1d', '+1d']);
    expect(r.ok && r.schedule.lock).toEqual({ afterDeadline: '10d', reopenGrace: '3d' });
  });

  it('names each wrong field by its path', () => {
    const r = parseSchedule({
      version: 1,
      deadline: { daysAfterEnd: 5, time: '25:00' },
      reminders: ['-3d', 'tomorrow'],
      due: [{ indicator: 'HSTT', periodicity: 'week' }],
    });
    expect(r.ok).toBe(false);
    const paths = r.ok ? [] : r.errors.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining(['deadline.time', 'reminders.1', 'due.0.periodicity']),
    );
  });

  it('rejects unknown keys and an indicator listed twice', () => {
    expect(
      parseSchedule({ version: 1, deadline: { daysAfterEnd: 5, time: '17:00' }, dealine: 1 }).ok,
    ).toBe(false);
    const r = parseSchedule({
      version: 1,
      deadline: { daysAfterEnd: 5, time: '17:00' },
      due: [{ indicator: 'HSTT' }, { indicator: 'HSTT', enabled: false }],
    });
    expect(r).toEqual({
      ok: false,
      errors: [{ path: 'due.1.indicator', message: expect.any(String) }],
    });
  });
});

describe('deadlines, locks and reminders', () => {
  it('makes T10/2025 due at 17:00 on 05/11/2025 and lock 10 days later', () => {
    expect(deadlineOf(month(2025, 10), S)).toEqual(vn('2025-11-05T17:00:00'));
    expect(lockAt(month(2025, 10), S)).toEqual(vn('2025-11-15T17:00:00'));
  });

  it('counts from the real last day of February in a leap year', () => {
    expect(deadlineOf(month(2028, 2), S)).toEqual(vn('2028-03-05T17:00:00'));
    expect(deadlineOf(month(2027, 2), S)).toEqual(vn('2027-03-05T17:00:00'));
  });

  it('crosses the year end for December, Q4 and the year', () => {
    expect(deadlineOf(month(2025, 12), S)).toEqual(vn('2026-01-05T17:00:00'));
    expect(deadlineOf(quarter(2025, 4), S)).toEqual(vn('2026-01-05T17:00:00'));
    expect(deadlineOf(year(2025), S)).toEqual(vn('2026-01-05T17:00:00'));
    expect(lockAt(year(2025), S)).toEqual(vn('2026-01-15T17:00:00'));
  });

  it('applies a per-periodicity deadline rule', () => {
    const s: Schedule = {
      ...S,
      deadlineByPeriodicity: { year: { daysAfterEnd: 15, time: '11:30' } },
    };
    expect(deadlineOf(year(2025), s)).toEqual(vn('2026-01-15T11:30:00'));
    expect(deadlineOf(month(2025, 10), s)).toEqual(vn('2025-11-05T17:00:00'));
  });

  it('sends reminders 3 days and 1 day before and 1 day after, at the reminder time', () => {
    expect(remindersOf(quarter(2025, 3), S)).toEqual([
      vn('2025-10-02T08:00:00'),
      vn('2025-10-04T08:00:00'),
      vn('2025-10-06T08:00:00'),
    ]);
  });

  it('keeps the deadline time of day when no reminder time is set, and hour offsets exactly', () => {
    const s: Schedule = { ...S, reminderTime: undefined, reminders: ['+1d', '-2h'] };
    expect(remindersOf(month(2025, 10), s)).toEqual([
      vn('2025-11-05T15:00:00'),
      vn('2025-11-06T17:00:00'),
    ]);
  });
});

describe('isLocked', () => {
  const p = month(2025, 10);
  const lock = vn('2025-11-15T17:00:00');

  it('is open until the lock instant and locked from it', () => {
    expect(isLocked('u1', p, new Date(lock.getTime() - 1), [], S)).toBe(false);
    expect(isLocked('u1', p, lock, [], S)).toBe(true);
  });

  it('lifts the lock for the reopened unit and period only, until the grace ends', () => {
    const reopenedAt = vn('2025-11-20T09:00:00');
    const until = reopenUntil(reopenedAt, S);
    expect(until).toEqual(vn('2025-11-23T09:00:00'));
    const reopens = [{ unitId: 'u1', period: p, until }];
    expect(isLocked('u1', p, vn('2025-11-22T09:00:00'), reopens, S)).toBe(false);
    expect(isLocked('u2', p, vn('2025-11-22T09:00:00'), reopens, S)).toBe(true);
    expect(isLocked('u1', month(2025, 9), vn('2025-11-22T09:00:00'), reopens, S)).toBe(true);
    expect(isLocked('u1', p, until, reopens, S)).toBe(true);
  });
});

describe('defaultPeriodFor', () => {
  it('takes the last ended month until it locks, then the month in progress', () => {
    expect(defaultPeriodFor('month', vn('2025-11-01T00:00:00'), S)).toEqual(month(2025, 10));
    expect(defaultPeriodFor('month', vn('2025-11-15T16:59:00'), S)).toEqual(month(2025, 10));
    expect(defaultPeriodFor('month', vn('2025-11-15T17:00:00'), S)).toEqual(month(2025, 11));
  });

  it('crosses the year end', () => {
    expect(defaultPeriodFor('month', vn('2026-01-03T10:00:00'), S)).toEqual(month(2025, 12));
    expect(defaultPeriodFor('quarter', vn('2026-01-10T10:00:00'), S)).toEqual(quarter(2025, 4));
    expect(defaultPeriodFor('year', vn('2026-01-16T10:00:00'), S)).toEqual(year(2026));
    expect(defaultPeriodFor('year', vn('2026-01-01T00:00:00'), S)).toEqual(year(2025));
  });

  it('follows the configured lock', () => {
    const s: Schedule = { ...S, lock: { afterDeadline: '0d', reopenGrace: '3d' } };
    expect(defaultPeriodFor('month', vn('2025-11-06T08:00:00'), s)).toEqual(month(2025, 11));
  });
});

describe('daysLeft', () => {
  const deadline = vn('2025-12-05T17:00:00');
  it('counts calendar days in Hà Nội, not 24-hour spans', () => {
    expect(daysLeft(deadline, vn('2025-12-02T23:59:00'))).toBe(3);
    expect(daysLeft(deadline, vn('2025-12-03T00:01:00'))).toBe(2);
    expect(daysLeft(deadline, vn('2025-12-05T18:00:00'))).toBe(0);
    expect(daysLeft(deadline, vn('2025-12-07T08:00:00'))).toBe(-2);
  });

  it('uses the local date when UTC is still on the previous day', () => {
    // 04/12 17:30 UTC is 05/12 00:30 in Hà Nội: the deadline is today.
    expect(daysLeft(deadline, new Date('2025-12-04T17:30:00Z'))).toBe(0);
  });
});

describe('dueIndicators', () => {
  const catalogue: ScheduledIndicator[] = [
    { code: 'HSTT', periodicity: 'month', appliesTo: ['commune', 'province'] },
    { code: 'KNS', periodicity: 'quarter', appliesTo: ['commune', 'province'] },
    { code: 'TTHCTT', periodicity: 'quarter', appliesTo: ['province'] },
    { code: 'CNTT', periodicity: 'year', appliesTo: ['commune', 'province'] },
  ];
  const codes = (xs: ScheduledIndicator[]): string[] => xs.map((x) => x.code);

  it('by default asks each level for its indicators at their own periodicity', () => {
    expect(codes(dueIndicators('commune', month(2025, 10), S, catalogue))).toEqual(['HSTT']);
    expect(codes(dueIndicators('commune', quarter(2025, 3), S, catalogue))).toEqual(['KNS']);
    expect(codes(dueIndicators('province', quarter(2025, 3), S, catalogue))).toEqual([
      'KNS',
      'TTHCTT',
    ]);
    expect(codes(dueIndicators('commune', year(2025), S, catalogue))).toEqual(['CNTT']);
  });

  it('applies the schedule’s exceptions: disabled, other levels, other periodicity', () => {
    const s: Schedule = {
      ...S,
      due: [
        { indicator: 'HSTT', enabled: true, periodicity: 'quarter' },
        { indicator: 'KNS', enabled: false },
        { indicator: 'TTHCTT', enabled: true, levels: ['commune'] },
      ],
    };
    expect(codes(dueIndicators('commune', month(2025, 10), s, catalogue))).toEqual([]);
    expect(codes(dueIndicators('commune', quarter(2025, 3), s, catalogue))).toEqual([
      'HSTT',
      'TTHCTT',
    ]);
    expect(codes(dueIndicators('province', quarter(2025, 3), s, catalogue))).toEqual(['HSTT']);
    expect(effectivePeriodicity({ code: 'HSTT', periodicity: 'month' }, s)).toBe('quarter');
  });
});
