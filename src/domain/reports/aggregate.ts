/**
 * Aggregates of a period's rows per indicator, as the province reads them: for a percentage,
 * the sum of the numerators over the sum of the denominators (never an average of
 * percentages); for a count, the sum; for a yes/no indicator, the share of "yes" among the
 * units that answered. Used by the wide export's province row and the dashboard's province page
 * (aggregatesOver: the same figures computed by the database over many periods at once).
 */
import { Prisma } from '../../db/generated/client.js';
import { NotFoundError, type DomainDb } from '../access.js';
import { formatPeriod, type Period } from '../periods.js';
import { dueIndicators, type Schedule } from '../schedule.js';
import type { IndicatorUnitKind } from '../submissions/figures.js';
import {
  overPeriodsQuery,
  rowsCatalogue,
  type PeriodRow,
  type RowsIndicator,
} from './period-rows.js';

export interface IndicatorAggregate {
  code: string;
  nameVi: string;
  nameEn: string;
  unit: IndicatorUnitKind;
  /** Units due and units that reported. */
  due: number;
  reported: number;
  /** Sums over the reported figures (percentages only; null otherwise). */
  numerator: number | null;
  denominator: number | null;
  /** Percent: 100 × Σnumerators / Σdenominators; count: Σvalues; boolean: % of "yes". */
  value: number | null;
}

type Accumulator = IndicatorAggregate & { sum: number; answered: number };

/** An indicator's aggregate before any row. */
const start = (
  i: Pick<IndicatorAggregate, 'code' | 'nameVi' | 'nameEn' | 'unit'>,
): Accumulator => ({
  code: i.code,
  nameVi: i.nameVi,
  nameEn: i.nameEn,
  unit: i.unit,
  due: 0,
  reported: 0,
  numerator: i.unit === 'percent' ? 0 : null,
  denominator: i.unit === 'percent' ? 0 : null,
  value: null,
  sum: 0,
  answered: 0,
});

/** One aggregate per indicator of the rows, in indicator code order. */
export function aggregateRows(rows: readonly PeriodRow[]): IndicatorAggregate[] {
  const by = new Map<string, Accumulator>();
  for (const r of rows) {
    let a = by.get(r.indicator.code);
    if (!a) by.set(r.indicator.code, (a = start(r.indicator)));
    a.due++;
    const f = r.figure;
    if (!f) continue;
    a.reported++;
    if (a.unit === 'percent') {
      if (f.numerator !== null && f.denominator !== null) {
        a.numerator! += f.numerator;
        a.denominator! += f.denominator;
      }
    } else if (f.value !== null) {
      a.sum += f.value;
      a.answered++;
    }
  }
  return finish([...by.values()]);
}

/** In code order, each with its value (see IndicatorAggregate.value). */
function finish(list: Accumulator[]): IndicatorAggregate[] {
  return list
    .sort((x, y) => (x.code < y.code ? -1 : x.code > y.code ? 1 : 0))
    .map(({ sum, answered, ...a }) => {
      const value =
        a.unit === 'percent'
          ? a.denominator
            ? (100 * a.numerator!) / a.denominator
            : null
          : answered === 0
            ? null
            : a.unit === 'count'
              ? sum
              : (100 * sum) / answered;
      return { ...a, value };
    });
}

/** The aggregates of one period of a subtree (see aggregatesOver). */
export interface PeriodAggregates {
  /** One per indicator due in the period, in code order: aggregateRows of its periodRows. */
  aggregates: IndicatorAggregate[];
  /** Figures due and figures in (every unit × indicator due). */
  due: number;
  reported: number;
  /** Per indicator, the highest unit level it is due from (province, district, commune). */
  levels: Map<string, string>;
}

interface GroupRow {
  forPeriod: string;
  level: string;
  code: string | null;
  /** 1 for the per-level row (units counted), 0 for a per-indicator row. */
  perLevel: number;
  units: number;
  reported: number;
  numerator: number | null;
  denominator: number | null;
  valueSum: number | null;
  answered: number;
}

const LEVELS = ['province', 'district', 'commune'];
const rank = (level: string) => (LEVELS.includes(level) ? LEVELS.indexOf(level) : 9);

/**
 * aggregateRows(periodRows(period)) for each of several periods of the subtree of
 * `rootUnitCode`, as one grouped query: the database counts the units in force per period and
 * level and sums the submitted figures per period, level and indicator; the indicators due
 * (schedule, levels) are applied here as periodRows applies them. Empty for a period in which
 * the root unit was not in force. The catalogue is read unless passed in.
 * @throws NotFoundError when the root unit is in force in none of the periods.
 */
export async function aggregatesOver(
  db: DomainDb,
  q: {
    periods: readonly Period[];
    schedule: Schedule;
    rootUnitCode: string;
    catalogue?: readonly RowsIndicator[];
  },
): Promise<PeriodAggregates[]> {
  if (q.periods.length === 0) return [];
  const both = Prisma.sql`s.numerator IS NOT NULL AND s.denominator IS NOT NULL`;
  const [groups, catalogue] = await Promise.all([
    db.$queryRaw<GroupRow[]>(
      overPeriodsQuery(
        q.periods,
        q.rootUnitCode.trim(),
        Prisma.sql`u.period AS "forPeriod", u.level::text AS level, s.indicator_code AS code,
          GROUPING(s.indicator_code)::int AS "perLevel", count(DISTINCT u.id)::int AS units,
          count(s.indicator_code)::int AS reported,
          (sum(s.numerator) FILTER (WHERE ${both}))::float8 AS numerator,
          (sum(s.denominator) FILTER (WHERE ${both}))::float8 AS denominator,
          sum(s.value)::float8 AS "valueSum", count(s.value)::int AS answered`,
        Prisma.sql`GROUP BY GROUPING SETS ((u.period, u.level), (u.period, u.level, s.indicator_code))`,
      ),
    ),
    q.catalogue ?? rowsCatalogue(db),
  ]);
  if (groups.length === 0) throw new NotFoundError('unit', q.rootUnitCode);
  const units = new Map<string, Map<string, number>>();
  const sums = new Map<string, GroupRow>();
  for (const g of groups) {
    if (g.perLevel === 1) {
      const m = units.get(g.forPeriod) ?? new Map<string, number>();
      m.set(g.level, g.units);
      units.set(g.forPeriod, m);
    } else if (g.code !== null) sums.set(`${g.forPeriod}|${g.level}|${g.code}`, g);
  }
  return q.periods.map((period) => {
    const periodText = formatPeriod(period);
    const byLevel = [...(units.get(periodText) ?? new Map<string, number>())].sort(
      ([a], [b]) => rank(a) - rank(b),
    );
    const by = new Map<string, Accumulator>();
    const levels = new Map<string, string>();
    let due = 0;
    let reported = 0;
    for (const [level, count] of byLevel) {
      for (const ind of dueIndicators(level, period, q.schedule, catalogue)) {
        if (!levels.has(ind.code)) levels.set(ind.code, level);
        let a = by.get(ind.code);
        if (!a) by.set(ind.code, (a = start(ind)));
        const g = sums.get(`${periodText}|${level}|${ind.code}`);
        a.due += count;
        due += count;
        if (!g) continue;
        a.reported += g.reported;
        reported += g.reported;
        if (a.unit === 'percent') {
          a.numerator! += g.numerator ?? 0;
          a.denominator! += g.denominator ?? 0;
        } else {
          a.sum += g.valueSum ?? 0;
          a.answered += g.answered;
        }
      }
    }
    return { aggregates: finish([...by.values()]), due, reported, levels };
  });
}
