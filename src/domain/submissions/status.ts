/**
 * A unit's own status for the current periods (what `/trangthai` shows): each indicator due,
 * submitted or missing, value against the target in force, deadline and days left.
 */
import { NotFoundError, type DomainDb } from '../access.js';
import { formatPeriod, type Period } from '../periods.js';
import {
  daysLeft,
  deadlineOf,
  defaultPeriodFor,
  dueIndicators,
  effectivePeriodicity,
  isLocked,
  lockAt,
  type Schedule,
} from '../schedule.js';
import { figureOf, type FigureData, type IndicatorUnitKind } from './figures.js';
import { evaluateTarget, type TargetEvaluation } from './targets.js';

export interface UnitStatusItem {
  indicator: { code: string; nameVi: string; nameEn: string; unit: IndicatorUnitKind };
  period: Period;
  /** Canonical, e.g. 'T10/2025'. */
  periodText: string;
  deadline: Date;
  /** Calendar days to the deadline in Asia/Ho_Chi_Minh (negative: overdue). */
  daysLeft: number;
  locked: boolean;
  submitted: boolean;
  figure: FigureData | null;
  firstSubmittedAt: Date | null;
  lastSubmittedAt: Date | null;
  /** Submitted no later than the deadline (null when not submitted). */
  onTime: boolean | null;
  /** Target in force and whether the figure meets it; null: no target ("chưa có chỉ tiêu"). */
  target: TargetEvaluation | null;
}

export interface UnitStatus {
  unit: { id: string; code: string; name: string; level: string };
  items: UnitStatusItem[];
  submitted: number;
  missing: number;
}

/**
 * Status of the unit for the current period of each indicator it reports: the period a report
 * naming no period would go to (most recent ended and not locked, else the one in progress).
 * Items are ordered by deadline, then indicator code.
 */
export async function getUnitStatus(
  db: DomainDb,
  input: { unitId: string; now: Date; schedule: Schedule },
): Promise<UnitStatus> {
  const unit = await db.unit.findUnique({ where: { id: input.unitId } });
  if (!unit) throw new NotFoundError('unit', input.unitId);
  const indicators = await db.indicator.findMany({
    include: { targets: true },
    orderBy: { code: 'asc' },
  });
  const wanted: Array<{ ind: (typeof indicators)[number]; period: Period }> = [];
  for (const ind of indicators) {
    const period = defaultPeriodFor(
      effectivePeriodicity(ind, input.schedule),
      input.now,
      input.schedule,
    );
    if (dueIndicators(unit.level, period, input.schedule, [ind]).length > 0)
      wanted.push({ ind, period });
  }
  const periodTexts = [...new Set(wanted.map((w) => formatPeriod(w.period)))];
  const [subs, reopens] = await Promise.all([
    db.submission.findMany({
      where: { unitId: unit.id, period: { in: periodTexts }, status: 'active' },
    }),
    db.periodReopen.findMany({ where: { unitId: unit.id, period: { in: periodTexts } } }),
  ]);
  const subByKey = new Map(subs.map((s) => [`${s.indicatorCode}|${s.period}`, s]));
  const items: UnitStatusItem[] = wanted.map(({ ind, period }) => {
    const periodText = formatPeriod(period);
    const sub = subByKey.get(`${ind.code}|${periodText}`);
    const deadline = deadlineOf(period, input.schedule);
    const figure = sub ? figureOf(sub) : null;
    const locked =
      input.now.getTime() >= lockAt(period, input.schedule).getTime() &&
      isLocked(
        unit.id,
        period,
        input.now,
        reopens
          .filter((r) => r.period === periodText)
          .map((r) => ({ unitId: unit.id, period, until: r.until })),
        input.schedule,
      );
    return {
      indicator: {
        code: ind.code,
        nameVi: ind.nameVi,
        nameEn: ind.nameEn,
        unit: ind.unit as IndicatorUnitKind,
      },
      period,
      periodText,
      deadline,
      daysLeft: daysLeft(deadline, input.now),
      locked,
      submitted: sub !== undefined,
      figure,
      firstSubmittedAt: sub?.firstSubmittedAt ?? null,
      lastSubmittedAt: sub?.lastSubmittedAt ?? null,
      onTime: sub ? sub.firstSubmittedAt.getTime() <= deadline.getTime() : null,
      target: evaluateTarget(
        { targets: ind.targets.map((t) => ({ ...t, level: t.level as string })) },
        unit.level,
        period.year,
        figure?.value ?? null,
      ),
    };
  });
  items.sort(
    (a, b) =>
      a.deadline.getTime() - b.deadline.getTime() ||
      a.indicator.code.localeCompare(b.indicator.code),
  );
  const submitted = items.filter((i) => i.submitted).length;
  return {
    unit: { id: unit.id, code: unit.code, name: unit.name, level: unit.level },
    items,
    submitted,
    missing: items.length - submitted,
  };
}
