/**
 * The reporting schedule: which indicators are due from which unit levels each period, when
 * figures are due, when reminders go out and when a (unit, period) locks.
 *
 * It is configuration, not code (the province's yearly plan decides it): `config/schedule.json`
 * is the default, `npm run admin -- import schedule <file.json>` replaces it. All wall-clock
 * times are Asia/Ho_Chi_Minh.
 */
import { z } from 'zod';
import {
  PERIOD_KINDS,
  formatPeriod,
  periodAt,
  periodLastDay,
  previousPeriod,
  samePeriod,
  vnDateParts,
  vnInstant,
  type Period,
  type PeriodKind,
  type Periodicity,
} from './periods.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

const timeOfDay = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected a local time HH:mm, e.g. "17:00"');
/** `+1d`, `-3d`, `-12h`, `10d`. */
const offset = z
  .string()
  .regex(/^[+-]?\d{1,3}[dh]$/, 'expected an offset like "-3d", "+1d" or "-12h"');
const periodKind = z.enum(PERIOD_KINDS as [PeriodKind, ...PeriodKind[]]);

const deadlineRule = z.strictObject({
  /** The deadline falls on the Nth day after the period's last day (5: T10 → 05/11). */
  daysAfterEnd: z.number().int().min(0).max(366),
  /** Local time of day of the deadline. */
  time: timeOfDay,
});

const dueRule = z.strictObject({
  /** Indicator code. */
  indicator: z.string().regex(/^[A-Z0-9_]{1,32}$/, 'indicator codes are upper-case ASCII'),
  /** False: not collected at all. */
  enabled: z.boolean().default(true),
  /** Unit levels that report it, replacing the catalogue's `applies_to`. */
  levels: z.array(z.string().min(1)).min(1).optional(),
  /** Reported at this periodicity instead of the catalogue's. */
  periodicity: periodKind.optional(),
});

/** The zod schema of the schedule file (config/schedule.json). */
export const scheduleSchema = z.strictObject({
  version: z.literal(1),
  /** Documentation only: every time in the file is Asia/Ho_Chi_Minh. */
  timezone: z.literal('Asia/Ho_Chi_Minh').default('Asia/Ho_Chi_Minh'),
  deadline: deadlineRule,
  /** Per-periodicity deadline rules overriding `deadline` (e.g. years due on the 15th day). */
  deadlineByPeriodicity: z.partialRecord(periodKind, deadlineRule).default({}),
  /** Reminder offsets from the deadline. */
  reminders: z.array(offset).default(['-3d', '-1d', '+1d']),
  /**
   * Local time of day reminders are sent at. Absent: at the deadline's own time of day
   * (offset applied to the deadline instant). Hour offsets always apply to the deadline.
   */
  reminderTime: timeOfDay.optional(),
  lock: z
    .strictObject({
      /** The (unit, period) locks this long after the deadline. */
      afterDeadline: offset,
      /** A reopened (unit, period) locks again this long after it was reopened. */
      reopenGrace: offset,
    })
    .default({ afterDeadline: '10d', reopenGrace: '3d' }),
  /** Exceptions to "every indicator at its own periodicity for the levels in applies_to". */
  due: z.array(dueRule).default([]),
  /**
   * Offsets from the deadline of the managers' late-unit digests (escalation steps). Absent: the
   * positive offsets of `reminders`. Step 1 reaches the managers of the late unit and of its
   * parent, each further step one ancestor more.
   */
  escalation: z.array(offset).optional(),
  /** Local hours in which scheduled reminders and digests wait (postponed, never dropped). */
  quietHours: z
    .strictObject({ from: timeOfDay, to: timeOfDay })
    .default({ from: '21:00', to: '07:00' }),
  /** When managers get the weekly digest: ISO weekday (1 = Monday) and local time. */
  weeklyDigest: z
    .strictObject({ day: z.number().int().min(1).max(7), time: timeOfDay })
    .default({ day: 1, time: '08:00' }),
});

/** A validated reporting schedule. */
export type Schedule = z.infer<typeof scheduleSchema>;
/** The schedule file before defaults are applied. */
export type ScheduleInput = z.input<typeof scheduleSchema>;

/** The built-in default, identical to config/schedule.json. */
export const DEFAULT_SCHEDULE: Schedule = scheduleSchema.parse({
  version: 1,
  timezone: 'Asia/Ho_Chi_Minh',
  deadline: { daysAfterEnd: 5, time: '17:00' },
  reminders: ['-3d', '-1d', '+1d'],
  reminderTime: '08:00',
  lock: { afterDeadline: '10d', reopenGrace: '3d' },
  due: [],
});

/** Result of validating a schedule document. */
export type ScheduleParseResult =
  { ok: true; schedule: Schedule } | { ok: false; errors: { path: string; message: string }[] };

/**
 * Validate a parsed JSON document as a schedule. Errors carry a dotted path (`reminders.1`)
 * so the admin CLI can say exactly what is wrong.
 */
export function parseSchedule(data: unknown): ScheduleParseResult {
  const r = scheduleSchema.safeParse(data);
  if (r.success) {
    const dup = findDuplicateRule(r.data);
    if (dup !== undefined) {
      return {
        ok: false,
        errors: [{ path: `due.${dup}.indicator`, message: 'indicator listed twice in "due"' }],
      };
    }
    return { ok: true, schedule: r.data };
  }
  return {
    ok: false,
    errors: r.error.issues.map((i) => ({
      path: i.path.map(String).join('.') || '(root)',
      message: i.message,
    })),
  };
}

function findDuplicateRule(s: Schedule): number | undefined {
  const seen = new Set<string>();
  for (const [i, rule] of s.due.entries()) {
    if (seen.has(rule.indicator)) return i;
    seen.add(rule.indicator);
  }
  return undefined;
}

/** Offset string → milliseconds (`-3d` → -259200000). */
export function offsetMs(text: string): number {
  const m = /^([+-]?)(\d{1,3})([dh])$/.exec(text);
  if (!m) throw new RangeError(`bad offset ${text}`);
  const n = Number(m[2]) * (m[3] === 'd' ? DAY_MS : HOUR_MS);
  return m[1] === '-' ? -n : n;
}

function hhmm(time: string): [number, number] {
  const [h = '0', m = '0'] = time.split(':');
  return [Number(h), Number(m)];
}

/**
 * When figures for `period` are due: the configured day after the period's last day at the
 * configured local time (default: 5th day, 17:00 — T10/2025 → 17:00 05/11/2025 +07:00).
 */
export function deadlineOf(period: Period, schedule: Schedule): Date {
  const rule = schedule.deadlineByPeriodicity[period.kind] ?? schedule.deadline;
  const last = periodLastDay(period);
  const [h, m] = hhmm(rule.time);
  return vnInstant(last.year, last.month, last.day + rule.daysAfterEnd, h, m);
}

/**
 * When a (unit, period) locks unless reopened: the deadline plus `lock.afterDeadline`
 * (default 10 days: T10/2025 → 17:00 15/11/2025).
 */
export function lockAt(period: Period, schedule: Schedule): Date {
  return new Date(deadlineOf(period, schedule).getTime() + offsetMs(schedule.lock.afterDeadline));
}

/** A manager's or admin's reopening of one unit's period, lifting its lock until `until`. */
export interface Reopen {
  unitId: string;
  period: Period;
  until: Date;
}

/** When a reopening made at `now` ends: `now` plus the configured grace. */
export function reopenUntil(now: Date, schedule: Schedule): Date {
  return new Date(now.getTime() + offsetMs(schedule.lock.reopenGrace));
}

/**
 * Whether figures of `unitId` for `period` are locked at `now`. A lock belongs to the
 * (unit, period), not to a figure: it starts at {@link lockAt} and is lifted while a reopen for
 * the same unit and period has `until` in the future.
 */
export function isLocked(
  unitId: string,
  period: Period,
  now: Date,
  reopens: readonly Reopen[],
  schedule: Schedule,
): boolean {
  if (now.getTime() < lockAt(period, schedule).getTime()) return false;
  return !reopens.some(
    (r) => r.unitId === unitId && samePeriod(r.period, period) && now.getTime() < r.until.getTime(),
  );
}

/**
 * The reminder instants for `period`, in time order. Day offsets land at `reminderTime` on
 * that local day when configured (default config: 08:00), otherwise at the deadline's time.
 */
export function remindersOf(period: Period, schedule: Schedule): Date[] {
  return schedule.reminders
    .map((o) => offsetInstant(period, schedule, o))
    .sort((a, b) => a.getTime() - b.getTime());
}

/**
 * The instant of one offset from the period's deadline (`-3d`, `+1d`, `-12h`): day offsets at
 * `reminderTime` on that local day when configured, hour offsets from the deadline itself.
 */
export function offsetInstant(period: Period, schedule: Schedule, offset: string): Date {
  const shifted = new Date(deadlineOf(period, schedule).getTime() + offsetMs(offset));
  if (!offset.endsWith('d') || !schedule.reminderTime) return shifted;
  const day = vnDateParts(shifted);
  const [h, m] = hhmm(schedule.reminderTime);
  return vnInstant(day.year, day.month, day.day, h, m);
}

/** The escalation offsets: `escalation` when set, else the positive offsets of `reminders`. */
export function escalationOffsets(schedule: Schedule): string[] {
  return schedule.escalation ?? schedule.reminders.filter((o) => offsetMs(o) > 0);
}

/** What the schedule needs to know of an indicator (the catalogue row). */
export interface ScheduledIndicator {
  code: string;
  periodicity: Periodicity;
  /** Unit levels from the catalogue's `applies_to` (e.g. ['commune', 'province']). */
  appliesTo: readonly string[];
}

/** The periodicity an indicator is reported at under this schedule. */
export function effectivePeriodicity(
  indicator: { code: string; periodicity: Periodicity },
  schedule: Schedule,
): Periodicity {
  return (
    schedule.due.find((r) => r.indicator === indicator.code)?.periodicity ?? indicator.periodicity
  );
}

/**
 * The indicators a unit of `level` must report for `period`: those enabled, applying to the
 * level (catalogue `applies_to` unless the schedule overrides the levels) and reported at
 * the period's kind. Order follows `indicators`.
 */
export function dueIndicators<T extends ScheduledIndicator>(
  level: string,
  period: Period,
  schedule: Schedule,
  indicators: readonly T[],
): T[] {
  return indicators.filter((ind) => {
    const rule = schedule.due.find((r) => r.indicator === ind.code);
    if (rule && !rule.enabled) return false;
    const levels = rule?.levels ?? ind.appliesTo;
    if (!levels.includes(level)) return false;
    return (rule?.periodicity ?? ind.periodicity) === period.kind;
  });
}

/**
 * The period a report that names none goes to: the most recent period of this periodicity
 * that has ended and is not yet locked at `now`, otherwise the period in progress.
 * (Older periods lock before the most recent one, so only that one needs checking.)
 */
export function defaultPeriodFor(periodicity: Periodicity, now: Date, schedule: Schedule): Period {
  const current = periodAt(periodicity, now);
  const previous = previousPeriod(current);
  return now.getTime() < lockAt(previous, schedule).getTime() ? previous : current;
}

/**
 * The open period of each kind as typed (`T11/2026`, `Q4/2026`, `năm 2026`): the examples in
 * help and error texts (`{{month}}`, `{{quarter}}`, `{{year}}`), never a fixed year.
 */
export function examplePeriods(
  now: Date,
  schedule: Schedule,
): { month: string; quarter: string; year: string } {
  return {
    month: formatPeriod(defaultPeriodFor('month', now, schedule)),
    quarter: formatPeriod(defaultPeriodFor('quarter', now, schedule)),
    year: `năm ${defaultPeriodFor('year', now, schedule).year}`,
  };
}

/**
 * `at`, or the end of the quiet hours when `at` falls inside them (21:00–07:00 by default):
 * scheduled messages wait, they are never dropped.
 */
export function afterQuietHours(at: Date, schedule: Schedule): Date {
  const [fh, fm] = hhmm(schedule.quietHours.from);
  const [th, tm] = hhmm(schedule.quietHours.to);
  const from = fh * 60 + fm;
  const to = th * 60 + tm;
  if (from === to) return at;
  const p = vnDateParts(at);
  const minute = p.hour * 60 + p.minute;
  const inside = from < to ? minute >= from && minute < to : minute >= from || minute < to;
  if (!inside) return at;
  // The end of the quiet hours: today's `to` when still ahead, else tomorrow's.
  const day = from < to || minute < to ? p.day : p.day + 1;
  return vnInstant(p.year, p.month, day, th, tm);
}

/**
 * Calendar days from `now` to `deadline` in Asia/Ho_Chi_Minh: 0 on the deadline's day,
 * negative once it has passed ("còn 3 ngày", "quá hạn 2 ngày").
 */
export function daysLeft(deadline: Date, now: Date): number {
  const a = vnDateParts(now);
  const b = vnDateParts(deadline);
  return Math.round(
    (Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / DAY_MS,
  );
}
