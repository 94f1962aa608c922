import { fold } from '../text/vietnamese.js';

/**
 * Query normalisation for citizens' questions: folding, spelling correction against the
 * catalogue's vocabulary, phrase synonyms (everyday words -> catalogue words) and removal of
 * everyday filler ("cho tôi hỏi", "online được không"). Rules come from editable text files
 * (synonyms.txt, stopwords.txt) so non-programmers can improve answers.
 */

/** Fold and split into word tokens (letters and digits only). */
export function tokenize(text: string): string[] {
  return fold(text)
    .replace(/[^a-z0-9]+/g, ' ')
    .split(' ')
    .filter((t) => t.length > 0);
}

/**
 * Little words that glue a sentence together ("cho", "của", "ở"…). They are dropped from both
 * the question and the synonym variants before matching, so "trợ cấp cho người khuyết tật"
 * meets the variant "trợ cấp người khuyết tật".
 */
// Not here on purpose: "do" (sổ đỏ), "o" (ô tô), "cua" (cửa hàng), "ma" (ma chay), "thi" (thi bằng).
export const GLUE = new Set([
  'cho',
  've',
  'voi',
  'va',
  'la',
  'nhe',
  'bi',
  'roi',
  'nhu',
  'nay',
  'kia',
]);

/**
 * A written syllable's spelling key: lower case, the tone as a digit at the end wherever the
 * mark sits ("hoà" and "hòa" are one spelling), y written i ("ký" and "kí"), "hằng" written
 * "hàng" (both spellings of "hằng năm" are accepted), and hỏi and ngã as one tone. Words without
 * a diacritic get tone 0; "mật" and "mất" get different keys although both fold to "mat".
 */
export function spellingKey(word: string): string {
  return remembered(SPELLING_KEYS, word, computeSpellingKey);
}

const SPELLING_KEYS = new Map<string, string>();

/** A per-word result, remembered in a bounded cache (words repeat across names and questions). */
function remembered<T>(cache: Map<string, T>, word: string, make: (word: string) => T): T {
  let value = cache.get(word);
  if (value === undefined) {
    if (cache.size >= 50_000) cache.clear();
    value = make(word);
    cache.set(word, value);
  }
  return value;
}

function computeSpellingKey(word: string): string {
  const d = word.normalize('NFD').toLowerCase();
  let tone = 0;
  let base = '';
  for (const ch of d) {
    const t = TONES.indexOf(ch);
    if (t >= 0) tone = t + 1;
    else base += ch;
  }
  // "hằng năm" and "hàng năm", "hằng tháng" and "hàng tháng" are both accepted spellings.
  const spelt = base.normalize('NFC').replace(/y/g, 'i');
  // Hỏi and ngã are the tones most often confused in writing ("sổ đõ" for "sổ đỏ"): one key.
  return `${spelt === 'hăng' ? 'hang' : spelt}${tone === 4 ? 3 : tone}`;
}

/** Combining tone marks: grave, acute, hook above, tilde, dot below. */
const TONES = ['\u0300', '\u0301', '\u0309', '\u0303', '\u0323'];

// eslint-disable-next-line no-control-regex
const NON_ASCII = /[^\u0000-\u007f]/;

/** Whether a word carries any Vietnamese diacritic (tone, vowel mark or đ). */
export function hasDiacritics(word: string): boolean {
  return remembered(HAS_DIACRITICS, word, computeHasDiacritics);
}

const HAS_DIACRITICS = new Map<string, boolean>();

function computeHasDiacritics(word: string): boolean {
  const w = word.normalize('NFC').toLowerCase().trim();
  return wordTokens(w).join(' ') !== w;
}

/** tokenize() of one written word, remembered. */
const WORD_TOKENS = new Map<string, string[]>();
function wordTokens(word: string): string[] {
  return remembered(WORD_TOKENS, word, tokenize);
}

/**
 * Words as written (NFC, lower case) beside their folded tokens: `written[i]` is the word
 * tokens[i] came from, or undefined when folding split or changed it beyond recognition.
 */
export function tokenizeWritten(text: string): {
  tokens: string[];
  written: Array<string | undefined>;
} {
  // Undiacritised text (most typed questions): nothing to learn about spelling.
  if (!NON_ASCII.test(text)) {
    const tokens = tokenize(text);
    return { tokens, written: tokens };
  }
  const tokens: string[] = [];
  const written: Array<string | undefined> = [];
  for (const m of text
    .normalize('NFC')
    .toLowerCase()
    .matchAll(/[\p{L}\p{M}\p{N}]+/gu)) {
    const parts = wordTokens(m[0]);
    parts.forEach((t) => {
      tokens.push(t);
      written.push(parts.length === 1 ? m[0] : undefined);
    });
  }
  return { tokens, written };
}

/**
 * Drop glue words (unless nothing else is left), keeping a parallel array (spelling keys)
 * aligned.
 */
function ungluePaired<T>(
  tokens: readonly string[],
  side: readonly T[],
): { tokens: string[]; side: T[] } {
  const keep = tokens.map((t) => !GLUE.has(t));
  if (!keep.some(Boolean)) return { tokens: [...tokens], side: [...side] };
  return {
    tokens: tokens.filter((_, i) => keep[i]),
    side: side.filter((_, i) => keep[i]),
  };
}

/**
 * Spelling keys of a text's words where it is written with diacritics: every word when most of
 * them carry diacritics (then "ong" is not "ông"), only the marked ones when few do, none in an
 * undiacritised text (its words are ambiguous and match through the fold).
 */
export function questionSpellings(
  written: ReadonlyArray<string | undefined>,
): Array<string | undefined> {
  const words = written.filter((w): w is string => w !== undefined && /\p{L}/u.test(w));
  const marked = words.filter(hasDiacritics).length;
  const all = marked >= 2 && marked >= 0.4 * words.length;
  return written.map((w) =>
    w !== undefined && /\p{L}/u.test(w) && (all || hasDiacritics(w)) ? spellingKey(w) : undefined,
  );
}

/** Whether two spelling keys can be the same word (unknown spelling matches anything). */
export function sameSpelling(a: string | undefined, b: string | undefined): boolean {
  return a === undefined || b === undefined || a === b;
}

/**
 * A word that ends what follows it ("thôi làm…"): no synonym rule starts in the three words
 * after it.
 */
const STOPPING = new Set(['thoi']);

interface PhraseRule {
  from: string[];
  to: string[];
  /** A background rule (`~>`): it says the situation ("bố mất"), seldom what is asked. */
  background?: true;
  /** How the variant spells each word of `from`, when it was written with diacritics. */
  spelt?: Array<string | undefined>;
}

/**
 * Whether a rule's words are at position i, each spelt as in the rule (when both spellings are
 * known).
 */
function matchesAt(
  r: PhraseRule,
  tokens: readonly string[],
  i: number,
  spelt?: ReadonlyArray<string | undefined>,
): boolean {
  const from = r.from;
  for (let k = 0; k < from.length; k++) {
    if (tokens[i + k] !== from[k]) return false;
    if (spelt !== undefined && !sameSpelling(r.spelt?.[k], spelt[i + k])) return false;
  }
  return true;
}

/** Whether one of the three words before position i is a STOPPING word. */
function stoppedBefore(raw: readonly string[], i: number): boolean {
  for (let k = Math.max(0, i - 3); k < i; k++) if (STOPPING.has(raw[k] as string)) return true;
  return false;
}

/** A node of PhraseTable's tree: the rules whose words end here, and the words that go on. */
interface RuleNode {
  rules: PhraseRule[];
  next: Map<string, RuleNode>;
}

/** Phrase rules keyed by first token, longest first, for greedy longest-match replacement. */
class PhraseTable {
  private readonly byFirst = new Map<string, PhraseRule[]>();
  /**
   * The same as a tree of words, built on the first match after a change: a rule sits at the
   * node its words lead to, in byFirst's order.
   */
  private tree: Map<string, RuleNode> | undefined;

  add(from: string[], to: string[], spelt?: Array<string | undefined>, background = false): void {
    const first = from[0];
    if (first === undefined) return;
    const list = this.byFirst.get(first) ?? [];
    const rule: PhraseRule = spelt ? { from, to, spelt } : { from, to };
    if (background) rule.background = true;
    list.push(rule);
    list.sort((a, b) => b.from.length - a.from.length);
    this.byFirst.set(first, list);
    this.tree = undefined;
  }

  private index(): Map<string, RuleNode> {
    if (this.tree === undefined) {
      const tree = new Map<string, RuleNode>();
      for (const list of this.byFirst.values())
        for (const r of list) {
          let level = tree;
          let node: RuleNode | undefined;
          for (const t of r.from) {
            node = level.get(t);
            if (node === undefined) {
              node = { rules: [], next: new Map() };
              level.set(t, node);
            }
            level = node.next;
          }
          node?.rules.push(r);
        }
      this.tree = tree;
    }
    return this.tree;
  }

  /**
   * The nodes the words from position i lead to, shortest first: the rules that can match
   * there (byFirst's list is longest first, then in the order added, as each node is).
   */
  private path(tokens: readonly string[], i: number): RuleNode[] {
    const nodes: RuleNode[] = [];
    let level: Map<string, RuleNode> | undefined = this.index();
    for (let k = i; k < tokens.length && level !== undefined; k++) {
      const node = level.get(tokens[k] as string);
      if (node === undefined) break;
      nodes.push(node);
      level = node.next;
    }
    return nodes;
  }

  /** The longest rule matching at position i, if any (matchAll's first). */
  match(tokens: readonly string[], i: number): PhraseRule | undefined {
    const nodes = this.path(tokens, i);
    for (let d = nodes.length - 1; d >= 0; d--)
      for (const r of (nodes[d] as RuleNode).rules) if (matchesAt(r, tokens, i)) return r;
    return undefined;
  }

  /**
   * Every rule matching at position i, longest first. With the question's spelling keys, a
   * word spelt otherwise than in the rule ("ong mật" against "ông mất") does not match.
   */
  matchAll(
    tokens: readonly string[],
    i: number,
    spelt?: ReadonlyArray<string | undefined>,
  ): PhraseRule[] {
    const nodes = this.path(tokens, i);
    const out: PhraseRule[] = [];
    for (let d = nodes.length - 1; d >= 0; d--)
      for (const r of (nodes[d] as RuleNode).rules) if (matchesAt(r, tokens, i, spelt)) out.push(r);
    return out;
  }

  *tokens(): Iterable<string> {
    for (const list of this.byFirst.values())
      for (const r of list) {
        yield* r.from;
        yield* r.to;
      }
  }
}

/** One synonym rule as parsed: a variant, its catalogue phrase, how the variant is spelt. */
export interface SynonymRule {
  from: string[];
  to: string[];
  spelt: Array<string | undefined>;
  /** Written `~>`: the variant tells the situation (a death, an age, a paper), see PhraseRule. */
  background: boolean;
}

/**
 * Parse synonyms.txt: one rule per line, `variant | variant => catalogue phrase` (or `~>` for a
 * background rule); `#` starts a comment. Variants and replacement are folded, so diacritics
 * are optional in the file.
 */
export function parseSynonyms(text: string): SynonymRule[] {
  const rules: SynonymRule[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) continue;
    const m = /^(.*?)(=>|~>)(.*)$/.exec(line);
    if (m === null) continue;
    const [, lhs = '', arrow, rhs = ''] = m;
    const background = arrow === '~>';
    const to = tokenize(rhs);
    for (const variant of lhs.split('|')) {
      const { tokens: full, written } = tokenizeWritten(variant);
      const keys = questionSpellings(written);
      // Never let a phrase shrink to one word ("mất rồi" must not become "mất").
      const unglued = ungluePaired(full, keys);
      const [from, spelt] =
        unglued.tokens.length === 1 && full.length > 1
          ? [full, keys]
          : [unglued.tokens, unglued.side];
      if (from.length > 0) rules.push({ from, to, spelt, background });
      for (const turned of objectFirst(from, spelt)) rules.push({ ...turned, to, background });
    }
  }
  return rules;
}

/** Words for a lost or gone paper, said before it ("mất sổ đỏ", "không còn sổ gốc"). */
const GONE_BEFORE: ReadonlyArray<readonly string[]> = [['mat'], ['khong', 'con']];
/** The same said after it ("sổ đỏ bị mất", "căn cước thất lạc", "sổ gốc không còn"). */
const GONE_AFTER: ReadonlyArray<readonly string[]> = [['mat'], ['that', 'lac'], ['khong', 'con']];

/**
 * "mất sổ đỏ" is as often said object first: "sổ đỏ (bị) mất", "sổ đỏ thất lạc", "sổ gốc không
 * còn" ("bị" is glue, already gone). Only for objects of two words or more ("mất rồi" is a
 * death, "mất cắp" a theft).
 */
function objectFirst(
  from: readonly string[],
  spelt: ReadonlyArray<string | undefined>,
): Array<{ from: string[]; spelt: Array<string | undefined> }> {
  const before = GONE_BEFORE.find((b) => b.every((t, k) => from[k] === t));
  if (before === undefined || from.length < before.length + 2) return [];
  const object = from.slice(before.length);
  return GONE_AFTER.map((after) => ({
    from: [...object, ...after],
    spelt: [...spelt.slice(before.length), ...after.map(() => undefined)],
  }));
}

/**
 * Parse stopwords.txt: one phrase per line, `#` comments. Glue words are dropped as in the
 * question ("cho tôi hỏi" matches "tôi hỏi" once "cho" is gone); pure glue lines vanish.
 */
export function parseStopwords(text: string): string[][] {
  return text
    .split('\n')
    .map((l) => tokenize(l.replace(/#.*$/, '')).filter((t) => !GLUE.has(t)))
    .filter((t) => t.length > 0);
}

function indexOfSeq(hay: readonly string[], needle: readonly string[]): number {
  for (let i = 0; i + needle.length <= hay.length; i++)
    if (needle.every((t, k) => hay[i + k] === t)) return i;
  return -1;
}

import { editDistance } from '../text/edit-distance.js';

export { editDistance };

/** A word after the synonym rules: `keep` if a rule produced it (`chunk`: which rule, by position). */
interface Part {
  t: string;
  keep: boolean;
  spelt?: string;
  chunk?: number;
}

export interface NormalizedQuery {
  /** Final content tokens, in order. */
  tokens: string[];
  /** Tokens that were spelling-corrected (weigh less in confidence). */
  corrected: Set<string>;
  /** Tokens produced by a synonym rule. */
  expanded: Set<string>;
  /** Catalogue phrases the synonym rules produced (folded, space-separated). */
  phrases: string[];
  /** Those of `phrases` only background rules (`~>`) produced. */
  background: Set<string>;
  /** The question's own words (corrected, filler removed, before synonyms), space-separated. */
  literal: string;
  /**
   * How the question spells its own words (folded word -> spellingKey), where it is written
   * with diacritics; a document spelling a word otherwise does not cover it ("mật" ≠ "mất").
   */
  spellings: Map<string, string>;
}

/**
 * Turns a citizen's free text into content tokens. Built once per catalogue: the vocabulary
 * (for spelling correction) is the catalogue's words plus the words of the rule files.
 */
export class QueryNormalizer {
  private readonly synonyms = new PhraseTable();
  private readonly stop = new PhraseTable();
  /** Known word -> how many documents use it (ties in spelling correction go to the common one). */
  private readonly vocab = new Map<string, number>();
  private readonly byLength = new Map<number, string[]>();

  /** Known adjacent word pairs ('khai sinh'), for correcting short words from their context. */
  private readonly pairs = new Set<string>();
  /** Adjacent word pairs of the searchable documents only. */
  private readonly docPairs = new Set<string>();
  private readonly corrections = new Map<string, string | undefined>();

  /** Abbreviations a rule spells out while keeping them ("bhxh => bhxh bảo hiểm xã hội"). */
  private readonly abbreviations = new Map<string, string[]>();

  constructor(opts: { synonymsText: string; stopwordsText: string }) {
    for (const r of parseSynonyms(opts.synonymsText)) {
      this.synonyms.add(r.from, r.to, r.spelt, r.background);
      const [abbr] = r.from;
      if (abbr !== undefined && r.from.length === 1 && r.to.length > 1 && r.to.includes(abbr))
        this.abbreviations.set(
          abbr,
          r.to.filter((t) => t !== abbr),
        );
      this.addSequence(r.from, 0);
      this.addSequence(r.to, 0);
    }
    for (const s of parseStopwords(opts.stopwordsText)) {
      this.stop.add(s, []);
      this.addSequence(s, 0);
    }
  }

  /**
   * Add the words of the searchable documents (one call per document) so spelling correction
   * knows them; `weight` 1 counts the document in the word's frequency.
   */
  addDocument(tokens: readonly string[]): void {
    this.addSequence(tokens, 1);
    for (let i = 0; i + 1 < tokens.length; i++) this.docPairs.add(`${tokens[i]} ${tokens[i + 1]}`);
  }

  /**
   * Whether the word at i forms a catalogue word pair with a neighbour. Folding makes some
   * filler words look like catalogue words ("đó" and "độ" both fold to "do"): "chế do" keeps
   * its "do" because "chế độ" is in the catalogue.
   */
  private inCataloguePair(tokens: readonly string[], i: number): boolean {
    const t = tokens[i];
    return (
      (i > 0 && this.docPairs.has(`${tokens[i - 1]} ${t}`)) ||
      (i + 1 < tokens.length && this.docPairs.has(`${t} ${tokens[i + 1]}`))
    );
  }

  private addSequence(tokens: readonly string[], weight: number): void {
    this.corrections.clear();
    for (const t of new Set(tokens)) {
      const known = this.vocab.get(t);
      if (known === undefined) {
        const list = this.byLength.get(t.length) ?? [];
        list.push(t);
        this.byLength.set(t.length, list);
      }
      this.vocab.set(t, (known ?? 0) + weight);
    }
    for (let i = 0; i + 1 < tokens.length; i++) this.pairs.add(`${tokens[i]} ${tokens[i + 1]}`);
  }

  /** Whether a folded token is known to the catalogue or the rule files. */
  knows(token: string): boolean {
    return this.vocab.has(token);
  }

  /**
   * Closest known word for an unknown one. Words of 5+ letters: within 1 edit (2 from 8
   * letters). Shorter words (most Vietnamese syllables) only when the correction forms a known
   * pair with a neighbour ("khai sih" -> "khai sinh"), since 1 edit away from a 3-letter
   * syllable there is almost always some other syllable.
   */
  correct(token: string, prev?: string, next?: string): string | undefined {
    // Same vocabulary for the life of the index: remember answers (bounded).
    const key = `${prev ?? ''} ${token} ${next ?? ''}`;
    if (this.corrections.has(key)) return this.corrections.get(key);
    const found = this.findCorrection(token, prev, next);
    if (this.corrections.size >= 20_000) this.corrections.clear();
    this.corrections.set(key, found);
    return found;
  }

  private findCorrection(token: string, prev?: string, next?: string): string | undefined {
    if (token.length < 3 || /^\d+$/.test(token)) return undefined;
    const short = token.length < 5;
    const max = token.length >= 8 ? 2 : 1;
    const inContext = (c: string): boolean =>
      (prev !== undefined && this.pairs.has(`${prev} ${c}`)) ||
      (next !== undefined && this.pairs.has(`${c} ${next}`));
    let best: string | undefined;
    let bestKey = -Infinity;
    for (let len = token.length - max; len <= token.length + max; len++) {
      for (const cand of this.byLength.get(len) ?? []) {
        if (cand.length < 2) continue;
        const d = editDistance(token, cand, max);
        if (d > max) continue;
        const ctx = inContext(cand);
        // Short words: only a missing or wrong letter ("sih" -> "sinh"), never a shorter word.
        if (short && (!ctx || cand.length < token.length)) continue;
        // Fewer edits first, then context, then the more common word.
        const key = -d * 1e6 + (ctx ? 1e5 : 0) + Math.min(this.vocab.get(cand) ?? 0, 99_999);
        if (key > bestKey) {
          best = cand;
          bestKey = key;
        }
      }
    }
    return best;
  }

  /**
   * The words a text's abbreviations stand for ("chế độ TNLĐ" -> "tai nạn lao động"), so a name
   * written with abbreviations is found by the words spelt out.
   */
  spellOut(tokens: readonly string[]): string[] {
    return tokens.flatMap((t) => this.abbreviations.get(t) ?? []);
  }

  /** Phrases the current normalize() call had from background / other rules (see noteBackground). */
  private readonly backgroundSeen = new Set<string>();
  private readonly foreground = new Set<string>();

  private noteBackground(rule: PhraseRule): void {
    (rule.background === true ? this.backgroundSeen : this.foreground).add(rule.to.join(' '));
  }

  /** Replace everyday phrases by catalogue phrases (no correction, no stop-words). */
  expand(tokens: readonly string[]): string[] {
    return this.applySynonyms(tokens).map((p) => p.t);
  }

  /**
   * Longest rules win wherever they start ("chứng thực hợp đồng mua bán đất": the longer
   * "hợp đồng mua bán đất" beats "chứng thực hợp đồng"); then left to right.
   */
  private applySynonyms(
    raw: readonly string[],
    phrases: string[] = [],
    spelt?: ReadonlyArray<string | undefined>,
  ): Part[] {
    const found: Array<{ i: number; rule: PhraseRule }> = [];
    for (let i = 0; i < raw.length; i++) {
      // "thôi làm hòa giải viên", "thôi làm người giám hộ": the rule for becoming one is the
      // opposite of what is asked; the words stay as they are…
      if (stoppedBefore(raw, i)) continue;
      for (const rule of this.synonyms.matchAll(raw, i, spelt)) found.push({ i, rule });
      // …and a "thôi …" rule may have up to two words between ("thôi làm người giám hộ" is
      // "thôi giám hộ").
      if (STOPPING.has(raw[i] ?? ''))
        for (let skip = 1; skip <= 2; skip++) {
          const seq = [raw[i] ?? '', ...raw.slice(i + 1 + skip)];
          for (const rule of this.synonyms.matchAll(seq, 0))
            if (rule.from.length >= 2)
              found.push({
                i,
                rule: {
                  ...rule,
                  from: [
                    ...rule.from.slice(0, 1),
                    ...raw.slice(i + 1, i + 1 + skip),
                    ...rule.from.slice(1),
                  ],
                },
              });
        }
    }
    found.sort((a, b) => b.rule.from.length - a.rule.from.length || a.i - b.i);
    const taken = new Array<boolean>(raw.length).fill(false);
    const chosen = new Map<number, PhraseRule>();
    for (const f of found) {
      const span = f.rule.from.map((_, k) => f.i + k);
      if (span.some((k) => taken[k])) continue;
      for (const k of span) taken[k] = true;
      chosen.set(f.i, f.rule);
    }
    const parts: Part[] = [];
    for (let i = 0; i < raw.length;) {
      const rule = chosen.get(i);
      if (
        rule &&
        rule.to.length > 0 &&
        indexOfSeq(
          parts.map((p) => p.t),
          rule.to,
        ) >= 0
      ) {
        // Two phrasings of the same thing ("làm vneid mức 2"): say it once.
        if (rule.to.length >= 2) this.noteBackground(rule);
        i += rule.from.length;
      } else if (rule) {
        // "đăng ký lại" + ("khai sinh" => "đăng ký khai sinh"): the words the rule adds in
        // front may already be there, just before; don't repeat them.
        const recent = parts.slice(-4).map((p) => p.t);
        let skip = 0;
        for (let k = rule.to.length - 1; k > 0; k--) {
          const head = rule.to.slice(0, k);
          const at = indexOfSeq(recent, head);
          // One word may only be merged when it is the very last one ("đăng ký" + "ký…").
          if (at >= 0 && (k >= 2 || at === recent.length - 1)) {
            for (let j = 0; j < k; j++) {
              const p = parts[parts.length - recent.length + at + j];
              if (p) p.keep = true;
            }
            skip = k;
            break;
          }
        }
        for (const t of rule.to.slice(skip)) parts.push({ t, keep: true, chunk: i });
        if (rule.to.length >= 2) phrases.push(rule.to.join(' '));
        if (rule.to.length >= 2) this.noteBackground(rule);
        i += rule.from.length;
      } else {
        const key = spelt?.[i];
        parts.push(
          key === undefined
            ? { t: raw[i] ?? '', keep: false }
            : { t: raw[i] ?? '', keep: false, spelt: key },
        );
        i++;
      }
    }
    return parts;
  }

  /**
   * Rules compose: a variant written with the catalogue's word matches when the question used
   * an everyday word another rule turned into it ("chuyển đất vườn sang đất ở": "đất vườn" is
   * "đất nông nghiệp", and "đất nông nghiệp sang đất ở" is a rule). A second pass over the
   * first one's output takes rules of three words or more that span both produced words and
   * the question's own.
   */
  private composeSynonyms(parts: Part[], phrases: string[]): Part[] {
    const toks = parts.map((p) => p.t);
    const spelt = parts.map((p) => p.spelt);
    const out: Part[] = [];
    for (let i = 0; i < parts.length;) {
      const rule = this.synonyms.matchAll(toks, i, spelt).find((r) => {
        if (r.to.length === 0) return false;
        const span = parts.slice(i, i + r.from.length);
        // Two of the question's own words at least (the cheap conditions first)…
        if (span.filter((p) => !p.keep).length < 2) return false;
        const chunks = new Set(span.flatMap((p) => (p.chunk === undefined ? [] : [p.chunk])));
        if (chunks.size === 0) return false;
        // …and whole outputs of the first pass only.
        const whole = [...chunks].every(
          (c) =>
            parts.filter((p) => p.chunk === c).length === span.filter((p) => p.chunk === c).length,
        );
        return whole && !phrases.includes(r.to.join(' '));
      });
      if (rule) {
        // "chuyển" + ("chuyển mục đích…"): the rule's first word just said is not repeated.
        const last = out[out.length - 1];
        const skip = last !== undefined && last.t === rule.to[0] ? 1 : 0;
        if (last !== undefined && skip === 1) last.keep = true;
        for (const t of rule.to.slice(skip)) out.push({ t, keep: true });
        if (rule.to.length >= 2) phrases.push(rule.to.join(' '));
        if (rule.to.length >= 2) this.noteBackground(rule);
        i += rule.from.length;
      } else out.push(parts[i++] as Part);
    }
    return out;
  }

  /** Fold, correct, expand synonyms, drop filler. */
  normalize(text: string): NormalizedQuery {
    const corrected = new Set<string>();
    const { tokens: folded, written } = tokenizeWritten(text);
    const spelt = questionSpellings(written);
    const raw = folded.map((t, i) => {
      if (this.vocab.has(t)) return t;
      const c = this.correct(t, folded[i - 1], folded[i + 1]);
      if (c === undefined) return t;
      corrected.add(c);
      spelt[i] = undefined;
      return c;
    });
    // Synonyms first (they may contain filler words like "làm"), protecting their output.
    const phrases: string[] = [];
    this.foreground.clear();
    this.backgroundSeen.clear();
    const unglued = ungluePaired(raw, spelt);
    const parts = this.composeSynonyms(
      this.applySynonyms(unglued.tokens, phrases, unglued.side),
      phrases,
    );
    const spellings = new Map<string, string>();
    for (const p of parts)
      if (p.spelt !== undefined && !spellings.has(p.t)) spellings.set(p.t, p.spelt);
    const expanded = new Set(parts.filter((p) => p.keep).map((p) => p.t));
    const toks = parts.map((p) => p.t);
    const out: string[] = [];
    for (let i = 0; i < parts.length;) {
      const p = parts[i];
      if (p === undefined) break;
      if (!p.keep) {
        const rule = this.stop.match(toks, i);
        if (
          rule &&
          rule.from.every((_, k) => !parts[i + k]?.keep) &&
          !(rule.from.length === 1 && this.inCataloguePair(toks, i))
        ) {
          i += rule.from.length;
          continue;
        }
      }
      out.push(p.t);
      i++;
    }
    const literal: string[] = [];
    for (let i = 0; i < raw.length;) {
      const rule = this.stop.match(raw, i);
      if (rule) i += rule.from.length;
      else literal.push(raw[i++] ?? '');
    }
    const background = new Set([...this.backgroundSeen].filter((ph) => !this.foreground.has(ph)));
    return {
      tokens: out,
      corrected,
      expanded,
      phrases,
      background,
      literal: literal.join(' '),
      spellings,
    };
  }
}
