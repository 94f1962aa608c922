/**
 * Measuring the citizens' search: top-1, top-3 and "not found" on answerable questions, and
 * how often questions outside the catalogue are answered with procedures anyway. The
 * re-ranker's weights and the answerability threshold are the parts learned from labelled
 * questions, so `crossValidate` fits them on four fifths of the development set and scores
 * the fifth (k-fold), which shows whether a gain is general or memorised.
 */
import {
  answerVector,
  FEATURES,
  PRIOR_MODEL,
  trainLogistic,
  trainPairwise,
  type RerankModel,
} from './rerank.js';
import { detectIntent } from './intents.js';
import {
  answerable,
  DEFAULT_TUNING,
  rankCandidates,
  type Candidate,
  type CitizenSearch,
} from './search.js';
import { isSmallTalk } from './smalltalk.js';

/** A labelled question, its candidates precomputed (features do not depend on the weights). */
export interface EvalQuestion {
  query: string;
  /** Expected procedure code (or 'faq:<id>'); null when the catalogue has no answer. */
  expected: string | null;
  /** Answered before the search (chit-chat, a list question): never shows procedures. */
  handledBefore: boolean;
  /** The search's own answer when a procedure code is typed (bypasses the re-ranker). */
  direct?: string;
  candidates: Candidate[];
  /** The question's own features (CandidateSet.question). */
  question: number[];
  /** Topics outside the catalogue it names (CandidateSet.outside); none when absent. */
  outside?: number;
}

/**
 * A labelled question as the bot would treat it: small talk and list questions are answered
 * before the search; a typed procedure code is answered directly.
 */
export function evalQuestion(
  search: CitizenSearch,
  fieldPhrases: ReadonlyMap<string, string>,
  query: string,
  expected: string | null,
): EvalQuestion {
  const handledBefore = isSmallTalk(query) || detectIntent(query, fieldPhrases).kind !== 'search';
  const first = search.search(query).hits[0];
  const direct =
    /\b\d\.\d{6}\b/.test(query) && first?.kind === 'procedure' ? first.procedure.code : undefined;
  const { candidates, question, outside } = search.candidates(query);
  return {
    query,
    expected,
    handledBefore,
    ...(direct ? { direct } : {}),
    candidates,
    question,
    outside,
  };
}

export interface Metrics {
  answerable: number;
  top1: number;
  top3: number;
  notFound: number;
  outOfScope: number;
  /** Out-of-scope questions answered with procedures. */
  outOfScopeAnswered: number;
}

/** Candidate id -> the eval's id ('p:1.001193' -> '1.001193', 'f:vneid' -> 'faq:vneid'). */
export function candidateKey(id: string): string {
  return id.startsWith('p:') ? id.slice(2) : `faq:${id.slice(2)}`;
}

/** What the search shows for one question under a model: up to three ids, or none. */
export function shown(
  q: EvalQuestion,
  model: RerankModel,
  maxHits = DEFAULT_TUNING.maxHits,
  gap = DEFAULT_TUNING.scoreGap,
): string[] {
  if (q.handledBefore) return [];
  if (q.direct !== undefined) return [q.direct];
  const ranked = rankCandidates(q.candidates, model.weights);
  const best = ranked[0];
  if (!best || !answerable(model, best, q.question, q.outside)) return [];
  return ranked
    .filter((c, i) => i < maxHits && best.score - c.score <= gap)
    .map((c) => candidateKey(c.id));
}

export function measure(questions: readonly EvalQuestion[], model: RerankModel): Metrics {
  const m: Metrics = {
    answerable: 0,
    top1: 0,
    top3: 0,
    notFound: 0,
    outOfScope: 0,
    outOfScopeAnswered: 0,
  };
  for (const q of questions) {
    const ids = shown(q, model);
    if (q.expected === null) {
      m.outOfScope++;
      if (ids.length > 0) m.outOfScopeAnswered++;
      continue;
    }
    m.answerable++;
    const rank = ids.indexOf(q.expected);
    if (rank === 0) m.top1++;
    if (rank >= 0) m.top3++;
    if (ids.length === 0) m.notFound++;
  }
  return m;
}

export function addMetrics(a: Metrics, b: Metrics): Metrics {
  return {
    answerable: a.answerable + b.answerable,
    top1: a.top1 + b.top1,
    top3: a.top3 + b.top3,
    notFound: a.notFound + b.notFound,
    outOfScope: a.outOfScope + b.outOfScope,
    outOfScopeAnswered: a.outOfScopeAnswered + b.outOfScopeAnswered,
  };
}

/**
 * What the threshold is chosen for: right answers shown (first, or in the top three) against
 * out-of-scope questions answered, with "not found" above 3 % of answerable questions costly.
 */
export function objective(m: Metrics): number {
  const a = Math.max(m.answerable, 1);
  const o = Math.max(m.outOfScope, 1);
  const nf = m.notFound / a;
  return m.top1 / a + m.top3 / a - 1.5 * (m.outOfScopeAnswered / o) - 4 * Math.max(0, nf - 0.03);
}

/** Fit the re-ranker's weights, then the threshold, on these questions. */
export function fitModel(questions: readonly EvalQuestion[]): RerankModel {
  const groups = [];
  for (const q of questions) {
    if (q.expected === null || q.handledBefore || q.direct !== undefined) continue;
    const positive = q.candidates.findIndex((c) => candidateKey(c.id) === q.expected);
    if (positive >= 0 && q.candidates.length > 1)
      groups.push({ candidates: q.candidates.map((c) => c.features), positive });
  }
  const weights = trainPairwise(groups);
  // Answerability: should the best candidate under these weights be shown? Yes when the
  // question has an answer in the catalogue and the best three hold it.
  const examples = [];
  for (const q of questions) {
    // Questions naming a topic outside the catalogue are never answered (see answerable).
    if (q.handledBefore || q.direct !== undefined || (q.outside ?? 0) > 0) continue;
    const ranked = rankCandidates(q.candidates, weights);
    const best = ranked[0];
    if (!best) continue;
    const inTop3 = ranked.slice(0, 3).some((c) => candidateKey(c.id) === q.expected);
    if (q.expected !== null && !inTop3) continue;
    examples.push({ x: answerVector(best, q.question), answer: q.expected !== null });
  }
  const answer = trainLogistic(examples);
  let best = { t: 0, j: -Infinity };
  for (let t = -3; t <= 3.0001; t += 0.05) {
    const model = { features: FEATURES, weights, minConfidence: 0.2, answer, answerThreshold: t };
    const j = objective(measure(questions, model));
    if (j > best.j + 1e-9) best = { t: Math.round(t * 100) / 100, j };
  }
  return { features: FEATURES, weights, minConfidence: 0.2, answer, answerThreshold: best.t };
}

/** Deterministic fold of each question (seeded shuffle, then round robin). */
export function foldsOf(n: number, k: number, seed = 15): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  let s = seed;
  const rand = (): number => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [order[i], order[j]] = [order[j] ?? 0, order[i] ?? 0];
  }
  const fold = new Array<number>(n).fill(0);
  order.forEach((q, pos) => (fold[q] = pos % k));
  return fold;
}

/**
 * k-fold cross-validation: for each fold, fit on the other folds of `questions` plus `extra`
 * (labelled questions never scored here), score the fold. Returns the summed metrics.
 */
export function crossValidate(
  questions: readonly EvalQuestion[],
  extra: readonly EvalQuestion[],
  k = 5,
): { metrics: Metrics; models: RerankModel[] } {
  const fold = foldsOf(questions.length, k);
  let total: Metrics | undefined;
  const models: RerankModel[] = [];
  for (let f = 0; f < k; f++) {
    const train = [...questions.filter((_, i) => fold[i] !== f), ...extra];
    const test = questions.filter((_, i) => fold[i] === f);
    const model = fitModel(train);
    models.push(model);
    const m = measure(test, model);
    total = total ? addMetrics(total, m) : m;
  }
  return {
    metrics: total ?? measure([], PRIOR_MODEL),
    models,
  };
}
