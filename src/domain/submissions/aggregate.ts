/**
 * Aggregates over units: a percentage over several units is the sum of numerators over the
 * sum of denominators (not the mean of percentages). Bare percentages (no numerator and
 * denominator) cannot be weighted, so they are left out and flagged.
 */
import type { DomainDb } from '../access.js';
import { formatPeriod, type Period } from '../periods.js';
import {
  figureOf,
  isBarePercent,
  round4,
  type FigureData,
  type IndicatorUnitKind,
} from './figures.js';

export interface Aggregate {
  /** Sum of numerators (percent) or of values (count, boolean = number of "yes"). */
  numerator: number | null;
  denominator: number | null;
  /** numerator / denominator * 100 for percent; the sum for count/boolean. */
  value: number | null;
  /** Units whose figure went into the aggregate. */
  included: number;
  /** Units with a bare percentage, left out (show them flagged). */
  excludedBare: string[];
}

/** Aggregate figures keyed by unit id (pure). */
export function aggregateFigures(
  kind: IndicatorUnitKind,
  figures: ReadonlyArray<{ unitId: string; figure: FigureData }>,
): Aggregate {
  const excludedBare: string[] = [];
  let n = 0;
  let d = 0;
  let included = 0;
  for (const { unitId, figure } of figures) {
    if (isBarePercent(kind, figure)) {
      excludedBare.push(unitId);
      continue;
    }
    if (kind === 'percent') {
      if (figure.numerator === null || figure.denominator === null) continue;
      n += figure.numerator;
      d += figure.denominator;
    } else {
      if (figure.value === null) continue;
      n += figure.value;
    }
    included++;
  }
  if (included === 0)
    return { numerator: null, denominator: null, value: null, included, excludedBare };
  if (kind === 'percent') {
    return {
      numerator: round4(n),
      denominator: round4(d),
      value: d > 0 ? round4((n / d) * 100) : null,
      included,
      excludedBare,
    };
  }
  return { numerator: round4(n), denominator: null, value: round4(n), included, excludedBare };
}

/** Aggregate the active figures of `unitIds` for one indicator and period. */
export async function aggregateOverUnits(
  db: DomainDb,
  input: { unitIds: readonly string[]; indicatorCode: string; period: Period },
): Promise<Aggregate> {
  const ind = await db.indicator.findUnique({ where: { code: input.indicatorCode } });
  const rows = await db.submission.findMany({
    where: {
      unitId: { in: [...input.unitIds] },
      indicatorCode: input.indicatorCode,
      period: formatPeriod(input.period),
      status: 'active',
    },
  });
  return aggregateFigures(
    (ind?.unit ?? 'percent') as IndicatorUnitKind,
    rows.map((r) => ({ unitId: r.unitId, figure: figureOf(r) })),
  );
}
