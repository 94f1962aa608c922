/**
 * How figures, targets, periods and deadlines read in chat: one short line per indicator,
 * Vietnamese number format (65,5%, 1.234) in Vietnamese, English format in English, dates
 * dd/mm/yyyy in Asia/Ho_Chi_Minh.
 */
import type { Locale, Translate } from '../../src/core/handler.js';
import { formatPeriod, type Period } from '../../src/domain/periods.js';
import { evaluateTarget, type TargetEvaluation } from '../../src/domain/submissions/index.js';
import { formatNumberVi } from '../../src/text/numbers.js';
import type { ReportIndicator } from './env.js';

/** A figure as the handlers carry it (a parsed item, a stored row or a draft). */
export interface FigureView {
  numerator?: number | null;
  denominator?: number | null;
  value?: number | null;
}

/** A number in the reader's format: `1.234,5` (vi) or `1,234.5` (en). */
export function formatNumber(locale: Locale, n: number, maxFractionDigits = 2): string {
  const vi = formatNumberVi(n, { maxFractionDigits });
  if (locale === 'vi') return vi;
  return vi.replace(/[.,]/g, (c) => (c === '.' ? ',' : '.'));
}

/** A percentage with at most one decimal: `65,5%`. */
export function formatPercent(locale: Locale, n: number): string {
  return `${formatNumber(locale, n, 1)}%`;
}

/** `≥60%`, `>50%` (percent) or `≥1` (count). */
export function formatTarget(
  locale: Locale,
  ind: ReportIndicator,
  op: string,
  target: number,
): string {
  const sign = op === '>' ? '>' : '≥';
  return ind.unit === 'percent'
    ? `${sign}${formatPercent(locale, target)}`
    : `${sign}${formatNumber(locale, target)}`;
}

/** Decimals a stored figure can have (Decimal(18, 4)): the echo shows every one of them. */
export const STORED_DECIMALS = 4;

/**
 * The value part of a line: `120/150 (80%)`, `98/120 (≈81,7%)`, `61,25%`, `25`, `có`. What the
 * person typed and what is stored is shown with every decimal (`61,2345%`); a percentage
 * derived from a fraction is rounded for reading and marked `≈` when rounding hid digits.
 */
export function formatFigure(
  t: Translate,
  locale: Locale,
  ind: ReportIndicator,
  f: FigureView,
): string {
  const value = f.value ?? null;
  if (ind.unit === 'boolean') return value === 1 ? t('report.yes') : t('report.no');
  if (ind.unit === 'count')
    return value === null ? '—' : formatNumber(locale, value, STORED_DECIMALS);
  if (f.numerator === 0 && f.denominator === 0) return t('report.noDossiers');
  if (f.numerator != null && f.denominator != null) {
    const pct = value ?? (f.numerator * 100) / f.denominator;
    const shown = formatPercent(locale, pct);
    const exact = formatNumber(locale, pct, STORED_DECIMALS) === formatNumber(locale, pct, 1);
    return `${formatNumber(locale, f.numerator, STORED_DECIMALS)}/${formatNumber(locale, f.denominator, STORED_DECIMALS)} (${exact ? '' : '≈'}${shown})`;
  }
  return value === null ? '—' : `${formatNumber(locale, value, STORED_DECIMALS)}%`;
}

/** The target in force for the unit's level in the period's year, with the figure against it. */
export function targetOf(
  ind: ReportIndicator,
  level: string,
  period: Period,
  value: number | null,
): TargetEvaluation | null {
  return evaluateTarget(ind, level, period.year, value);
}

/** `đạt chỉ tiêu >50%`, `chưa đạt chỉ tiêu ≥60%`, `chỉ tiêu ≥60%`, `chưa có chỉ tiêu`. */
export function formatTargetNote(
  t: Translate,
  locale: Locale,
  ind: ReportIndicator,
  ev: TargetEvaluation | null,
): string {
  if (!ev) return t('report.target.none');
  const target = ind.unit === 'boolean' ? '' : ` ${formatTarget(locale, ind, ev.op, ev.target)}`;
  if (ev.met === true) return t('report.target.met', { target }).trimEnd();
  if (ev.met === false) return t('report.target.notMet', { target }).trimEnd();
  return t('report.target.is', { target }).trimEnd();
}

/** One confirmation/receipt line: `HSTT: 120/150 (80%) — đạt chỉ tiêu >50%`. */
export function formatLine(
  t: Translate,
  locale: Locale,
  ind: ReportIndicator,
  level: string,
  period: Period,
  f: FigureView,
): string {
  if (f.numerator === 0 && f.denominator === 0) return `${ind.code}: ${t('report.noDossiers')}`;
  const ev = targetOf(ind, level, period, f.value ?? null);
  return `${ind.code}: ${formatFigure(t, locale, ind, f)} — ${formatTargetNote(t, locale, ind, ev)}`;
}

/** The indicator's display name in the reader's language. */
export function indicatorName(locale: Locale, ind: ReportIndicator): string {
  return locale === 'en' && ind.nameEn ? ind.nameEn : ind.nameVi;
}

/** Canonical period text: `T10/2025`, `Q3/2025`, `năm 2025` (`year 2025` in English). */
export function periodText(locale: Locale, p: Period): string {
  const s = formatPeriod(p);
  return locale === 'en' && p.kind === 'year' ? `year ${p.year}` : s;
}

export { formatDeadline } from '../../src/services/manager-actions.js';
