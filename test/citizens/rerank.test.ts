import { readFile } from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  crossValidate,
  fitModel,
  foldsOf,
  measure,
  type EvalQuestion,
} from '../../src/citizens/evaluate.js';
import { DEFAULT_MODEL_FILE } from '../../src/citizens/lexicon-files.js';
import { MARKERS } from '../../src/citizens/markers.js';
import {
  FEATURES,
  featureIndex,
  PRIOR_MODEL,
  trainPairwise,
  usableModel,
  type RerankModel,
} from '../../src/citizens/rerank.js';
import type { CitizenSearch } from '../../src/citizens/search.js';
import { hitId, seedSearch } from './helpers.js';

let search: CitizenSearch;
beforeAll(async () => {
  search = await seedSearch();
});

/** A candidate whose features are all zero but `coverage` (and `engine`). */
function cand(id: string, coverage: number, engine = 0.5) {
  const features = new Array<number>(FEATURES.length).fill(0);
  features[featureIndex('coverage')] = coverage;
  features[featureIndex('engine')] = engine;
  return { id, features, confidence: coverage };
}

describe('the re-ranker', () => {
  it("ships weights trained on today's feature list (a stale file would fall back to the prior)", async () => {
    const model = JSON.parse(await readFile(DEFAULT_MODEL_FILE, 'utf8')) as RerankModel;
    expect(usableModel(model)).not.toBe(PRIOR_MODEL);
    expect(usableModel({ ...model, features: model.features.slice(1) })).toBe(PRIOR_MODEL);
  });

  it('learns to put the right candidate first when one feature tells (pairwise training)', () => {
    // The engine prefers the wrong one; coverage tells the truth.
    const groups = Array.from({ length: 20 }, () => ({
      candidates: [cand('a', 0.3, 1).features, cand('b', 0.9, 0.6).features],
      positive: 1,
    }));
    const w = trainPairwise(groups, { init: new Array<number>(FEATURES.length).fill(0) });
    expect(w[featureIndex('coverage')]).toBeGreaterThan(0);
    const score = (f: number[]) => f.reduce((s, x, i) => s + x * (w[i] ?? 0), 0);
    expect(score(cand('b', 0.9, 0.6).features)).toBeGreaterThan(score(cand('a', 0.3, 1).features));
  });

  it('assigns every question to one of k balanced folds, the same way every run', () => {
    const f = foldsOf(300, 5);
    expect(foldsOf(300, 5)).toEqual(f);
    for (let k = 0; k < 5; k++) expect(f.filter((x) => x === k)).toHaveLength(60);
  });

  it('cross-validates with one model per fold, scoring every question exactly once', () => {
    // The right answer is always the lower-coverage candidate: only a fitted model finds it.
    const qs: EvalQuestion[] = Array.from({ length: 25 }, (_, i) => ({
      query: `q${i}`,
      expected: 'right',
      handledBefore: false,
      candidates: [cand('p:wrong', 0.9), cand('p:right', 0.6 + (i % 5) * 0.01)],
      question: [0, 0, 0, 0],
    }));
    const cv = crossValidate(qs, [], 5);
    expect(cv.models).toHaveLength(5);
    expect(cv.metrics.answerable).toBe(25);
    const all = fitModel(qs);
    expect(measure(qs, all).top1).toBe(25);
  });
});

describe('folding ambiguities', () => {
  it('keeps a filler word that folds like a catalogue word inside a catalogue pair ("chế độ" / "đó")', () => {
    expect(search.search('che do tai nan lao dong').normalized).toContain('che do');
    expect(search.search('cho tôi hỏi cái đó').normalized).not.toContain('do');
  });

  it('answers a death with the death registration, a paper lost object first with its re-issue', () => {
    expect(search.search('ông tôi mất hôm qua, làm giấy báo tử ở đâu').hits.map(hitId)[0]).toBe(
      '1.000656',
    );
    expect(search.search('sổ hồng nhà tôi bị thất lạc').hits.map(hitId)[0]).toBe('1.012786');
  });

  it('answers a lost paper with its own re-issue, not the land certificate\'s "do bị mất"', () => {
    // "cấp lại" serves a lost paper without saying "bị mất".
    expect(search.search('biển số xe bị mất, xin cấp lại').hits.map(hitId)[0]).toBe('1.013082');
  });

  it('answers papers lost with the register gone with registering again', () => {
    // "đăng ký lại" serves lost papers without saying "bị mất" or "cấp lại".
    expect(
      search.search('giấy khai sinh của mẹ tôi mất hết, xã cũng không còn lưu').hits.map(hitId)[0],
    ).toBe('1.004884');
  });

  it('treats VNeID as the channel when the question names another procedure', () => {
    expect(search.search('dang ky khai sinh online tren vneid').hits.map(hitId)[0]).toBe(
      '1.001193',
    );
  });
});

describe('variant markers', () => {
  const fires = (i: number, folded: string): boolean =>
    MARKERS[i]?.query.test(` ${folded} `) === true;
  const LOST_PAPER = MARKERS.findIndex((m) => m.doc.test(' cap lai giay chung nhan do bi mat '));
  const STOPPED = MARKERS.findIndex((m) => m.doc.test(' dang ky cham dut giam ho '));

  it('read "mất" after a person as a death, not a lost paper', () => {
    expect(fires(LOST_PAPER, 'mat giay khai sinh')).toBe(true);
    expect(fires(LOST_PAPER, 'so do bi mat')).toBe(true);
    expect(fires(LOST_PAPER, 'ba mat lau roi')).toBe(false);
  });

  it('tell "thôi" (stop) from "thời" (time) and "nghỉ" from "đề nghị"', () => {
    expect(fires(STOPPED, 'xin thoi lam hoa giai vien')).toBe(true);
    expect(fires(STOPPED, 'hoa giai vien muon nghi')).toBe(true);
    expect(fires(STOPPED, 'dang ky tam tru thoi han bao lau')).toBe(false);
    expect(fires(STOPPED, 'dang ky xe tam thoi')).toBe(false);
    expect(fires(STOPPED, 'de nghi cap giay khai sinh')).toBe(false);
    expect(MARKERS[STOPPED]?.doc.test(' thuc hien dieu chinh thoi huong tro cap xa hoi ')).toBe(
      false,
    );
  });
});
