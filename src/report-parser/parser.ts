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
import { defaultPeriodFor, effectivePeriodicity, type Schedule } from '../domain/schedule.js';
import {
  formatNumberVi,
  parseNumberVi,
  resolveNumber,
  type ParsedNumber,
} from '../text/numbers.js';
import { normalizeInput } from '../text/vietnamese.js';
import { foldWithOffsets, tokenize, type Token } from './lexer.js';
import { suggestCode, type SuggestKey } from './suggest.js';
import type { IndicatorDef, ParseError, ParseResult, ParsedItem, Span } from './types.js';

// ---------------------------------------------------------------------------------------------
// Catalogue, compiled once per catalogue array.

interface Phrase {
  words: string[];
  def: IndicatorDef;
}

interface Compiled {
  codes: Set<string>;
  /** First word → phrases starting with it, longest first. */
  phrases: Map<string, Phrase[]>;
  suggest: SuggestKey[];
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
  const owner = new Map<string, IndicatorDef | null>();
  const add = (words: string[], def: IndicatorDef): void => {
    if (words.length === 0) return;
    const key = words.join(' ');
    const prev = owner.get(key);
    // A phrase claimed by two indicators is ambiguous: it matches neither.
    owner.set(key, prev === undefined || prev === def ? def : null);
  };
  const codes = new Set<string>();
  const suggest: SuggestKey[] = [];
  for (const def of catalogue) {
    const code = def.code.toLowerCase();
    codes.add(code);
    add([code], def);
    suggest.push({ key: code, code: def.code });
  }
  for (const def of catalogue) {
    for (const alias of def.aliases) {
      const words = phraseWords(alias);
      add(words, def);
      suggest.push({ key: words.join(' '), code: def.code });
    }
    add(phraseWords(def.nameVi), def);
  }
  const phrases = new Map<string, Phrase[]>();
  for (const [key, def] of owner) {
    if (!def) continue;
    const words = key.split(' ');
    const first = words[0] ?? '';
    const list = phrases.get(first) ?? [];
    list.push({ words, def });
    phrases.set(first, list);
  }
  for (const list of phrases.values()) list.sort((a, b) => b.words.length - a.words.length);
  const compiled = { codes, phrases, suggest };
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
const PREFIXES = [['bc'], ['baocao'], ['bao', 'cao'], ['report']];
/** Politeness and filler words that carry no meaning in a report ("em gửi ạ", "nhé"). */
const FILLERS = new Set([
  ...['a', 'nhe', 'nha', 'em', 'da', 'gui', 'xin', 'cam', 'on', 'thanks', 'thank', 'ok', 'va'],
  ...['so', 'lieu', 'nhu', 'sau', 'cua', 've', 'cu', 'the'],
  // Units people add after a figure: "120/150 hồ sơ", "25 người", "12 thành viên".
  ...['ho', 'hs', 'nguoi', 'thanh', 'vien', 'tv', 'san', 'pham'],
]);
/** Between an indicator and its value. */
const LINKS = new Set(['=', ':', '-']);
const LINK_WORDS = new Set(['la']);

// ---------------------------------------------------------------------------------------------

interface Ctx {
  src: string;
  folded: string;
  origin: number[];
  toks: Token[];
  cat: Compiled;
  now: Date;
}

interface RawValue {
  /** Token index after the value. */
  next: number;
  start: number;
  end: number;
  negative: boolean;
  num?: { text: string; pct: boolean };
  den?: { text: string; pct: boolean };
  bool?: boolean;
  /** A percentage written after a pair, to check against it. */
  check?: string;
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
): ParseError {
  return {
    key: `parse.error.${key}`,
    vars: { part: part(c, start, end), ...vars },
    span: spanOf(c, start, end),
  };
}

/** Indicator code or alias starting at token i (longest match). */
function matchIndicator(c: Ctx, i: number): { def: IndicatorDef; next: number } | undefined {
  const first = c.toks[i];
  if (!first || (first.type !== 'word' && first.type !== 'num')) return undefined;
  const list = c.cat.phrases.get(first.text);
  if (!list) return undefined;
  for (const ph of list) {
    let ok = true;
    for (let k = 1; k < ph.words.length && ok; k++) {
      const t = c.toks[i + k];
      ok = !!t && (t.type === 'word' || t.type === 'num') && t.text === ph.words[k];
    }
    // A phrase must not stop in the middle of a number like `4` of `4,5`.
    if (ok) return { def: ph.def, next: i + ph.words.length };
  }
  return undefined;
}

/** Multi-word entry from `words` starting at token i: number of tokens matched. */
function matchWords(c: Ctx, i: number, words: readonly string[]): number {
  for (let k = 0; k < words.length; k++) {
    const t = c.toks[i + k];
    if (!t || t.type !== 'word' || t.text !== words[k]) return 0;
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

/**
 * Skip `=`, `:`, `-` and "là" between an indicator and its value, but not a minus sign: a `-`
 * after a space and glued to a number (`HSTT -5`) is kept so the value reads negative.
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
    // "HSCV đạt 65%": here "đạt" means "reached", not a yes.
    if (s.type === 'word' && s.text === 'dat' && c.toks[k + 1]?.type === 'num') {
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
    const num = { text: t.text, pct: false };
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
    const s = c.toks[k];
    const d = c.toks[k + 1];
    if (
      s &&
      d?.type === 'num' &&
      (s.type === 'slash' || (s.type === 'word' && s.text === 'tren'))
    ) {
      const den = { text: d.text, pct: false };
      end = d.end;
      k += 2;
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
        return { next: q, start, end: pend, negative, num, den, check: pn.text };
      }
      return { next: k, start, end, negative, num, den };
    }
    return { next: k, start, end, negative, num };
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

const isCount = (n: number): boolean => Number.isInteger(n) && n >= 0;
const isPercent = (n: number): boolean => n >= 0 && n <= 100;

function exampleFor(def: IndicatorDef): string {
  if (def.unit === 'percent') return `${def.code} 120/150`;
  if (def.unit === 'count') return `${def.code} 25`;
  return `${def.code} có`;
}

type Figure = Pick<ParsedItem, 'numerator' | 'denominator' | 'value' | 'barePercent' | 'boolean'>;

/** Check a value against the indicator's unit; a figure or the error. */
function interpret(c: Ctx, def: IndicatorDef, v: RawValue): Figure | ParseError {
  const vars = { code: def.code, example: exampleFor(def) };
  const e = (key: string): ParseError => err(c, key, v.start, v.end, vars);
  if (v.bool !== undefined) {
    return def.unit === 'boolean'
      ? { boolean: v.bool, value: v.bool ? 1 : 0 }
      : e('expectedNumber');
  }
  if (v.negative) return e('negative');
  const num = parsed(v.num?.text);
  if (!num) return e('badNumber');
  if (def.unit === 'boolean') {
    if (v.den || v.num?.pct || num.ambiguous || (num.value !== 0 && num.value !== 1)) {
      return e('expectedBoolean');
    }
    return { boolean: num.value === 1, value: num.value };
  }
  if (def.unit === 'count') {
    if (v.den) return e('countFraction');
    if (v.num?.pct) return e('countPercent');
    const n = resolveNumber(num, isCount);
    return typeof n === 'number' ? { value: n } : e('fractionalCount');
  }
  // percent
  if (v.den) {
    const den = parsed(v.den.text);
    if (!den) return e('badNumber');
    if (v.num?.pct || v.den.pct) return e('fractionPercent');
    const n = resolveNumber(num, isCount);
    const d = resolveNumber(den, isCount);
    if (typeof n !== 'number' || typeof d !== 'number') return e('fractionalCount');
    // 0/0 is a real answer ("no fee-bearing dossiers this month"): no percentage, no error.
    if (d === 0 && n === 0) return { numerator: 0, denominator: 0 };
    if (d === 0) return e('zeroDenominator');
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
  // `1.250` with no % sign: 1,25% or a count of 1250 typed without its denominator? Ask.
  if (num.ambiguous && !v.num?.pct && isPercent(num.candidates[1])) {
    return err(c, 'ambiguousPercent', v.start, v.end, {
      ...vars,
      decimal: formatNumberVi(num.candidates[1], { maxFractionDigits: 3 }),
    });
  }
  const p = resolveNumber(num, isPercent);
  return typeof p === 'number' ? { value: p, barePercent: true } : e('percentRange');
}

function parsed(text: string | undefined): ParsedNumber | undefined {
  return text === undefined ? undefined : parseNumberVi(text);
}

/**
 * Parse a one-line report. Pure: saves nothing.
 * @param text the message as typed (it is NFC-normalised here; spans refer to that form).
 * @param catalogue indicators that may be reported; compiled once per array instance, so pass
 *   the same array every time.
 * @param now resolves periods written without a year and the default period of each item.
 * @param schedule gives each indicator's periodicity and, for items naming no period, the
 *   default period (most recent ended period not yet locked, else the one in progress).
 */
export function parseReport(
  text: string,
  catalogue: readonly IndicatorDef[],
  now: Date,
  schedule: Schedule,
): ParseResult {
  const src = normalizeInput(text);
  const cat = compile(catalogue);
  const { text: folded, origin } = foldWithOffsets(src);
  const c: Ctx = { src, folded, origin, toks: tokenize(folded, cat.codes), cat, now };
  const { toks } = c;
  const errors: ParseError[] = [];
  const found: { def: IndicatorDef; fig: Figure; span: Span }[] = [];
  let period: { p: Period; start: number; end: number } | undefined;
  let seenItem = false;
  let i = 0;

  const setPeriod = (p: Period, start: number, end: number): void => {
    if (periodStart(p).getTime() > now.getTime()) {
      errors.push(err(c, 'futurePeriod', start, end, { period: formatPeriod(p) }));
    } else if (period && formatPeriod(period.p) !== formatPeriod(p)) {
      errors.push(
        err(c, 'twoPeriods', start, end, {
          first: formatPeriod(period.p),
          period: formatPeriod(p),
        }),
      );
    } else if (!period) {
      period = { p, start, end };
    }
  };

  /** Try a period at token i; returns the next token index or undefined. */
  const tryPeriod = (at: number, allowBare: boolean): number | undefined => {
    const t = toks[at];
    if (!t) return undefined;
    const m = matchPeriodAt(folded, t.start, now, allowBare);
    if (!m) return undefined;
    if (m.ok) setPeriod(m.period, t.start, m.end);
    else errors.push(err(c, 'badPeriod', t.start, m.end));
    return tokenFoldedIndex(c, m.end, at);
  };

  while (i < toks.length) {
    const t = toks[i];
    if (!t) break;
    if (t.type === 'sep' || (t.type === 'slash' && i === 0)) {
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
        i += n;
        continue;
      }
    }
    // Indicator and its value.
    const ind = matchIndicator(c, i);
    if (ind) {
      seenItem = true;
      let k = skipLinks(c, ind.next);
      const afterPeriod = toks[k]?.type === 'word' ? tryPeriod(k, false) : undefined;
      if (afterPeriod !== undefined) k = skipLinks(c, afterPeriod);
      const v = readValue(c, k);
      if (!v) {
        errors.push(
          err(c, 'missingValue', t.start, toks[ind.next - 1]?.end ?? t.end, {
            code: ind.def.code,
            example: exampleFor(ind.def),
          }),
        );
        i = k;
        continue;
      }
      const fig = interpret(c, ind.def, v);
      if ('key' in fig) errors.push(fig);
      else if (found.some((f) => f.def === ind.def)) {
        errors.push(err(c, 'duplicate', t.start, v.end, { code: ind.def.code }));
      } else found.push({ def: ind.def, fig, span: spanOf(c, t.start, v.end) });
      i = v.next;
      continue;
    }
    // "kỳ" (+ "báo cáo") then a period, bare mm/yyyy allowed.
    if (t.type === 'word' && t.text === 'ky') {
      let k = i + 1;
      k = skipLinks(c, k + matchWords(c, k, ['bao', 'cao']));
      const next = tryPeriod(k, true);
      if (next !== undefined) {
        i = next;
        continue;
      }
    }
    // A period: labelled anywhere, bare mm/yyyy only before the first figure.
    const next = tryPeriod(i, !seenItem);
    if (next !== undefined) {
      i = next;
      continue;
    }
    // A bare mm/yyyy after the first figure: refuse to guess which it is.
    if (t.type === 'num') {
      const bare = matchPeriodAt(folded, t.start, now, true);
      if (bare) {
        errors.push(err(c, 'periodPosition', t.start, bare.end));
        i = tokenFoldedIndex(c, bare.end, i);
        continue;
      }
    }
    // A value with no indicator before it.
    const lone = readValue(c, i);
    if (lone && t.type !== 'word') {
      errors.push(err(c, 'valueWithoutIndicator', lone.start, lone.end));
      i = lone.next;
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
          matchPeriodAt(folded, w.start, now, false) ||
          matchBoolean(c, k) ||
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
    const runEnd = toks[k - 1]?.end ?? t.end;
    if (words.every((w) => FILLERS.has(w))) {
      i = k;
      continue;
    }
    const suggestion =
      suggestCode(words.join(' '), cat.suggest) ?? suggestCode(words[0] ?? '', cat.suggest);
    errors.push(
      suggestion
        ? err(c, 'unknownSuggest', t.start, runEnd, { suggestion })
        : err(c, 'unknown', t.start, runEnd),
    );
    const value = readValue(c, skipLinks(c, k));
    i = value ? value.next : k;
  }

  // Each indicator takes its own kind of period.
  if (period) {
    for (const f of found) {
      const kind = effectivePeriodicity(f.def, schedule);
      if (kind !== period.p.kind) {
        const example = periodAt(kind, new Date(periodEnd(period.p).getTime() - 1));
        errors.push(
          err(c, `periodMismatch.${kind}`, period.start, period.end, {
            code: f.def.code,
            period: formatPeriod(period.p),
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
  if (errors.length > 0) {
    errors.sort((a, b) => a.span[0] - b.span[0]);
    return { ok: false, errors };
  }
  const explicit = period?.p;
  return {
    ok: true,
    ...(explicit ? { period: explicit } : {}),
    items: found.map((f) => ({
      code: f.def.code,
      ...f.fig,
      period: explicit ?? defaultPeriodFor(effectivePeriodicity(f.def, schedule), now, schedule),
      periodExplicit: explicit !== undefined,
      span: f.span,
    })),
  };
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
