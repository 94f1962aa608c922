/**
 * Staff messages written the way commune officers type in a private chat (issue 13), one
 * generated category per kind of difficulty, over all 17 indicators and their number and
 * period forms. Deterministic (seeded). Every case is judged at its own "now", and every
 * expectation is computed here from what was put into the message — never by the parser:
 * default periods come from a hand-written table per "now", periods named without a year from
 * the calendar rule "the most recent one that has started".
 *
 * Categories: detection, names, numbers, noise, keyboard, periods (must read completely),
 * askBack (a careful officer would ask back: must not be offered as complete), status
 * (questions about figures: never a report), citizen (public-service questions: never a report).
 */
import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { UnitName } from '../../src/report-parser/canonical.js';
import type { CatalogueIndicator } from '../../src/report-parser/catalogue.js';
import { ACCENTED_ALIASES, rng } from './corpus.js';

export type Category =
  | 'detection'
  | 'names'
  | 'numbers'
  | 'noise'
  | 'keyboard'
  | 'periods'
  | 'askBack'
  | 'status'
  | 'citizen';

export const CATEGORIES: readonly Category[] = [
  'detection',
  'names',
  'numbers',
  'noise',
  'keyboard',
  'periods',
  'askBack',
  'status',
  'citizen',
];

export interface FreeItem {
  code: string;
  /** Canonical period, e.g. `T11/2026`. */
  period: string;
  numerator?: number;
  denominator?: number;
  value: number;
}

export type FreeExpect =
  | { kind: 'complete'; items: FreeItem[] }
  | { kind: 'askBack' }
  | { kind: 'status' }
  | { kind: 'notReport' };

export interface FreeCase {
  category: Category;
  text: string;
  now: Date;
  /** The sender's own unit (code). */
  unit: string;
  expect: FreeExpect;
}

type Kind = 'month' | 'quarter' | 'year';

/** Instants with the default period of each periodicity (default schedule), by hand. */
export const FREE_NOWS: readonly {
  now: Date;
  y: number;
  m: number;
  defaults: Record<Kind, string>;
}[] = [
  // 02/12/2026: T11 open until 15/12; Q3 locked 15/10 → Q4 in progress; năm 2025 locked.
  {
    now: new Date('2026-12-02T09:00:00+07:00'),
    y: 2026,
    m: 12,
    defaults: { month: 'T11/2026', quarter: 'Q4/2026', year: 'năm 2026' },
  },
  // 03/07/2026: T6 and Q2 open until 15/07; năm 2025 locked 15/01/2026.
  {
    now: new Date('2026-07-03T10:00:00+07:00'),
    y: 2026,
    m: 7,
    defaults: { month: 'T6/2026', quarter: 'Q2/2026', year: 'năm 2026' },
  },
  // 08/01/2026: T12, Q4 and năm 2025 all lock on 15/01/2026.
  {
    now: new Date('2026-01-08T09:00:00+07:00'),
    y: 2026,
    m: 1,
    defaults: { month: 'T12/2025', quarter: 'Q4/2025', year: 'năm 2025' },
  },
];

/** The units a message may name: the 69 communes and the province. */
export function corpusUnits(): UnitName[] {
  const rows = parse(readFileSync('prisma/seed/ha_tinh_communes_2025.csv', 'utf8'), {
    columns: true,
  }) as { code: string; name_vi: string }[];
  return [
    { code: '42', name: 'Tỉnh Hà Tĩnh' },
    ...rows.map((r) => ({ code: r.code, name: r.name_vi })),
  ];
}

// ---------------------------------------------------------------------------------------------
// Vietnamese words for numbers, written from the rules of the language (not by the parser).

const DIGITS = ['không', 'một', 'hai', 'ba', 'bốn', 'năm', 'sáu', 'bảy', 'tám', 'chín'];

function belowHundred(n: number): string {
  if (n < 10) return DIGITS[n] ?? '';
  const tens = Math.floor(n / 10);
  const unit = n % 10;
  const head = tens === 1 ? 'mười' : `${DIGITS[tens]} mươi`;
  if (unit === 0) return head;
  const u =
    unit === 5
      ? 'lăm'
      : unit === 1 && tens > 1
        ? 'mốt'
        : unit === 4 && tens > 1
          ? 'tư'
          : DIGITS[unit];
  return `${head} ${u}`;
}

/** 0–999 999 in words: 25 → "hai mươi lăm", 105 → "một trăm linh năm", 1200 → "một nghìn hai trăm". */
export function numberWords(n: number): string {
  if (n >= 1000) {
    const th = Math.floor(n / 1000);
    const rest = n % 1000;
    const head = `${numberWords(th)} nghìn`;
    if (rest === 0) return head;
    if (rest < 10) return `${head} không trăm linh ${DIGITS[rest]}`;
    if (rest < 100) return `${head} không trăm ${belowHundred(rest)}`;
    return `${head} ${numberWords(rest)}`;
  }
  if (n < 100) return belowHundred(n);
  const h = Math.floor(n / 100);
  const rest = n % 100;
  const head = `${DIGITS[h]} trăm`;
  if (rest === 0) return head;
  if (rest < 10) return `${head} linh ${DIGITS[rest]}`;
  return `${head} ${belowHundred(rest)}`;
}

const strip = (s: string): string =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D');

const grouped = (n: number): string => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, '.');

// ---------------------------------------------------------------------------------------------

type Rand = () => number;

interface Gen {
  r: Rand;
  pick<T>(xs: readonly T[]): T;
  int(lo: number, hi: number): number;
}

function gen(seed: number): Gen {
  const r = rng(seed);
  return {
    r,
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)] as T,
    int: (lo, hi) => lo + Math.floor(r() * (hi - lo + 1)),
  };
}

/** Names people use for an indicator: code in any case, aliases with and without marks. */
function names(d: CatalogueIndicator): string[] {
  const out = [d.code, d.code.toLowerCase()];
  for (const a of d.aliases) {
    const accented = ACCENTED_ALIASES[a] ?? a;
    out.push(accented, strip(accented), accented[0]?.toUpperCase() + accented.slice(1));
  }
  return out;
}

/** Alias names only (no code). */
function wordNames(d: CatalogueIndicator): string[] {
  return names(d).filter((n) => n.toUpperCase() !== d.code);
}

interface Value {
  text: string;
  item: Omit<FreeItem, 'code' | 'period'>;
}

/** A plain value in the one-line forms. */
function plainValue(g: Gen, d: CatalogueIndicator): Value {
  if (d.unit === 'boolean') {
    const yes = g.r() < 0.5;
    return {
      text: g.pick(yes ? ['có', 'co', 'đã có'] : ['chưa có', 'không', 'chưa']),
      item: { value: yes ? 1 : 0 },
    };
  }
  if (d.unit === 'count') {
    const n = g.int(1, 2500);
    return { text: g.r() < 0.5 ? grouped(n) : String(n), item: { value: n } };
  }
  if (g.r() < 0.6) {
    const den = g.int(20, 3000);
    const num = g.int(0, den);
    return {
      text: `${grouped(num)}/${grouped(den)}`,
      item: { numerator: num, denominator: den, value: (num * 100) / den },
    };
  }
  const v = g.int(0, 100);
  return { text: `${v}%`, item: { value: v } };
}

function periodOf(kind: Kind, now: (typeof FREE_NOWS)[number], explicit?: string): string {
  return explicit ?? now.defaults[kind];
}

/** A period of `kind` that has started at `now`, with its canonical form and year. */
function startedPeriod(
  g: Gen,
  kind: Kind,
  at: (typeof FREE_NOWS)[number],
): { index: number; year: number } {
  if (kind === 'year') return { index: 1, year: at.y - g.int(0, 1) };
  const per = kind === 'month' ? 12 : 4;
  const current = kind === 'month' ? at.m : Math.ceil(at.m / 3);
  // Any index: a later one than the current means last year (most recent that has started).
  const index = g.int(1, per);
  return { index, year: index <= current ? at.y : at.y - 1 };
}

const canonical = (kind: Kind, index: number, year: number): string =>
  kind === 'month' ? `T${index}/${year}` : kind === 'quarter' ? `Q${index}/${year}` : `năm ${year}`;

/** Commune indicators for a commune sender, province-only ones for the province. */
function senderFor(g: Gen, d: CatalogueIndicator): string {
  if (!d.appliesTo.includes('commune')) return '42';
  return g.pick(['18073', '18562', '18775', '18196', '18202', '18229']);
}

// ---------------------------------------------------------------------------------------------

/** Every category's cases. `perIndicator` cases per indicator and category (≥ 2 → ≥ 34). */
export function freeTextCases(catalogue: readonly CatalogueIndicator[], seed = 13): FreeCase[] {
  const g = gen(seed);
  const out: FreeCase[] = [];
  const units = corpusUnits();
  const unitName = (code: string): string => units.find((u) => u.code === code)?.name ?? '';
  let n = 0;
  const nextNow = (): (typeof FREE_NOWS)[number] =>
    FREE_NOWS[n++ % FREE_NOWS.length] as (typeof FREE_NOWS)[number];
  const complete = (
    category: Category,
    text: string,
    at: (typeof FREE_NOWS)[number],
    unit: string,
    items: FreeItem[],
  ): void => {
    out.push({ category, text, now: at.now, unit, expect: { kind: 'complete', items } });
  };
  const other = (
    category: Category,
    text: string,
    at: (typeof FREE_NOWS)[number],
    unit: string,
    kind: 'askBack' | 'status' | 'notReport',
  ): void => {
    out.push({ category, text, now: at.now, unit, expect: { kind } as FreeExpect });
  };
  const kindOf = (d: CatalogueIndicator): Kind => d.periodicity as Kind;

  for (const d of catalogue) {
    for (let rep = 0; rep < 4; rep++) {
      // ---- detection: report-shaped free text without any prefix.
      {
        const at = nextNow();
        const unit = senderFor(g, d);
        const v = plainValue(g, d);
        const name = g.pick(names(d));
        const kind = kindOf(d);
        let text: string;
        let item = v.item;
        const form = rep % 4;
        if (d.unit === 'boolean') {
          const yes = g.r() < 0.5;
          item = { value: yes ? 1 : 0 };
          const name2 = g.pick(wordNames(d));
          text =
            form < 2
              ? `${yes ? g.pick(['có', 'đã có']) : g.pick(['chưa có', 'không có'])} ${name2}`
              : `${name} ${yes ? 'có' : 'chưa có'}`;
          if (form === 0) text = `${g.pick(['xã', 'đơn vị', 'phường em'])} ${text}`;
        } else if (form === 0 && d.unit === 'count') {
          text = `${name} có ${v.text} thành viên`;
        } else if (form === 0 || form === 1) {
          // The figure before the name: "98/120 hồ sơ trực tuyến", "70% văn bản điện tử".
          text = `${v.text} ${g.pick(wordNames(d))}`;
        } else {
          text = `${name} ${g.pick(['', 'là ', ': ', 'đạt '])}${v.text}`.replace(/ {2,}/g, ' ');
          if (d.unit !== 'percent' || !v.text.includes('%')) text = text.replace('đạt ', '');
        }
        complete('detection', text, at, unit, [
          { code: d.code, period: periodOf(kind, at), ...item },
        ]);
      }

      // ---- names: every alias and short form, any case, with and without marks.
      {
        const at = nextNow();
        const unit = senderFor(g, d);
        const v = plainValue(g, d);
        const all = wordNames(d);
        const name = all[(rep * 3 + n) % all.length] ?? d.code;
        const cased = g.r() < 0.2 ? name.toUpperCase() : name;
        complete('names', `${cased} ${v.text}`, at, unit, [
          { code: d.code, period: periodOf(kindOf(d), at), ...v.item },
        ]);
      }

      // ---- numbers and phrasing.
      {
        const at = nextNow();
        const unit = senderFor(g, d);
        const name = g.pick(names(d));
        const period = periodOf(kindOf(d), at);
        if (d.unit === 'percent') {
          const den = g.int(20, 900);
          const num = g.int(1, den);
          const pct = g.int(1, 99);
          const form = (rep + n) % 6;
          if (form === 0) {
            const w = g.r() < 0.5 ? numberWords(pct) : strip(numberWords(pct));
            complete('numbers', `${name} đạt ${w} phần trăm`, at, unit, [
              { code: d.code, period, value: pct },
            ]);
          } else if (form === 1) {
            complete('numbers', `${name} đạt ${pct} phần trăm`, at, unit, [
              { code: d.code, period, value: pct },
            ]);
          } else if (form === 2) {
            complete('numbers', `${name} ${num} trên tổng số ${den}`, at, unit, [
              { code: d.code, period, numerator: num, denominator: den, value: (num * 100) / den },
            ]);
          } else if (form === 3) {
            complete('numbers', `${name}: tổng số ${den}, trong đó ${num}`, at, unit, [
              { code: d.code, period, numerator: num, denominator: den, value: (num * 100) / den },
            ]);
          } else if (form === 4) {
            complete('numbers', `${name} trong đó ${num} trên ${den}`, at, unit, [
              { code: d.code, period, numerator: num, denominator: den, value: (num * 100) / den },
            ]);
          } else {
            const w = numberWords(num);
            const wd = numberWords(den);
            complete('numbers', `${name} ${g.r() < 0.5 ? w : strip(w)} trên ${wd}`, at, unit, [
              { code: d.code, period, numerator: num, denominator: den, value: (num * 100) / den },
            ]);
          }
        } else if (d.unit === 'count') {
          const members = g.int(10, 400);
          const teams = g.int(2, 30);
          const form = rep % 4;
          const text =
            form === 0
              ? `${name} có ${members} thành viên`
              : form === 1
                ? `${name} có ${teams} tổ với ${members} thành viên`
                : form === 2
                  ? `${name} ${numberWords(members)} thành viên`
                  : `${name}: ${teams} tổ, ${members} thành viên`;
          complete('numbers', text, at, unit, [{ code: d.code, period, value: members }]);
          // More count phrasings so the category has its share of counts.
          const m2 = g.int(1, 99);
          const at2 = nextNow();
          complete('numbers', `${name} có ${strip(numberWords(m2))} thành viên`, at2, unit, [
            { code: d.code, period: periodOf(kindOf(d), at2), value: m2 },
          ]);
        } else {
          const yes = rep % 2 === 0;
          const nm = g.pick(wordNames(d));
          complete('numbers', yes ? `có ${nm}` : `chưa có ${nm}`, at, unit, [
            { code: d.code, period, value: yes ? 1 : 0 },
          ]);
        }
      }

      // ---- noise: greetings, thanks, emoji, own unit, sent date, bullets.
      {
        const at = nextNow();
        const unit = senderFor(g, d);
        const v = plainValue(g, d);
        const name = g.pick(names(d));
        const own = unitName(unit);
        const head = g.pick([
          'Dạ ',
          'Dạ em gửi ',
          'Em gửi số liệu ạ: ',
          'Kính gửi anh chị, ',
          'Em chào anh ạ. ',
          '🙏 ',
          '',
        ]);
        const tail = g.pick([' ạ', '. Em cảm ơn', '. Em cảm ơn ạ 🙏', ' 🙏', '. Trân trọng!', '']);
        const unitPart = g.pick([
          ` - ${own}`,
          `\n${own}`,
          ` (${own})`,
          ` UBND ${own.toLowerCase()}`,
        ]);
        const date = g.pick([
          '',
          ` gửi ngày ${String(at.now.getUTCDate()).padStart(2, '0')}/${String(at.m).padStart(2, '0')}/${at.y}`,
          ` ngày ${at.now.getUTCDate()}/${at.m}`,
        ]);
        const body = g.pick([`${name} ${v.text}`, `- ${name}: ${v.text}`]);
        const text =
          rep % 2 === 0
            ? `${head}${body}${tail}${unitPart}${date}`
            : `${own}${date}: ${head}${body}${tail}`;
        complete('noise', text, at, unit, [
          { code: d.code, period: periodOf(kindOf(d), at), ...v.item },
        ]);
      }

      // ---- keyboard: Telex / VNI residue in the words around the figures.
      {
        const at = nextNow();
        const unit = senderFor(g, d);
        const kind = kindOf(d);
        const p = startedPeriod(g, kind, at);
        const name = g.pick([
          d.code,
          d.code.toLowerCase(),
          ...wordNames(d).filter((w) => !/[^ -~]/.test(w)),
        ]);
        const bc = g.pick(['baos caos', 'bao caos', 'ba1o ca1o', 'baos cao', 'gwir sos lieeuj']);
        const periodText =
          kind === 'month'
            ? `${g.pick(['thangs', 'thasng', 'tha1ng'])} ${p.index}/${p.year}`
            : kind === 'quarter'
              ? `${g.pick(['quys', 'quys'])} ${p.index}/${p.year}`
              : `${g.pick(['nawm', 'nams', 'na8m'])} ${p.year}`;
        let value: Value;
        if (d.unit === 'percent' && rep % 2 === 0) {
          const pct = g.int(1, 99);
          value = {
            text: `${g.pick(['ddatj ', 'd9a5t ', ''])}${pct} ${g.pick(['phaanf traawm', 'pha6n tra8m', 'phaafn traawm'])}`,
            item: { value: pct },
          };
        } else if (d.unit === 'percent') {
          const den = g.int(20, 900);
          const num = g.int(0, den);
          value = {
            text: `${num} ${g.pick(['treen', 'tre6n', 'treen'])} ${den}`,
            item: { numerator: num, denominator: den, value: (num * 100) / den },
          };
        } else if (d.unit === 'count') {
          const c = g.int(1, 500);
          value = { text: `${g.pick(['cos ', 'co1 ', ''])}${c}`, item: { value: c } };
        } else {
          const yes = g.r() < 0.5;
          value = {
            text: yes ? g.pick(['cos', 'co1']) : g.pick(['chuwa cos', 'khoong', 'chu7a co1']),
            item: { value: yes ? 1 : 0 },
          };
        }
        const text =
          g.r() < 0.5
            ? `${bc} ${periodText} ${name} ${value.text}`
            : `${bc} ${name} ${periodText} ${value.text}`;
        complete('keyboard', text, at, unit, [
          { code: d.code, period: canonical(kind, p.index, p.year), ...value.item },
        ]);
      }

      // ---- periods in words and short forms.
      {
        const at = nextNow();
        const unit = senderFor(g, d);
        const kind = kindOf(d);
        const p = startedPeriod(g, kind, at);
        const v = plainValue(g, d);
        const name = g.pick(names(d));
        let pt: string;
        const roman = ['I', 'II', 'III', 'IV'];
        if (kind === 'month') {
          const w = p.index === 4 && g.r() < 0.5 ? 'tư' : numberWords(p.index);
          pt = g.pick([
            `tháng ${w}`,
            `thang ${strip(w)}`,
            `Tháng ${w}`,
            `T${p.index}/${String(p.year).slice(2)}`,
            `tháng ${p.index}`,
          ]);
          if (/\/\d\d$/.test(pt)) {
            // T10/26 names its year; the others mean the most recent such month.
          }
        } else if (kind === 'quarter') {
          pt = g.pick([
            `quý ${numberWords(p.index)}`,
            `quy ${strip(numberWords(p.index))}`,
            `Q${p.index}-${p.year}`,
            `quý ${roman[p.index - 1]} năm ${p.year}`,
            `quý ${p.index}`,
          ]);
        } else {
          pt = g.pick([`năm ${p.year}`, `Năm ${p.year}`, `nam ${p.year}`]);
        }
        const text = g.r() < 0.5 ? `${pt} ${name} ${v.text}` : `${name} ${pt}: ${v.text}`;
        complete('periods', text, at, unit, [
          { code: d.code, period: canonical(kind, p.index, p.year), ...v.item },
        ]);
      }

      // ---- must ask back.
      {
        const at = nextNow();
        const unit = senderFor(g, d);
        const v = plainValue(g, d);
        const form = (rep + out.length) % 7;
        let text: string;
        if (form === 0) {
          // A Telex tone key left inside the code: "HSCVs", "TCNSf".
          text = `${d.code}${g.pick(['s', 'f', 'r', 'j', 'x'])} ${v.text}`;
        } else if (form === 1) {
          // A letter dropped or doubled inside the code.
          const i = g.int(1, d.code.length - 1);
          text = `${d.code.slice(0, i)}${d.code.slice(i + 1)}${g.pick(['', ''])} ${v.text}`;
          if (
            catalogue.some((x) => x.code === d.code.slice(0, i) + d.code.slice(i + 1)) ||
            d.code.length - 1 < 3
          )
            text = `${d.code}${d.code.slice(-1)} ${v.text}`;
        } else if (form === 2) {
          // Telex residue inside an alias word: "sos hoas", "capj quang".
          const alias = g
            .pick(
              wordNames(d)
                .filter((w) => /[^ -~]/.test(w))
                .concat(wordNames(d)),
            )
            .toLowerCase();
          const words = alias.split(' ');
          const k = g.int(0, words.length - 1);
          words[k] = `${strip(words[k] ?? '')}${g.pick(['s', 'f', 'r', 'j'])}`;
          text = `${words.join(' ')} ${v.text}`;
        } else if (form === 3) {
          // Another unit's name.
          const others = units.filter((u) => u.code !== unit && u.code !== '42');
          text = `${g.pick(others).name} ${g.pick(names(d))} ${v.text}`;
        } else if (form === 4) {
          // Figures that cannot be stored exactly.
          text =
            d.unit === 'percent'
              ? `${d.code} ${g.int(1, 99)},${g.int(10000, 99999)}%`
              : `${d.code} ${g.pick(['100000000000000', '9007199254740993', 'một trăm nghìn tỷ'])}`;
          if (d.unit === 'boolean') text = `${d.code} ${g.int(2, 9)}`;
        } else if (form === 5) {
          // A count where a percentage is due, or two counts with nothing saying which is which.
          text =
            d.unit === 'percent'
              ? g.r() < 0.5
                ? `${g.pick(names(d))} ${g.int(10, 99)} hồ sơ`
                : `${g.pick(names(d))} ${g.int(10, 60)} hồ sơ, ${g.int(70, 200)} hồ sơ`
              : `${d.code} ${g.int(1, 9)}/${g.int(10, 20)}`;
        } else {
          // A question mark on a figure.
          text = `${g.pick(names(d))} ${v.text} phải không?`;
        }
        other('askBack', text, at, unit, 'askBack');
      }
    }
  }

  // More wordings met in real chats, one round over the catalogue.
  for (const d of catalogue) {
    const at = nextNow();
    const unit = senderFor(g, d);
    const kind = kindOf(d);
    const period = periodOf(kind, at);
    const v = plainValue(g, d);
    const alias = g.pick(wordNames(d));
    // "tỷ lệ …" before a name, "gửi lại" for a correction.
    if (d.unit === 'percent') {
      complete('detection', `tỷ lệ ${alias} ${v.text}`, at, unit, [
        { code: d.code, period, ...v.item },
      ]);
      const den = g.int(50, 900);
      const num = g.int(1, den);
      complete('numbers', `${d.code} ${num} ${alias} trên tổng số ${den}`, at, unit, [
        { code: d.code, period, numerator: num, denominator: den, value: (num * 100) / den },
      ]);
      // A minus glued to a figure is refused, in every wording.
      other('askBack', `${alias} -${num}/${den}`, at, unit, 'askBack');
    }
    complete('noise', `Dạ em gửi lại số liệu ${alias} ${v.text} ạ`, at, unit, [
      { code: d.code, period, ...v.item },
    ]);
    // Periods counted from now.
    const rel =
      kind === 'month'
        ? { text: 'tháng trước', period: at.m === 1 ? `T12/${at.y - 1}` : `T${at.m - 1}/${at.y}` }
        : kind === 'quarter'
          ? {
              text: 'quý trước',
              period:
                Math.ceil(at.m / 3) === 1
                  ? `Q4/${at.y - 1}`
                  : `Q${Math.ceil(at.m / 3) - 1}/${at.y}`,
            }
          : g.r() < 0.5
            ? { text: 'năm nay', period: `năm ${at.y}` }
            : { text: 'năm ngoái', period: `năm ${at.y - 1}` };
    complete('periods', `${g.pick(names(d))} ${rel.text} ${v.text}`, at, unit, [
      { code: d.code, period: rel.period, ...v.item },
    ]);
    // "tháng này" on the 2nd: the month just ended or the one in progress? Ask.
    if (kind === 'month') other('askBack', `${d.code} tháng này ${v.text}`, at, unit, 'askBack');
  }
  for (let k = 0; k < 6; k++) {
    const at = nextNow();
    other('status', `tháng ${g.int(1, 12)} xã mình còn thiếu chỉ tiêu nào`, at, '18073', 'status');
  }

  // Shared short forms: every candidate, never a guess.
  const sharedForms = [
    ['hồ sơ', 'ho so', 'Hồ sơ'],
    ['tài khoản', 'tai khoan', 'TK'],
    ['kỹ năng số', 'ky nang so', 'Kỹ năng số'],
  ];
  for (let k = 0; k < 12; k++) {
    const at = nextNow();
    const form = g.pick(sharedForms[k % 3] ?? []);
    if (form === 'TK') continue;
    const den = g.int(20, 500);
    other('askBack', `${form} ${g.int(0, den)}/${den}`, at, '18073', 'askBack');
  }

  // Status questions: never a report attempt.
  const statusForms = [
    (u: string, d: CatalogueIndicator): string =>
      d.unit === 'boolean' ? `${u} đã báo cáo ${d.code} chưa` : `${u} báo cáo ${d.code} chưa`,
    (_u: string, d: CatalogueIndicator): string =>
      `${g.pick(names(d))} tháng ${g.int(1, 12)} của phường mình được bao nhiêu rồi`,
    (u: string): string => `${u} đã gửi số liệu chưa ạ`,
    (_u: string, d: CatalogueIndicator): string => `${d.code} quý ${g.int(1, 4)} đạt bao nhiêu vậy`,
    (_u: string, d: CatalogueIndicator): string => `xã em đã báo cáo ${g.pick(names(d))} chưa`,
    (u: string): string => `${strip(u).toLowerCase()} bc chua`,
  ];
  for (const d of catalogue) {
    for (let k = 0; k < 2; k++) {
      const at = nextNow();
      const unit = senderFor(g, d);
      const someUnit = g.pick(units.filter((u) => u.code !== '42')).name;
      other('status', g.pick(statusForms)(someUnit, d), at, unit, 'status');
    }
  }

  // Citizens' questions, numbers and indicator words included: the citizens' search.
  const citizen = [
    () => `cấp căn cước cho trẻ ${g.int(6, 17)} tuổi ở đâu`,
    () => `làm căn cước cho con ${g.int(1, 14)} tuổi cần giấy tờ gì`,
    () => `đăng ký khai sinh cho con ${g.int(2, 30)} ngày tuổi thế nào`,
    () => `thanh toán trực tuyến lệ phí ${grouped(g.int(2, 99) * 10000)} đồng được không`,
    () => `nộp hồ sơ đất đai online mất ${g.int(2, 30)} ngày phải không`,
    () => `tài khoản định danh mức 2 làm ở đâu`,
    () => `kích hoạt vneid cho người ${g.int(60, 90)} tuổi thế nào`,
    () => `cài dịch vụ công trên điện thoại thông minh như thế nào`,
    () => `hồ sơ sức khỏe điện tử xem ở đâu`,
    () => `đăng ký kết hôn lần ${g.int(1, 3)} cần gì`,
    () => `làm hộ chiếu mất bao lâu, phí ${grouped(g.int(1, 5) * 100000)} đồng phải không`,
    () => `xin giấy phép xây dựng nhà ${g.int(2, 5)} tầng`,
    () => `cấp lại giấy khai sinh bản sao ${g.int(2, 5)} bản`,
    () => `đăng ký thường trú cho ${g.int(2, 6)} người trong hộ`,
    () => `thủ tục tách thửa ${g.int(100, 500)} m2`,
  ];
  for (let k = 0; k < 45; k++) {
    other(
      'citizen',
      (citizen[k % citizen.length] ?? citizen[0]!)(),
      nextNow(),
      g.pick(['18073', '18562']),
      'notReport',
    );
  }
  return out;
}
