/**
 * Loads the indicator catalogue CSV (prisma/seed/indicators.csv format) as parser input, for
 * tests, the benchmark and any caller without a database at hand.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { PERIOD_KINDS, type Periodicity } from '../domain/periods.js';
import type { IndicatorDef, IndicatorUnit } from './types.js';

const UNITS: readonly IndicatorUnit[] = ['percent', 'count', 'boolean'];

/** A catalogue row with what both the parser and the schedule need. */
export type CatalogueIndicator = IndicatorDef & { nameEn: string; appliesTo: string[] };

/**
 * Read `code,name_vi,name_en,unit,…,periodicity,applies_to,…,aliases` rows. Aliases and levels
 * are `|`/`;`-separated. Throws with the line number on a row it cannot use.
 */
export function indicatorDefsFromCsv(path: string): CatalogueIndicator[] {
  const rows = parse(readFileSync(path, 'utf8'), {
    columns: true,
    skip_empty_lines: true,
    trim: true,
  }) as Record<string, string | undefined>[];
  return rows.map((row, i) => {
    const line = i + 2;
    const code = row.code ?? '';
    const unit = row.unit as IndicatorUnit;
    const periodicity = row.periodicity as Periodicity;
    if (!/^[A-Z0-9_]+$/.test(code)) throw new Error(`${path}:${line}: bad code '${code}'`);
    if (!UNITS.includes(unit)) throw new Error(`${path}:${line}: bad unit '${row.unit}'`);
    if (!PERIOD_KINDS.includes(periodicity)) {
      throw new Error(`${path}:${line}: bad periodicity '${row.periodicity}'`);
    }
    const split = (s: string | undefined, sep: RegExp): string[] =>
      (s ?? '')
        .split(sep)
        .map((x) => x.trim())
        .filter(Boolean);
    return {
      code,
      nameVi: row.name_vi ?? '',
      nameEn: row.name_en ?? '',
      unit,
      periodicity,
      numeratorLabel: row.numerator_vi || null,
      denominatorLabel: row.denominator_vi || null,
      appliesTo: split(row.applies_to, /[;|]/),
      aliases: split(row.aliases, /\|/),
    };
  });
}
