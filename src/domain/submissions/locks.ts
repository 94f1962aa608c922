/**
 * Locks belong to (unit, period): computed from the schedule (deadline + lock delay) and lifted
 * by a PeriodReopen row until its `until`. Reopening is for managers of the unit's subtree and
 * admins, and is audited.
 */
import type { PeriodReopen } from '../../db/generated/client.js';
import {
  AccessError,
  ValidationError,
  actorLabel,
  actorPersonId,
  canManageUnit,
  findUnitByCode,
  inTransaction,
  reopenersOf,
  type Actor,
  type DomainDb,
} from '../access.js';
import { audit } from '../audit.js';
import { formatPeriod, parsePeriod, periodStart, type Period } from '../periods.js';
import { isLocked, lockAt, reopenUntil, type Reopen, type Schedule } from '../schedule.js';
import { LockedError } from './errors.js';

/** Reopens recorded for one unit and period (canonical string), as the schedule module wants them. */
export async function reopensOf(db: DomainDb, unitId: string, period: Period): Promise<Reopen[]> {
  const rows = await db.periodReopen.findMany({
    where: { unitId, period: formatPeriod(period) },
    select: { until: true },
  });
  return rows.map((r) => ({ unitId, period, until: r.until }));
}

/** Whether (unit, period) is locked at `now`, taking reopens into account. */
export async function isUnitPeriodLocked(
  db: DomainDb,
  unitId: string,
  period: Period,
  now: Date,
  schedule: Schedule,
): Promise<boolean> {
  if (now.getTime() < lockAt(period, schedule).getTime()) return false;
  return isLocked(unitId, period, now, await reopensOf(db, unitId, period), schedule);
}

/**
 * Throw a LockedError (naming who can reopen) when (unit, period) is locked at `now`.
 */
export async function assertOpen(
  db: DomainDb,
  unit: { id: string; name: string },
  period: Period,
  now: Date,
  schedule: Schedule,
): Promise<void> {
  if (await isUnitPeriodLocked(db, unit.id, period, now, schedule)) {
    throw new LockedError(
      unit,
      formatPeriod(period),
      lockAt(period, schedule),
      await reopenersOf(db, unit.id),
    );
  }
}

export interface ReopenInput {
  unitCode: string;
  /** A Period or any form parsePeriod accepts ('Q3/2025', 'T10/2025'). */
  period: Period | string;
  /** Default: now + the schedule's reopen grace. */
  until?: Date;
  by: Actor;
  now: Date;
  schedule: Schedule;
}

/**
 * Lift the lock of one unit's period until `until`. Only a manager of the unit's subtree or an
 * admin may. Reopening a period that has not locked yet is allowed (it extends the window
 * past the lock), but `until` must be in the future.
 * @throws NotFoundError unknown unit; ValidationError bad period or `until` in the past;
 *   AccessError when `by` may not manage the unit.
 */
export async function reopenPeriod(db: DomainDb, input: ReopenInput): Promise<PeriodReopen> {
  const period =
    typeof input.period === 'string' ? parsePeriod(input.period, input.now) : input.period;
  if (!period) {
    throw new ValidationError(`bad period '${String(input.period)}'`, 'domain.errors.badPeriod', {
      period: input.period,
    });
  }
  const until = input.until ?? reopenUntil(input.now, input.schedule);
  if (until.getTime() <= input.now.getTime()) {
    throw new ValidationError('reopen until must be in the future', 'domain.errors.untilPast');
  }
  if (periodStart(period).getTime() > input.now.getTime()) {
    throw new ValidationError('period has not started', 'domain.errors.periodNotStarted', {
      period: formatPeriod(period),
    });
  }
  return inTransaction(db, async (tx) => {
    const unit = await findUnitByCode(tx, input.unitCode, input.now);
    if (!(await canManageUnit(tx, input.by, unit.id))) {
      throw new AccessError(`not a manager of ${unit.code}`, 'domain.errors.notManager', {
        unit: unit.name,
      });
    }
    const row = await tx.periodReopen.create({
      data: {
        unitId: unit.id,
        period: formatPeriod(period),
        until,
        byPersonId: actorPersonId(input.by),
        createdAt: input.now,
      },
    });
    await audit(tx, {
      actor: actorLabel(input.by),
      action: 'period.reopen',
      entity: 'period_reopen',
      entityId: row.id,
      at: input.now,
      data: { unitId: unit.id, unitCode: unit.code, period: row.period, until },
    });
    return row;
  });
}

/** An active figure that can still be withdrawn or corrected. */
export interface OpenFigure {
  unitId: string;
  indicatorCode: string;
  period: Period;
}

/**
 * The active figures of these units whose (unit, period) is not locked at `now` (reopened
 * ones included), newest period first. Periods that started more than `lookbackDays` ago are
 * not considered (a lock always comes within weeks of a period's end).
 */
export async function openFigures(
  db: DomainDb,
  input: { unitIds: readonly string[]; now: Date; schedule: Schedule; lookbackDays?: number },
): Promise<OpenFigure[]> {
  const since = new Date(input.now.getTime() - (input.lookbackDays ?? 400) * 86_400_000);
  const rows = await db.submission.findMany({
    where: { unitId: { in: [...input.unitIds] }, status: 'active', periodStart: { gte: since } },
    select: { unitId: true, indicatorCode: true, period: true },
    orderBy: [{ periodStart: 'desc' }, { indicatorCode: 'asc' }],
  });
  const open = new Map<string, boolean>();
  const out: OpenFigure[] = [];
  for (const r of rows) {
    const period = parsePeriod(r.period, input.now);
    if (!period) continue;
    const key = `${r.unitId}|${r.period}`;
    let isOpen = open.get(key);
    if (isOpen === undefined) {
      isOpen = !(await isUnitPeriodLocked(db, r.unitId, period, input.now, input.schedule));
      open.set(key, isOpen);
    }
    if (isOpen) out.push({ unitId: r.unitId, indicatorCode: r.indicatorCode, period });
  }
  return out;
}
