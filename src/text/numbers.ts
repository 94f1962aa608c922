/**
 * Vietnamese number formats, in and out.
 *
 * Vietnamese writes `1.234.567,89` (dot thousands, comma decimal), but people also type the
 * English `85.3` or `1,234,567.89`. Reading rules, in order:
 * 1. Both `.` and `,` present: the last one is the decimal mark, the other groups thousands
 *    (groups must be 3 digits), so `1.234.567,89` and `1,234,567.89` both read 1234567.89.
 * 2. One mark used several times: thousands (`1.234.567`, `1,234,567`).
 * 3. One mark used once:
 *    - exactly 3 digits after it and 1–3 digits (not starting with 0) before it
 *      (`1.250`, `1,250`): **ambiguous** — 1250 (thousands) or 1.25 (decimal). We return both
 *      candidates and let the caller decide with what it knows about the indicator (a count
 *      must be whole, so 1250; a percentage must be 0–100, so 1.25 when the user typed `%`),
 *      and ask the user back when both remain possible;
 *    - `1.000`, `2,000`: thousands (nobody writes 2 as `2,000`);
 *    - otherwise a decimal mark (`85,3`, `85.3`, `0,125`, `1234,5`).
 * A trailing `%` sets `percent`; a leading `-` sets a negative value (callers reject it).
 */
import { vnDateParts } from './vn-clock.js';

/** A number read from user text. */
export type ParsedNumber =
  | { ambiguous: false; value: number; percent: boolean }
  | {
      ambiguous: true;
      /** [thousands reading, decimal reading], e.g. `1.250` → [1250, 1.25]. */
      candidates: readonly [number, number];
      percent: boolean;
    };

const NUMBER_RE = /^(-)?\s*(\d+(?:[.,]\d+)*)\s*(%)?$/;

/**
 * Read a Vietnamese- or English-formatted number such as `1.234.567,89`, `85,3%`, `85.3`,
 * `120`; undefined when the text is not a number (bad grouping like `1.23.4` included).
 */
export function parseNumberVi(text: string): ParsedNumber | undefined {
  const m = NUMBER_RE.exec(text.trim());
  if (!m) return undefined;
  const sign = m[1] ? -1 : 1;
  const percent = m[3] === '%';
  const body = m[2] ?? '';
  const read = readDigits(body);
  if (!read) return undefined;
  if (read.length === 2) {
    return { ambiguous: true, candidates: [sign * read[0], sign * read[1]], percent };
  }
  return { ambiguous: false, value: sign * read[0], percent };
}

/** One reading, or [thousands, decimal] when the text allows both. */
function readDigits(body: string): [number] | [number, number] | undefined {
  const dots = count(body, '.');
  const commas = count(body, ',');
  if (dots === 0 && commas === 0) return [Number(body)];
  if (dots > 0 && commas > 0) {
    const decimalMark = body.lastIndexOf('.') > body.lastIndexOf(',') ? '.' : ',';
    const groupMark = decimalMark === '.' ? ',' : '.';
    const [intPart, fracPart] = splitOnce(body, decimalMark);
    if (fracPart.includes(groupMark) || count(fracPart, decimalMark) > 0) return undefined;
    const int = readGrouped(intPart, groupMark);
    return int === undefined ? undefined : [Number(`${int}.${fracPart}`)];
  }
  const mark = dots > 0 ? '.' : ',';
  if (dots + commas > 1) {
    const int = readGrouped(body, mark);
    return int === undefined ? undefined : [Number(int)];
  }
  const [intPart, fracPart] = splitOnce(body, mark);
  const decimal = Number(`${intPart}.${fracPart}`);
  // `2.000` is never "2" written with three zeros: thousands.
  if (fracPart === '000' && intPart.length <= 3 && !intPart.startsWith('0')) {
    return [Number(intPart + fracPart)];
  }
  if (fracPart.length === 3 && intPart.length <= 3 && !intPart.startsWith('0')) {
    return [Number(intPart + fracPart), decimal];
  }
  return [decimal];
}

/** `1.234.567` with `.` → '1234567'; undefined unless every group after the first has 3 digits. */
function readGrouped(text: string, mark: string): string | undefined {
  const groups = text.split(mark);
  const [first, ...rest] = groups;
  if (first === undefined || first.length === 0 || first.length > 3 || first.startsWith('0')) {
    return rest.length === 0 ? first : undefined;
  }
  if (rest.some((g) => g.length !== 3)) return undefined;
  return groups.join('');
}

function count(s: string, ch: string): number {
  let n = 0;
  for (const c of s) if (c === ch) n++;
  return n;
}

function splitOnce(s: string, mark: string): [string, string] {
  const i = s.indexOf(mark);
  return [s.slice(0, i), s.slice(i + 1)];
}

/** Most digits after the decimal mark a figure may carry (the columns are Decimal(18, 4)). */
export const MAX_FIGURE_DECIMALS = 4;
/** Figures must stay below this (Decimal(18, 4) holds 14 integer digits); also below 2^53. */
export const MAX_FIGURE_EXCLUSIVE = 1e14;

/**
 * Why a number as typed cannot be stored exactly: more than {@link MAX_FIGURE_DECIMALS}
 * decimals (`61,23456`), or {@link MAX_FIGURE_EXCLUSIVE} or more (which also covers integers
 * beyond 2^53, where a JavaScript number stops being exact). Decided on the digits as typed,
 * never on a rounded float. Undefined when the number fits, or is not a number at all.
 * An ambiguous `1.250` fits in both readings.
 */
export function figureLimit(text: string): 'decimals' | 'tooLarge' | undefined {
  const m = NUMBER_RE.exec(text.trim());
  if (!m) return undefined;
  const body = m[2] ?? '';
  const shape = digitShape(body);
  if (!shape) return undefined;
  if (shape.decimals > MAX_FIGURE_DECIMALS) return 'decimals';
  // 10^14 has 15 integer digits.
  if (shape.intDigits >= 15) return 'tooLarge';
  return undefined;
}

/** Significant digits of an integer part (`007` has 1). */
function sig(int: string): number {
  let k = 0;
  while (k < int.length && int[k] === '0') k++;
  return int.length - k;
}

/** Significant integer digits and decimals of the reading with the most of each. */
function digitShape(body: string): { intDigits: number; decimals: number } | undefined {
  const dots = count(body, '.');
  const commas = count(body, ',');
  if (dots === 0 && commas === 0) return { intDigits: sig(body), decimals: 0 };
  if (dots > 0 && commas > 0) {
    const decimalMark = body.lastIndexOf('.') > body.lastIndexOf(',') ? '.' : ',';
    const [intPart, fracPart] = splitOnce(body, decimalMark);
    return { intDigits: sig(intPart.split(/[.,]/).join('')), decimals: fracPart.length };
  }
  const mark = dots > 0 ? '.' : ',';
  if (dots + commas > 1) return { intDigits: sig(body.split(mark).join('')), decimals: 0 };
  const [intPart, fracPart] = splitOnce(body, mark);
  const grouped = fracPart.length === 3 && intPart.length <= 3 && !intPart.startsWith('0');
  return {
    intDigits: grouped ? sig(intPart + fracPart) : sig(intPart),
    decimals: grouped && fracPart === '000' ? 0 : fracPart.length,
  };
}

/**
 * Pick the reading that `accept` allows: the value when unambiguous and accepted, the single
 * accepted candidate of an ambiguous number, `'ambiguous'` when both candidates are accepted
 * (ask the user), `'invalid'` when none is.
 */
export function resolveNumber(
  parsed: ParsedNumber,
  accept: (n: number) => boolean,
): number | 'ambiguous' | 'invalid' {
  if (!parsed.ambiguous) return accept(parsed.value) ? parsed.value : 'invalid';
  const ok = parsed.candidates.filter(accept);
  if (ok.length === 2) return 'ambiguous';
  return ok[0] ?? 'invalid';
}

export interface FormatNumberOptions {
  /** Most digits after the decimal comma (default 2); trailing zeros are dropped. */
  maxFractionDigits?: number;
  /** Group thousands with dots (default true). Off for quoting a number back unambiguously. */
  grouping?: boolean;
}

/** `65.5` → `65,5`; `1234567.891` → `1.234.567,89`. Vietnamese format for chat and exports. */
export function formatNumberVi(n: number, options: FormatNumberOptions = {}): string {
  const { maxFractionDigits = 2, grouping = true } = options;
  if (!Number.isFinite(n)) return String(n);
  const fixed = Math.abs(n).toFixed(maxFractionDigits);
  const [intPart = '0', fracRaw = ''] = fixed.split('.');
  const frac = fracRaw.replace(/0+$/, '');
  const int = grouping ? intPart.replace(/\B(?=(\d{3})+(?!\d))/g, '.') : intPart;
  const negative = n < 0 && (Number(intPart) !== 0 || frac.length > 0);
  return `${negative ? '-' : ''}${int}${frac ? `,${frac}` : ''}`;
}

/** `65.5` → `65,5%` (a percentage already on the 0–100 scale; 1 decimal by default). */
export function formatPercentVi(n: number, maxFractionDigits = 1): string {
  return `${formatNumberVi(n, { maxFractionDigits })}%`;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `dd/mm/yyyy` of the instant's calendar day in Asia/Ho_Chi_Minh. */
export function formatDateVi(date: Date): string {
  const p = vnDateParts(date);
  return `${pad2(p.day)}/${pad2(p.month)}/${p.year}`;
}

/** `HH:mm dd/mm/yyyy` in Asia/Ho_Chi_Minh, e.g. `17:00 05/11/2025` for deadlines. */
export function formatDateTimeVi(date: Date): string {
  const p = vnDateParts(date);
  return `${pad2(p.hour)}:${pad2(p.minute)} ${formatDateVi(date)}`;
}
