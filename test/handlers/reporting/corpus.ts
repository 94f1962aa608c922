/**
 * Real-style staff report messages for the end-to-end quality test, generated from the
 * catalogue (codes, aliases with and without diacritics) with the number and period forms of
 * DOMAIN.md and issue 5. Deterministic (seeded). Expectations come from what was put into each
 * message, never from the parser.
 */
import {
  indicatorDefsFromCsv,
  type CatalogueIndicator,
} from '../../../src/report-parser/catalogue.js';

export interface Expected {
  code: string;
  /** Canonical period. */
  period: string;
  numerator: number | null;
  denominator: number | null;
  value: number;
}

export type StaffCase =
  | { text: string; ok: true; items: Expected[] }
  /** `mustMention`: what the error reply must quote or name. */
  | { text: string; ok: false; mustMention: string };

/** Accented spellings people type for some aliases (the catalogue stores them folded). */
const ACCENTED: Record<string, string> = {
  'ho so truc tuyen': 'hồ sơ trực tuyến',
  'ho so cong viec': 'hồ sơ công việc',
  'thanh toan truc tuyen': 'thanh toán trực tuyến',
  'so hoa': 'số hóa',
  'cap quang': 'cáp quang',
  'dien thoai thong minh': 'điện thoại thông minh',
  'tai khoan thanh toan': 'tài khoản thanh toán',
  'ky nang so co ban': 'kỹ năng số cơ bản',
  'to cong nghe so': 'tổ công nghệ số',
  'ho so suc khoe': 'hồ sơ sức khỏe',
  'can bo cntt': 'cán bộ cntt',
  'phu song 4g': 'phủ sóng 4g',
};

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const vi = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '.');

/**
 * Cases for a commune reporter at 08/10/2025 (defaults: month T9/2025, quarter Q3/2025, year
 * năm 2025; T10/2025 and Q4/2025 are in progress and may be named).
 */
export function staffCases(seed = 7): StaffCase[] {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T;
  const catalogue: CatalogueIndicator[] = indicatorDefsFromCsv('prisma/seed/indicators.csv').filter(
    (d) => d.appliesTo.includes('commune'),
  );
  const DEFAULT: Record<string, string> = {
    month: 'T9/2025',
    quarter: 'Q3/2025',
    year: 'năm 2025',
  };
  const NAMED: Record<string, Array<[string, string]>> = {
    month: [
      ['T9/2025', 'T9/2025'],
      ['tháng 9/2025', 'T9/2025'],
      ['thang 10 2025', 'T10/2025'],
      ['9/2025', 'T9/2025'],
      ['kỳ 10/2025', 'T10/2025'],
      ['T10', 'T10/2025'],
    ],
    quarter: [
      ['Q3/2025', 'Q3/2025'],
      ['quý 3/2025', 'Q3/2025'],
      ['quy III/2025', 'Q3/2025'],
      ['Q4', 'Q4/2025'],
      ['quý 4', 'Q4/2025'],
      ['Q3-2025', 'Q3/2025'],
    ],
    year: [
      ['năm 2025', 'năm 2025'],
      ['nam 2025', 'năm 2025'],
    ],
  };
  const PREFIX = ['', 'bc ', 'BC ', 'báo cáo ', 'bao cao ', 'Báo cáo ', '/baocao '];
  const LINK = [' ', ' ', ' ', '=', ': ', ' là '];
  const SEP = [' ', ' ', '; ', ', ', '\n'];

  const nameOf = (d: CatalogueIndicator): string => {
    const roll = r();
    if (roll < 0.45) return d.code;
    if (roll < 0.6) return d.code.toLowerCase();
    const alias = pick(d.aliases);
    return r() < 0.5 && ACCENTED[alias] ? ACCENTED[alias] : alias;
  };

  const valueOf = (
    d: CatalogueIndicator,
  ): { text: string; exp: Omit<Expected, 'code' | 'period'> } => {
    if (d.unit === 'boolean') {
      const yes = r() < 0.6;
      const text = yes
        ? pick(['có', 'co', 'Có', 'đã có', '1'])
        : pick(['không', 'khong', 'ko', 'chưa có', '0']);
      return { text, exp: { numerator: null, denominator: null, value: yes ? 1 : 0 } };
    }
    if (d.unit === 'count') {
      const n = Math.floor(r() * 3000);
      return {
        text: r() < 0.5 ? vi(n) : String(n),
        exp: { numerator: null, denominator: null, value: n },
      };
    }
    const roll = r();
    if (roll < 0.6) {
      const den = 20 + Math.floor(r() * 4000);
      const num = Math.floor(r() * (den + 1));
      const sep = pick(['/', '/', ' / ', ' trên ']);
      const text = r() < 0.5 ? `${vi(num)}${sep}${vi(den)}` : `${num}${sep}${den}`;
      return {
        text,
        exp: {
          numerator: num,
          denominator: den,
          value: Math.round((num / den) * 100 * 10_000) / 10_000,
        },
      };
    }
    const whole = Math.floor(r() * 101);
    const tenth = whole < 100 && r() < 0.5 ? Math.floor(r() * 10) : 0;
    const value = whole + tenth / 10;
    const body = tenth ? `${whole}${pick([',', '.'])}${tenth}` : String(whole);
    return { text: `${body}%`, exp: { numerator: null, denominator: null, value } };
  };

  const cases: StaffCase[] = [];
  while (cases.length < 200) {
    const explicit = r() < 0.45;
    const kind = explicit
      ? pick(['month', 'month', 'quarter', 'quarter', 'year'] as const)
      : undefined;
    const pool = catalogue.filter((d) => !kind || d.periodicity === kind);
    const count = Math.min(pool.length, 1 + Math.floor(r() * (r() < 0.5 ? 1 : 3)));
    const chosen: CatalogueIndicator[] = [];
    while (chosen.length < count) {
      const d = pick(pool);
      if (!chosen.includes(d)) chosen.push(d);
    }
    const named = kind ? pick(NAMED[kind] ?? []) : undefined;
    const parts: string[] = [];
    const items: Expected[] = [];
    for (const d of chosen) {
      const v = valueOf(d);
      parts.push(`${nameOf(d)}${pick(LINK)}${v.text}`);
      items.push({
        code: d.code,
        period: named ? named[1] : (DEFAULT[d.periodicity] ?? ''),
        ...v.exp,
      });
    }
    // A period, when named, stands before the first figure (where a bare `9/2025` is a period).
    const head = named ? `${named[0]} ` : '';
    const text = `${pick(PREFIX)}${head}${parts.join(pick(SEP))}${r() < 0.1 ? pick([' ạ', ' nhé', '.']) : ''}`;
    cases.push({ text, ok: true, items });
  }

  const negatives: StaffCase[] = [
    { text: 'bc HSCC 50%', ok: false, mustMention: 'HSCV' },
    { text: 'bc HSTT 160/150', ok: false, mustMention: '160' },
    { text: 'báo cáo HSCV 150%', ok: false, mustMention: '150%' },
    { text: 'bc T13/2025 HSTT 1/2', ok: false, mustMention: 'T13/2025' },
    { text: 'bc T9/2025 KNS 45/50', ok: false, mustMention: 'KNS' },
    { text: 'bc Q3/2025 HSTT 45/50', ok: false, mustMention: 'HSTT' },
    { text: 'bc TCNS 12,5', ok: false, mustMention: 'TCNS' },
    { text: 'bc CNTT 5', ok: false, mustMention: 'CNTT' },
    { text: 'bc HSTT', ok: false, mustMention: 'HSTT' },
    { text: 'bc HSTT 7/0', ok: false, mustMention: 'HSTT' },
    { text: 'bc HSCV 1.250', ok: false, mustMention: '1.250' },
    { text: 'bc T12/2025 HSTT 1/2', ok: false, mustMention: 'T12/2025' },
    { text: 'bc HSTT 120/150 HSTT 100/150', ok: false, mustMention: 'HSTT' },
    { text: 'bc T9/2025 T10/2025 HSTT 1/2', ok: false, mustMention: 'T10/2025' },
    { text: 'bc T8/2025 HSTT 1/2', ok: false, mustMention: 'khóa sổ' },
    { text: 'bc TTHCTT 5/10', ok: false, mustMention: 'TTHCTT' },
    { text: 'bc HSTT 120/150 HSCV 65% XYZW 5', ok: false, mustMention: 'XYZW' },
    { text: 'bc hstt 120/150 (90%)', ok: false, mustMention: '80' },
    { text: 'bc KNS 45/50%', ok: false, mustMention: 'KNS' },
    { text: 'bc 65%', ok: false, mustMention: '65%' },
    { text: 'bc HSTT 120/150 10/2025', ok: false, mustMention: '10/2025' },
    { text: 'bc SMARTPHNE 80%', ok: false, mustMention: 'SMARTPHONE' },
    { text: 'bc CNTT có HSTT -5/10', ok: false, mustMention: 'HSTT' },
    { text: 'bao cao quy 5 KNS 1/2', ok: false, mustMention: 'quy 5' },
    { text: 'bc TCNS 12%', ok: false, mustMention: 'TCNS' },
  ];
  return [...cases, ...negatives];
}
