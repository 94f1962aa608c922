import { describe, expect, it } from 'vitest';
import { digestInstant } from '../../../handlers/managers/digest.js';
import { dueSlots, slotsNear } from '../../../handlers/managers/jobs.js';
import { formatPeriod } from '../../../src/domain/periods.js';
import { defaultStatusPeriods, owingUnits } from '../../../src/domain/reports/owing.js';
import type { PeriodRow } from '../../../src/domain/reports/period-rows.js';
import {
  DEFAULT_SCHEDULE,
  afterQuietHours,
  escalationOffsets,
  parseSchedule,
} from '../../../src/domain/schedule.js';

const vn = (iso: string) => new Date(`${iso}+07:00`);
const ind = (code: string, periodicity: 'month' | 'quarter' | 'year') => ({ code, periodicity });

describe('default status periods', () => {
  it('on 2 December: T11 for monthly indicators; Q3 and 2025 are locked, so none for them', () => {
    const ps = defaultStatusPeriods(vn('2026-12-02T09:00:00'), DEFAULT_SCHEDULE, [
      ind('HSTT', 'month'),
      ind('KNS', 'quarter'),
      ind('OCOP', 'year'),
    ]);
    expect(ps.map(formatPeriod)).toEqual(['T11/2026']);
  });
  it('on 10 October the quarter that just ended is still open', () => {
    const ps = defaultStatusPeriods(vn('2026-10-10T09:00:00'), DEFAULT_SCHEDULE, [
      ind('HSTT', 'month'),
      ind('KNS', 'quarter'),
    ]);
    expect(ps.map(formatPeriod)).toEqual(['T9/2026', 'Q3/2026']);
  });
});

describe('owing units', () => {
  const row = (unit: string, code: string, figure: boolean): PeriodRow =>
    ({
      unit: { id: unit, code: unit, name: unit, level: 'commune', parentId: 'p' },
      indicator: { code, nameVi: code, nameEn: code, unit: 'percent' },
      period: 'T11/2026',
      figure: figure ? { numerator: 1, denominator: 2, value: 50, note: null } : null,
      target: null,
      firstSubmittedAt: null,
      lastSubmittedAt: null,
      onTime: null,
    }) as PeriodRow;
  it('a unit owes the due indicators it has no figure for; late once the deadline passed', () => {
    const rows = [row('a', 'X', true), row('a', 'Y', false), row('b', 'X', true)];
    const deadline = vn('2026-12-05T17:00:00');
    expect(owingUnits(rows, deadline, vn('2026-12-02T09:00:00'))).toEqual([
      expect.objectContaining({ missing: ['Y'], due: 2, late: false }),
    ]);
    expect(owingUnits(rows, deadline, vn('2026-12-06T09:00:00'))[0]?.late).toBe(true);
  });
});

describe('reminder schedule', () => {
  it('quiet hours postpone to their end, never drop', () => {
    const s = DEFAULT_SCHEDULE;
    expect(afterQuietHours(vn('2026-12-02T22:30:00'), s)).toEqual(vn('2026-12-03T07:00:00'));
    expect(afterQuietHours(vn('2026-12-03T06:59:00'), s)).toEqual(vn('2026-12-03T07:00:00'));
    expect(afterQuietHours(vn('2026-12-03T08:00:00'), s)).toEqual(vn('2026-12-03T08:00:00'));
  });

  it('new fields are optional with defaults; version stays 1', () => {
    const r = parseSchedule({ version: 1, deadline: { daysAfterEnd: 5, time: '17:00' } });
    expect(r.ok && r.schedule.quietHours).toEqual({ from: '21:00', to: '07:00' });
    expect(r.ok && r.schedule.weeklyDigest).toEqual({ day: 1, time: '08:00' });
    expect(r.ok && escalationOffsets(r.schedule)).toEqual(['+1d']);
    const e = parseSchedule({
      version: 1,
      deadline: { daysAfterEnd: 5, time: '17:00' },
      escalation: ['+1d', '+3d'],
    });
    expect(e.ok && escalationOffsets(e.schedule)).toEqual(['+1d', '+3d']);
  });

  it('escalation steps reach one ancestor more at each offset', () => {
    const r = parseSchedule({
      version: 1,
      deadline: { daysAfterEnd: 5, time: '17:00' },
      reminders: ['-3d', '-1d'],
      reminderTime: '08:00',
      escalation: ['+1d', '+3d'],
    });
    if (!r.ok) throw new Error('schedule');
    const slots = slotsNear(vn('2026-12-09T09:00:00'), r.schedule, ['month']).filter(
      (s) => formatPeriod(s.period) === 'T11/2026',
    );
    expect(slots.map((s) => [s.offset, s.kind, s.step, s.at.toISOString()])).toEqual([
      ['-3d', 'remind', 0, vn('2026-12-02T08:00:00').toISOString()],
      ['-1d', 'remind', 0, vn('2026-12-04T08:00:00').toISOString()],
      ['+1d', 'escalate', 0, vn('2026-12-06T08:00:00').toISOString()],
      ['+3d', 'escalate', 1, vn('2026-12-08T08:00:00').toISOString()],
    ]);
  });

  it('a run serves the instants come within 36 hours, of periods not yet locked', () => {
    const due = (iso: string) =>
      dueSlots(vn(iso), DEFAULT_SCHEDULE, ['month']).map(
        (s) => `${formatPeriod(s.period)} ${s.offset}`,
      );
    expect(due('2026-12-02T07:59:00')).toEqual([]);
    expect(due('2026-12-02T08:00:00')).toEqual(['T11/2026 -3d']);
    // The cron fired late (a restart): still served, once, by its idempotency key.
    expect(due('2026-12-02T19:00:00')).toEqual(['T11/2026 -3d']);
    expect(due('2026-12-03T20:00:00')).toEqual([]);
    expect(due('2026-12-16T08:00:00')).toEqual([]);
  });

  it('the weekly digest instant is the latest Monday 08:00', () => {
    expect(digestInstant(vn('2026-12-02T09:00:00'), DEFAULT_SCHEDULE)).toEqual(
      vn('2026-11-30T08:00:00'),
    );
    expect(digestInstant(vn('2026-12-07T07:59:00'), DEFAULT_SCHEDULE)).toEqual(
      vn('2026-11-30T08:00:00'),
    );
    expect(digestInstant(vn('2026-12-07T08:00:00'), DEFAULT_SCHEDULE)).toEqual(
      vn('2026-12-07T08:00:00'),
    );
  });
});
