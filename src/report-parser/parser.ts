/**
 * The one-line report parser: `bc HSCV 65%`, `báo cáo T10/2025 HSTT 120/150 HSCV 65,5%`,
 * `bao cao quy 3 KNS 45/50`, `HSTT=120/150; TTTT 30/100`, `CNTT có`, aliases such as
 * `ho so truc tuyen 120/150`, with or without diacritics.
 *
 * Grammar (on folded text):
 *   message := filler* prefix? ( period | "kỳ" period | item | separator )*
 *   prefix  := "bc" | "báo cáo" | "baocao" | "/baocao" | "/bc"
 *   item    := indicator [= : - "là"]* [labelled period] value
 *   value   := number "%"? | number ("/" | "trên") number | yes/no word | "1" | "0"
 * A bare `mm/yyyy` is a period only before the first indicator or right after "kỳ"; in a value
 * position it is a numerator/denominator pair. Labelled periods (`T10/2025`, `quý 3`,
 * `năm 2025`, `6T/2025`) may stand anywhere outside a value.
 *
 * It never guesses: every part it does not understand becomes an error naming that part (with
 * a suggestion from the catalogue when one is close), and a message with any error yields no
 * items. Nothing is saved here; the handler confirms with the user first.
 */
import {
  formatPeriod,
  matchPeriodAt,
  periodAt,
  periodEnd,
  periodStart,
} from '../domain/periods.js';
import type { Period } from '../domain/periods.js';
import {
  DEFAULT_SCHEDULE,
  defaultPeriodFor,
  effectivePeriodicity,
  examplePeriods,
  type Schedule,
} from '../domain/schedule.js';
import {
  figureLimit,
  formatNumberVi,
  parseNumberVi,
  resolveNumber,
  type ParsedNumber,
} from '../text/numbers.js';
import { normalizeInput } from '../text/vietnamese.js';
import {
  OTHER_UNIT_MARK,
  canonicalize,
  repairKeyboard,
  type CanonCatalogue,
  type CanonMark,
  type SenderUnits,
} from './canonical.js';
import { foldWithOffsets, tokenize, type Token } from './lexer.js';
import { suggestCode, type SuggestKey } from './suggest.js';
import type { IndicatorDef, ParseError, ParseResult, ParsedItem, Span } from './types.js';

// ---------------------------------------------------------------------------------------------
// Catalogue, compiled once per catalogue array.

interface Phrase {
  words: string[];
  def: IndicatorDef;
}

/** A short form several indicators share ("hồ sơ", "tài khoản", "kỹ năng số"). */
interface SharedPhrase {
  words: string[];
  codes: string[];
}

interface Compiled {
  codes: Set<string>;
  /** First word → phrases starting with it, longest first. */
  phrases: Map<string, Phrase[]>;
  /** First word → short forms shared by several indicators, longest first. */
  shared: Map<string, SharedPhrase[]>;
  suggest: SuggestKey[];
  canon: CanonCatalogue;
  /** Folded words of each indicator's names, aliases and numerator/denominator labels. */
  vocabulary: Map<IndicatorDef, Set<string>>;
}

const compiledCache = new WeakMap<readonly IndicatorDef[], Compiled>();

function phraseWords(text: string): string[] {
  return tokenize(foldWithOffsets(normalizeInput(text)).text)
    .filter((t) => t.type === 'word' || t.type === 'num')
    .map((t) => t.text);
}

function compile(catalogue: readonly IndicatorDef[]): Compiled {
  const cached = compiledCache.get(catalogue);
  if (cached) return cached;
  const owner = new Map<string, Set<IndicatorDef>>();
  const add = (words: string[], def: IndicatorDef): void => {
    if (words.length === 0) return;
    const key = words.join(' ');
    const set = owner.get(key) ?? new Set<IndicatorDef>();
    set.add(def);
    owner.set(key, set);
  };
  const codes = new Set<string>();
  const suggest: SuggestKey[] = [];
  const allWords = new Set<string>();
  const phraseEnds = new Set<string>();
  const vocabulary = new Map<IndicatorDef, Set<string>>();
  for (const def of catalogue) {
    const code = def.code.toLowerCase();
    codes.add(code);
    add([code], def);
    suggest.push({ key: code, code: def.code, squeezed: code });
  }
  const aliasWords = new Map<IndicatorDef, string[][]>();
  for (const def of catalogue) {
    const vocab = new Set<string>([def.code.toLowerCase()]);
    const aliases: string[][] = [];
    for (const alias of def.aliases) {
      const words = phraseWords(alias);
      add(words, def);
      aliases.push(words);
      suggest.push({ key: words.join(' '), code: def.code, squeezed: words.join('') });
      for (const w of words) vocab.add(w);
    }
    aliasWords.set(def, aliases);
    const name = phraseWords(def.nameVi);
    add(name, def);
    for (const w of name) vocab.add(w);
    for (const label of [def.numeratorLabel, def.denominatorLabel]) {
      if (label) for (const w of phraseWords(label)) vocab.add(w);
    }
    vocabulary.set(def, vocab);
    for (const w of vocab) allWords.add(w);
  }
  const phrases = new Map<string, Phrase[]>();
  const sharedByKey = new Map<string, Set<string>>();
  for (const [key, defs] of owner) {
    const words = key.split(' ');
    phraseEnds.add(words[words.length - 1] ?? '');
    const [only, ...more] = [...defs];
    if (!only) continue;
    if (more.length > 0) {
      // The same alias on several indicators: ask which one, never pick.
      sharedByKey.set(key, new Set([...defs].map((d) => d.code)));
      continue;
    }
    const first = words[0] ?? '';
    const list = phrases.get(first) ?? [];
    list.push({ words, def: only });
    phrases.set(first, list);
  }
  // A short form of two or more words that starts aliases of several indicators ("hồ sơ …",
  // "tài khoản …", "kỹ năng số …") and is no phrase of its own is shared too.
  const prefixOwners = new Map<string, Set<string>>();
  for (const [def, aliases] of aliasWords) {
    for (const words of aliases) {
      for (let n = 2; n < words.length; n++) {
        const key = words.slice(0, n).join(' ');
        const set = prefixOwners.get(key) ?? new Set<string>();
        set.add(def.code);
        prefixOwners.set(key, set);
      }
    }
  }
  for (const [key, set] of prefixOwners) {
    if (set.size >= 2 && !owner.has(key)) sharedByKey.set(key, set);
  }
  const shared = new Map<string, SharedPhrase[]>();
  for (const [key, set] of sharedByKey) {
    const words = key.split(' ');
    const first = words[0] ?? '';
    const list = shared.get(first) ?? [];
    list.push({ words, codes: catalogue.map((d) => d.code).filter((c) => set.has(c)) });
    shared.set(first, list);
  }
  for (const list of phrases.values()) list.sort((a, b) => b.words.length - a.words.length);
  for (const list of shared.values()) list.sort((a, b) => b.words.length - a.words.length);
  const compiled: Compiled = {
    codes,
    phrases,
    shared,
    suggest,
    canon: { codes, words: allWords, phraseEnds },
    vocabulary,
  };
  compiledCache.set(catalogue, compiled);
  return compiled;
}

// ---------------------------------------------------------------------------------------------
// Words.

const YES = ['co', 'yes', 'y', 'dat', 'da co', 'co roi', 'da dat', 'roi', 'true', 'ok'];
const NO = [
  'khong',
  'ko',
  'k',
  'no',
  'n',
  'chua',
  'chua co',
  'chua dat',
  'khong co',
  'khong dat',
  'false',
];
const BOOLEAN_WORDS = new Map<string, boolean>([
  ...YES.map((w): [string, boolean] => [w, true]),
  ...NO.map((w): [string, boolean] => [w, false]),
]);
/** Words that may stand right before a boolean indicator's name: "có cán bộ CNTT". */
const BOOLEAN_BEFORE = new Map<string, boolean>([
  ['co', true],
  ['da co', true],
  ['chua co', false],
  ['khong co', false],
  ['van chua co', false],
  ['chua', false],
]);
const PREFIXES = [['bc'], ['baocao'], ['bao', 'cao'], ['report']];
/** Politeness and filler words that carry no meaning in a report ("em gửi ạ", "nhé"). */
const FILLERS = new Set([
  ...['a', 'nhe', 'nha', 'em', 'da', 'gui', 'xin', 'cam', 'on', 'thanks', 'thank', 'ok', 'va'],
  ...['so', 'lieu', 'nhu', 'sau', 'cua', 've', 'cu', 'the'],
  // The sender's side: "xã em", "phường mình", "UBND xã", "kính gửi", "chào anh chị".
  ...['xa', 'phuong', 'ubnd', 'minh', 'chung', 'toi', 'kinh', 'chao', 'anh', 'chi', 'don', 'vi'],
  ...['tran', 'trong', 'lai', 'ty', 'le'],
  // Units people add after a figure: "120/150 hồ sơ", "25 người", "12 thành viên".
  ...['ho', 'hs', 'nguoi', 'thanh', 'vien', 'tv', 'san', 'pham'],
]);
/** Between an indicator and its value. */
const LINKS = new Set(['=', ':', '-']);
const LINK_WORDS = new Set(['la']);
/** Verbs that may stand right before a figure: "đạt 65%", "có 40 thành viên", "được 12". */
const VALUE_VERBS = new Set(['dat', 'co', 'duoc', 'gom', 'voi']);

/**
 * Words naming what a figure counts, as people write them after a number (folded, longest
 * first): "120/150 hồ sơ", "25 người", "40 thành viên", "12 thôn". Several words allowed.
 */
const UNIT_WORDS: readonly string[][] = [
  'ho so',
  'hs',
  'ho gia dinh',
  'ho',
  'thon to dan pho',
  'thon',
  'to dan pho',
  'tdp',
  'nguoi dan',
  'nguoi',
  'thanh vien',
  'tv',
  'san pham',
  'sp',
  'can bo',
  'cb',
  'cbcc',
  'ccvc',
  'cbccvc',
  'cong chuc',
  'tai khoan',
  'tk',
  'thu tuc',
  'tthc',
  'dich vu',
  'dvc',
  'co quan',
  'to',
]
  .map((w) => w.split(' '))
  .sort((a, b) => b.length - a.length);

/** Words that say which of two numbers is the part and which the whole. */
const MARKERS: readonly { words: string[]; marker: 'part' | 'total' }[] = [
  { words: ['trong', 'do'], marker: 'part' },
  { words: ['tong', 'so'], marker: 'total' },
  { words: ['tong', 'cong'], marker: 'total' },
  { words: ['tren', 'tong', 'so'], marker: 'total' },
  { words: ['tong'], marker: 'total' },
];

/** Words that end or make up a question: a message with them and no figure asks, not reports. */
export const QUESTION_WORDS: readonly string[][] = [
  'bao nhieu',
  'chua',
  'chua a',
  'khong',
  'ko',
  'the nao',
  'nhu the nao',
  'ra sao',
  'nao',
  'gi',
  'sao',
  'dau',
  'o dau',
  'bao lau',
  'duoc khong',
  'hay chua',
  'lam sao',
].map((w) => w.split(' '));

// ---------------------------------------------------------------------------------------------

interface Ctx {
  src: string;
  folded: string;
  origin: number[];
  toks: Token[];
  cat: Compiled;
  now: Date;
  /** Read the looser wordings too (descriptions, numbers before the name, "trong đó"). */
  lenient: boolean;
  marks: CanonMark[];
  /** Words repaired from keyboard residue (canonical offsets). */
  repaired: readonly (readonly [number, number])[];
  /** For the open periods named in examples (absent: no schedule at hand). */
  schedule?: Schedule;
}

/** `{{month}}`, `{{quarter}}`, `{{year}}` of period errors: the open periods, not a fixed year. */
function periodExampleVars(c: Ctx): Record<string, string> {
  return examplePeriods(c.now, c.schedule ?? DEFAULT_SCHEDULE);
}

interface RawNumber {
  text: string;
  pct: boolean;
}

interface RawValue {
  /** Token index after the value. */
  next: number;
  start: number;
  end: number;
  negative: boolean;
  num?: RawNumber;
  den?: RawNumber;
  bool?: boolean;
  /** A percentage written after a pair, to check against it. */
  check?: string;
  /** What the number counts, when a unit word followed it ("hồ sơ", "thành viên"). */
  unit?: string;
  /** "trong đó 98" (part) or "tổng số 140" (total). */
  marker?: 'part' | 'total';
}

function spanOf(c: Ctx, start: number, end: number): Span {
  return [c.origin[start] ?? c.src.length, c.origin[end] ?? c.src.length];
}

function part(c: Ctx, start: number, end: number): string {
  const [a, b] = spanOf(c, start, end);
  return c.src.slice(a, b);
}

function err(
  c: Ctx,
  key: string,
  start: number,
  end: number,
  vars: Record<string, string> = {},
  extra: Pick<ParseError, 'fix' | 'candidates'> = {},
): ParseError {
  return {
    key: `parse.error.${key}`,
    vars: { part: part(c, start, end), ...vars },
    span: spanOf(c, start, end),
    ...extra,
  };
}

const isWordTok = (t: Token | undefined): t is Token =>
  !!t && (t.type === 'word' || t.type === 'num');

/**
 * The phrase `words` at token i: the index after it, or 0. A slash glued between two words
 * joins them like a space ("4G/5G" is "4g 5g").
 */
function phraseAt(c: Ctx, i: number, words: readonly string[]): number {
  let p = i;
  for (let k = 0; k < words.length; k++) {
    if (k > 0) {
      const s = c.toks[p];
      const n = c.toks[p + 1];
      if (s?.type === 'slash' && !s.spaceBefore && n?.type === 'word' && !n.spaceBefore) p++;
    }
    const t = c.toks[p];
    if (!isWordTok(t) || t.text !== words[k]) return 0;
    p++;
  }
  return p;
}

/** Indicator code or alias starting at token i (longest match). */
function matchIndicator(c: Ctx, i: number): { def: IndicatorDef; next: number } | undefined {
  const first = c.toks[i];
  if (!isWordTok(first)) return undefined;
  const list = c.cat.phrases.get(first.text);
  if (!list) return undefined;
  for (const ph of list) {
    const next = phraseAt(c, i, ph.words);
    if (next > 0) return { def: ph.def, next };
  }
  return undefined;
}

/** A short form shared by several indicators starting at token i. */
function matchShared(c: Ctx, i: number): { codes: string[]; next: number } | undefined {
  const first = c.toks[i];
  if (!isWordTok(first)) return undefined;
  for (const ph of c.cat.shared.get(first.text) ?? []) {
    const next = phraseAt(c, i, ph.words);
    if (next > 0) return { codes: ph.codes, next };
  }
  return undefined;
}

/** Multi-word entry from `words` starting at token i: number of tokens matched. */
function matchWords(c: Ctx, i: number, words: readonly string[]): number {
  for (let k = 0; k < words.length; k++) {
    const t = c.toks[i + k];
    if (!isWordTok(t) || t.text !== words[k]) return 0;
  }
  return words.length;
}

function matchBoolean(c: Ctx, i: number): { value: boolean; next: number } | undefined {
  const a = c.toks[i];
  if (!a || a.type !== 'word') return undefined;
  const b = c.toks[i + 1];
  if (b && b.type === 'word') {
    const two = BOOLEAN_WORDS.get(`${a.text} ${b.text}`);
    if (two !== undefined) return { value: two, next: i + 2 };
  }
  const one = BOOLEAN_WORDS.get(a.text);
  return one === undefined ? undefined : { value: one, next: i + 1 };
}

/** "có", "chưa có", "không có" right before a boolean indicator's name. */
const BOOLEAN_BEFORE_FIRST = new Set(['co', 'da', 'chua', 'khong', 'van']);

function matchBooleanBefore(
  c: Ctx,
  i: number,
): { value: boolean; def: IndicatorDef; next: number } | undefined {
  const first = c.toks[i];
  if (!first || first.type !== 'word' || !BOOLEAN_BEFORE_FIRST.has(first.text)) return undefined;
  for (const n of [3, 2, 1]) {
    const ws: string[] = [];
    for (let k = 0; k < n; k++) {
      const t = c.toks[i + k];
      if (!t || t.type !== 'word') break;
      ws.push(t.text);
    }
    if (ws.length !== n) continue;
    const value = BOOLEAN_BEFORE.get(ws.join(' '));
    if (value === undefined) continue;
    const ind = matchIndicator(c, i + n);
    if (ind && ind.def.unit === 'boolean') return { value, def: ind.def, next: ind.next };
  }
  return undefined;
}

/** An indicator name at token i that only matches because a word in it was repaired. */
function slipInName(
  c: Ctx,
  i: number,
): { def: IndicatorDef; start: number; end: number; next: number } | undefined {
  if (c.repaired.length === 0) return undefined;
  let from = i;
  let named = matchIndicator(c, i);
  if (!named) {
    const b = matchBooleanBefore(c, i);
    if (!b) return undefined;
    named = { def: b.def, next: b.next };
    // The yes/no words before the name may be repaired ("cos cán bộ CNTT"): only the name counts.
    for (let k = i; k < b.next; k++) {
      if (matchIndicator(c, k)?.next === b.next) {
        from = k;
        break;
      }
    }
  }
  const start = c.toks[from]?.start ?? 0;
  const end = c.toks[named.next - 1]?.end ?? start;
  const hit = c.repaired.some(([a, b]) => a < end && b > start);
  return hit ? { def: named.def, start, end, next: named.next } : undefined;
}

/** A unit word (possibly several words) at token i: the folded words and the next index. */
function matchUnitWord(c: Ctx, i: number): { unit: string; next: number } | undefined {
  for (const u of UNIT_WORDS) {
    const n = matchWords(c, i, u);
    if (n > 0) return { unit: u.join(' '), next: i + n };
  }
  return undefined;
}

function matchMarker(c: Ctx, i: number): { marker: 'part' | 'total'; next: number } | undefined {
  for (const m of MARKERS) {
    const n = matchWords(c, i, m.words);
    if (n > 0) return { marker: m.marker, next: i + n };
  }
  return undefined;
}

/**
 * Skip `=`, `:`, `-`, "là" and "đạt/có/được" before a number between an indicator and its
 * value, but not a minus sign: a `-` after a space and glued to a number (`HSTT -5`) is kept
 * so the value reads negative.
 */
function skipLinks(c: Ctx, from: number): number {
  let k = from;
  for (;;) {
    const s = c.toks[k];
    if (!s) return k;
    if (s.type === 'word' && LINK_WORDS.has(s.text)) {
      k++;
      continue;
    }
    // "HSCV đạt 65%", "TCNS có 40": here "đạt" and "có" mean "reached", "has", not a yes.
    if (s.type === 'word' && VALUE_VERBS.has(s.text) && c.toks[k + 1]?.type === 'num') {
      k++;
      continue;
    }
    if (s.type !== 'sep' || !LINKS.has(s.text)) return k;
    const n = c.toks[k + 1];
    if (s.text === '-' && s.spaceBefore && n?.type === 'num' && !n.spaceBefore) return k;
    k++;
  }
}

/** Tokens taken by a report prefix (bc, báo cáo) at token i; 0 when there is none. */
function matchPrefix(c: Ctx, i: number): number {
  for (const p of PREFIXES) {
    const n = matchWords(c, i, p);
    if (n > 0) return n;
  }
  return 0;
}

/** True when token i opens the message or a line. */
function isLineStart(c: Ctx, i: number): boolean {
  const prev = c.toks[i - 1];
  return !prev || (prev.type === 'sep' && prev.text === '\n');
}

function tokenFoldedIndex(c: Ctx, end: number, from: number): number {
  let i = from;
  while (i < c.toks.length && (c.toks[i]?.start ?? 0) < end) i++;
  return i;
}

/** "trên", "trên tổng số", "/" between a numerator and a denominator: tokens taken. */
function fractionMark(c: Ctx, k: number): number {
  const s = c.toks[k];
  if (!s) return 0;
  if (s.type === 'slash') return 1;
  if (s.type === 'word' && s.text === 'tren') {
    return 1 + (matchWords(c, k + 1, ['tong', 'so']) || matchWords(c, k + 1, ['tong']));
  }
  return 0;
}

/** A value starting at token i, if one is there. */
function readValue(c: Ctx, i: number): RawValue | undefined {
  let k = i;
  let t = c.toks[k];
  if (!t) return undefined;
  const start = t.start;
  let negative = false;
  const after = c.toks[k + 1];
  if (t.type === 'sep' && t.text === '-' && after?.type === 'num' && !after.spaceBefore) {
    negative = true;
    k++;
    t = after;
  }
  if (t.type === 'num') {
    const num: RawNumber = { text: t.text, pct: false };
    let end = t.end;
    k++;
    if (c.toks[k]?.type === 'pct') {
      num.pct = true;
      end = c.toks[k]?.end ?? end;
      k++;
    } else if (matchWords(c, k, ['phan', 'tram']) > 0) {
      num.pct = true;
      end = c.toks[k + 1]?.end ?? end;
      k += 2;
    }
    // "98 hồ sơ trên 120": a unit word may stand between the numerator and "trên".
    let unit: { unit: string; next: number } | undefined;
    if (!num.pct) {
      const u = matchUnitWord(c, k);
      if (
        u &&
        fractionMark(c, u.next) > 0 &&
        c.toks[u.next + fractionMark(c, u.next)]?.type === 'num'
      ) {
        unit = u;
        k = u.next;
      }
    }
    const mark = fractionMark(c, k);
    const d = c.toks[k + mark];
    if (mark > 0 && d?.type === 'num') {
      const den: RawNumber = { text: d.text, pct: false };
      end = d.end;
      k += mark + 1;
      if (c.toks[k]?.type === 'pct') {
        den.pct = true;
        end = c.toks[k]?.end ?? end;
        k++;
      }
      // The percentage written after the pair, `120/150 (80%)` or `120/150 = 80%`.
      let q = k;
      const open = c.toks[q];
      if (open?.type === 'sep' && (open.text === '(' || open.text === '=' || open.text === '-'))
        q++;
      const pn = c.toks[q];
      if (pn?.type === 'num' && c.toks[q + 1]?.type === 'pct') {
        q += 2;
        let pend = c.toks[q - 1]?.end ?? end;
        if (c.toks[q]?.type === 'sep' && c.toks[q]?.text === ')') pend = c.toks[q++]?.end ?? pend;
        return withUnit(c, { next: q, start, end: pend, negative, num, den, check: pn.text });
      }
      return withUnit(c, {
        next: k,
        start,
        end,
        negative,
        num,
        den,
        ...(unit ? { unit: unit.unit } : {}),
      });
    }
    return withUnit(c, { next: k, start, end, negative, num });
  }
  if (negative) return undefined;
  const b = matchBoolean(c, k);
  if (b)
    return {
      next: b.next,
      start,
      end: c.toks[b.next - 1]?.end ?? start,
      negative: false,
      bool: b.value,
    };
  return undefined;
}

/**
 * The unit word after a value ("120/150 hồ sơ", "40 thành viên"), unless an indicator's name
 * starts there ("98 hồ sơ trực tuyến" names HSTT).
 */
function withUnit(c: Ctx, v: RawValue): RawValue {
  if (matchIndicator(c, v.next)) return v;
  const u = matchUnitWord(c, v.next);
  if (!u) return v;
  return { ...v, next: u.next, unit: v.unit ?? u.unit };
}

const isCount = (n: number): boolean => Number.isInteger(n) && n >= 0;
const isPercent = (n: number): boolean => n >= 0 && n <= 100;

function exampleFor(def: IndicatorDef): string {
  if (def.unit === 'percent') return `${def.code} 120/150`;
  if (def.unit === 'count') return `${def.code} 25`;
  return `${def.code} có`;
}

type Figure = Pick<ParsedItem, 'numerator' | 'denominator' | 'value' | 'barePercent' | 'boolean'>;

/** A number too precise or too large to store exactly: the error, else undefined. */
function limitError(c: Ctx, v: RawValue, vars: Record<string, string>): ParseError | undefined {
  for (const n of [v.num, v.den, v.check !== undefined ? { text: v.check } : undefined]) {
    if (!n) continue;
    const limit = figureLimit(n.text);
    if (limit === 'decimals')
      return err(c, 'tooManyDecimals', v.start, v.end, { ...vars, number: n.text });
    if (limit === 'tooLarge')
      return err(c, 'tooLarge', v.start, v.end, { ...vars, number: n.text });
  }
  return undefined;
}

/** Check a value against the indicator's unit; a figure or the error. */
function interpret(c: Ctx, def: IndicatorDef, v: RawValue): Figure | ParseError {
  const vars = { code: def.code, example: exampleFor(def) };
  if (v.bool !== undefined) {
    return def.unit === 'boolean'
      ? { boolean: v.bool, value: v.bool ? 1 : 0 }
      : err(c, 'expectedNumber', v.start, v.end, vars);
  }
  if (v.negative) return err(c, 'negative', v.start, v.end, vars);
  const limit = limitError(c, v, vars);
  if (limit) return limit;
  const num = parsed(v.num?.text);
  if (!num) return err(c, 'badNumber', v.start, v.end, vars);
  if (def.unit === 'boolean') {
    if (v.den || v.num?.pct || num.ambiguous || (num.value !== 0 && num.value !== 1)) {
      return err(c, 'expectedBoolean', v.start, v.end, vars);
    }
    return { boolean: num.value === 1, value: num.value };
  }
  if (def.unit === 'count') {
    if (v.den) return err(c, 'countFraction', v.start, v.end, vars);
    if (v.num?.pct) return err(c, 'countPercent', v.start, v.end, vars);
    const n = resolveNumber(num, isCount);
    return typeof n === 'number' ? { value: n } : err(c, 'fractionalCount', v.start, v.end, vars);
  }
  // percent
  if (v.den) {
    const den = parsed(v.den.text);
    if (!den) return err(c, 'badNumber', v.start, v.end, vars);
    if (v.num?.pct || v.den.pct) return err(c, 'fractionPercent', v.start, v.end, vars);
    const n = resolveNumber(num, isCount);
    const d = resolveNumber(den, isCount);
    if (typeof n !== 'number' || typeof d !== 'number')
      return err(c, 'fractionalCount', v.start, v.end, vars);
    // 0/0 is a real answer ("no fee-bearing dossiers this month"): no percentage, no error.
    if (d === 0 && n === 0) return { numerator: 0, denominator: 0 };
    if (d === 0) return err(c, 'zeroDenominator', v.start, v.end, vars);
    if (n > d) {
      return err(c, 'numeratorOverDenominator', v.start, v.end, {
        ...vars,
        numerator: formatNumberVi(n),
        denominator: formatNumberVi(d),
      });
    }
    const value = (n * 100) / d;
    if (v.check !== undefined) {
      const stated = parsed(v.check);
      const p = stated && resolveNumber(stated, isPercent);
      // Accept the stated percentage when it is the pair's value rounded to a shown precision.
      if (typeof p !== 'number' || Math.abs(p - value) >= 0.5 + 1e-9) {
        return err(c, 'percentMismatch', v.start, v.end, {
          ...vars,
          numerator: formatNumberVi(n),
          denominator: formatNumberVi(d),
          percent: formatNumberVi(value, { maxFractionDigits: 1 }),
        });
      }
    }
    return { numerator: n, denominator: d, value };
  }
  // "98 hồ sơ" is a count of dossiers, not 98%: the total is missing.
  if (v.unit !== undefined && !v.num?.pct) {
    return err(c, 'needsTotal', v.start, v.end, { ...vars, number: v.num?.text ?? '' });
  }
  // `1.250` with no % sign: 1,25% or a count of 1250 typed without its denominator? Ask.
  if (num.ambiguous && !v.num?.pct && isPercent(num.candidates[1])) {
    return err(c, 'ambiguousPercent', v.start, v.end, {
      ...vars,
      decimal: formatNumberVi(num.candidates[1], { maxFractionDigits: 3 }),
    });
  }
  const p = resolveNumber(num, isPercent);
  return typeof p === 'number'
    ? { value: p, barePercent: true }
    : err(c, 'percentRange', v.start, v.end, vars);
}

function parsed(text: string | undefined): ParsedNumber | undefined {
  return text === undefined ? undefined : parseNumberVi(text);
}

/** The nouns a count indicator counts, from its name ("Số thành viên …" → "thành viên"). */
function countedNouns(def: IndicatorDef): Set<string> {
  const words = phraseWords(def.nameVi);
  const from = words[0] === 'so' ? 1 : 0;
  const out = new Set<string>();
  for (const u of UNIT_WORDS) {
    if (u.every((w, k) => words[from + k] === w)) out.add(u.join(' '));
  }
  return out;
}

const isPlain = (v: RawValue): boolean =>
  !!v.num && !v.den && !v.num.pct && v.bool === undefined && !v.negative && v.check === undefined;

/**
 * The figure of an item given several values (lenient reading): a part and a whole for a
 * percentage ("tiếp nhận 140 hồ sơ, trong đó 98 trực tuyến", "tổng số 140, 98 trực tuyến"),
 * the counted noun for a count ("5 tổ, 40 thành viên" → 40 for "Số thành viên …").
 */
function combine(c: Ctx, def: IndicatorDef, values: readonly RawValue[]): Figure | ParseError {
  const [only] = values;
  if (values.length === 1 && only) return interpret(c, def, only);
  const first = values[0];
  const last = values[values.length - 1];
  const start = first?.start ?? 0;
  const end = last?.end ?? start;
  const vars = { code: def.code, example: exampleFor(def) };
  if (def.unit === 'count') {
    const nouns = countedNouns(def);
    const hits = values.filter((v) => v.unit !== undefined && nouns.has(v.unit));
    const [hit] = hits;
    if (hits.length === 1 && hit) return interpret(c, def, hit);
    return err(c, 'whichValue', start, end, vars);
  }
  if (def.unit === 'percent' && values.length === 2 && values.every(isPlain)) {
    const [a, b] = values as [RawValue, RawValue];
    let pair: [RawValue, RawValue] | undefined;
    if (a.marker === 'part' && b.marker !== 'part') pair = [a, b];
    else if (b.marker === 'part' && a.marker !== 'part') pair = [b, a];
    else if (a.marker === 'total' && b.marker !== 'total') pair = [b, a];
    else if (b.marker === 'total' && a.marker !== 'total') pair = [a, b];
    if (pair) {
      const [n, d] = pair;
      return interpret(c, def, {
        next: last?.next ?? 0,
        start,
        end,
        negative: false,
        ...(n.num ? { num: { ...n.num } } : {}),
        ...(d.num ? { den: { ...d.num } } : {}),
      });
    }
    // Two counts with nothing saying which is which: ask, offering smaller/larger.
    const na = parseNumberVi(a.num?.text ?? '');
    const nb = parseNumberVi(b.num?.text ?? '');
    const va = na && !na.ambiguous ? na.value : undefined;
    const vb = nb && !nb.ambiguous ? nb.value : undefined;
    const fix =
      va !== undefined && vb !== undefined && va !== vb
        ? {
            span: spanOf(c, start, end),
            text: va < vb ? `${a.num?.text}/${b.num?.text}` : `${b.num?.text}/${a.num?.text}`,
          }
        : undefined;
    return err(c, 'whichIsNumerator', start, end, vars, fix ? { fix } : {});
  }
  return err(c, 'whichValue', start, end, vars);
}

// ---------------------------------------------------------------------------------------------

/** Everything one reading of a message found, for `parseReport` and for `readMessage`. */
export interface Analysis {
  result: ParseResult;
  /** Units and dates taken out before parsing. */
  marks: CanonMark[];
  /** Indicators named (by code, alias or name), in order, with or without a figure. */
  mentioned: string[];
  /** Short forms that fit several indicators, each with its candidates. */
  shared: { span: Span; codes: string[] }[];
  /** Figures found: values attached to an indicator, plus values left without one. */
  figures: number;
  /** Values that no indicator took. */
  loneValues: number;
  /** The message starts like a report (bc, báo cáo, after greetings). */
  prefixed: boolean;
  /** A question word at the end ("bao nhiêu", "chưa", "không", "?"). */
  question: boolean;
  /** Words not understood (unknown runs), with a suggestion when one is close. */
  unknown: { span: Span; suggestion?: string }[];
  /** The period named, if any. */
  period?: Period;
  /** Items read without error, even when other parts of the message were not understood. */
  understood: ParsedItem[];
  /** The canonical folded text the grammar read (keyboard residue undone, numbers in digits). */
  folded: string;
  /** A report word anywhere ("báo cáo", "bc", "số liệu"). */
  reportWord: boolean;
  /** Every value read was a yes/no word ("chưa", "đạt"): maybe a question, not an answer. */
  boolOnly: boolean;
}

/** Options of {@link parseReport} and {@link analyseReport}. */
export interface ParseOptions {
  /**
   * The sender's unit(s) and the unit names a message may contain: the sender's own unit
   * named anywhere is accepted, another unit's name is refused naming both. Without it, unit
   * names are words like any other.
   */
  sender?: SenderUnits;
  /**
   * Also read the looser wordings of free text: a figure before the indicator's name ("40
   * thành viên tổ công nghệ số"), descriptions in the indicator's own words, "trong đó" /
   * "tổng số" for part and whole, several counts with their nouns. Default false (the strict
   * one-line grammar).
   */
  lenient?: boolean;
}

interface Found {
  def: IndicatorDef;
  values: RawValue[];
  start: number;
  end: number;
}

/** What one parse carries between its steps. */
interface St {
  c: Ctx;
  errors: ParseError[];
  period?: { p: Period; start: number; end: number };
  /** Lenient: "trong đó" / "tổng số" seen, for the next value. */
  marker?: 'part' | 'total';
}

function setPeriod(st: St, p: Period, start: number, end: number): void {
  const { c } = st;
  if (periodStart(p).getTime() > c.now.getTime()) {
    st.errors.push(err(c, 'futurePeriod', start, end, { period: formatPeriod(p) }));
  } else if (st.period && formatPeriod(st.period.p) !== formatPeriod(p)) {
    st.errors.push(
      err(c, 'twoPeriods', start, end, {
        first: formatPeriod(st.period.p),
        period: formatPeriod(p),
      }),
    );
  } else if (!st.period) {
    st.period = { p, start, end };
  }
}

/** Try a period at token i; returns the next token index or undefined. */
function tryPeriod(st: St, at: number, allowBare: boolean): number | undefined {
  const { c } = st;
  const t = c.toks[at];
  if (!t) return undefined;
  const m = matchPeriodAt(c.folded, t.start, c.now, allowBare);
  if (!m) return undefined;
  if (m.ok) setPeriod(st, m.period, t.start, m.end);
  else st.errors.push(err(c, 'badPeriod', t.start, m.end, periodExampleVars(c)));
  return tokenFoldedIndex(c, m.end, at);
}

/** Lenient: words that are all the indicator's own (name, aliases, labels) or fillers. */
function describes(cat: Compiled, def: IndicatorDef, words: readonly string[]): boolean {
  const vocab = cat.vocabulary.get(def);
  return words.every((w) => FILLERS.has(w) || !!vocab?.has(w));
}

/** Lenient: skip description words, links and markers after an indicator. */
function skipDescription(st: St, def: IndicatorDef, from: number): number {
  const { c } = st;
  let k = from;
  for (;;) {
    const t = c.toks[k];
    if (!t) return k;
    const m = matchMarker(c, k);
    if (m) {
      st.marker = m.marker;
      k = m.next;
      continue;
    }
    // The indicator named again in other words ("hồ sơ công việc xử lý trên mạng").
    const again = matchIndicator(c, k);
    if (again && again.def === def) {
      k = again.next;
      continue;
    }
    if (t.type === 'word' && !matchBoolean(c, k) && !again && describes(c.cat, def, [t.text])) {
      k++;
      continue;
    }
    if (t.type === 'word' && VALUE_VERBS.has(t.text) && c.toks[k + 1]?.type === 'num') {
      k++;
      continue;
    }
    if (t.type === 'sep' && (LINKS.has(t.text) || t.text === ',')) {
      // A minus glued to a number (`HSTT -5/10`) is the number's sign, kept to be refused.
      const n = c.toks[k + 1];
      if (t.text === '-' && t.spaceBefore && n?.type === 'num' && !n.spaceBefore) return k;
      k++;
      continue;
    }
    return k;
  }
}

/** A value with the marker seen before it ("trong đó 98"), which it uses up. */
function takeValue(st: St, v: RawValue): RawValue {
  const out = st.marker ? { ...v, marker: st.marker } : v;
  st.marker = undefined;
  return out;
}

/**
 * Parse and describe a message (see {@link parseReport}; `analyseReport` also says what it
 * saw, for classifying messages that are not a clean report).
 */
export function analyseReport(
  text: string,
  catalogue: readonly IndicatorDef[],
  now: Date,
  schedule: Schedule,
  options: ParseOptions = {},
): Analysis {
  const src = normalizeInput(text);
  const cat = compile(catalogue);
  const canon = canonicalize(src, cat.canon, options.sender, now);
  const { text: folded, origin } = canon;
  const c: Ctx = {
    src,
    folded,
    origin,
    toks: canon.toks ?? tokenize(folded, cat.codes),
    cat,
    now,
    lenient: options.lenient ?? false,
    marks: canon.marks,
    repaired: canon.repaired,
    schedule,
  };
  const { toks } = c;
  const errors: ParseError[] = [];
  const st: St = { c, errors };
  const found: Found[] = [];
  const mentioned: string[] = [];
  const sharedSeen: Analysis['shared'] = [];
  const unknown: Analysis['unknown'] = [];
  let seenItem = false;
  let prefixed = false;
  let lone = 0;
  /** Lenient: values and words waiting for the indicator named after them. */
  let pending: RawValue[] = [];
  let pendingWords: { start: number; end: number; words: string[] }[] = [];
  /** Lenient: the item words after a figure may still describe (until a line or `;`). */
  let open: Found | undefined;
  let i = 0;

  while (i < toks.length) {
    const t = toks[i];
    if (!t) break;
    if (t.type === 'sep' && t.text === OTHER_UNIT_MARK) {
      const mark = c.marks.find(
        (m) => m.kind === 'otherUnit' && m.span[0] === (origin[t.start] ?? -1),
      );
      const own = options.sender?.units.filter((u) => options.sender?.own.includes(u.code)) ?? [];
      errors.push({
        key: 'parse.error.otherUnit',
        vars: {
          part: mark ? src.slice(mark.span[0], mark.span[1]) : '',
          unit: mark?.name ?? '',
          own: own.map((u) => u.name).join(', '),
        },
        span: mark?.span ?? spanOf(c, t.start, t.end),
      });
      i++;
      continue;
    }
    if (t.type === 'sep' || (t.type === 'slash' && i === 0)) {
      if (t.text === '\n' || t.text === ';') {
        open = undefined;
        st.marker = undefined;
      }
      i++;
      continue;
    }
    // List markers at the start of a line: "1. HSTT 120/150", "2) HSCV 65%".
    if (t.type === 'num' && /^\d{1,2}$/.test(t.text) && isLineStart(c, i)) {
      const mark = toks[i + 1];
      if (
        mark?.type === 'sep' &&
        (mark.text === '.' || mark.text === ')') &&
        matchIndicator(c, i + 2)
      ) {
        i += 2;
        continue;
      }
    }
    // Report prefix (bc, báo cáo) anywhere before the first figure.
    if (!seenItem) {
      const n = matchPrefix(c, i);
      if (n > 0) {
        prefixed = true;
        i += n;
        continue;
      }
    }
    // A keyboard slip inside an indicator's name ("hos sơ trực tuyến"): the repaired word
    // would complete the name, but a slip there is asked back, never read silently.
    const slip = slipInName(c, i);
    if (slip) {
      seenItem = true;
      const fix = { span: spanOf(c, slip.start, slip.end), text: slip.def.code };
      unknown.push({ span: fix.span, suggestion: slip.def.code });
      errors.push(
        err(c, 'unknownSuggest', slip.start, slip.end, { suggestion: slip.def.code }, { fix }),
      );
      const value = readValue(c, skipLinks(c, slip.next));
      if (value) lone++;
      i = value ? value.next : slip.next;
      continue;
    }
    // "có cán bộ CNTT chuyên trách", "chưa có cán bộ CNTT": yes/no before the name.
    const before = matchBooleanBefore(c, i);
    if (before && !matchIndicator(c, i)) {
      seenItem = true;
      mentioned.push(before.def.code);
      const v: RawValue = {
        next: before.next,
        start: t.start,
        end: toks[before.next - 1]?.end ?? t.end,
        negative: false,
        bool: before.value,
      };
      const item: Found = { def: before.def, values: [v], start: t.start, end: v.end };
      if (found.some((f) => f.def === before.def)) {
        errors.push(err(c, 'duplicate', t.start, v.end, { code: before.def.code }));
      } else found.push(item);
      open = item;
      i = before.next;
      continue;
    }
    // Indicator and its value.
    const ind = matchIndicator(c, i);
    if (ind) {
      seenItem = true;
      mentioned.push(ind.def.code);
      // "98 hồ sơ trực tuyến" after its own figure describes it.
      if (c.lenient && open && open.def === ind.def && pending.length === 0) {
        i = ind.next;
        continue;
      }
      let k = skipLinks(c, ind.next);
      const afterPeriod = toks[k]?.type === 'word' ? tryPeriod(st, k, false) : undefined;
      if (afterPeriod !== undefined) k = skipLinks(c, afterPeriod);
      if (c.lenient) {
        k = skipDescription(st, ind.def, k);
        const p2 = toks[k]?.type === 'word' ? tryPeriod(st, k, false) : undefined;
        if (p2 !== undefined) k = skipDescription(st, ind.def, skipLinks(c, p2));
      }
      const v = readValue(c, k);
      const values: RawValue[] = [];
      if (v) {
        values.push(takeValue(st, v));
        k = v.next;
        if (c.lenient) {
          // More figures of the same item: a marked part or whole, or counts with their nouns.
          for (;;) {
            const save = st.marker;
            const j = skipDescription(st, ind.def, k);
            const w = readValue(c, j);
            const prev = values[values.length - 1];
            if (
              w &&
              isPlain(w) &&
              prev &&
              isPlain(prev) &&
              (st.marker !== undefined ||
                prev.marker !== undefined ||
                (prev.unit !== undefined && w.unit !== undefined))
            ) {
              values.push(takeValue(st, w));
              k = w.next;
              continue;
            }
            st.marker = save;
            break;
          }
          // "… 98 hồ sơ trực tuyến": the indicator's own name after its figure. When the name
          // starts with what the figure counts ("hồ sơ"), it is a count of dossiers, not 98 %.
          const again = matchIndicator(c, k);
          if (again && again.def === ind.def) {
            const u = matchUnitWord(c, k);
            const just = values[values.length - 1];
            if (u && just && just.next === k && just.unit === undefined)
              values[values.length - 1] = { ...just, unit: u.unit };
            k = again.next;
          }
        }
      } else if (c.lenient && pending.length > 0) {
        // The figures came first: "tiếp nhận 140 hồ sơ, trong đó 98 hồ sơ trực tuyến".
        const words = pendingWords.flatMap((p) => p.words);
        if (describes(cat, ind.def, words)) pendingWords = [];
        // "98 hồ sơ trực tuyến": the name starts with what the figure counts, so it is a count
        // of dossiers (the total still to come), not 98 %.
        const u = matchUnitWord(c, i);
        const just = pending[pending.length - 1];
        if (u && just && just.next === i && just.unit === undefined)
          pending[pending.length - 1] = { ...just, unit: u.unit };
        values.push(...pending);
        pending = [];
      }
      if (values.length === 0) {
        errors.push(
          err(c, 'missingValue', t.start, toks[ind.next - 1]?.end ?? t.end, {
            code: ind.def.code,
            example: exampleFor(ind.def),
          }),
        );
        i = k;
        continue;
      }
      const last = values[values.length - 1];
      const item: Found = {
        def: ind.def,
        values,
        start: Math.min(t.start, values[0]?.start ?? t.start),
        end: Math.max(last?.end ?? t.end, toks[ind.next - 1]?.end ?? t.end),
      };
      if (found.some((f) => f.def === ind.def)) {
        // The item's own span: with the figures first ("98 hồ sơ trực tuyến") the name comes last.
        errors.push(err(c, 'duplicate', item.start, item.end, { code: ind.def.code }));
      } else found.push(item);
      open = item;
      i = Math.max(k, ind.next);
      continue;
    }
    // A short form several indicators share, followed by a figure: ask which one.
    const sh = matchShared(c, i);
    if (sh) {
      let k = skipLinks(c, sh.next);
      const afterPeriod = toks[k]?.type === 'word' ? tryPeriod(st, k, false) : undefined;
      if (afterPeriod !== undefined) k = skipLinks(c, afterPeriod);
      const v = readValue(c, k);
      // Only a figure makes it a report: "hồ sơ đạt …" in a question is not one.
      if (v?.num) {
        seenItem = true;
        const end = toks[sh.next - 1]?.end ?? t.end;
        sharedSeen.push({ span: spanOf(c, t.start, end), codes: sh.codes });
        errors.push(
          err(
            c,
            'sharedName',
            t.start,
            end,
            { codes: sh.codes.join(', ') },
            {
              candidates: sh.codes,
            },
          ),
        );
        i = v.next;
        open = undefined;
        continue;
      }
    }
    // "kỳ" (+ "báo cáo") then a period, bare mm/yyyy allowed.
    if (t.type === 'word' && t.text === 'ky') {
      let k = i + 1;
      k = skipLinks(c, k + matchWords(c, k, ['bao', 'cao']));
      const next = tryPeriod(st, k, true);
      if (next !== undefined) {
        i = next;
        continue;
      }
    }
    // A period: labelled anywhere, bare mm/yyyy only before the first figure.
    const next = tryPeriod(st, i, !seenItem && pending.length === 0);
    if (next !== undefined) {
      i = next;
      continue;
    }
    // A bare mm/yyyy after the first figure: refuse to guess which it is.
    if (t.type === 'num') {
      const bare = matchPeriodAt(folded, t.start, now, true);
      if (bare) {
        errors.push(err(c, 'periodPosition', t.start, bare.end, periodExampleVars(c)));
        i = tokenFoldedIndex(c, bare.end, i);
        continue;
      }
    }
    if (c.lenient) {
      const m = matchMarker(c, i);
      if (m) {
        st.marker = m.marker;
        i = m.next;
        continue;
      }
      // "có 40 thành viên …", "đạt 70% …" before the name.
      if (t.type === 'word' && VALUE_VERBS.has(t.text) && toks[i + 1]?.type === 'num') {
        i++;
        continue;
      }
    }
    // A value with no indicator before it.
    const loneValue = readValue(c, i);
    if (loneValue && t.type !== 'word') {
      if (c.lenient) {
        pending.push(takeValue(st, loneValue));
        open = undefined;
      } else {
        lone++;
        errors.push(err(c, 'valueWithoutIndicator', loneValue.start, loneValue.end));
      }
      i = loneValue.next;
      continue;
    }
    // Words not understood: the run up to the next thing we know, then its value if any.
    let k = i;
    while (k < toks.length) {
      const w = toks[k];
      if (!w || w.type !== 'word') break;
      if (
        k > i &&
        (matchIndicator(c, k) ||
          matchShared(c, k) ||
          matchBooleanBefore(c, k) ||
          matchPeriodAt(folded, w.start, now, false) ||
          matchBoolean(c, k) ||
          (c.lenient &&
            (matchMarker(c, k) || (VALUE_VERBS.has(w.text) && toks[k + 1]?.type === 'num'))) ||
          (!seenItem && PREFIXES.some((p) => matchWords(c, k, p) > 0)))
      ) {
        break;
      }
      k++;
    }
    if (k === i) {
      // A lone slash or percent sign.
      errors.push(err(c, 'unknown', t.start, t.end));
      i++;
      continue;
    }
    const words = toks.slice(i, k).map((w) => w.text);
    let runEnd = toks[k - 1]?.end ?? t.end;
    if (words.every((w) => FILLERS.has(w))) {
      i = k;
      continue;
    }
    if (c.lenient && open && describes(cat, open.def, words)) {
      i = k;
      continue;
    }
    let suggestion = suggestFor(cat, words);
    // A slip may cut a name short ("bangj rộng cố định": "cố" looks like a yes): try the
    // words up to the next figure or sign as one name too.
    if (!suggestion) {
      let e = k;
      while (toks[e]?.type === 'word') e++;
      const longer =
        e > k
          ? suggestFor(
              cat,
              toks.slice(i, e).map((w) => w.text),
            )
          : undefined;
      if (longer) {
        suggestion = longer;
        k = e;
        runEnd = toks[e - 1]?.end ?? runEnd;
      }
    }
    if (c.lenient && !suggestion) {
      // Maybe the description of an indicator named after it.
      pendingWords.push({ start: t.start, end: runEnd, words });
      i = k;
      continue;
    }
    unknown.push({ span: spanOf(c, t.start, runEnd), ...(suggestion ? { suggestion } : {}) });
    errors.push(
      suggestion
        ? err(
            c,
            'unknownSuggest',
            t.start,
            runEnd,
            { suggestion },
            {
              fix: { span: spanOf(c, t.start, runEnd), text: suggestion },
            },
          )
        : err(c, 'unknown', t.start, runEnd),
    );
    const value = readValue(c, skipLinks(c, k));
    if (value) lone++;
    i = value ? value.next : k;
  }
  for (const p of pendingWords) {
    unknown.push({ span: spanOf(c, p.start, p.end) });
    errors.push(err(c, 'unknown', p.start, p.end));
  }
  for (const v of pending) {
    lone++;
    errors.push(err(c, 'valueWithoutIndicator', v.start, v.end));
  }

  // Figures of each item, and each indicator takes its own kind of period.
  const figures: { def: IndicatorDef; fig: Figure; span: Span }[] = [];
  for (const f of found) {
    const fig = combine(c, f.def, f.values);
    if ('key' in fig) errors.push(fig);
    else figures.push({ def: f.def, fig, span: spanOf(c, f.start, f.end) });
  }
  if (st.period) {
    for (const f of found) {
      const kind = effectivePeriodicity(f.def, schedule);
      if (kind !== st.period.p.kind) {
        const example = periodAt(kind, new Date(periodEnd(st.period.p).getTime() - 1));
        errors.push(
          err(c, `periodMismatch.${kind}`, st.period.start, st.period.end, {
            code: f.def.code,
            period: formatPeriod(st.period.p),
            example: formatPeriod(example),
          }),
        );
      }
    }
  }
  if (errors.length === 0 && found.length === 0) {
    errors.push({
      key: 'parse.error.noItems',
      vars: { part: src.trim(), example: 'bc HSTT 120/150' },
      span: [0, src.length],
    });
  }
  const question = hasQuestion(c);
  const explicitPeriod = st.period ? (st.period as { p: Period }).p : undefined;
  const understood: ParsedItem[] = figures.map((f) => ({
    code: f.def.code,
    ...f.fig,
    period:
      explicitPeriod ?? defaultPeriodFor(effectivePeriodicity(f.def, schedule), now, schedule),
    periodExplicit: explicitPeriod !== undefined,
    span: f.span,
  }));
  const reportWord = toks.some(
    (t, k) => matchPrefix(c, k) > 0 || (t.type === 'word' && matchWords(c, k, ['so', 'lieu']) > 0),
  );
  const base = {
    folded,
    understood,
    reportWord,
    boolOnly: found.every((f) => f.values.every((v) => v.bool !== undefined)),
    marks: c.marks,
    mentioned,
    shared: sharedSeen,
    figures: found.length,
    loneValues: lone,
    prefixed: prefixed || startsLikeReport(c),
    question,
    unknown,
    ...(st.period ? { period: (st.period as { p: Period }).p } : {}),
  };
  if (errors.length > 0) {
    errors.sort((a, b) => a.span[0] - b.span[0]);
    return { ...base, result: { ok: false, errors } };
  }
  return {
    ...base,
    result: {
      ok: true,
      ...(explicitPeriod ? { period: explicitPeriod } : {}),
      items: understood,
    },
  };
}

/** Suggestions already worked out, per catalogue (the same slips come back all day). */
const suggestMemo = new WeakMap<Compiled, Map<string, string | null>>();

/** A suggestion for words not understood: as typed, then with keyboard residue undone. */
function suggestFor(cat: Compiled, words: readonly string[]): string | undefined {
  let memo = suggestMemo.get(cat);
  if (!memo) suggestMemo.set(cat, (memo = new Map()));
  const key = words.join(' ');
  const hit = memo.get(key);
  if (hit !== undefined) return hit ?? undefined;
  const found = computeSuggestion(cat, words);
  if (memo.size >= 10_000) memo.clear();
  memo.set(key, found ?? null);
  return found;
}

function computeSuggestion(cat: Compiled, words: readonly string[]): string | undefined {
  const direct =
    suggestCode(words.join(' '), cat.suggest) ?? suggestCode(words[0] ?? '', cat.suggest);
  if (direct) return direct;
  const repaired = words.map((w) => repairKeyboard(w) ?? w);
  if (repaired.every((w, k) => w === words[k])) return undefined;
  const joined = repaired.join(' ');
  for (const list of cat.phrases.values()) {
    for (const ph of list) if (ph.words.join(' ') === joined) return ph.def.code;
  }
  return suggestCode(joined, cat.suggest);
}

/** A question word at the end of the message (or a question mark anywhere). */
function hasQuestion(c: Ctx): boolean {
  if (c.toks.some((t) => t.type === 'sep' && t.text === '?')) return true;
  let end = c.toks.length;
  while (end > 0 && c.toks[end - 1]?.type === 'sep') end--;
  // Politeness after the question: "… chưa ạ", "… bao nhiêu vậy".
  while (end > 0 && ['a', 'vay', 'nhi', 'the', 'nhe', 'ha'].includes(c.toks[end - 1]?.text ?? ''))
    end--;
  for (const q of QUESTION_WORDS) {
    const from = end - q.length;
    if (from >= 0 && matchWords(c, from, q) > 0) return true;
  }
  for (let k = 0; k + 1 < c.toks.length; k++) {
    if (matchWords(c, k, ['bao', 'nhieu']) > 0) return true;
  }
  return false;
}

/** Greetings, then a report word: "Dạ em gửi báo cáo …", "em gửi số liệu tháng 11 …". */
function startsLikeReport(c: Ctx): boolean {
  let i = 0;
  let sawSend = false;
  for (;;) {
    const t = c.toks[i];
    if (!t) return false;
    if (t.type === 'sep') {
      i++;
      continue;
    }
    if (matchPrefix(c, i) > 0) return true;
    if (t.type === 'word' && matchWords(c, i, ['so', 'lieu']) > 0) return sawSend || i === 0;
    if (t.type === 'word' && FILLERS.has(t.text) && !matchIndicator(c, i)) {
      if (t.text === 'gui') sawSend = true;
      i++;
      continue;
    }
    return false;
  }
}

/**
 * Parse a one-line report. Pure: saves nothing.
 * @param text the message as typed (it is NFC-normalised here; spans refer to that form).
 * @param catalogue indicators that may be reported; compiled once per array instance, so pass
 *   the same array every time.
 * @param now resolves periods written without a year and the default period of each item.
 * @param schedule gives each indicator's periodicity and, for items naming no period, the
 *   default period (most recent ended period not yet locked, else the one in progress).
 * @param options the sender's units (own unit names accepted, other units refused) and the
 *   lenient wordings of free text.
 */
export function parseReport(
  text: string,
  catalogue: readonly IndicatorDef[],
  now: Date,
  schedule: Schedule,
  options: ParseOptions = {},
): ParseResult {
  return analyseReport(text, catalogue, now, schedule, options).result;
}

/**
 * Whether a message is clearly meant as a report (to tell someone who is not a linked reporter
 * how to get an invitation, instead of searching public services): it starts with `bc`,
 * `báo cáo`, `baocao` or `/baocao`, or with an indicator code or alias followed by a value.
 */
export function looksLikeReport(text: string, catalogue: readonly IndicatorDef[]): boolean {
  const cat = compile(catalogue);
  const { text: folded, origin } = foldWithOffsets(normalizeInput(text));
  const c: Ctx = {
    src: text,
    folded,
    origin,
    toks: tokenize(folded, cat.codes),
    cat,
    now: new Date(),
    lenient: false,
    marks: [],
    repaired: [],
  };
  let i = 0;
  if (c.toks[0]?.type === 'slash') {
    return ['baocao', 'bc', 'report'].includes(c.toks[1]?.text ?? '');
  }
  // Skip bullets, list markers and politeness: "- HSTT …", "1. HSTT …", "em gửi báo cáo …".
  for (;;) {
    const t = c.toks[i];
    if (t?.type === 'sep') i++;
    else if (
      t?.type === 'num' &&
      /^\d{1,2}$/.test(t.text) &&
      [')', '.'].includes(c.toks[i + 1]?.text ?? '')
    )
      i += 2;
    else if (t?.type === 'word' && FILLERS.has(t.text) && !matchIndicator(c, i)) i++;
    else break;
  }
  if (PREFIXES.some((w) => matchWords(c, i, w) > 0)) return true;
  const ind = matchIndicator(c, i);
  if (!ind) return false;
  return readValue(c, skipLinks(c, ind.next)) !== undefined;
}
