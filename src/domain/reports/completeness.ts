/**
 * Completeness and timeliness per unit for one period (the `status` command and managers'
 * overviews): how many indicators were due, reported, reported on time, late and missing.
 */
import type { DomainDb } from '../access.js';
import { formatPeriod } from '../periods.js';
import { periodRows, type PeriodRow, type PeriodRowsQuery } from './period-rows.js';

export interface UnitCompleteness {
  unitCode: string;
  unitName: string;
  level: string;
  due: number;
  submitted: number;
  onTime: number;
  late: number;
  missing: number;
  /** submitted / due, 0..1 (1 when nothing is due). */
  completeness: number;
  /** onTime / due, 0..1. */
  timeliness: number;
  /** Codes of the indicators still missing. */
  missingCodes: string[];
}

export interface CompletenessReport {
  period: string;
  units: UnitCompleteness[];
  total: Omit<UnitCompleteness, 'unitCode' | 'unitName' | 'level' | 'missingCodes'> & {
    units: number;
  };
}

/** Summarise period rows per unit (pure; rows as returned by periodRows, in their order). */
export function summarise(period: string, rows: readonly PeriodRow[]): CompletenessReport {
  const byUnit = new Map<string, UnitCompleteness>();
  for (const r of rows) {
    let u = byUnit.get(r.unit.id);
    if (!u) {
      u = {
        unitCode: r.unit.code,
        unitName: r.unit.name,
        level: r.unit.level,
        due: 0,
        submitted: 0,
        onTime: 0,
        late: 0,
        missing: 0,
        completeness: 1,
        timeliness: 1,
        missingCodes: [],
      };
      byUnit.set(r.unit.id, u);
    }
    u.due++;
    if (r.figure) {
      u.submitted++;
      if (r.onTime) u.onTime++;
      else u.late++;
    } else {
      u.missing++;
      u.missingCodes.push(r.indicator.code);
    }
  }
  const units = [...byUnit.values()];
  const total = {
    units: units.length,
    due: 0,
    submitted: 0,
    onTime: 0,
    late: 0,
    missing: 0,
    completeness: 1,
    timeliness: 1,
  };
  for (const u of units) {
    u.completeness = u.due === 0 ? 1 : u.submitted / u.due;
    u.timeliness = u.due === 0 ? 1 : u.onTime / u.due;
    total.due += u.due;
    total.submitted += u.submitted;
    total.onTime += u.onTime;
    total.late += u.late;
    total.missing += u.missing;
  }
  total.completeness = total.due === 0 ? 1 : total.submitted / total.due;
  total.timeliness = total.due === 0 ? 1 : total.onTime / total.due;
  return { period, units, total };
}

/** Completeness of every unit in force (or one subtree) for a period. */
export async function periodCompleteness(
  db: DomainDb,
  q: PeriodRowsQuery,
): Promise<CompletenessReport> {
  const rows = await periodRows(db, q);
  return summarise(formatPeriod(q.period), rows);
}
