/**
 * A generated corpus of staff report messages with their expected reading, built from the
 * catalogue's codes and aliases (with and without diacritics) and the number and period forms
 * of DOMAIN.md. Deterministic (seeded), so failures reproduce. Used by the parser test and by
 * `npm run bench:parse`.
 *
 * Expectations are computed here from what was put into each message — never by the parser —
 * and default periods come from a hand-written table per "now".
 */
import type { Period } from '../../src/domain/periods.js';
import type { IndicatorDef } from '../../src/report-parser/types.js';

export interface ExpectedItem {
  code: string;
  numerator?: number;
  denominator?: number;
  value?: number;
  barePercent?: boolean;
  boolean?: boolean;
  period: Period;
}

export type Expectation =
  | { ok: true; period?: Period; items: ExpectedItem[] }
  | { ok: false; errorKey: string; part?: string };

export interface CorpusCase {
  tag: string;
  text: string;
  now: Date;
  expect: Expectation;
}

/** The diacritic spelling of each catalogue alias, as people type it with a Vietnamese IME. */
export const ACCENTED_ALIASES: Record<string, string> = {
  'ho so truc tuyen': 'hồ sơ trực tuyến',
  'hs truc tuyen': 'hs trực tuyến',
  'dvc truc tuyen': 'dvc trực tuyến',
  'ho so tthc': 'hồ sơ tthc',
  'ho so cong viec': 'hồ sơ công việc',
  'van ban dien tu': 'văn bản điện tử',
  'xu ly tren mang': 'xử lý trên mạng',
  'ky nang so can bo': 'kỹ năng số cán bộ',
  'boi duong ky nang so': 'bồi dưỡng kỹ năng số',
  'cbcc ky nang so': 'cbcc kỹ năng số',
  'can bo cntt': 'cán bộ cntt',
  'phu trach cntt': 'phụ trách cntt',
  'dvc toan trinh': 'dvc toàn trình',
  'tthc toan trinh': 'tthc toàn trình',
  'muc do 4': 'mức độ 4',
  'dvc di dong': 'dvc di động',
  'dich vu cong tren dien thoai': 'dịch vụ công trên điện thoại',
  'thanh toan truc tuyen': 'thanh toán trực tuyến',
  'thanh toan phi online': 'thanh toán phí online',
  'tt truc tuyen': 'tt trực tuyến',
  'so hoa': 'số hóa',
  'so hoa ho so': 'số hóa hồ sơ',
  'so hoa ket qua': 'số hóa kết quả',
  'cap quang': 'cáp quang',
  'internet cap quang': 'internet cáp quang',
  'ho co internet': 'hộ có internet',
  'phu song 4g': 'phủ sóng 4G',
  'song 4g': 'sóng 4G',
  'dien thoai thong minh': 'điện thoại thông minh',
  'dtdd thong minh': 'đtdđ thông minh',
  'tai khoan thanh toan': 'tài khoản thanh toán',
  'tai khoan ngan hang': 'tài khoản ngân hàng',
  'vi dien tu': 'ví điện tử',
  'dinh danh dien tu': 'định danh điện tử',
  'tai khoan dinh danh': 'tài khoản định danh',
  'ky nang so co ban': 'kỹ năng số cơ bản',
  'pho cap ky nang so': 'phổ cập kỹ năng số',
  'to cong nghe so': 'tổ công nghệ số',
  'to cnsccd': 'tổ cnsccđ',
  'to cong nghe so cong dong': 'tổ công nghệ số cộng đồng',
  'san tmdt': 'sàn tmđt',
  'san thuong mai dien tu': 'sàn thương mại điện tử',
  'ho so suc khoe': 'hồ sơ sức khỏe',
  'suc khoe dien tu': 'sức khỏe điện tử',
};

const month = (year: number, index: number): Period => ({ kind: 'month', year, index });
const quarter = (year: number, index: number): Period => ({ kind: 'quarter', year, index });
const year = (y: number): Period => ({ kind: 'year', year: y, index: 1 });

/**
 * Instants the corpus is parsed at, with the default period of each periodicity under the
 * default schedule (deadline 5th day 17:00, lock 10 days later), worked out by hand.
 */
export const NOWS: readonly {
  now: Date;
  defaults: Record<'month' | 'quarter' | 'year', Period>;
}[] = [
  {
    // 10/11/2025: T10 open until 15/11; Q3 locked 15/10 → Q4; năm 2024 locked → năm 2025.
    now: new Date('2025-11-10T10:00:00+07:00'),
    defaults: { month: month(2025, 10), quarter: quarter(2025, 4), year: year(2025) },
  },
  {
    // 08/01/2026: T12, Q4 and năm 2025 all lock on 15/01/2026.
    now: new Date('2026-01-08T09:00:00+07:00'),
    defaults: { month: month(2025, 12), quarter: quarter(2025, 4), year: year(2025) },
  },
  {
    // 20/04/2026: T3 and Q1 locked on 15/04 → T4, Q2; năm 2025 locked 15/01 → năm 2026.
    now: new Date('2026-04-20T15:00:00+07:00'),
    defaults: { month: month(2026, 4), quarter: quarter(2026, 2), year: year(2026) },
  },
];

/** Small seeded PRNG (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rand = () => number;
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
const int = (r: Rand, lo: number, hi: number): number => lo + Math.floor(r() * (hi - lo + 1));

/** Vietnamese thousands grouping, `1234` → `1.234`. */
const grouped = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '.');

/** How a person may name an indicator: code in any case, or an alias with/without marks. */
function names(def: IndicatorDef): string[] {
  const out = [def.code, def.code.toLowerCase(), def.code[0] + def.code.slice(1).toLowerCase()];
  for (const a of def.aliases) {
    out.push(a);
    const accented = ACCENTED_ALIASES[a];
    if (accented) {
      out.push(accented);
      out.push(accented[0]?.toUpperCase() + accented.slice(1));
    }
  }
  return out;
}

const PREFIXES = ['', '', 'bc ', 'BC ', 'báo cáo ', 'bao cao ', 'Báo cáo: ', '/baocao ', 'baocao '];
const LINKS = [' ', ' ', ' ', '=', ': ', ' = ', ':', ' - '];
const SEPARATORS = [' ', '; ', ', ', '\n', ' ; ', ' - '];
const YES = ['có', 'co', 'Có', 'yes', '1', 'đạt', 'dat', 'đã có'];
const NO = ['không', 'khong', 'Không', 'no', '0', 'chưa', 'chua', 'chưa đạt', 'ko'];

/** Forms of an explicit period; `start` forms may only open a message (bare mm/yyyy). */
function periodForms(p: Period): { text: string; startOnly: boolean }[] {
  const roman = ['I', 'II', 'III', 'IV'];
  switch (p.kind) {
    case 'month':
      return [
        { text: `T${p.index}/${p.year}`, startOnly: false },
        { text: `t${p.index}/${p.year}`, startOnly: false },
        { text: `tháng ${p.index}/${p.year}`, startOnly: false },
        { text: `Tháng ${p.index} năm ${p.year}`, startOnly: false },
        { text: `thang ${p.index} ${p.year}`, startOnly: true },
        { text: `T${p.index}-${p.year}`, startOnly: false },
        { text: `${p.index}/${p.year}`, startOnly: true },
        { text: `kỳ ${p.index}/${p.year}`, startOnly: false },
        { text: `ky T${String(p.index).padStart(2, '0')}/${p.year}`, startOnly: false },
      ];
    case 'quarter':
      return [
        { text: `Q${p.index}/${p.year}`, startOnly: false },
        { text: `Q${p.index}-${p.year}`, startOnly: false },
        { text: `quý ${p.index}/${p.year}`, startOnly: false },
        { text: `quý ${roman[p.index - 1]}/${p.year}`, startOnly: false },
        { text: `quy ${p.index}-${p.year}`, startOnly: false },
        { text: `QUÝ ${p.index} NĂM ${p.year}`, startOnly: false },
        { text: `kỳ Q${p.index}/${p.year}`, startOnly: false },
      ];
    case 'year':
      return [
        { text: `năm ${p.year}`, startOnly: false },
        { text: `nam ${p.year}`, startOnly: false },
        { text: `Năm ${p.year}`, startOnly: false },
      ];
    case 'half':
      return [{ text: `6T/${p.year}`, startOnly: false }];
  }
}

/** A value for the indicator and its expected reading. */
function value(
  r: Rand,
  def: IndicatorDef,
): { text: string; item: Omit<ExpectedItem, 'period' | 'code'> } {
  if (def.unit === 'boolean') {
    const yes = r() < 0.5;
    return { text: pick(r, yes ? YES : NO), item: { boolean: yes, value: yes ? 1 : 0 } };
  }
  if (def.unit === 'count') {
    const n = r() < 0.3 ? int(r, 1000, 9999) : int(r, 0, 999);
    return { text: r() < 0.5 ? grouped(n) : String(n), item: { value: n } };
  }
  const form = r();
  if (form < 0.6) {
    const d = r() < 0.3 ? int(r, 1000, 20000) : int(r, 1, 999);
    const n = int(r, 0, d);
    const g = r() < 0.5 ? grouped : String;
    const slash = pick(r, ['/', '/', ' / ', ' trên ']);
    return {
      text: `${g(n)}${slash}${g(d)}`,
      item: { numerator: n, denominator: d, value: (n * 100) / d },
    };
  }
  const tenths = int(r, 0, 1000);
  const v = tenths / 10;
  const whole = Number.isInteger(v);
  const text = whole
    ? pick(r, [`${v}%`, `${v} %`, `${v}`])
    : pick(r, [`${String(v).replace('.', ',')}%`, `${v}%`, `${String(v).replace('.', ',')}`]);
  return { text, item: { value: v, barePercent: true } };
}

/** Periods that have started before every "now" in {@link NOWS}. */
function pastPeriod(r: Rand, kind: 'month' | 'quarter' | 'year'): Period {
  if (kind === 'month') return month(2025, int(r, 1, 10));
  if (kind === 'quarter') return quarter(2025, int(r, 1, 3));
  return year(2025);
}

/** Messages that must parse, with their expected items. */
export function positiveCases(
  catalogue: readonly IndicatorDef[],
  count: number,
  seed = 1,
): CorpusCase[] {
  const r = rng(seed);
  const out: CorpusCase[] = [];
  for (let n = 0; n < count; n++) {
    const at = NOWS[n % NOWS.length];
    if (!at) break;
    // Round-robin over indicators so each one and each of its names comes up.
    const first = catalogue[n % catalogue.length];
    if (!first) break;
    const explicit = r() < 0.5;
    const kind = first.periodicity as 'month' | 'quarter' | 'year';
    const peers = catalogue.filter((d) => d !== first && (!explicit || d.periodicity === kind));
    const k = Math.min(peers.length, r() < 0.5 ? 0 : int(r, 1, 2));
    const defs = [first];
    while (defs.length < k + 1) {
      const d = pick(r, peers);
      if (!defs.includes(d)) defs.push(d);
    }
    const period = explicit ? pastPeriod(r, kind) : undefined;
    const forms = period ? periodForms(period) : [];
    const form = forms.length ? pick(r, forms) : undefined;
    const atStart = form ? form.startOnly || r() < 0.7 : false;
    const allNames = defs.map((d) => names(d));
    const nameIdx = Math.floor(n / catalogue.length);
    const parts: string[] = [];
    const items: ExpectedItem[] = [];
    defs.forEach((d, i) => {
      const ns = allNames[i] ?? [d.code];
      const name = i === 0 ? (ns[nameIdx % ns.length] ?? d.code) : pick(r, ns);
      const v = value(r, d);
      parts.push(`${name}${pick(r, LINKS)}${v.text}`);
      items.push({
        code: d.code,
        ...v.item,
        period: period ?? at.defaults[d.periodicity as 'month' | 'quarter' | 'year'],
      });
    });
    let body = parts.map((p, i) => (i === 0 ? p : pick(r, SEPARATORS) + p)).join('');
    let prefix = pick(r, PREFIXES);
    if (form && atStart) {
      if (prefix === '' && form.startOnly && r() < 0.5) prefix = 'bc ';
      body = `${prefix}${form.text}${pick(r, [' ', ': ', ' ', '\n', ', '])}${body}`;
    } else if (form) {
      body = `${prefix}${body}${pick(r, [' ', ' - ', ', ', '\n'])}${form.text}`;
    } else {
      body = `${prefix}${body}`;
    }
    if (r() < 0.1) body += pick(r, [' ạ', '. Cảm ơn', ' nhé', '.']);
    out.push({
      tag: `${first.code}/${explicit ? 'period' : 'default'}`,
      text: body,
      now: at.now,
      expect: { ok: true, ...(period ? { period } : {}), items },
    });
  }
  return out;
}

/** A one-letter slip of a code that is no other code, alias or period. */
function typo(r: Rand, code: string, taken: Set<string>): string | undefined {
  for (let attempt = 0; attempt < 20; attempt++) {
    const i = int(r, 0, code.length - 1);
    const op = r();
    let t: string;
    if (op < 0.4) {
      const c = String.fromCharCode(65 + int(r, 0, 25));
      t = code.slice(0, i) + c + code.slice(i + 1);
    } else if (op < 0.7 && i < code.length - 1) {
      t = code.slice(0, i) + code[i + 1] + code[i] + code.slice(i + 2);
    } else {
      t = code.slice(0, i) + code.slice(i + 1);
    }
    if (t !== code && t.length >= 3 && !taken.has(t.toLowerCase()) && !/^[TQH]\d|^\d/i.test(t))
      return t;
  }
  return undefined;
}

/** Messages that must be refused with a precise error, never a wrong parse. */
export function negativeCases(catalogue: readonly IndicatorDef[], seed = 2): CorpusCase[] {
  const r = rng(seed);
  const out: CorpusCase[] = [];
  const taken = new Set<string>();
  for (const d of catalogue) {
    taken.add(d.code.toLowerCase());
    for (const a of d.aliases) taken.add(a);
  }
  const byUnit = (u: IndicatorDef['unit']): IndicatorDef[] => catalogue.filter((d) => d.unit === u);
  const percents = byUnit('percent');
  const counts = byUnit('count');
  const booleans = byUnit('boolean');
  const at = NOWS[0];
  if (!at) return out;
  const now = at.now;
  const add = (tag: string, text: string, errorKey: string, part?: string): void => {
    out.push({
      tag,
      text,
      now,
      expect: { ok: false, errorKey, ...(part !== undefined ? { part } : {}) },
    });
  };

  for (const d of catalogue) {
    // Typos of codes, with and without a prefix.
    for (let k = 0; k < 3; k++) {
      const t = typo(r, d.code, taken);
      if (!t) continue;
      const v = value(r, d).text;
      add('typo', `${pick(r, PREFIXES)}${t} ${v}`, 'parse.error.unknownSuggest', t);
    }
    // Wrong kind of period for the indicator.
    const wrong: Period =
      d.periodicity === 'month' ? quarter(2025, int(r, 1, 3)) : month(2025, int(r, 1, 9));
    const wf = periodForms(wrong).filter((f) => !f.startOnly);
    add(
      'period-mismatch',
      `bc ${pick(r, wf).text} ${d.code} ${value(r, d).text}`,
      `parse.error.periodMismatch.${d.periodicity}`,
    );
    // Missing value.
    add('missing-value', `bc ${pick(r, names(d))}`, 'parse.error.missingValue');
    // Duplicate.
    add(
      'duplicate',
      `${d.code} ${value(r, d).text}; ${d.code.toLowerCase()} ${value(r, d).text}`,
      'parse.error.duplicate',
    );
  }
  for (const d of percents) {
    const den = int(r, 1, 500);
    const num = den + int(r, 1, 100);
    add(
      'num>den',
      `bc ${pick(r, names(d))} ${num}/${den}`,
      'parse.error.numeratorOverDenominator',
      `${num}/${den}`,
    );
    const over = int(r, 101, 999);
    add('percent>100', `${d.code} ${over}${pick(r, ['%', ',5%', ''])}`, 'parse.error.percentRange');
    add('zero-den', `${d.code} ${int(r, 1, 5)}/0`, 'parse.error.zeroDenominator');
    add(
      'fractional-fraction',
      `${d.code} ${int(r, 1, 9)},5/${int(r, 20, 99)}`,
      'parse.error.fractionalCount',
    );
    add('negative-percent', `${d.code} -${int(r, 1, 99)}%`, 'parse.error.negative');
    add(
      'bool-for-number',
      `${d.code} ${pick(r, ['có', 'không', 'khong'])}`,
      'parse.error.expectedNumber',
    );
    add(
      'bare-period-in-value-order',
      `${d.code} ${value(r, d).text} 10/2025`,
      'parse.error.periodPosition',
      '10/2025',
    );
    add(
      'ambiguous-percent',
      `${d.code} ${int(r, 1, 99)}.${int(r, 100, 999)}`,
      'parse.error.ambiguousPercent',
    );
  }
  for (const d of counts) {
    for (let k = 0; k < 4; k++) {
      add('negative-count', `bc ${pick(r, names(d))} -${int(r, 1, 500)}`, 'parse.error.negative');
      add(
        'fractional-count',
        `${d.code} ${int(r, 1, 99)},${int(r, 1, 9)}`,
        'parse.error.fractionalCount',
      );
      add(
        'count-fraction',
        `${d.code} ${int(r, 1, 9)}/${int(r, 10, 99)}`,
        'parse.error.countFraction',
      );
      add('count-percent', `${d.code} ${int(r, 1, 99)}%`, 'parse.error.countPercent');
    }
  }
  for (const d of booleans) {
    for (const v of ['5', '2', '50%', '1/2', 'maybe']) {
      add(
        'bad-boolean',
        `${d.code} ${v}`,
        v === 'maybe' ? 'parse.error.unknown' : 'parse.error.expectedBoolean',
      );
    }
  }
  const [p0, p1] = percents;
  if (p0 && p1) {
    for (const bad of ['T13/2025', 'Q5/2025', 'tháng 0/2025', 'quý 7-2025']) {
      add('bad-period', `bc ${bad} ${p0.code} 1/2`, 'parse.error.badPeriod', bad);
    }
    for (const future of ['T12/2025', 'Q1/2026', 'năm 2026', 'T6/2027']) {
      add('future-period', `bc ${future} ${p0.code} 1/2`, 'parse.error.futurePeriod', future);
    }
    add('two-periods', `bc T9/2025 ${p0.code} 1/2 T8/2025`, 'parse.error.twoPeriods');
    add(
      'value-without-indicator',
      `bc 65% ${p0.code} 1/2`,
      'parse.error.valueWithoutIndicator',
      '65%',
    );
    add('value-without-indicator', `bc T10/2025 120/150`, 'parse.error.valueWithoutIndicator');
    add('unknown-word', `bc ${p0.code} 1/2 xyzabc 3/4`, 'parse.error.unknown', 'xyzabc');
    add(
      'unknown-alias-typo',
      'bc ho so truc tuyn 120/150',
      'parse.error.unknownSuggest',
      'ho so truc tuyn',
    );
    add(
      'unknown-alias-typo',
      'bc hồ sơ công việt 65%',
      'parse.error.unknownSuggest',
      'hồ sơ công việt',
    );
    add('no-items', 'báo cáo', 'parse.error.noItems');
    add('no-items', 'bc T10/2025', 'parse.error.noItems');
    add('negative-fraction', `${p1.code} -3/10`, 'parse.error.negative');
    add('percent-mismatch', `${p1.code} 120/150 (90%)`, 'parse.error.percentMismatch');
  }
  return out;
}
