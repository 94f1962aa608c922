/**
 * Before the report grammar runs, the folded message is brought to canonical words, keeping
 * an offset map back to what was typed (errors still quote the person's own words):
 *
 * - the sender's own unit named anywhere ("- Phường Thành Sen", "UBND xã Thạch Hà") is
 *   dropped; another unit's name is kept as a mark for the parser to refuse;
 * - a date ("gửi ngày 02/12/2026", "ngày 2/12") is the day the message was sent, never the
 *   period: dropped;
 * - Telex and VNI residue in the words around the figures ("baos caos", "tha1ng", "phaanf
 *   traawm") is repaired, but only into a closed list of frame words (báo cáo, tháng, quý,
 *   phần trăm, đạt, trên, …). Indicator codes and names are never repaired: KNS and TCNS end
 *   in the Telex tone key "s", and a slip inside a name must be asked back, not read;
 * - numbers written in words ("mười một", "hai mươi lăm", "bảy mươi phần trăm", "tháng
 *   mười") become digits where the words around them say a number is meant.
 */
import { mayBeNumberWord, readNumberWords, type NumberWord } from '../text/number-words.js';
import { vnDateParts } from '../domain/periods.js';
import { foldWithOffsets, tokenize, type FoldedText, type Token } from './lexer.js';

/** A unit the message may name. */
export interface UnitName {
  code: string;
  /** Official name with its type word, e.g. "Phường Thành Sen". */
  name: string;
  /** Other names (old names, spelling variants), each with or without its type word. */
  aliases?: readonly string[];
}

/** Who is writing: the units they report for, and every unit a message might name. */
export interface SenderUnits {
  /** Codes of the sender's own units. */
  own: readonly string[];
  /** Units whose names are recognised (the sender's own among them). */
  units: readonly UnitName[];
}

/** Something taken out of the message before parsing, with where it was typed. */
export interface CanonMark {
  kind: 'ownUnit' | 'otherUnit' | 'date';
  /** Offsets in the NFC text. */
  span: readonly [number, number];
  /** Units: the code and official name. */
  code?: string;
  name?: string;
}

/** What the canonical pass needs from the catalogue (compiled once by the parser). */
export interface CanonCatalogue {
  /** Folded indicator codes (never repaired, never read as number words). */
  codes: ReadonlySet<string>;
  /** Every folded word of every code, alias and name (left as typed). */
  words: ReadonlySet<string>;
  /** Folded last words of indicator phrases: a number word right after one is a figure. */
  phraseEnds: ReadonlySet<string>;
}

/** The placeholder that stands where another unit was named (a `mark` token for the parser). */
export const OTHER_UNIT_MARK = '\uE001';

/** Words the grammar knows around figures; Telex/VNI residue is repaired only into these. */
export const FRAME_WORDS: ReadonlySet<string> = new Set([
  // report and period words
  ...['bao', 'cao', 'baocao', 'bc', 'thang', 'thg', 'quy', 'nam', 'ky', 'dau', 'cuoi', 'nua'],
  // politeness and filler
  ...['da', 'em', 'gui', 'xin', 'cam', 'on', 'a', 'nhe', 'nha', 'so', 'lieu', 'ngay', 'nhu'],
  ...['sau', 'cua', 've', 'xa', 'phuong', 'minh', 'chung', 'toi', 'kinh', 'chao'],
  // links and markers
  ...['dat', 'la', 'co', 'duoc', 'gom', 'tren', 'tong', 'trong', 'do', 'chua', 'khong', 'roi'],
  ...['phan', 'tram', 'voi', 'va', 'tiep', 'nhan'],
  // unit words
  ...['ho', 'nguoi', 'thon', 'thanh', 'vien', 'san', 'pham', 'can', 'bo', 'to'],
  // number words
  ...['mot', 'hai', 'ba', 'bon', 'tu', 'lam', 'nham', 'bay', 'tam', 'chin', 'muoi'],
  ...['linh', 'le', 'nghin', 'ngan', 'trieu', 'ty'],
]);

/** Words a digit may follow as a period index (`thang1`, `q3`, `quy4`), never a tone key. */
const PERIOD_ROOTS = new Set(['t', 'thang', 'thg', 'q', 'quy', 'h', 'nam', 'ky', 'bc']);

/**
 * Undo Telex/VNI residue on one folded word: `baos` → `bao`, `thangs` → `thang`, `tha1ng` →
 * `thang`, `ddatj` → `dat`, `phaanf` → `phan`. Undefined when nothing changes. VNI digits are
 * removed only inside a word (`tha1ng`), never at its end (`thang1` is T1).
 */
export function repairKeyboard(word: string): string | undefined {
  if (!/^[a-z][a-z0-9]*$/.test(word)) return undefined;
  let s = word;
  if (/[a-z][0-9]+[a-z]/.test(s)) s = s.replace(/([a-z])[0-9]+(?=[a-z])/g, '$1');
  // A tone digit at the end (`co1` for có), except after a period word: `thang1` is T1.
  const tail = /^([a-z]+)[1-9]$/.exec(s);
  if (tail && !PERIOD_ROOTS.has(tail[1] ?? '')) s = tail[1] ?? s;
  if (/[0-9]/.test(s)) return undefined;
  s = s
    .replace(/dd/g, 'd')
    .replace(/aa/g, 'a')
    .replace(/ee/g, 'e')
    .replace(/oo/g, 'o')
    .replace(/([aou])w/g, '$1')
    .replace(/w/g, 'u');
  // Tone keys: s, f, r, x, j never follow the first vowel of a Vietnamese syllable.
  const v = s.search(/[aeiouy]/);
  if (v >= 0) s = s.slice(0, v + 1) + s.slice(v + 1).replace(/[sfrxj]/g, '');
  return s !== word && s.length > 0 ? s : undefined;
}

// ---------------------------------------------------------------------------------------------
// Unit names, compiled once per unit list.

interface UnitPhrase {
  words: string[];
  code: string;
  name: string;
  /** Written without its type word: recognised for the sender's own units only. */
  bare: boolean;
  /** An old or other name, not the official one in force (official names win a tie). */
  alias: boolean;
}

const TYPE_WORDS = [['xa'], ['phuong'], ['dac', 'khu'], ['tinh'], ['thi', 'tran']];
const TYPE_ABBREVIATIONS = new Map([
  ['xa', 'x'],
  ['phuong', 'p'],
  ['thi tran', 'tt'],
  ['dac khu', 'dk'],
]);
const ABBREVIATED = new Set(TYPE_ABBREVIATIONS.values());
const unitCache = new WeakMap<readonly UnitName[], Map<string, UnitPhrase[]>>();

function words(text: string): string[] {
  return tokenize(foldWithOffsets(text.normalize('NFC')).text)
    .filter((t) => t.type === 'word' || t.type === 'num')
    .map((t) => t.text);
}

function compileUnits(units: readonly UnitName[]): Map<string, UnitPhrase[]> {
  const cached = unitCache.get(units);
  if (cached) return cached;
  const byFirst = new Map<string, UnitPhrase[]>();
  const add = (ws: string[], u: UnitName, bare: boolean, alias: boolean): void => {
    const first = ws[0];
    if (!first) return;
    const list = byFirst.get(first) ?? [];
    list.push({ words: ws, code: u.code, name: u.name, bare, alias });
    byFirst.set(first, list);
  };
  for (const u of units) {
    for (const [n, alias] of [
      [u.name, false] as const,
      ...(u.aliases ?? []).map((a) => [a, true] as const),
    ]) {
      const ws = words(n);
      const type = TYPE_WORDS.find((t) => t.every((w, i) => ws[i] === w));
      if (type) {
        add(ws, u, false, alias);
        // Abbreviated type words: "P. Thành Sen", "X Thạch Hà", "TT Phố Châu".
        const abbr = TYPE_ABBREVIATIONS.get(type.join(' '));
        if (abbr) add([abbr, ...ws.slice(type.length)], u, false, alias);
        // "UBND xã …" is read as the type word after a filler; the bare name needs 2+ words.
        if (ws.length - type.length >= 2) add(ws.slice(type.length), u, true, alias);
      } else if (ws.length >= 2) {
        add(ws, u, true, alias);
      }
    }
  }
  // Longest first; on the same words the official name in force before an old one.
  for (const list of byFirst.values())
    list.sort((a, b) => b.words.length - a.words.length || Number(a.alias) - Number(b.alias));
  unitCache.set(units, byFirst);
  return byFirst;
}

// ---------------------------------------------------------------------------------------------

/** Previous words after which a lone number word is a figure or a period index. */
const BEFORE_NUMBER = new Set([
  ...['thang', 'thg', 'quy', 'dat', 'la', 'co', 'duoc', 'gom', 'tren', 'do', 'tong', 'voi'],
  ...['nhan', 'khoang'],
]);
/** Next words before which a lone number word is a figure. */
const AFTER_NUMBER = new Set([
  ...['phan', 'tren', 'ho', 'nguoi', 'thon', 'thanh', 'san', 'can', 'tai', 'thu', 'to', 'hs'],
  ...['tv', 'cb', 'cbcc', 'ccvc', 'cbccvc', 'tthc', 'dvc', 'dich', 'tk', 'thue', 'hsc'],
]);
const LINK_SEPS = new Set([':', '=', '-']);

const NOT_A_NUMBER: NumberWord = { folded: '', typed: '' };
const REPAIRABLE = /[sfrxjw0-9]|aa|ee|oo|dd/;

/** Whether any token may be a date, a unit name, keyboard residue or a number word. */
function needsWork(toks: readonly Token[], cat: CanonCatalogue, sender?: SenderUnits): boolean {
  const units = sender && sender.units.length > 0 ? compileUnits(sender.units) : undefined;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (!t) continue;
    if (t.type === 'num') {
      const s = toks[i + 1];
      if (s && s.type !== 'word' && s.type !== 'num' && toks[i + 2]?.type === 'num') {
        const s2 = toks[i + 3];
        if (s2 && s2.text === s.text && toks[i + 4]?.type === 'num') return true;
      }
      if (units?.has(t.text)) return true;
      continue;
    }
    if (t.type !== 'word') continue;
    const w = t.text;
    if (w === 'ngay' || w === 'truoc' || w === 'ngoai' || w === 'nay' || w === 'phat') return true;
    if (mayBeNumberWord(w) || units?.has(w)) return true;
    if (!FRAME_WORDS.has(w) && !cat.codes.has(w) && !cat.words.has(w) && REPAIRABLE.test(w))
      return true;
  }
  return false;
}

/** The canonical word before token i (or a linking sign `:`, `=`, `-`). */
function prevWord(
  toks: readonly Token[],
  canon: readonly (string | undefined)[],
  i: number,
): string | undefined {
  const p = toks[i - 1];
  if (!p) return undefined;
  if (p.type === 'sep') return LINK_SEPS.has(p.text) ? p.text : undefined;
  return canon[i - 1];
}

/** Canonical folded text with its offset map, and what was taken out. */
export interface Canonical extends FoldedText {
  /** The tokens of `text` (split at known codes), when nothing was rewritten. */
  toks?: Token[];
  marks: CanonMark[];
  /** [start, end) of words repaired from keyboard residue, in the canonical text. */
  repaired: [number, number][];
}

interface Replacement {
  start: number;
  end: number;
  text: string;
  /** Keyboard residue undone (a slip inside a name must still be asked back). */
  repair?: boolean;
}

/**
 * Fold `src` (already NFC) and rewrite it to canonical words (see the module comment).
 * Offsets in the result map back to `src`.
 */
export function canonicalize(
  src: string,
  cat: CanonCatalogue,
  sender?: SenderUnits,
  now?: Date,
): Canonical {
  const folded = foldWithOffsets(src);
  const { text, origin } = folded;
  const toks = tokenize(text, cat.codes);
  // Most messages need nothing: say so after one cheap look at each token.
  if (!needsWork(toks, cat, sender)) return { text, origin, toks, marks: [], repaired: [] };
  const marks: CanonMark[] = [];
  const reps: Replacement[] = [];

  // "tháng trước", "quý trước", "năm ngoái", "năm nay": periods counted from now. ("tháng này"
  // is left alone: on the 2nd, is it the month just ended or the one in progress? Ask.)
  if (now) {
    const { year, month } = vnDateParts(now);
    const quarter = Math.ceil(month / 3);
    for (let i = 0; i + 1 < toks.length; i++) {
      const a = toks[i];
      const b = toks[i + 1];
      if (!a || !b || a.type !== 'word' || b.type !== 'word') continue;
      const pair = `${a.text} ${b.text}`;
      let rep: string | undefined;
      if (pair === 'thang truoc')
        rep = month === 1 ? `thang 12/${year - 1}` : `thang ${month - 1}/${year}`;
      else if (pair === 'quy truoc')
        rep = quarter === 1 ? `quy 4/${year - 1}` : `quy ${quarter - 1}/${year}`;
      else if (pair === 'nam truoc' || pair === 'nam ngoai') rep = `nam ${year - 1}`;
      else if (pair === 'nam nay') rep = `nam ${year}`;
      if (rep) {
        reps.push({ start: a.start, end: b.end, text: rep });
        i++;
      }
    }
  }

  // "không phát sinh (hồ sơ)": no dossiers of the kind this period, written 0/0.
  for (let i = 0; i + 2 < toks.length; i++) {
    const [a, b, c] = [toks[i], toks[i + 1], toks[i + 2]];
    if (!a || !b || !c || a.text !== 'khong' || b.text !== 'phat' || c.text !== 'sinh') continue;
    let last = c;
    if (toks[i + 3]?.text === 'ho' && toks[i + 4]?.text === 'so') last = toks[i + 4] ?? c;
    reps.push({ start: a.start, end: last.end, text: '0/0' });
    i += 2;
  }

  // Dates: never a period. dd/mm/yyyy anywhere, dd/mm after "ngày".
  const taken: boolean[] = new Array<boolean>(toks.length).fill(false);
  const DATE =
    /(?<![\d/.,-])(?:ngay\s*)?(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4}|\d{2})(?![\d/%]|[.,]\d)|ngay\s*(\d{1,2})\s*[/.-]\s*(\d{1,2})(?![\d/.,%-])/gy;
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (!t || (t.type !== 'num' && !(t.type === 'word' && t.text === 'ngay'))) continue;
    DATE.lastIndex = t.start;
    const m = DATE.exec(text);
    if (!m) continue;
    const day = Number(m[1] ?? m[5]);
    const month = Number(m[3] ?? m[6]);
    if (day < 1 || day > 31 || month < 1 || month > 12) continue;
    const end = t.start + m[0].length;
    reps.push({ start: t.start, end, text: ' ' });
    marks.push({ kind: 'date', span: [origin[t.start] ?? src.length, origin[end] ?? src.length] });
    for (let k = i; k < toks.length && (toks[k]?.start ?? end) < end; k++) taken[k] = true;
  }

  // Unit names.
  if (sender && sender.units.length > 0) {
    const phrases = compileUnits(sender.units);
    const own = new Set(sender.own);
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      if (!t || taken[i] || (t.type !== 'word' && t.type !== 'num')) continue;
      const list = phrases.get(t.text);
      if (!list) continue;
      // An old name shared by two new units (a commune split in 2025): the sender's own first.
      const ordered = list.some((ph) => own.has(ph.code))
        ? [...list].sort(
            (a, b) =>
              b.words.length - a.words.length ||
              Number(a.alias) - Number(b.alias) ||
              Number(own.has(b.code)) - Number(own.has(a.code)),
          )
        : list;
      for (const ph of ordered) {
        if (ph.bare && !own.has(ph.code)) continue;
        let ok = true;
        // The abbreviated type word may carry its dot: "P. Thành Sen".
        let j = i + 1;
        if (ABBREVIATED.has(t.text) && toks[j]?.type === 'sep' && toks[j]?.text === '.') j++;
        for (let k = 1; k < ph.words.length && ok; k++, j++) {
          const w = toks[j];
          ok =
            !!w && !taken[j] && (w.type === 'word' || w.type === 'num') && w.text === ph.words[k];
        }
        // The name must end at a word boundary ("Sơn Kim 1", not "Sơn Kim 12").
        const last = toks[j - 1];
        if (!ok || !last) continue;
        const mine = own.has(ph.code);
        reps.push({ start: t.start, end: last.end, text: mine ? ' ' : ` ${OTHER_UNIT_MARK} ` });
        marks.push({
          kind: mine ? 'ownUnit' : 'otherUnit',
          span: [origin[t.start] ?? src.length, origin[last.end] ?? src.length],
          code: ph.code,
          name: ph.name,
        });
        for (let k = i; k < j; k++) taken[k] = true;
        i = j - 1;
        break;
      }
    }
  }

  // Keyboard residue, then number words, on the canonical word of each token.
  const canon: (string | undefined)[] = toks.map((t, i) => {
    if (!t || taken[i]) return undefined;
    if (t.type !== 'word') return t.type === 'num' ? t.text : undefined;
    if (FRAME_WORDS.has(t.text) || cat.codes.has(t.text) || cat.words.has(t.text)) return t.text;
    const r = repairKeyboard(t.text);
    if (r !== undefined && FRAME_WORDS.has(r)) {
      reps.push({ start: t.start, end: t.end, text: r, repair: true });
      return r;
    }
    return t.text;
  });
  const nw: NumberWord[] = toks.map((t, i) => {
    const c = canon[i];
    if (!t || c === undefined || t.type !== 'word' || !mayBeNumberWord(c) || cat.codes.has(c))
      return NOT_A_NUMBER;
    // A repaired word was typed without marks: read it as such.
    const typed =
      c !== t.text ? c : src.slice(origin[t.start] ?? 0, origin[t.end] ?? src.length).toLowerCase();
    return { folded: c, typed };
  });
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (!t || t.type !== 'word' || taken[i] || nw[i]?.folded === '') continue;
    const prev = prevWord(toks, canon, i);
    const w = nw[i];
    if (!w) continue;
    // "tháng tư", "quý tư": April, Q4.
    if (
      (prev === 'thang' || prev === 'quy') &&
      w.folded === 'tu' &&
      (w.typed === 'tu' || w.typed === 'tư')
    ) {
      reps.push({ start: t.start, end: t.end, text: '4' });
      continue;
    }
    const r = readNumberWords(nw, i);
    if (!r) continue;
    // "năm 2026", "năm hai nghìn …": the year word, unless it is "tháng năm" (May).
    if (w.folded === 'nam' && prev !== 'thang' && r.next === i + 1) {
      const next = toks[i + 1];
      if (next?.type === 'num' || readNumberWords(nw, i + 1)) continue;
    }
    const last = toks[r.next - 1];
    if (!last) continue;
    const multi = r.next - i > 1;
    let wanted = multi;
    if (!wanted) {
      const next = canon[r.next];
      const nextTok = toks[r.next];
      wanted =
        (prev !== undefined &&
          (BEFORE_NUMBER.has(prev) ||
            LINK_SEPS.has(prev) ||
            cat.phraseEnds.has(prev) ||
            cat.codes.has(prev))) ||
        nextTok?.type === 'pct' ||
        nextTok?.type === 'slash' ||
        (next !== undefined &&
          AFTER_NUMBER.has(next) &&
          !(next === 'phan' && canon[r.next + 1] !== 'tram'));
    }
    if (!wanted) continue;
    reps.push({ start: t.start, end: last.end, text: r.value.toString() });
    i = r.next - 1;
  }
  // "trăm phần trăm": 100%.
  for (let i = 0; i + 2 < toks.length; i++) {
    if (
      canon[i] === 'tram' &&
      canon[i + 1] === 'phan' &&
      canon[i + 2] === 'tram' &&
      canon[i - 1] !== 'phan'
    ) {
      const t = toks[i];
      if (t && !reps.some((r) => r.start <= t.start && t.start < r.end))
        reps.push({ start: t.start, end: t.end, text: '100' });
    }
  }

  if (reps.length === 0) return { text, origin, marks, repaired: [] };
  const repaired: [number, number][] = [];
  reps.sort((a, b) => a.start - b.start);
  let out = '';
  const map: number[] = [];
  let pos = 0;
  for (const r of reps) {
    if (r.start < pos) continue; // overlapping: the first one wins
    out += text.slice(pos, r.start);
    for (let k = pos; k < r.start; k++) map.push(origin[k] ?? src.length);
    if (r.repair) repaired.push([out.length, out.length + r.text.length]);
    out += r.text;
    for (let k = 0; k < r.text.length; k++) map.push(origin[r.start] ?? src.length);
    pos = r.end;
  }
  out += text.slice(pos);
  for (let k = pos; k < text.length; k++) map.push(origin[k] ?? src.length);
  map.push(src.length);
  return { text: out, origin: map, marks, repaired };
}
