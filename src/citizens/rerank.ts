/**
 * The citizens' search re-ranker: a linear model over a few features of each candidate the
 * engine found (how much of the question it covers, how much of its own name the question
 * leaves unexplained, whether the variants that separate sibling procedures agree…). Weights
 * are learned from labelled questions with a pairwise logistic loss (the expected procedure
 * must score above every other candidate) by `npm run eval:search -- --write-model`, which
 * also reports them cross-validated; they ship in reranker.json next to this file.
 */

import { MARKERS } from './markers.js';

/** Feature names, in vector order (the model file names them so a stale file is detected). */
const BASE_FEATURES = [
  'engine',
  'coverage',
  'docMiss',
  'pairShare',
  'phraseInName',
  'nameInQuery',
  'synonymPhrase',
  'fieldHit',
  'popular',
  'levelMatch',
  'markerMatch',
  'markerDocOnly',
  'markerQueryOnly',
  'faq',
  'nameLength',
  'literalPairs',
  'literalRun',
  'actionMatch',
  'levelMismatch',
  'synonymInOrder',
  'variantFit',
  'backgroundOnly',
] as const;

export type FeatureName = (typeof BASE_FEATURES)[number];

/** Per variant marker: question and name agree on it / only the name has it. */
export const FEATURES: readonly string[] = [
  ...BASE_FEATURES,
  ...MARKERS.flatMap((_, i) => [`marker${i}Both`, `marker${i}DocOnly`]),
];

/** Index of a base feature in FEATURES. */
const FEATURE_INDEX = new Map<string, number>(BASE_FEATURES.map((n, i) => [n, i]));
export const featureIndex = (name: FeatureName): number => FEATURE_INDEX.get(name) ?? -1;

/**
 * Answerability: a logistic model over the best candidate and the question decides between
 * showing procedures and "not found" (questions outside the catalogue share words with it).
 */
export const ANSWER_FEATURES = [
  'bias',
  'confidence',
  'score',
  'docMiss',
  'pairShare',
  'synonymPhrase',
  'markerDocOnly',
  'faq',
  'unknownShare',
  'engineLog',
  'length',
  'expandedShare',
] as const;

/** The answerability model's input: the best candidate (ranked) and the question's features. */
export function answerVector(
  best: { features: readonly number[]; confidence: number; score: number },
  question: readonly number[],
): number[] {
  const f = (name: FeatureName): number => best.features[featureIndex(name)] ?? 0;
  return [
    1,
    best.confidence,
    best.score,
    f('docMiss'),
    f('pairShare'),
    f('synonymPhrase'),
    f('markerDocOnly'),
    f('faq'),
    ...question,
  ];
}

export interface RerankModel {
  features: readonly string[];
  weights: readonly number[];
  /** Below this confidence (share of the question the best hit covers) nothing is answered. */
  minConfidence: number;
  /** Answerability weights over ANSWER_FEATURES, and the score the best hit must reach. */
  answer: readonly number[];
  answerThreshold: number;
}

/** Hand-set weights: the fallback when no trained model matches the feature list. */
export const PRIOR_MODEL: RerankModel = {
  features: FEATURES,
  weights: [
    ...[
      1, 1.5, -1, 0.5, 0.5, 0.5, 0.4, 0.3, 0.2, 0.2, 0.3, -0.5, -0.2, 0, -0.1, 0.3, 0.3, 0.3, -0.5,
      0.2, 0.3, -0.3,
    ],
    ...MARKERS.flatMap(() => [0, 0]),
  ],
  minConfidence: 0.55,
  answer: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0],
  answerThreshold: 0,
};

/** The model if it was trained on today's feature list, else the prior. */
export function usableModel(model: RerankModel | undefined): RerankModel {
  if (
    !model ||
    model.features.length !== FEATURES.length ||
    model.features.some((f, i) => f !== FEATURES[i]) ||
    model.weights.length !== FEATURES.length ||
    model.weights.some((w) => !Number.isFinite(w)) ||
    !Array.isArray(model.answer) ||
    model.answer.length !== ANSWER_FEATURES.length ||
    !Number.isFinite(model.answerThreshold)
  )
    return PRIOR_MODEL;
  return model;
}

export function linearScore(weights: readonly number[], x: readonly number[]): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (weights[i] ?? 0) * (x[i] ?? 0);
  return s;
}

/** One Adam update of `w` in place (moments `m`, `v`; step number `e` from 1). */
function adamStep(
  w: number[],
  grad: readonly number[],
  m: number[],
  v: number[],
  e: number,
  rate: number,
): void {
  for (let k = 0; k < w.length; k++) {
    const g = grad[k] ?? 0;
    m[k] = 0.9 * (m[k] ?? 0) + 0.1 * g;
    v[k] = 0.999 * (v[k] ?? 0) + 0.001 * g * g;
    const mh = (m[k] ?? 0) / (1 - 0.9 ** e);
    const vh = (v[k] ?? 0) / (1 - 0.999 ** e);
    w[k] = (w[k] ?? 0) - (rate * mh) / (Math.sqrt(vh) + 1e-8);
  }
}

/** One training question: its candidates' feature vectors and which one is right. */
export interface TrainingGroup {
  candidates: readonly (readonly number[])[];
  positive: number;
}

/**
 * Pairwise logistic regression (RankNet with a linear scorer), L2-regularised, full-batch
 * gradient descent with Adam. Deterministic: same data, same weights.
 */
export function trainPairwise(
  groups: readonly TrainingGroup[],
  opts: { epochs?: number; l2?: number; rate?: number; init?: readonly number[] } = {},
): number[] {
  const dim = FEATURES.length;
  const epochs = opts.epochs ?? 400;
  const l2 = opts.l2 ?? 0.003;
  const rate = opts.rate ?? 0.05;
  const w = [...(opts.init ?? PRIOR_MODEL.weights)];
  const m = new Array<number>(dim).fill(0);
  const v = new Array<number>(dim).fill(0);
  // Differences (positive − other) are all the loss needs.
  const diffs: number[][] = [];
  for (const g of groups) {
    const pos = g.candidates[g.positive];
    if (!pos) continue;
    g.candidates.forEach((c, i) => {
      if (i !== g.positive) diffs.push(pos.map((x, k) => x - (c[k] ?? 0)));
    });
  }
  if (diffs.length === 0) return w;
  for (let e = 1; e <= epochs; e++) {
    const grad = w.map((x) => l2 * x);
    for (const d of diffs) {
      const z = linearScore(w, d);
      // d/dw log(1 + exp(-z)) = -sigmoid(-z) · d
      const s = 1 / (1 + Math.exp(z));
      for (let k = 0; k < dim; k++) grad[k] = (grad[k] ?? 0) - (s * (d[k] ?? 0)) / diffs.length;
    }
    adamStep(w, grad, m, v, e, rate);
  }
  return w.map((x) => Math.round(x * 1e4) / 1e4);
}

/** One answerability example: its ANSWER_FEATURES vector and whether it should be answered. */
export interface AnswerExample {
  x: readonly number[];
  answer: boolean;
}

/**
 * Logistic regression for answerability, classes weighted to count equally, L2-regularised,
 * full-batch Adam. Deterministic.
 */
export function trainLogistic(
  examples: readonly AnswerExample[],
  opts: { epochs?: number; l2?: number; rate?: number } = {},
): number[] {
  const dim = ANSWER_FEATURES.length;
  const epochs = opts.epochs ?? 600;
  const l2 = opts.l2 ?? 0.01;
  const rate = opts.rate ?? 0.05;
  const w = new Array<number>(dim).fill(0);
  const m = new Array<number>(dim).fill(0);
  const v = new Array<number>(dim).fill(0);
  const pos = examples.filter((e) => e.answer).length;
  const neg = examples.length - pos;
  if (pos === 0 || neg === 0) return w;
  for (let e = 1; e <= epochs; e++) {
    const grad = w.map((x, k) => (k === 0 ? 0 : l2 * x));
    for (const ex of examples) {
      const p = 1 / (1 + Math.exp(-linearScore(w, ex.x)));
      const weight = ex.answer ? 0.5 / pos : 0.5 / neg;
      const err = (p - (ex.answer ? 1 : 0)) * weight;
      for (let k = 0; k < dim; k++) grad[k] = (grad[k] ?? 0) + err * (ex.x[k] ?? 0);
    }
    adamStep(w, grad, m, v, e, rate);
  }
  return w.map((x) => Math.round(x * 1e4) / 1e4);
}
