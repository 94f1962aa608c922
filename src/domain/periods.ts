/**
 * Reporting periods: months, quarters, halves and years, always in Asia/Ho_Chi_Minh.
 *
 * Vietnam has used UTC+7 without daylight saving since 1975, so local wall-clock times are
 * computed with explicit offset arithmetic (never the process time zone): a local instant
 * `y-m-d h:mi` is `Date.UTC(y, m - 1, d, h, mi) - 7 h`.
 *
 * Canonical printed forms (what the bot echoes and what exports contain):
 *   month `T10/2025`, quarter `Q3/2025`, first half `6T/2025`, second half `6TC/2025`
 *   ("6 tháng cuối"), year `năm 2025`.
 * A stable ASCII id for storage is also provided (`2025-M10`, `2025-Q3`, `2025-H2`, `2025-Y`).
 */
import { VN_OFFSET_MS, vnDateParts } from '../text/vn-clock.js';

export { VN_OFFSET_MS, vnDateParts, type VnDateParts } from '../text/vn-clock.js';
import { fold } from '../text/vietnamese.js';

export type PeriodKind = 'month' | 'quarter' | 'half' | 'year';
/** The periodicity of an indicator or schedule rule is the kind of period it is reported for. */
export type Periodicity = PeriodKind;

export const PERIOD_KINDS: readonly PeriodKind[] = ['month', 'quarter', 'half', 'year'];

/** A reporting period. `index` is the month (1–12), quarter (1–4), half (1–2) or 1 for a year. */
export interface Period {
  readonly kind: PeriodKind;
  readonly year: number;
  readonly index: number;
}

/** The Asia/Ho_Chi_Minh offset from UTC in milliseconds (UTC+7, no DST). */
export const VN_TIME_ZONE = 'Asia/Ho_Chi_Minh';

const MONTHS_IN: Record<PeriodKind, number> = { month: 1, quarter: 3, half: 6, year: 12 };
const MIN_YEAR = 2000;
const MAX_YEAR = 2099;

/** How many periods of a kind make a year (12, 4, 2, 1). */
export function periodsPerYear(kind: PeriodKind): number {
  return 12 / MONTHS_IN[kind];
}

/** True when `p` is a well-formed period (integer year 2000–2099, index in range). */
export function isValidPeriod(p: Period): boolean {
  return (
    PERIOD_KINDS.includes(p.kind) &&
    Number.isInteger(p.year) &&
    p.year >= MIN_YEAR &&
    p.year <= MAX_YEAR &&
    Number.isInteger(p.index) &&
    p.index >= 1 &&
    p.index <= periodsPerYear(p.kind)
  );
}

/** Build a period, throwing RangeError when it does not exist (e.g. month 13). */
export function makePeriod(kind: PeriodKind, year: number, index = 1): Period {
  const p: Period = { kind, year, index };
  if (!isValidPeriod(p)) throw new RangeError(`invalid ${kind} period ${year}/${index}`);
  return p;
}

/**
 * The instant at which a clock in Asia/Ho_Chi_Minh shows the given local time. Fields may
 * overflow (day 32 is the next month's 1st), which makes day arithmetic trivial.
 */
export function vnInstant(year: number, month: number, day: number, hour = 0, minute = 0): Date {
  return new Date(Date.UTC(year, month - 1, day, hour, minute) - VN_OFFSET_MS);
}

function firstMonth(p: Period): number {
  return (p.index - 1) * MONTHS_IN[p.kind] + 1;
}

/** First instant of the period (00:00 on its first day, Asia/Ho_Chi_Minh). */
export function periodStart(p: Period): Date {
  return vnInstant(p.year, firstMonth(p), 1);
}

/** End of the period, exclusive: the first instant of the next period. */
export function periodEnd(p: Period): Date {
  return periodStart(nextPeriod(p));
}

/** The local calendar date of the period's last day (e.g. 29/02/2028 for T2/2028). */
export function periodLastDay(p: Period): { year: number; month: number; day: number } {
  const { year, month, day } = vnDateParts(new Date(periodEnd(p).getTime() - 1));
  return { year, month, day };
}

/** Move `n` periods forward (negative: back), crossing years as needed. */
export function shiftPeriod(p: Period, n: number): Period {
  const per = periodsPerYear(p.kind);
  const ordinal = p.year * per + (p.index - 1) + n;
  return { kind: p.kind, year: Math.floor(ordinal / per), index: (ordinal % per) + 1 };
}

/** The period right after `p` (T12/2025 → T1/2026). */
export function nextPeriod(p: Period): Period {
  return shiftPeriod(p, 1);
}

/** The period right before `p` (Q1/2026 → Q4/2025). */
export function previousPeriod(p: Period): Period {
  return shiftPeriod(p, -1);
}

/** The period of `kind` that contains `instant` (the one in progress at that moment). */
export function periodAt(kind: PeriodKind, instant: Date): Period {
  const { year, month } = vnDateParts(instant);
  return { kind, year, index: Math.floor((month - 1) / MONTHS_IN[kind]) + 1 };
}

/** Alias of {@link periodAt}: the current period of a periodicity at an instant. */
export const currentPeriod = periodAt;

/** The most recent period of `kind` that has fully ended at `instant`. */
export function previousPeriodAt(kind: PeriodKind, instant: Date): Period {
  return previousPeriod(periodAt(kind, instant));
}

/** True when `instant` falls within the period (start inclusive, end exclusive). */
export function periodContainsInstant(p: Period, instant: Date): boolean {
  const t = instant.getTime();
  return periodStart(p).getTime() <= t && t < periodEnd(p).getTime();
}

/** True when `inner` lies entirely within `outer` (T8/2025 is within Q3/2025 and năm 2025). */
export function periodContains(outer: Period, inner: Period): boolean {
  return (
    periodStart(outer).getTime() <= periodStart(inner).getTime() &&
    periodEnd(inner).getTime() <= periodEnd(outer).getTime()
  );
}

/** Same kind, year and index. */
export function samePeriod(a: Period, b: Period): boolean {
  return a.kind === b.kind && a.year === b.year && a.index === b.index;
}

/** Order by start, then shorter periods first (T1 < Q1 < 6T < năm on the same start). */
export function comparePeriods(a: Period, b: Period): number {
  const d = periodStart(a).getTime() - periodStart(b).getTime();
  return d !== 0 ? d : MONTHS_IN[a.kind] - MONTHS_IN[b.kind];
}

/** Canonical display form: `T10/2025`, `Q3/2025`, `6T/2025`, `6TC/2025`, `năm 2025`. */
export function formatPeriod(p: Period): string {
  switch (p.kind) {
    case 'month':
      return `T${p.index}/${p.year}`;
    case 'quarter':
      return `Q${p.index}/${p.year}`;
    case 'half':
      return `${p.index === 1 ? '6T' : '6TC'}/${p.year}`;
    case 'year':
      return `năm ${p.year}`;
  }
}

/** Stable ASCII id for storage and URLs: `2025-M10`, `2025-Q3`, `2025-H1`, `2025-Y`. */
export function periodId(p: Period): string {
  switch (p.kind) {
    case 'month':
      return `${p.year}-M${String(p.index).padStart(2, '0')}`;
    case 'quarter':
      return `${p.year}-Q${p.index}`;
    case 'half':
      return `${p.year}-H${p.index}`;
    case 'year':
      return `${p.year}-Y`;
  }
}

const ID_RE = /^(\d{4})-(?:M(\d{2})|Q([1-4])|H([12])|(Y))$/;

/** Inverse of {@link periodId}; undefined for anything else. */
export function parsePeriodId(id: string): Period | undefined {
  const m = ID_RE.exec(id);
  if (!m) return undefined;
  const year = Number(m[1]);
  let p: Period;
  if (m[2]) p = { kind: 'month', year, index: Number(m[2]) };
  else if (m[3]) p = { kind: 'quarter', year, index: Number(m[3]) };
  else if (m[4]) p = { kind: 'half', year, index: Number(m[4]) };
  else p = { kind: 'year', year, index: 1 };
  return isValidPeriod(p) ? p : undefined;
}

// ---------------------------------------------------------------------------------------------
// Parsing. Patterns run on folded text (no diacritics, lower case) and are shared with the
// report parser, which matches them at a position inside a longer message.

// Year after a period: `/2025`, `-2025`, `.2025`, `/25`, ` 2025`, ` năm 2025`.
const YEAR_TAIL = String.raw`(?:\s*[/\-.]\s*(\d{4}|\d{2})|\s*nam\s*(\d{4})|\s+(\d{4}))?`;
// A period must end at a word boundary and not run into a fraction or a longer number.
const END = String.raw`(?![a-z0-9/%]|[.,]\d)`;

interface PeriodPattern {
  re: RegExp;
  /** Needs a context where a period can stand (a bare `10/2025`). */
  bare: boolean;
  build(m: RegExpExecArray): { kind: PeriodKind; index: number; year?: number } | undefined;
}

function tailYear(m: RegExpExecArray, from: number): number | undefined {
  const raw = m[from] ?? m[from + 1] ?? m[from + 2];
  if (raw === undefined) return undefined;
  return raw.length === 2 ? 2000 + Number(raw) : Number(raw);
}

const ROMAN: Record<string, number> = { i: 1, ii: 2, iii: 3, iv: 4 };

const PATTERNS: readonly PeriodPattern[] = [
  {
    // T10/2025, tháng 10/2025, thang 10 2025, thg 10, tháng 10 năm 2025
    re: new RegExp(String.raw`(?:thang\s*|thg\s*|t)(\d{1,2})${YEAR_TAIL}${END}`, 'y'),
    bare: false,
    build: (m) => ({ kind: 'month', index: Number(m[1]), year: tailYear(m, 2) }),
  },
  {
    // Q3/2025, Q3-2025, quý 3/2025, quý III/2025, quy 3-2025
    re: new RegExp(String.raw`(?:quy\s*|q)(iv|iii|ii|i|\d)${YEAR_TAIL}${END}`, 'y'),
    bare: false,
    build: (m) => {
      const raw = m[1] ?? '';
      return { kind: 'quarter', index: ROMAN[raw] ?? Number(raw), year: tailYear(m, 2) };
    },
  },
  {
    // 6 tháng đầu năm 2025, 6 tháng cuối năm 2025, 6T/2025, 6TC/2025, 6TĐ/2025
    re: new RegExp(
      String.raw`6\s*(?:thang|t)\s*(dau|cuoi|d|c)?(?:\s*nam(?=\s*\d|\s*$|[^a-z0-9]))?${YEAR_TAIL}${END}`,
      'y',
    ),
    bare: false,
    build: (m) => ({
      kind: 'half',
      index: m[1] === 'cuoi' || m[1] === 'c' ? 2 : 1,
      year: tailYear(m, 2),
    }),
  },
  {
    // nửa đầu năm 2025, nửa cuối năm 2025, H1/2025, H2/2025
    re: new RegExp(String.raw`(?:nua\s*(dau|cuoi)\s*nam|h([12]))${YEAR_TAIL}${END}`, 'y'),
    bare: false,
    build: (m) => ({
      kind: 'half',
      index: m[1] === 'cuoi' || m[2] === '2' ? 2 : 1,
      year: tailYear(m, 3),
    }),
  },
  {
    // năm 2025, cả năm 2025
    re: new RegExp(String.raw`(?:ca\s*)?nam\s*(\d{4})${END}`, 'y'),
    bare: false,
    build: (m) => ({ kind: 'year', index: 1, year: Number(m[1]) }),
  },
  {
    // 10/2025, 10-2025 (only where a period can stand)
    re: new RegExp(String.raw`(\d{1,2})\s*[/\-.]\s*(\d{4})${END}`, 'y'),
    bare: true,
    build: (m) => ({ kind: 'month', index: Number(m[1]), year: Number(m[2]) }),
  },
];

/** Result of matching a period at a position in folded text. */
export type PeriodMatch =
  | { ok: true; period: Period; end: number; bare: boolean }
  /** It has the shape of a period but does not exist (T13/2025, Q5, năm 1890). */
  | { ok: false; end: number };

/**
 * Match a period form starting exactly at `pos` in already folded text (see `fold`).
 * A period written without a year (`Q3`, `T10`) is the latest such period that has started
 * at `now`. Bare `mm/yyyy` forms are only tried when `allowBare` is set, because in a value
 * position `10/2025` is a numerator/denominator pair.
 * @returns undefined when no period form starts at `pos`.
 */
export function matchPeriodAt(
  folded: string,
  pos: number,
  now: Date,
  allowBare: boolean,
): PeriodMatch | undefined {
  // Every period form starts with one of these (t, q, 6, h, nửa, năm, cả năm, or a digit).
  if (!/[tqhnc0-9]/.test(folded[pos] ?? '')) return undefined;
  for (const pattern of PATTERNS) {
    if (pattern.bare && !allowBare) continue;
    pattern.re.lastIndex = pos;
    const m = pattern.re.exec(folded);
    if (!m) continue;
    const end = pos + m[0].length;
    const parts = pattern.build(m);
    if (!parts) return { ok: false, end };
    const period = resolveYear(parts.kind, parts.index, parts.year, now);
    return period ? { ok: true, period, end, bare: pattern.bare } : { ok: false, end };
  }
  return undefined;
}

function resolveYear(
  kind: PeriodKind,
  index: number,
  year: number | undefined,
  now: Date,
): Period | undefined {
  if (year !== undefined) {
    const p: Period = { kind, year, index };
    return isValidPeriod(p) ? p : undefined;
  }
  const thisYear: Period = { kind, year: vnDateParts(now).year, index };
  if (!isValidPeriod(thisYear)) return undefined;
  return periodStart(thisYear).getTime() <= now.getTime()
    ? thisYear
    : { ...thisYear, year: thisYear.year - 1 };
}

/**
 * Parse a period typed by a person or given on the command line: `T10/2025`, `tháng 10/2025`,
 * `thang 10 2025`, `10/2025`, `Q3/2025`, `Q3-2025`, `quý III/2025`, `quy 3-2025`, `Q3`, `T10`,
 * `6 tháng đầu năm 2025`, `6 tháng cuối năm 2025`, `6T/2025`, `6TC/2025`, `H2/2025`,
 * `năm 2025` — case- and diacritic-insensitive. The canonical forms, {@link periodId} ids and,
 * for the command line, `2025-10` and `2025` parse too, so whatever we print can be typed back.
 * @param now resolves forms without a year to the latest such period that has started.
 * @returns undefined when the text is not exactly one valid period.
 */
export function parsePeriod(text: string, now: Date): Period | undefined {
  const trimmed = text.trim();
  const byId = parsePeriodId(trimmed);
  if (byId) return byId;
  // ISO-like forms for the command line: `2025-10` (month), `2025` (year).
  const iso = /^(\d{4})(?:-(\d{1,2}))?$/.exec(trimmed);
  if (iso) {
    const p: Period = iso[2]
      ? { kind: 'month', year: Number(iso[1]), index: Number(iso[2]) }
      : { kind: 'year', year: Number(iso[1]), index: 1 };
    return isValidPeriod(p) ? p : undefined;
  }
  const folded = fold(text);
  const m = matchPeriodAt(folded, 0, now, true);
  return m && m.ok && m.end === folded.length ? m.period : undefined;
}
