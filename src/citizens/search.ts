import MiniSearch from 'minisearch';
import { QueryNormalizer, questionSpellings, tokenize, tokenizeWritten } from './lexicon.js';
import { MARKERS, matchesUnnegated, type Marker } from './markers.js';
import {
  answerVector,
  FEATURES,
  featureIndex,
  linearScore,
  usableModel,
  type FeatureName,
  type RerankModel,
} from './rerank.js';
import type { FaqEntry, ProcedureRecord, SearchHit, SearchResult } from './types.js';

/**
 * Citizens' search over the procedure catalogue and the FAQ. MiniSearch (BM25) does the
 * ranking over folded syllables and syllable pairs (Vietnamese words are mostly two
 * syllables, so pairs act as phrase matches); QueryNormalizer maps everyday words to
 * catalogue words first. On top: a bonus when the whole query is a phrase of the name or names
 * a field, and a confidence score (share of the query's informative words the best hit
 * covers) so that weak matches become "not found" instead of a guess.
 */

/** Lexicon files' contents: synonyms, stop-words and the popular-procedures list. */
export interface LexiconTexts {
  synonymsText: string;
  stopwordsText: string;
  popularText?: string;
  /**
   * Topics the catalogue does not cover (outside.txt: "rượu", "giấy phép lao động"), one phrase
   * a line; phrases a document contains are ignored.
   */
  outsideText?: string;
  /** Trained re-ranker weights (reranker.json); the prior weights without it. */
  model?: RerankModel;
}

export interface SearchTuning {
  /**
   * Hits whose re-ranker score is this far below the best hit's are dropped (at 4, over a third
   * of the lists were cut short, and with them a third hit the question named).
   */
  scoreGap: number;
  maxHits: number;
  /** At most this many of the question's most specific words/pairs go to the engine… */
  maxEngineTerms: number;
  /** …and only while their document frequencies add up to at most this (speed on big catalogues). */
  postingBudget: number;
}

export const DEFAULT_TUNING: SearchTuning = {
  scoreGap: 5,
  maxHits: 3,
  maxEngineTerms: 12,
  postingBudget: 700,
};

interface IndexedDoc {
  id: string;
  name: string;
  keywords: string;
  field: string;
  level: string;
}

/** What the re-ranker reads of one document, computed when the index is built. */
interface DocInfo {
  /** The procedure ('p:' documents). */
  procedure: ProcedureRecord | undefined;
  /** Folded name tokens (without a leading "thủ tục"), padded with spaces, for phrase checks. */
  name: string;
  /** The same, trimmed… */
  nameTrimmed: string;
  /** …and its words (`name` has " w " for each). */
  nameWordSet: Set<string>;
  /** How many parts `name.split(' ')` has. */
  nameParts: number;
  /** Folded implementing level and name, for the commune/province preference. */
  levelPhrase: string;
  /** The document's words and pairs, to tell which words of a question a hit covers. */
  terms: Set<string>;
  /** Which MARKERS the name has. */
  markers: boolean[];
  /** Per MARKERS entry, the name words its variant spans (Marker.span), when the name has it. */
  markerWords: Array<readonly string[]>;
  /** Which of them only in a list of actions after a plain one ("Thực hiện, điều chỉnh, thôi…"). */
  listedMarkers: boolean[];
  /** The action the name starts with ("thu hoi", "doi", "cap lai"), see actionOf. */
  action: string;
  /** The distinct name words (without the leading "thủ tục" and the level qualifier)… */
  nameWords: string[];
  /** …their weights (IDF, less for generic words)… */
  nameWeights: number[];
  /** …and log(1 + their number), the nameLength feature. */
  nameLength: number;
  /** How the document spells its words (folded word -> spelling keys), where it has diacritics. */
  spellings: Map<string, Set<string>>;
}

/** The indexed fields, in MiniSearch's scoring order. */
const ENGINE_FIELDS = ['name', 'keywords', 'field'];

/** One hit of the engine: document id, BM25 score, the query's terms it has. */
export interface EngineHit {
  id: string;
  score: number;
  queryTerms: string[];
}

/** One engine candidate with its re-ranker features (see rerank.ts). */
export interface Candidate {
  /** 'p:<code>' or 'f:<faq id>'. */
  id: string;
  features: number[];
  /** Share of the question's informative words this candidate covers (0..1). */
  confidence: number;
}

/** A question's candidates and its own features (see ANSWER_FEATURES in rerank.ts). */
export interface CandidateSet {
  normalized: string;
  candidates: Candidate[];
  /** Share of unknown words, log of the engine's top score, length, share from synonyms. */
  question: number[];
  /** Topics outside the catalogue the question names (outside.txt): never answered. */
  outside: number;
}

/** Whether the best candidate is good enough to show (else "not found"). */
export function answerable(
  model: RerankModel,
  best: Candidate & { score: number },
  question: readonly number[],
  outside = 0,
): boolean {
  // A permit or task the catalogue does not hold ("giấy phép kinh doanh rượu"): "not in our
  // list" rather than the nearest procedure (household business registration).
  if (outside > 0) return false;
  if (best.confidence < model.minConfidence) return false;
  // Every informative word of the question is in the hit (typically a FAQ's keywords): answer.
  if (best.confidence >= SURE_CONFIDENCE) return true;
  return linearScore(model.answer, answerVector(best, question)) >= model.answerThreshold;
}

/** Candidates in re-ranker order, each with its score. */
export function rankCandidates(
  candidates: readonly Candidate[],
  weights: readonly number[],
): Array<Candidate & { score: number }> {
  const ranked: Array<Candidate & { score: number }> = [];
  for (const c of candidates)
    ranked.push({
      id: c.id,
      features: c.features,
      confidence: c.confidence,
      score: linearScore(weights, c.features),
    });
  return ranked.sort((a, b) => b.score - a.score);
}

/** Coverage kept per topic outside the catalogue the question names (see outsideTopics). */
const OUTSIDE_FACTOR = 0.4;

/** A best hit covering this share of the question is answered whatever the model says. */
const SURE_CONFIDENCE = 0.95;

/** Where the per-marker features start in the feature vector. */
const BASE_COUNT = FEATURES.length - 2 * MARKERS.length;

/** Each marker's `doc` pattern, global (every place a name has it). */
const MARKER_DOC_ALL = MARKERS.map((m) => new RegExp(m.doc.source, 'g'));

/** Where each base feature sits in the feature vector. */
const F = Object.fromEntries(
  FEATURES.slice(0, BASE_COUNT).map((name) => [name, featureIndex(name as FeatureName)]),
) as Record<FeatureName, number>;

/** A feature vector of zeros, stored as floating-point numbers from the start (copied per candidate). */
const NO_FEATURES: number[] = FEATURES.map(() => 0.5).fill(0);

/** How many of the engine's hits the re-ranker sees. */
const MAX_CANDIDATES = 25;

export function withPairs(tokens: readonly string[]): string[] {
  const out = [...tokens];
  for (let i = 0; i + 1 < tokens.length; i++) out.push(`${tokens[i]}_${tokens[i + 1]}`);
  return out;
}

const CODE_RE = /\b(\d\.\d{6})\b/;
/**
 * "(thực hiện tại cấp tỉnh)", "(cấp xã)", "thực hiện tại cấp trung ương, cấp tỉnh, cấp xã" in a
 * folded, space-padded name (the lookahead leaves the space for the next level of a list).
 */
const LEVEL_QUALIFIER = / (thuc hien )?(tai )?cap (tinh|xa|huyen|trung uong|bo)(?= )/g;

/** First syllables of two-syllable action words ("cấp lại", "thu hồi", "đăng ký", "xác nhận"). */
const ACTION_HEADS = new Set([
  'cap',
  'dang',
  'thu',
  'xac',
  'chung',
  'giai',
  'dieu',
  'gia',
  'cham',
  'thay',
  'cong',
  'ho',
  'trinh',
  'khai',
  'cai',
  'chuyen',
  'ghi',
]);

/** The action a name starts with: "đổi", "cấp lại", "thu hồi" (space-padded, folded). */
function actionOf(tokens: readonly string[]): string {
  const [a, b] = tokens;
  if (a === undefined) return '';
  return b !== undefined && ACTION_HEADS.has(a) ? ` ${a} ${b} ` : ` ${a} `;
}

/**
 * Longest run of consecutive words of a question a space-padded phrase repeats, for each
 * candidate's name in turn: the question's runs (space-padded) are built once, when first needed.
 */
class LiteralRuns {
  /** runs[i][k]: words i..i+k, space-padded. */
  private readonly runs: string[][] = [];

  constructor(private readonly words: readonly string[]) {}

  longestIn(padded: string): number {
    const words = this.words;
    let best = 0;
    // A run from i is at most words.length - i long: none after the best can be longer.
    for (let i = 0; i < words.length && words.length - i > best; i++) {
      let row = this.runs[i];
      if (row === undefined) {
        row = [];
        this.runs[i] = row;
      }
      for (let j = i; j < words.length; j++) {
        let phrase = row[j - i];
        if (phrase === undefined) {
          phrase = `${j === i ? ' ' : (row[j - i - 1] as string)}${words[j]} `;
          row[j - i] = phrase;
        }
        if (!padded.includes(phrase)) break;
        best = Math.max(best, j - i + 1);
      }
    }
    return best;
  }
}

/** A phrase (folded, space-separated) with its space-padded form and its words, each padded. */
interface Phrase {
  text: string;
  padded: string;
  paddedWords: string[];
}

function phraseOf(text: string): Phrase {
  return { text, padded: ` ${text} `, paddedWords: text.split(' ').map((w) => ` ${w} `) };
}

/** Whether a space-padded name has the phrase, or its words in order with others between. */
function inName(ph: Phrase, name: string): boolean {
  return name.includes(ph.padded) || inOrderPadded(ph.paddedWords, name);
}

/**
 * Whether words (each space-padded: " w ") occur in this order in the space-padded phrase, other
 * words between allowed.
 */
function inOrderPadded(paddedWords: readonly string[], padded: string): boolean {
  let from = 0;
  for (const w of paddedWords) {
    const at = padded.indexOf(w, from);
    if (at < 0) return false;
    from = at + w.length - 1;
  }
  return true;
}

/** Words that occur in nearly every name; they never make a match confident on their own. */
const GENERIC = new Set(['thu', 'tuc', 'dang', 'ky', 'cap', 'giay', 'xac', 'nhan', 'lai', 'doi']);

/**
 * Where a question is taken ("ủy ban nhân dân", "xã", "công an"): a synonym rule producing only
 * these says where, not which procedure, so it is no evidence for the names that contain it.
 */
const PLACE = new Set([
  'uy',
  'ban',
  'nhan',
  'dan',
  'xa',
  'phuong',
  'tinh',
  'cong',
  'an',
  'chu',
  'tich',
]);

/** Whether a catalogue phrase a synonym rule produced says more than "đăng ký" or where. */
function topical(words: readonly string[]): boolean {
  return words.some((t) => !GENERIC.has(t) && !PLACE.has(t));
}

export class CitizenSearch {
  private readonly mini: MiniSearch<IndexedDoc>;
  private readonly procedures = new Map<string, ProcedureRecord>();
  private readonly faqs = new Map<string, FaqEntry>();
  private readonly normalizer: QueryNormalizer;
  /** What the re-ranker reads of each document, computed once (see DocInfo). */
  private readonly docInfo = new Map<string, DocInfo>();
  /** Folded field phrase -> field (official spelling). */
  private readonly fieldPhrases: Array<{ phrase: string; field: string }> = [];
  /** The field phrases by their first word, space-padded (a question names one with it). */
  private readonly fieldPhrasesByFirst = new Map<
    string,
    Array<{ padded: string; field: string }>
  >();
  /** Documents containing each word or pair (name, keywords, field). */
  private readonly docFreq = new Map<string, number>();
  private readonly docCount: number;
  private readonly popular = new Set<string>();
  /** Folded phrases of topics outside the catalogue (outside.txt), space-padded. */
  private readonly outside: string[] = [];
  /** The same by their first word (a question names one only with that word). */
  private readonly outsideByFirst = new Map<string, string[]>();
  private readonly model: RerankModel;
  /** The engine's documents' ids, in the order they were added. */
  private readonly engineDocs: string[];
  /** Each indexed word or pair's hits when the engine looks it up exactly (see engineSearch). */
  private readonly exactHits = new Map<string, { docs: Int32Array; scores: Float64Array }>();
  /** Per-document sums of one engineSearch (reused: a question is answered synchronously). */
  private readonly engineScratch: {
    stamp: Uint32Array;
    score: Float64Array;
    matched: Uint32Array;
    count: Uint8Array;
    round: number;
  };

  constructor(
    procedures: readonly ProcedureRecord[],
    faqs: readonly FaqEntry[],
    lexicon: LexiconTexts,
    private readonly tuning: SearchTuning = DEFAULT_TUNING,
    model?: RerankModel,
  ) {
    this.model = usableModel(model ?? lexicon.model);
    this.normalizer = new QueryNormalizer(lexicon);
    for (const line of (lexicon.popularText ?? '').split('\n')) {
      const code = line.replace(/#.*$/, '').trim();
      if (code) this.popular.add(code);
    }
    const docs: IndexedDoc[] = [];
    for (const p of procedures) {
      this.procedures.set(p.code, p);
      docs.push({
        id: `p:${p.code}`,
        name: p.name,
        // Abbreviations of the name spelt out ("BHXH": "bảo hiểm xã hội").
        keywords: this.normalizer.spellOut(tokenize(p.name)).join(' '),
        field: p.field,
        level: p.level ?? '',
      });
    }
    for (const f of faqs) {
      this.faqs.set(f.id, f);
      docs.push({
        id: `f:${f.id}`,
        name: f.title,
        // Keywords are indexed as written and as the query side would rewrite them.
        keywords: f.keywords
          .map((k) => `${k} ; ${this.normalizer.expand(tokenize(k)).join(' ')}`)
          .join(' ; '),
        field: '',
        level: '',
      });
    }
    const fields = new Set(procedures.map((p) => p.field).filter((f) => f !== ''));
    for (const field of fields) {
      // A field like "Đăng ký, quản lý cư trú" is named by its parts too ("cư trú").
      this.fieldPhrases.push({ phrase: tokenize(field).join(' '), field });
      for (const part of field.split(/[,()]/)) {
        const phrase = tokenize(part).join(' ');
        if (phrase.includes(' ')) this.fieldPhrases.push({ phrase, field });
      }
    }
    for (const d of docs) {
      // FAQ keywords are spelt as written before the folded expansions (see above).
      const spelt = new Map<string, Set<string>>();
      for (const text of [d.name, d.field, d.level, ...d.keywords.split(' ; ')]) {
        const { tokens, written } = tokenizeWritten(text);
        questionSpellings(written).forEach((key, i) => {
          const t = tokens[i];
          if (key === undefined || t === undefined) return;
          const set = spelt.get(t) ?? new Set<string>();
          set.add(key);
          spelt.set(t, set);
        });
      }
      const name = tokenize(d.name);
      const nameText = ` ${name.join(' ')} `;
      this.normalizer.addDocument(name);
      this.normalizer.addDocument(tokenize(d.keywords));
      this.normalizer.addDocument(tokenize(d.field));
      const phraseTokens = name[0] === 'thu' && name[1] === 'tuc' ? name.slice(2) : name;
      const namePhrase = ` ${phraseTokens.join(' ')} `;
      // The level qualifier "(thực hiện tại cấp tỉnh)" is the level features' business, not
      // words of the topic the question should explain.
      const topic = ` ${phraseTokens.join(' ')} `.replace(LEVEL_QUALIFIER, '').trim().split(' ');
      const nameWords = dedupe(topic.filter((t) => t !== ''));
      const list = leadingActions(d.name);
      const terms = new Set<string>();
      for (const text of [d.name, d.keywords, d.field])
        for (const t of withPairs(tokenize(text))) terms.add(t);
      for (const t of terms) this.docFreq.set(t, (this.docFreq.get(t) ?? 0) + 1);
      this.docInfo.set(d.id, {
        procedure: d.id.startsWith('p:') ? this.procedures.get(d.id.slice(2)) : undefined,
        name: namePhrase,
        nameTrimmed: namePhrase.trim(),
        nameWordSet: new Set(phraseTokens),
        nameParts: namePhrase.split(' ').length,
        levelPhrase: ` ${tokenize(d.level).join(' ')} ${phraseTokens.join(' ')} `,
        terms,
        markers: MARKERS.map((m) => m.doc.test(nameText)),
        markerWords: MARKERS.map((m, i) =>
          [...nameText.matchAll(m.span ?? (MARKER_DOC_ALL[i] as RegExp))].flatMap((x) =>
            x[0].trim().split(' '),
          ),
        ),
        listedMarkers: MARKERS.map((m) => list !== '' && m.doc.test(list)),
        action: actionOf(phraseTokens),
        nameWords,
        nameWeights: [], // below, once every document is counted
        nameLength: Math.log(1 + nameWords.length),
        spellings: spelt,
      });
    }
    this.docCount = Math.max(docs.length, 1);
    const docTexts = docs.map(
      (d) => ` ${tokenize(`${d.name} ; ${d.keywords} ; ${d.field}`).join(' ')} `,
    );
    // A phrase is only in a text that has its first word.
    const textsWith = new Map<string, string[]>();
    for (const text of docTexts)
      for (const word of new Set(text.split(' '))) {
        const list = textsWith.get(word);
        if (list) list.push(text);
        else textsWith.set(word, [text]);
      }
    for (const line of (lexicon.outsideText ?? '').split('\n')) {
      const phrase = ` ${tokenize(line.replace(/#.*$/, '')).join(' ')} `;
      const first = phrase.trim().split(' ')[0] ?? '';
      if (phrase.trim() !== '' && !(textsWith.get(first) ?? []).some((t) => t.includes(phrase)))
        this.outside.push(phrase);
    }
    for (const info of this.docInfo.values())
      info.nameWeights = info.nameWords.map((t) => this.idf(t) * (GENERIC.has(t) ? 0.3 : 1));
    for (const f of this.fieldPhrases) {
      const first = f.phrase.split(' ')[0] ?? '';
      const list = this.fieldPhrasesByFirst.get(first) ?? [];
      list.push({ padded: ` ${f.phrase} `, field: f.field });
      this.fieldPhrasesByFirst.set(first, list);
    }
    for (const phrase of this.outside) {
      const first = phrase.trim().split(' ')[0] ?? '';
      const list = this.outsideByFirst.get(first) ?? [];
      list.push(phrase);
      this.outsideByFirst.set(first, list);
    }

    this.mini = new MiniSearch<IndexedDoc>({
      fields: ENGINE_FIELDS,
      storeFields: [],
      tokenize: (text) => withPairs(tokenize(text)),
      processTerm: (term) => term,
      searchOptions: {
        boost: { name: 3, keywords: 2.5, field: 1 },
        combineWith: 'OR',
        fuzzy: (term) => this.fuzzyOf(term),
        maxFuzzy: 2,
        prefix: (term, i, terms) => this.prefixOf(term, i, terms),
        weights: { fuzzy: 0.45, prefix: 0.35 },
      },
    });
    this.mini.addAll(docs);
    this.engineDocs = docs.map((d) => d.id);
    this.engineScratch = {
      stamp: new Uint32Array(docs.length),
      score: new Float64Array(docs.length),
      matched: new Uint32Array(docs.length),
      count: new Uint8Array(docs.length),
      round: 0,
    };
    const position = new Map(docs.map((d, i) => [d.id, i]));
    for (const term of this.docFreq.keys()) {
      // The engine's own scores for the term alone, in the order it finds them: field by field
      // (name, keywords, field), documents in the order they were added.
      const hits = this.mini
        .search(term, { fuzzy: false, prefix: false, tokenize: (text) => [text] })
        .map((r) => ({
          doc: position.get(String(r.id)) ?? -1,
          field: ENGINE_FIELDS.indexOf((r.match[term] as string[] | undefined)?.[0] ?? ''),
          score: r.score,
        }))
        .sort((a, b) => a.field - b.field || a.doc - b.doc);
      this.exactHits.set(term, {
        docs: Int32Array.from(hits, (h) => h.doc),
        scores: Float64Array.from(hits, (h) => h.score),
      });
    }
  }

  /** The same through MiniSearch's own search (typos, prefixes; exposed for tests). */
  engineSearchDirect(terms: readonly string[]): EngineHit[] {
    return this.mini
      .search(terms.join(' '), { tokenize: (text) => text.split(' ') })
      .map((r) => ({ id: String(r.id), score: r.score, queryTerms: r.queryTerms }));
  }

  /**
   * Typos the normaliser could not correct: one edit on unknown words of 5+ letters (MiniSearch's
   * `fuzzy` option). Known words and pairs stay exact, which also keeps queries fast on large
   * catalogues.
   */
  private fuzzyOf(term: string): false | number {
    return term.includes('_') || term.length < 5 || this.normalizer.knows(term) ? false : 0.2;
  }

  /** …and the last unknown word as a prefix, still being typed (MiniSearch's `prefix` option). */
  private prefixOf(term: string, i: number, terms: readonly string[]): boolean {
    return (
      i === terms.length - 1 &&
      term.length >= 3 &&
      !term.includes('_') &&
      !this.normalizer.knows(term)
    );
  }

  /**
   * MiniSearch's hits for these terms (OR, BM25), best first, the first `limit`. When every term is looked up
   * exactly (no typo tolerance, no prefix: nearly every question), the sum is made here from the
   * engine's own per-term scores (exactHits), added in the engine's order so that scores and
   * the order of ties are the engine's; otherwise the engine searches.
   */
  engineSearch(terms: readonly string[], limit = Infinity): EngineHit[] {
    const exact =
      terms.length <= 32 &&
      new Set(terms).size === terms.length &&
      terms.every((t, i) => t !== '' && this.fuzzyOf(t) === false && !this.prefixOf(t, i, terms));
    if (!exact) return this.engineSearchDirect(terms).slice(0, limit);
    const s = this.engineScratch;
    // A new round number marks every document unseen (a full reset once in 4 billion rounds).
    s.round = (s.round + 1) >>> 0;
    if (s.round === 0) {
      s.stamp.fill(0);
      s.round = 1;
    }
    const found: number[] = [];
    terms.forEach((term, k) => {
      const hits = this.exactHits.get(term);
      if (!hits) return;
      for (let j = 0; j < hits.docs.length; j++) {
        const doc = hits.docs[j] as number;
        const score = hits.scores[j] as number;
        if (s.stamp[doc] !== s.round) {
          s.stamp[doc] = s.round;
          s.score[doc] = score;
          s.matched[doc] = 1 << k;
          s.count[doc] = 1;
          found.push(doc);
        } else {
          s.score[doc] = (s.score[doc] as number) + score;
          s.matched[doc] = (s.matched[doc] as number) | (1 << k);
          s.count[doc] = (s.count[doc] as number) + 1;
        }
      }
    });
    // As MiniSearch: the sum times the number of the query's terms the document has, best
    // first, ties in the order found (the first `limit` of a stable sort).
    const best: number[] = [];
    for (const doc of found) {
      const score = (s.score[doc] as number) * (s.count[doc] as number);
      s.score[doc] = score;
      if (best.length >= limit && !(score > (s.score[best[best.length - 1] as number] as number)))
        continue;
      let at = best.length;
      while (at > 0 && (s.score[best[at - 1] as number] as number) < score) at--;
      best.splice(at, 0, doc);
      if (best.length > limit) best.pop();
    }
    return best.map((doc) => ({
      id: this.engineDocs[doc] as string,
      score: s.score[doc] as number,
      queryTerms: terms.filter((_, k) => ((s.matched[doc] as number) & (1 << k)) !== 0),
    }));
  }

  /** All procedures, in catalogue order. */
  allProcedures(): ProcedureRecord[] {
    return [...this.procedures.values()];
  }

  procedure(code: string): ProcedureRecord | undefined {
    return this.procedures.get(code);
  }

  faq(id: string): FaqEntry | undefined {
    return this.faqs.get(id);
  }

  allFaqs(): FaqEntry[] {
    return [...this.faqs.values()];
  }

  /** The normaliser (exposed for intent detection and tests). */
  normalize(text: string): string[] {
    return this.normalizer.normalize(text).tokens;
  }

  private idf(token: string): number {
    const df = this.docFreq.get(token) ?? 0;
    return Math.log(1 + this.docCount / (df + 0.5));
  }

  /**
   * The engine's candidates for a question, each with its re-ranker features and the share of
   * the question it covers (the confidence). Exposed for training and evaluation.
   */
  candidates(query: string): CandidateSet {
    const nq = this.normalizer.normalize(query);
    const normalized = nq.tokens.join(' ');
    const tokens = dedupe(nq.tokens);
    if (tokens.length === 0)
      return { normalized, candidates: [], question: [0, 0, 0, 0], outside: 0 };

    // The engine ranks with the question's most specific words and pairs, rarest first, up to a
    // budget of postings: common words rank almost nothing (low IDF) but would make it score
    // most of a large catalogue. The coverage check below still counts every word.
    const allTerms = dedupe(withPairs(nq.tokens));
    const df = (t: string): number => this.docFreq.get(t) ?? 0;
    // Pairs no document has cannot match; unknown single words still can (typos, fuzzy).
    // Words no document has go last: they only match through typo tolerance, and in a long
    // question they would fill the engine's terms before the catalogue's own words.
    const rank = (t: string): number => df(t) || Number.MAX_SAFE_INTEGER;
    // When the question also asks for something (a phrase no situation rule wrote), the words
    // only a situation rule wrote ("lấy vợ" ~> "đăng ký kết hôn") do not rank candidates.
    const asked = nq.phrases.filter((ph) => !nq.background.has(ph) && topical(ph.split(' ')));
    const situationOnly = new Set<string>();
    if (asked.length > 0) {
      const own = new Set([...asked.join(' ').split(' '), ...nq.literal.split(' ')]);
      for (const ph of nq.background)
        for (const t of ph.split(' ')) if (!own.has(t)) situationOnly.add(t);
    }
    const byRarity = allTerms
      .filter((t) => df(t) > 0 || !t.includes('_'))
      .filter((t) => situationOnly.size === 0 || !t.split('_').some((w) => situationOnly.has(w)))
      .map((t) => ({ t, rank: rank(t) }))
      .sort((a, b) => a.rank - b.rank)
      .map((x) => x.t);
    const terms: string[] = [];
    let postings = 0;
    for (const t of byRarity) {
      if (
        terms.length >= 2 &&
        (postings + df(t) > this.tuning.postingBudget || terms.length >= this.tuning.maxEngineTerms)
      )
        break;
      terms.push(t);
      postings += df(t);
    }
    const raw = this.engineSearch(terms, MAX_CANDIDATES);
    if (raw.length === 0) return { normalized, candidates: [], question: [0, 0, 0, 0], outside: 0 };

    const phrase = ` ${normalized} `;
    // The fields the question names (a field phrase is only in it with its first word).
    const fieldHit = new Set<string>();
    for (const t of tokens)
      for (const f of this.fieldPhrasesByFirst.get(t) ?? [])
        if (phrase.includes(f.padded)) fieldHit.add(f.field);
    const maxIdf = Math.log(1 + this.docCount / 0.5);
    // Numbers the catalogue does not use (phone numbers, years, ages) say nothing about the topic.
    const noise = (t: string): boolean => /^\d+$/.test(t) && !this.docFreq.has(t);
    const weightOf = (t: string): number => {
      if (noise(t)) return 0;
      const known = this.docFreq.has(t);
      // Everyday words the rule files know but no name uses ("riêng", "quen"): phrasing, not
      // a topic of their own; words nobody knows weigh most (likely another topic).
      let w = known ? this.idf(t) : this.normalizer.knows(t) ? maxIdf * 0.25 : maxIdf;
      if (GENERIC.has(t)) w *= 0.3;
      if (nq.corrected.has(t)) w *= 0.6;
      return w;
    };
    // Each (distinct) token's weight, in the tokens' order.
    const weights = tokens.map(weightOf);
    let total = 0;
    for (const w of weights) total += w;
    const unknown = tokens.filter(
      (t) => !this.docFreq.has(t) && !nq.corrected.has(t) && !noise(t) && !this.normalizer.knows(t),
    ).length;

    const rawPhrase = ` ${tokenize(query).join(' ')} `;
    const level = levelNamed(rawPhrase);
    const outside = this.outsideTopics(rawPhrase);
    const queryMarkers = MARKERS.map(
      // The question's own words count as much as what the normaliser made of them ("xuống
      // thôn" may be filler to the search but says "lưu động" to the marker).
      // A variant the question negates ("không đợi cuối năm") is not asked for.
      (m) =>
        matchesUnnegated(m.query, phrase) ||
        matchesUnnegated(m.query, rawPhrase) ||
        (m.raw !== undefined && matchesUnnegated(m.raw, rawPhrase)),
    );
    const queryWords = new Set([...tokens, ...rawPhrase.split(' ').filter((t) => t !== '')]);
    const queryPairs = allTerms.filter((t) => t.includes('_'));
    const literalParts = nq.literal.split(' ');
    const literalWords = literalParts.filter((t) => t !== '');
    const literalPhrase = ` ${nq.literal} `;
    const literalPairs = literalWords.slice(1).map((t, i) => `${literalWords[i]}_${t}`);
    const literalRuns = new LiteralRuns(literalWords);
    // Synonym phrases that say more than "đăng ký" or "cấp" (see the coverage below).
    const topicPhrases = nq.phrases.filter((ph) => topical(ph.split(' '))).map(phraseOf);
    const ruleWords = topicPhrases.map((ph) => ph.text.split(' '));
    // What the question asks against the situation it tells ("bố mẹ mất hết, ông bà làm giám
    // hộ"): phrases only background rules (`~>`) produced, and the others.
    const backgroundPhrases = topicPhrases.filter((ph) => nq.background.has(ph.text));
    const askedPhrases = topicPhrases.filter((ph) => !nq.background.has(ph.text));
    const topEngine = raw[0]?.score ?? 1;
    const top = raw.map((r) => {
      const id = String(r.id);
      return { r, id, doc: this.docInfo.get(id) };
    });
    // A request only counts when some candidate is named for it (not "hết hạn" alone).
    const requests = askedPhrases.filter((ph) => top.some((c) => inName(ph, c.doc?.name ?? '')));
    // …and a whole name of two words or more the question writes itself ("tách hộ").
    for (const { doc } of top) {
      const name = doc?.nameTrimmed ?? '';
      if (name.includes(' ') && literalPhrase.includes(` ${name} `) && !nq.background.has(name))
        requests.push(phraseOf(name));
    }
    const requested = new Set(requests.map((ph) => ph.text));
    const literalLong = literalParts.length >= 3;
    const wanted = level === 'province' ? ' cap tinh ' : level === 'commune' ? ' cap xa ' : '';
    const docSpelling = nq.spellings.size > 0;
    const candidates: Candidate[] = top.map(({ r, id, doc }) => {
      const name = doc?.name ?? '';
      const docTerms = doc?.terms;
      const p = doc?.procedure;
      const f = NO_FEATURES.slice();
      f[F.engine] = r.score / topEngine;
      // The question quotes the name, or the name is all the question says.
      let phraseInName = 0;
      if (tokens.length >= 2 && name.includes(phrase)) phraseInName = 1;
      else if (literalLong && name.includes(literalPhrase)) phraseInName = 1;
      if (name === phrase) phraseInName += 1;
      f[F.phraseInName] = phraseInName;
      f[F.nameInQuery] = (doc?.nameParts ?? 1) >= 6 && phrase.includes(name) ? 1 : 0;
      // A catalogue phrase a synonym rule produced ("đổi biển số" -> "đổi chứng nhận đăng ký xe…").
      // (A whole name the question writes itself, "tách hộ", counts the same.)
      const synonymPhrase =
        topicPhrases.some((ph) => name.includes(ph.padded)) ||
        requested.has(doc?.nameTrimmed ?? '');
      f[F.synonymPhrase] = synonymPhrase ? 1 : 0;
      // …or its words in the same order with the name's variant words between ("đăng ký khai
      // sinh" in "đăng ký lại khai sinh").
      f[F.synonymInOrder] =
        !synonymPhrase && topicPhrases.some((ph) => inOrderPadded(ph.paddedWords, name)) ? 1 : 0;
      if (p) {
        f[F.fieldHit] = fieldHit.has(p.field) ? 1 : 0;
        f[F.popular] = this.popular.has(p.code) ? 1 : 0;
        // The level the question names: a name saying "(thực hiện tại cấp tỉnh)" matches best,
        // a procedure done at that level among others next.
        const lv = doc?.levelPhrase ?? '';
        if (wanted) {
          f[F.levelMatch] = name.includes(wanted) ? 1.5 : lv.includes(wanted) ? 0.5 : -1;
          // Not done at the level the question names at all ("nộp ở tỉnh" for a commune-only one).
          f[F.levelMismatch] = lv.includes(wanted) ? 0 : 1;
        }
      } else f[F.faq] = 1;
      // Sibling procedures differ by variants ("lưu động", "cấp lại", "có yếu tố nước ngoài"):
      // agreement and disagreement between the question and the name.
      let both = 0;
      let docOnly = 0;
      let queryOnly = 0;
      const docMarkers = doc?.markers ?? [];
      const listed = doc?.listedMarkers ?? [];
      // Name words of a variant the question states in its own words ("người Pháp" for "có yếu
      // tố nước ngoài"): explained, not missing.
      const explained = new Set<string>();
      const spans = doc?.markerWords ?? [];
      for (let i = 0; i < MARKERS.length; i++) {
        const m = MARKERS[i] as Marker;
        const d = docMarkers[i] === true;
        const q = queryMarkers[i] === true;
        if (d && q) for (const t of spans[i] ?? []) explained.add(t);
        // A variant listed beside the plain action serves the plain question too.
        // A name with a variant only read when asked for is not at odds with a silent question.
        const docOnlyHere = d && !q && listed[i] !== true && m.askedOnly !== true;
        if (m.channel === true) {
          // Counted on its own only (see Marker.channel).
        } else if (d && q) both++;
        else if (docOnlyHere) docOnly++;
        else if (q && !d && !(m.coveredBy?.test(name) ?? false)) queryOnly++;
        f[BASE_COUNT + 2 * i] = d && q ? 1 : 0;
        f[BASE_COUNT + 2 * i + 1] = docOnlyHere ? 1 : 0;
      }
      f[F.markerMatch] = both;
      f[F.markerDocOnly] = docOnly;
      f[F.markerQueryOnly] = queryOnly;
      // How much of the name the question leaves unexplained (a longer sibling's qualifiers).
      const nameWords = doc?.nameWords ?? [];
      const nameWeights = doc?.nameWeights ?? [];
      let miss = 0;
      let all = 0;
      for (let i = 0; i < nameWords.length; i++) {
        const t = nameWords[i] as string;
        const w = nameWeights[i] ?? 0;
        all += w;
        if (!queryWords.has(t) && (explained.size === 0 || !explained.has(t))) miss += w;
      }
      const docMiss = all > 0 ? miss / all : 0;
      f[F.docMiss] = docMiss;
      // A sibling the question explains whole, its variant included (a question on a marriage
      // whose papers and register are all gone, and "đăng ký lại kết hôn").
      f[F.variantFit] = both > 0 ? 1 - docMiss : 0;
      // The name matches only the situation while the question asks for another procedure.
      const backgroundOnly =
        requests.length > 0 &&
        backgroundPhrases.some((ph) => inName(ph, name)) &&
        !requests.some((ph) => inName(ph, name));
      f[F.backgroundOnly] = backgroundOnly ? 1 : 0;
      // What a situation rule wrote into the question ("lấy vợ" ~> "đăng ký kết hôn") is not the
      // question quoting the name nor a request phrase when it asks for something else.
      if (backgroundOnly) {
        f[F.synonymPhrase] = 0;
        f[F.synonymInOrder] = 0;
        f[F.nameInQuery] = 0;
      }
      f[F.nameLength] = doc?.nameLength ?? 0;
      let pairs = 0;
      for (const q of queryPairs) if (docTerms?.has(q) === true) pairs++;
      f[F.pairShare] = queryPairs.length > 0 ? pairs / queryPairs.length : 0;
      // Phrase proximity on the question's own words (before synonyms): the share of its word
      // pairs the name has, and the longest run of its words the name repeats.
      let literalHits = 0;
      for (const pair of literalPairs) if (docTerms?.has(pair) === true) literalHits++;
      f[F.literalPairs] = literalPairs.length > 0 ? literalHits / literalPairs.length : 0;
      // A run of two words or more needs a shared pair; without one, one shared word at most.
      const run =
        literalHits > 0
          ? literalRuns.longestIn(name)
          : literalWords.some((t) => doc?.nameWordSet.has(t) === true)
            ? 1
            : 0;
      f[F.literalRun] = Math.min(run, 6) / 6;
      // The name's action ("đổi", "thu hồi", "cấp lại") is what the question asks for.
      const action = doc?.action ?? '';
      f[F.actionMatch] =
        action !== '' && (literalPhrase.includes(action) || phrase.includes(action)) ? 1 : 0;

      const matched = new Set<string>();
      for (const q of r.queryTerms) if (!q.includes('_')) matched.add(q);
      for (const t of tokens) if (docTerms?.has(t)) matched.add(t);
      // A word the question spells otherwise than the document is another word ("mật", "mất").
      const docSpelt = docSpelling ? doc?.spellings : undefined;
      if (docSpelt)
        for (const [t, key] of nq.spellings) {
          const known = docSpelt.get(t);
          if (known !== undefined && !known.has(key)) matched.delete(t);
        }
      let covered = 0;
      for (let i = 0; i < tokens.length; i++)
        if (matched.has(tokens[i] as string)) covered += weights[i] as number;
      let coverage = total > 0 ? covered / total : 0;
      // Several words but no two of them side by side in the hit: likely a chance match.
      if (tokens.length >= 2 && pairs === 0) coverage *= 0.75;
      // Words the catalogue has never seen: each one makes another topic more likely.
      coverage *= 0.85 ** unknown;
      // Everything a curated synonym rule produced is matched: trust the rule (unless it only
      // says "đăng ký" or "cấp", which every other name says too), in a long question even with
      // a word the catalogue does not know for every eight (narrative: "xóm núi", "neo đơn").
      if (
        unknown <= Math.floor(tokens.length / 8) &&
        outside === 0 &&
        ruleWords.some((words) => words.every((t) => matched.has(t)))
      )
        coverage = Math.max(coverage, 0.6);
      // A topic the catalogue lacks ("giấy phép kinh doanh rượu"): the nearest procedure covers
      // the rest of the question but not what it is about.
      coverage *= OUTSIDE_FACTOR ** outside;
      // One common syllable alone ("yêu", "nuôi") is too ambiguous to answer confidently.
      const only = tokens[0];
      if (
        tokens.length === 1 &&
        only !== undefined &&
        !nq.expanded.has(only) &&
        (this.docFreq.get(only) ?? 0) > 3
      )
        coverage *= 0.4;
      f[F.coverage] = coverage;
      return { id, features: f, confidence: coverage };
    });
    const expanded = tokens.filter((t) => nq.expanded.has(t)).length;
    return {
      normalized,
      candidates,
      question: [
        unknown / tokens.length,
        Math.log(1 + topEngine),
        Math.min(tokens.length, 12) / 12,
        expanded / tokens.length,
      ],
      outside,
    };
  }

  /**
   * How many topics outside the catalogue (outside.txt) the folded, space-padded question names,
   * not counting those named as a purpose ("lý lịch tư pháp để xin visa") or a state ("đang…").
   */
  outsideTopics(rawPhrase: string): number {
    let n = 0;
    // A phrase is only in the question with its first word: look at those of its words.
    for (const word of new Set(rawPhrase.split(' ')))
      for (const phrase of this.outsideByFirst.get(word) ?? []) {
        const at = rawPhrase.indexOf(phrase);
        if (at < 0) continue;
        const before = rawPhrase.slice(0, at).trim().split(' ');
        // A purpose ("để xin visa") or a state the question tells ("bố đang hưởng lương hưu thì
        // mất"), not what it asks for.
        const last = before.at(-1) === 'duoc' ? before.at(-2) : before.at(-1);
        if (!before.slice(-3).includes('de') && last !== 'dang') n++;
      }
    return n;
  }

  /**
   * Best 1–3 hits for a citizen's question, in rank order, or none when confidence is low.
   * A procedure code typed in the question (e.g. "1.001193") is answered directly.
   */
  search(query: string): SearchResult {
    const code = CODE_RE.exec(query)?.[1];
    if (code !== undefined) {
      const p = this.procedures.get(code);
      if (p)
        return {
          normalized: code,
          hits: [{ kind: 'procedure', procedure: p, score: 1 }],
          confidence: 1,
        };
    }
    const set = this.candidates(query);
    const { normalized } = set;
    const ranked = rankCandidates(set.candidates, this.model.weights);
    const best = ranked[0];
    if (!best) return { normalized, hits: [], confidence: 0 };
    const confidence = best.confidence;
    if (!answerable(this.model, best, set.question, set.outside))
      return { normalized, hits: [], confidence };
    const hits: SearchHit[] = [];
    for (const s of ranked) {
      if (hits.length >= this.tuning.maxHits) break;
      if (best.score - s.score > this.tuning.scoreGap) break;
      const hit = this.toHit(s.id, s.score);
      if (hit) hits.push(hit);
    }
    return { normalized, hits, confidence };
  }

  private toHit(id: string, score: number): SearchHit | undefined {
    if (id.startsWith('p:')) {
      const procedure = this.procedures.get(id.slice(2));
      return procedure ? { kind: 'procedure', procedure, score } : undefined;
    }
    const faq = this.faqs.get(id.slice(2));
    return faq ? { kind: 'faq', faq, score } : undefined;
  }
}

const PROVINCE_DEPARTMENT =
  / so (xay dung|tu phap|noi vu|tai nguyen|nong nghiep|giao thong|y te|lao dong|cong thuong|giao duc|tai chinh|van hoa|ke hoach|khoa hoc|ngoai vu) /;

/** 'commune' / 'province' when the question names where it is done ("ở xã", "cấp tỉnh"). */
export function preferredLevel(query: string): 'commune' | 'province' | undefined {
  return levelNamed(` ${tokenize(query).join(' ')} `);
}

/** preferredLevel of a question already folded, tokenised and space-padded. */
function levelNamed(q: string): 'commune' | 'province' | undefined {
  // "nhà ở xã hội" (social housing) is not "ở xã" (at the commune).
  if (/ (o|tai|cap|len|ra|ubnd|uy ban|cong an) (xa(?! hoi )|phuong) /.test(q)) return 'commune';
  if (/ (o|tai|cap|len|ubnd|uy ban|cong an) tinh /.test(q)) return 'province';
  // A provincial department ("Sở Xây dựng", "Sở Tư pháp") is the province's level.
  if (PROVINCE_DEPARTMENT.test(q)) return 'province';
  return undefined;
}

/**
 * The list of actions a name starts with when the first is a plain one ("Thực hiện, điều chỉnh,
 * thôi hưởng…", "Cấp, cấp lại Giấy phép…", "Đăng ký, đăng ký lại, điều chỉnh đóng…"): the
 * folded, space-padded actions after the first, or '' when the name does not start so.
 */
export function leadingActions(name: string): string {
  const items = name.replace(/^thủ tục /i, '').split(/[,;]/);
  const first = tokenize(items[0] ?? '');
  if (items.length < 2 || first.length === 0 || first.length > 2) return '';
  // "Cấp lại, đổi, điều chỉnh…" starts with a variant: not a plain action.
  if (MARKERS.some((m) => m.doc.test(` ${first.join(' ')} `))) return '';
  const rest: string[] = [];
  for (const item of items.slice(1)) {
    const words = tokenize(item);
    // Actions have three words at most ("đăng ký lại"); the item carrying the topic starts
    // with one of two words.
    if (words.length <= 3) rest.push(...words);
    else {
      rest.push(...words.slice(0, 2));
      break;
    }
  }
  return ` ${rest.join(' ')} `;
}

function dedupe(tokens: readonly string[]): string[] {
  return [...new Set(tokens)];
}
