/**
 * The figure of one (unit, indicator, period): numerator and denominator where the indicator
 * is a percentage (the value is derived so aggregates can sum them), a bare value otherwise.
 * Validation here is the last line of defence: the chat parser validates first, but the CLI,
 * imports and future channels all end up here.
 */
import { ValidationError } from '../access.js';

export type IndicatorUnitKind = 'percent' | 'count' | 'boolean';

/** Stored figure, as plain numbers (Decimal(18,4) columns converted). */
export interface FigureData {
  numerator: number | null;
  denominator: number | null;
  value: number | null;
  note: string | null;
}

/** What a caller submits for one indicator. */
export interface FigureInput {
  numerator?: number | null;
  denominator?: number | null;
  value?: number | null;
  note?: string | null;
}

/** The note stored with a bare percentage (no numerator/denominator given). */
export const BARE_PERCENT_NOTE = 'numerator/denominator missing';

/** Prisma Decimal (or null) to a JS number (or null). */
export function num(d: { toString(): string } | number | null | undefined): number | null {
  if (d === null || d === undefined) return null;
  const n = typeof d === 'number' ? d : Number(d.toString());
  return Number.isFinite(n) ? n : null;
}

/** Round to the 4 decimals the columns keep, so what we return equals what we store. */
export function round4(n: number): number {
  return Math.round(n * 10_000) / 10_000;
}

function isNum(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n);
}

/**
 * Validate and complete a figure for an indicator of the given unit kind.
 * - percent: numerator and denominator (0 <= n <= d, d > 0) -> value = n/d*100; 0/0 (no
 *   dossiers, see {@link isNoDossiers}) -> no value; or a bare
 *   value 0..100 stored with {@link BARE_PERCENT_NOTE}.
 * - count: a non-negative whole value.
 * - boolean: 1 (yes) or 0 (no).
 * @throws ValidationError naming what is wrong (locale key + vars for the chat reply).
 */
export function normalizeFigure(
  code: string,
  kind: IndicatorUnitKind,
  input: FigureInput,
): FigureData {
  const note = input.note?.trim() ? input.note.trim() : null;
  const { numerator: n, denominator: d, value: v } = input;
  if (kind === 'percent') {
    if (isNum(n) || isNum(d)) {
      if (!isNum(n) || !isNum(d)) {
        throw new ValidationError(
          `${code}: numerator and denominator go together`,
          'domain.errors.fraction',
          { code },
        );
      }
      // 0/0: no dossiers of the kind this period ("không phát sinh") — reported, no value,
      // left out of aggregates and target checks.
      if (n === 0 && d === 0) return { numerator: 0, denominator: 0, value: null, note };
      if (n < 0 || d <= 0 || n > d) {
        throw new ValidationError(
          `${code}: need 0 <= numerator <= denominator, denominator > 0`,
          'domain.errors.fractionRange',
          { code, numerator: n, denominator: d },
        );
      }
      return { numerator: round4(n), denominator: round4(d), value: round4((n / d) * 100), note };
    }
    if (!isNum(v))
      throw new ValidationError(`${code}: no value`, 'domain.errors.noValue', { code });
    if (v < 0 || v > 100) {
      throw new ValidationError(`${code}: a percentage is 0..100`, 'domain.errors.percentRange', {
        code,
        value: v,
      });
    }
    return {
      numerator: null,
      denominator: null,
      value: round4(v),
      note: note ?? BARE_PERCENT_NOTE,
    };
  }
  if (isNum(n) || isNum(d)) {
    throw new ValidationError(`${code}: not a percentage`, 'domain.errors.notFraction', { code });
  }
  if (!isNum(v)) throw new ValidationError(`${code}: no value`, 'domain.errors.noValue', { code });
  if (kind === 'count' && (v < 0 || !Number.isInteger(v))) {
    throw new ValidationError(
      `${code}: a count is a whole number >= 0`,
      'domain.errors.countRange',
      { code, value: v },
    );
  }
  if (kind === 'boolean' && v !== 0 && v !== 1) {
    throw new ValidationError(`${code}: yes (1) or no (0)`, 'domain.errors.booleanRange', {
      code,
      value: v,
    });
  }
  return { numerator: null, denominator: null, value: v, note };
}

/** 0/0: the unit had no dossiers of the kind in the period ("không phát sinh"). */
export function isNoDossiers(f: Pick<FigureData, 'numerator' | 'denominator'>): boolean {
  return f.numerator === 0 && f.denominator === 0;
}

/** True when a percent figure lacks numerator/denominator (left out of aggregates). */
export function isBarePercent(kind: IndicatorUnitKind, f: FigureData): boolean {
  return kind === 'percent' && f.value !== null && (f.numerator === null || f.denominator === null);
}

/** Read the figure columns of a Submission row. */
export function figureOf(row: {
  numerator: { toString(): string } | null;
  denominator: { toString(): string } | null;
  value: { toString(): string } | null;
  note: string | null;
}): FigureData {
  return {
    numerator: num(row.numerator),
    denominator: num(row.denominator),
    value: num(row.value),
    note: row.note,
  };
}
