import MiniSearch from 'minisearch';
import { QueryNormalizer, questionSpellings, tokenize, tokenizeWritten } from './lexicon.js';
import { MARKERS, matchesUnnegated } from './markers.js';
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

/** Tokens plus adjacent pairs ('khai_sinh'). */
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
  return candidates
    .map((c) => ({ ...c, score: linearScore(weights, c.features) }))
    .sort((a, b) => b.score - a.score);
}

/** Coverage kept per topic outside the catalogue the question names (see outsideTopics). */
const OUTSIDE_FACTOR = 0.4;

/** A best hit covering this share of the question is answered whatever the model says. */
const SURE_CONFIDENCE = 0.95;

/** Where the per-marker features start in the feature vector. */
const BASE_COUNT = FEATURES.length - 2 * MARKERS.length;

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

/** Longest run of consecutive words `a` and `b` share (both space-padded phrases). */
function longestRun(words: readonly string[], padded: string): number {
  let best = 0;
  for (let i = 0; i < words.length; i++) {
    let phrase = ' ';
    for (let j = i; j < words.length; j++) {
      phrase += `${words[j]} `;
      if (!padded.includes(phrase)) break;
      best = Math.max(best, j - i + 1);
    }
  }
  return best;
}
/** Whether `words` occur in this order in the space-padded phrase, other words between allowed. */
function inOrder(words: readonly string[], padded: string): boolean {
  let from = 0;
  for (const w of words) {
    const at = padded.indexOf(` ${w} `, from);
    if (at < 0) return false;
    from = at + w.length + 1;
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
  /** Folded name tokens per doc id, padded with spaces, for phrase checks. */
  private readonly namePhrase = new Map<string, string>();
  /** Folded implementing level and name, for the commune/province preference. */
  private readonly levelPhrase = new Map<string, string>();
  /** Folded field phrase -> field (official spelling). */
  private readonly fieldPhrases: Array<{ phrase: string; field: string }> = [];
  /** Documents containing each word or pair (name, keywords, field). */
  private readonly docFreq = new Map<string, number>();
  /** Each document's words and pairs, to tell which words of a question a hit covers. */
  private readonly docTerms = new Map<string, Set<string>>();
  private readonly docCount: number;
  private readonly popular = new Set<string>();
  /** Folded phrases of topics outside the catalogue (outside.txt), space-padded. */
  private readonly outside: string[] = [];
  /** Which MARKERS each document's name has. */
  private readonly docMarkers = new Map<string, boolean[]>();
  /** Per MARKERS entry, the name words its variant spans (Marker.span), when the name has it. */
  private readonly markerWords = new Map<string, Array<readonly string[]>>();
  /** Which of them only in a list of actions after a plain one ("Thực hiện, điều chỉnh, thôi…"). */
  private readonly listedMarkers = new Map<string, boolean[]>();
  /** The action a name starts with ("thu hoi", "doi", "cap lai"), see actionOf. */
  private readonly nameAction = new Map<string, string>();
  /** The weight (IDF, less for generic words) of each of nameWords, computed once. */
  private readonly nameWeights = new Map<string, number[]>();
  /** Each document's distinct name words (without the leading "thủ tục"). */
  private readonly nameWords = new Map<string, string[]>();
  private readonly model: RerankModel;
  /** How each document spells its words (folded word -> spelling keys), where it has diacritics. */
  private readonly docSpellings = new Map<string, Map<string, Set<string>>>();

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
      this.docSpellings.set(d.id, spelt);
      const name = tokenize(d.name);
      this.normalizer.addDocument(name);
      this.normalizer.addDocument(tokenize(d.keywords));
      this.normalizer.addDocument(tokenize(d.field));
      const phraseTokens = name[0] === 'thu' && name[1] === 'tuc' ? name.slice(2) : name;
      this.namePhrase.set(d.id, ` ${phraseTokens.join(' ')} `);
      this.levelPhrase.set(d.id, ` ${tokenize(d.level).join(' ')} ${phraseTokens.join(' ')} `);
      // The level qualifier "(thực hiện tại cấp tỉnh)" is the level features' business, not
      // words of the topic the question should explain.
      const topic = ` ${phraseTokens.join(' ')} `.replace(LEVEL_QUALIFIER, '').trim().split(' ');
      this.nameWords.set(d.id, dedupe(topic.filter((t) => t !== '')));
      this.nameAction.set(d.id, actionOf(phraseTokens));
      this.docMarkers.set(
        d.id,
        MARKERS.map((m) => m.doc.test(` ${name.join(' ')} `)),
      );
      this.markerWords.set(
        d.id,
        MARKERS.map((m) =>
          [...` ${name.join(' ')} `.matchAll(m.span ?? new RegExp(m.doc.source, 'g'))].flatMap(
            (x) => x[0].trim().split(' '),
          ),
        ),
      );
      const list = leadingActions(d.name);
      this.listedMarkers.set(
        d.id,
        MARKERS.map((m) => list !== '' && m.doc.test(list)),
      );
      const terms = new Set<string>();
      for (const text of [d.name, d.keywords, d.field])
        for (const t of withPairs(tokenize(text))) terms.add(t);
      this.docTerms.set(d.id, terms);
      for (const t of terms) this.docFreq.set(t, (this.docFreq.get(t) ?? 0) + 1);
    }
    this.docCount = Math.max(docs.length, 1);
    const docTexts = docs.map(
      (d) => ` ${tokenize(`${d.name} ; ${d.keywords} ; ${d.field}`).join(' ')} `,
    );
    for (const line of (lexicon.outsideText ?? '').split('\n')) {
      const phrase = ` ${tokenize(line.replace(/#.*$/, '')).join(' ')} `;
      if (phrase.trim() !== '' && !docTexts.some((t) => t.includes(phrase)))
        this.outside.push(phrase);
    }
    for (const [id, words] of this.nameWords)
      this.nameWeights.set(
        id,
        words.map((t) => this.idf(t) * (GENERIC.has(t) ? 0.3 : 1)),
      );

    this.mini = new MiniSearch<IndexedDoc>({
      fields: ['name', 'keywords', 'field'],
      storeFields: [],
      tokenize: (text) => withPairs(tokenize(text)),
      processTerm: (term) => term,
      searchOptions: {
        boost: { name: 3, keywords: 2.5, field: 1 },
        combineWith: 'OR',
        // Typos the normaliser could not correct: one edit on unknown words of 5+ letters, and
        // the last unknown word as a prefix (still typing). Known words and pairs stay exact,
        // which also keeps queries fast on large catalogues.
        fuzzy: (term) =>
          term.includes('_') || term.length < 5 || this.normalizer.knows(term) ? false : 0.2,
        maxFuzzy: 2,
        prefix: (term, i, terms) =>
          i === terms.length - 1 &&
          term.length >= 3 &&
          !term.includes('_') &&
          !this.normalizer.knows(term),
        weights: { fuzzy: 0.45, prefix: 0.35 },
      },
    });
    this.mini.addAll(docs);
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
      .filter((t) => !t.split('_').some((w) => situationOnly.has(w)))
      .sort((a, b) => rank(a) - rank(b));
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
    const raw = this.mini.search(terms.join(' '), { tokenize: (text) => text.split(' ') });
    if (raw.length === 0) return { normalized, candidates: [], question: [0, 0, 0, 0], outside: 0 };

    const phrase = ` ${normalized} `;
    const fieldHit = this.fieldPhrases
      .filter((f) => phrase.includes(` ${f.phrase} `))
      .map((f) => f.field);
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
    const weights = new Map(tokens.map((t) => [t, weightOf(t)]));
    const total = [...weights.values()].reduce((a, b) => a + b, 0);
    const unknown = tokens.filter(
      (t) => !this.docFreq.has(t) && !nq.corrected.has(t) && !noise(t) && !this.normalizer.knows(t),
    ).length;

    const level = preferredLevel(query);
    const rawPhrase = ` ${tokenize(query).join(' ')} `;
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
    const literalWords = nq.literal.split(' ').filter((t) => t !== '');
    const literalPhrase = ` ${nq.literal} `;
    const literalPairs = literalWords.slice(1).map((t, i) => `${literalWords[i]}_${t}`);
    // Synonym phrases that say more than "đăng ký" or "cấp" (see the coverage below).
    const topicPhrases = nq.phrases.filter((ph) => topical(ph.split(' ')));
    const ruleWords = topicPhrases.map((ph) => ph.split(' '));
    // What the question asks against the situation it tells ("bố mẹ mất hết, ông bà làm giám
    // hộ"): phrases only background rules (`~>`) produced, and the others.
    const backgroundPhrases = topicPhrases.filter((ph) => nq.background.has(ph));
    const askedPhrases = topicPhrases.filter((ph) => !nq.background.has(ph));
    const topEngine = raw[0]?.score ?? 1;
    const inName = (ph: string, name: string): boolean =>
      name.includes(` ${ph} `) || inOrder(ph.split(' '), name);
    // A request only counts when some candidate is named for it (not "hết hạn" alone).
    const requests = askedPhrases.filter((ph) =>
      raw.slice(0, MAX_CANDIDATES).some((r) => inName(ph, this.namePhrase.get(String(r.id)) ?? '')),
    );
    // …and a whole name of two words or more the question writes itself ("tách hộ").
    for (const r of raw.slice(0, MAX_CANDIDATES)) {
      const name = (this.namePhrase.get(String(r.id)) ?? '').trim();
      if (name.includes(' ') && literalPhrase.includes(` ${name} `) && !nq.background.has(name))
        requests.push(name);
    }
    const candidates: Candidate[] = raw.slice(0, MAX_CANDIDATES).map((r) => {
      const id = String(r.id);
      const name = this.namePhrase.get(id) ?? '';
      const docTerms = this.docTerms.get(id);
      const p = id.startsWith('p:') ? this.procedures.get(id.slice(2)) : undefined;
      const f = new Array<number>(FEATURES.length).fill(0);
      const set = (k: FeatureName, x: number): void => {
        f[featureIndex(k)] = x;
      };
      set('engine', r.score / topEngine);
      // The question quotes the name, or the name is all the question says.
      let phraseInName = 0;
      if (tokens.length >= 2 && name.includes(phrase)) phraseInName = 1;
      else if (nq.literal.split(' ').length >= 3 && name.includes(` ${nq.literal} `))
        phraseInName = 1;
      if (name === phrase) phraseInName += 1;
      set('phraseInName', phraseInName);
      set('nameInQuery', name.split(' ').length >= 6 && phrase.includes(name) ? 1 : 0);
      // A catalogue phrase a synonym rule produced ("đổi biển số" -> "đổi chứng nhận đăng ký xe…").
      // (A whole name the question writes itself, "tách hộ", counts the same.)
      const synonymPhrase =
        topicPhrases.some((ph) => name.includes(` ${ph} `)) || requests.includes(name.trim());
      set('synonymPhrase', synonymPhrase ? 1 : 0);
      // …or its words in the same order with the name's variant words between ("đăng ký khai
      // sinh" in "đăng ký lại khai sinh").
      set(
        'synonymInOrder',
        !synonymPhrase && topicPhrases.some((ph) => inOrder(ph.split(' '), name)) ? 1 : 0,
      );
      if (p) {
        set('fieldHit', fieldHit.includes(p.field) ? 1 : 0);
        set('popular', this.popular.has(p.code) ? 1 : 0);
        // The level the question names: a name saying "(thực hiện tại cấp tỉnh)" matches best,
        // a procedure done at that level among others next.
        const lv = this.levelPhrase.get(id) ?? '';
        const wanted = level === 'province' ? ' cap tinh ' : level === 'commune' ? ' cap xa ' : '';
        if (wanted) {
          set('levelMatch', name.includes(wanted) ? 1.5 : lv.includes(wanted) ? 0.5 : -1);
          // Not done at the level the question names at all ("nộp ở tỉnh" for a commune-only one).
          set('levelMismatch', lv.includes(wanted) ? 0 : 1);
        }
      } else set('faq', 1);
      // Sibling procedures differ by variants ("lưu động", "cấp lại", "có yếu tố nước ngoài"):
      // agreement and disagreement between the question and the name.
      let both = 0;
      let docOnly = 0;
      let queryOnly = 0;
      const docMarkers = this.docMarkers.get(id) ?? [];
      const listed = this.listedMarkers.get(id) ?? [];
      const perMarker = BASE_COUNT;
      // Name words of a variant the question states in its own words ("người Pháp" for "có yếu
      // tố nước ngoài"): explained, not missing.
      const explained = new Set<string>();
      const spans = this.markerWords.get(id) ?? [];
      MARKERS.forEach((m, i) => {
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
        f[perMarker + 2 * i] = d && q ? 1 : 0;
        f[perMarker + 2 * i + 1] = docOnlyHere ? 1 : 0;
      });
      set('markerMatch', both);
      set('markerDocOnly', docOnly);
      set('markerQueryOnly', queryOnly);
      // How much of the name the question leaves unexplained (a longer sibling's qualifiers).
      const nameWords = this.nameWords.get(id) ?? [];
      const nameWeights = this.nameWeights.get(id) ?? [];
      let miss = 0;
      let all = 0;
      nameWords.forEach((t, i) => {
        const w = nameWeights[i] ?? 0;
        all += w;
        if (!queryWords.has(t) && !explained.has(t)) miss += w;
      });
      const docMiss = all > 0 ? miss / all : 0;
      set('docMiss', docMiss);
      // A sibling the question explains whole, its variant included (a question on a marriage
      // whose papers and register are all gone, and "đăng ký lại kết hôn").
      set('variantFit', both > 0 ? 1 - docMiss : 0);
      // The name matches only the situation while the question asks for another procedure.
      const backgroundOnly =
        requests.length > 0 &&
        backgroundPhrases.some((ph) => inName(ph, name)) &&
        !requests.some((ph) => inName(ph, name));
      set('backgroundOnly', backgroundOnly ? 1 : 0);
      // What a situation rule wrote into the question ("lấy vợ" ~> "đăng ký kết hôn") is not the
      // question quoting the name nor a request phrase when it asks for something else.
      if (backgroundOnly) {
        set('synonymPhrase', 0);
        set('synonymInOrder', 0);
        set('nameInQuery', 0);
      }
      set('nameLength', Math.log(1 + nameWords.length));
      let pairs = 0;
      for (const q of queryPairs) if (docTerms?.has(q) === true) pairs++;
      set('pairShare', queryPairs.length > 0 ? pairs / queryPairs.length : 0);
      // Phrase proximity on the question's own words (before synonyms): the share of its word
      // pairs the name has, and the longest run of its words the name repeats.
      let literalHits = 0;
      for (const pair of literalPairs) if (docTerms?.has(pair) === true) literalHits++;
      set('literalPairs', literalPairs.length > 0 ? literalHits / literalPairs.length : 0);
      // A run of two words or more needs a shared pair; without one, one shared word at most.
      const run =
        literalHits > 0
          ? longestRun(literalWords, name)
          : literalWords.some((t) => name.includes(` ${t} `))
            ? 1
            : 0;
      set('literalRun', Math.min(run, 6) / 6);
      // The name's action ("đổi", "thu hồi", "cấp lại") is what the question asks for.
      const action = this.nameAction.get(id) ?? '';
      set(
        'actionMatch',
        action !== '' && (literalPhrase.includes(action) || phrase.includes(action)) ? 1 : 0,
      );

      const matched = new Set(r.queryTerms.filter((q) => !q.includes('_')));
      for (const t of tokens) if (docTerms?.has(t)) matched.add(t);
      // A word the question spells otherwise than the document is another word ("mật", "mất").
      const docSpelt = nq.spellings.size > 0 ? this.docSpellings.get(id) : undefined;
      if (docSpelt)
        for (const [t, key] of nq.spellings) {
          const known = docSpelt?.get(t);
          if (known !== undefined && !known.has(key)) matched.delete(t);
        }
      let covered = 0;
      for (const [t, w] of weights) if (matched.has(t)) covered += w;
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
      set('coverage', coverage);
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
    for (const phrase of this.outside) {
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
  const q = ` ${tokenize(query).join(' ')} `;
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
