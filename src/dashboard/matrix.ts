/**
 * The completeness matrix of one period: units × indicators due, each cell in one state —
 * on time, late, missing (deadline passed), not yet due (deadline ahead), not applicable — and,
 * where a figure meets or misses its target, that too. Counts per row and per column.
 */
import type { PeriodRow } from '../domain/reports/index.js';
import type { FigureData, IndicatorUnitKind } from '../domain/submissions/figures.js';
import type { PageTexts } from './format.js';

export type CellState = 'ok' | 'late' | 'missing' | 'pending' | 'na';

export interface MatrixCell {
  state: CellState;
  /** The figure as shown ("65/100 (65%)", "12", "có", "không phát sinh"), or ''. */
  value: string;
  /** true: meets the target; false: below it; null: no figure, or no target. */
  meets: boolean | null;
}

export interface MatrixRow {
  unit: { id: string; code: string; name: string; level: string };
  cells: MatrixCell[];
  due: number;
  reported: number;
  late: number;
  missing: number;
}

export interface Matrix {
  indicators: { code: string; name: string }[];
  rows: MatrixRow[];
  /** Per indicator column: units due and units reported. */
  columns: { due: number; reported: number }[];
}

const collator = new Intl.Collator('vi', { sensitivity: 'base', numeric: true });

/** Figures not in (missing or not yet due) plus figures in late: "problems first" order. */
const problems = (r: MatrixRow): number => r.due - r.reported + r.late;

/** A figure of an indicator of this kind as people read it ('' when there is none). */
export function figureText(
  kind: IndicatorUnitKind,
  f: FigureData | null,
  x: Pick<PageTexts, 't' | 'num' | 'pct'>,
): string {
  if (!f) return '';
  if (kind === 'boolean') return x.t(f.value === 1 ? 'figure.yes' : 'figure.no');
  if (f.numerator === 0 && f.denominator === 0) return x.t('figure.nothingArose');
  if (kind === 'percent') {
    if (f.numerator !== null && f.denominator !== null && f.value !== null)
      return `${x.num(f.numerator)}/${x.num(f.denominator)} (${x.pct(f.value)})`;
    return f.value === null ? '' : x.pct(f.value);
  }
  return f.value === null ? '' : x.num(f.value);
}

/**
 * Build the matrix from a period's rows (see periodRows). `deadlinePassed`: whether the
 * period's deadline is behind us (a missing figure is then "missing", else "not yet due").
 */
export function buildMatrix(
  rows: readonly PeriodRow[],
  opts: {
    deadlinePassed: boolean;
    problemsFirst?: boolean;
    indicator?: string;
    texts: Pick<PageTexts, 't' | 'num' | 'pct' | 'name'>;
  },
): Matrix {
  const indicatorNames = new Map<string, string>();
  for (const r of rows) indicatorNames.set(r.indicator.code, opts.texts.name(r.indicator));
  const codes = [...indicatorNames.keys()]
    .filter((c) => !opts.indicator || c === opts.indicator)
    .sort();
  const byUnit = new Map<string, { unit: MatrixRow['unit']; rows: Map<string, PeriodRow> }>();
  for (const r of rows) {
    const u = byUnit.get(r.unit.id) ?? { unit: r.unit, rows: new Map<string, PeriodRow>() };
    u.rows.set(r.indicator.code, r);
    byUnit.set(r.unit.id, u);
  }
  const columns = codes.map(() => ({ due: 0, reported: 0 }));
  const out: MatrixRow[] = [];
  for (const { unit, rows: mine } of byUnit.values()) {
    const row: MatrixRow = { unit, cells: [], due: 0, reported: 0, late: 0, missing: 0 };
    codes.forEach((code, i) => {
      const r = mine.get(code);
      const col = columns[i]!;
      if (!r) {
        row.cells.push({ state: 'na', value: '', meets: null });
        return;
      }
      row.due++;
      col.due++;
      if (r.figure) {
        row.reported++;
        col.reported++;
        const late = r.onTime === false;
        if (late) row.late++;
        row.cells.push({
          state: late ? 'late' : 'ok',
          value: figureText(r.indicator.unit, r.figure, opts.texts),
          meets: r.target?.met ?? null,
        });
      } else {
        const state: CellState = opts.deadlinePassed ? 'missing' : 'pending';
        if (state === 'missing') row.missing++;
        row.cells.push({ state, value: '', meets: null });
      }
    });
    if (row.due > 0) out.push(row);
  }
  out.sort(
    (a, b) =>
      (opts.problemsFirst ? problems(b) - problems(a) : 0) ||
      collator.compare(a.unit.name, b.unit.name),
  );
  return {
    indicators: codes.map((code) => ({ code, name: indicatorNames.get(code) ?? code })),
    rows: out,
    columns,
  };
}
