/**
 * Aggregates of a period's rows per indicator, as the province reads them: for a percentage,
 * the sum of the numerators over the sum of the denominators (never an average of
 * percentages); for a count, the sum; for a yes/no indicator, the share of "yes" among the
 * units that answered. Used by the wide export's province row and the dashboard's province page.
 */
import type { IndicatorUnitKind } from '../submissions/figures.js';
import type { PeriodRow } from './period-rows.js';

export interface IndicatorAggregate {
  code: string;
  nameVi: string;
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

/** One aggregate per indicator of the rows, in indicator code order. */
export function aggregateRows(rows: readonly PeriodRow[]): IndicatorAggregate[] {
  const by = new Map<string, IndicatorAggregate & { sum: number; answered: number }>();
  for (const r of rows) {
    let a = by.get(r.indicator.code);
    if (!a) {
      a = {
        code: r.indicator.code,
        nameVi: r.indicator.nameVi,
        unit: r.indicator.unit,
        due: 0,
        reported: 0,
        numerator: r.indicator.unit === 'percent' ? 0 : null,
        denominator: r.indicator.unit === 'percent' ? 0 : null,
        value: null,
        sum: 0,
        answered: 0,
      };
      by.set(r.indicator.code, a);
    }
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
  return [...by.values()]
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
