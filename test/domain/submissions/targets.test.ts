import { describe, expect, it } from 'vitest';
import {
  aggregateFigures,
  evaluateTarget,
  normalizeFigure,
  BARE_PERCENT_NOTE,
} from '../../../src/domain/submissions/index.js';

const hscv = {
  targets: [
    { year: 2025, level: 'commune', op: '>=', value: 60 },
    { year: 2030, level: 'commune', op: '>=', value: 85 },
    { year: 2025, level: 'province', op: '>=', value: 90 },
  ],
};

describe('evaluateTarget', () => {
  it('uses the latest milestone at or before the year and shows the next as direction', () => {
    expect(evaluateTarget(hscv, 'commune', 2027, 61)).toEqual({
      target: 60,
      op: '>=',
      year: 2025,
      met: true,
      next: { year: 2030, op: '>=', target: 85 },
    });
    expect(evaluateTarget(hscv, 'commune', 2031, 80)).toMatchObject({
      target: 85,
      met: false,
      year: 2030,
    });
    expect(evaluateTarget(hscv, 'province', 2025, 90)).toMatchObject({ target: 90, met: true });
  });

  it('returns null before the first milestone and for levels without a target', () => {
    expect(evaluateTarget(hscv, 'commune', 2024, 99)).toBeNull();
    expect(evaluateTarget({ targets: [] }, 'commune', 2025, 99)).toBeNull();
    expect(evaluateTarget(hscv, 'district', 2025, 99)).toBeNull();
  });

  it('treats > strictly and >= inclusively, and met is null without a value', () => {
    const hstt = { targets: [{ year: 2025, level: 'commune', op: '>', value: 50 }] };
    expect(evaluateTarget(hstt, 'commune', 2025, 50)?.met).toBe(false);
    expect(evaluateTarget(hstt, 'commune', 2025, 50.01)?.met).toBe(true);
    expect(evaluateTarget(hscv, 'commune', 2025, 60)?.met).toBe(true);
    expect(evaluateTarget(hscv, 'commune', 2025, null)?.met).toBeNull();
  });
});

describe('normalizeFigure', () => {
  it('keeps 0/0 ("không phát sinh") with no value, so aggregates and targets leave it out', () => {
    expect(normalizeFigure('TTTT', 'percent', { numerator: 0, denominator: 0 })).toEqual({
      numerator: 0,
      denominator: 0,
      value: null,
      note: null,
    });
    expect(() => normalizeFigure('TTTT', 'percent', { numerator: 2, denominator: 0 })).toThrow();
  });

  it('derives a percentage from numerator and denominator, rounded to 4 decimals', () => {
    expect(normalizeFigure('HSTT', 'percent', { numerator: 2, denominator: 3 })).toEqual({
      numerator: 2,
      denominator: 3,
      value: 66.6667,
      note: null,
    });
  });

  it('flags a bare percentage with a note and accepts counts and yes/no', () => {
    expect(normalizeFigure('HSTT', 'percent', { value: 65.5 }).note).toBe(BARE_PERCENT_NOTE);
    expect(normalizeFigure('TCNS', 'count', { value: 12 }).value).toBe(12);
    expect(normalizeFigure('CNTT', 'boolean', { value: 1 }).value).toBe(1);
    expect(() => normalizeFigure('CNTT', 'boolean', { value: 2 })).toThrow();
    expect(() => normalizeFigure('TCNS', 'count', { value: -1 })).toThrow();
    expect(() => normalizeFigure('TCNS', 'count', { numerator: 1, denominator: 2 })).toThrow();
  });
});

describe('aggregateFigures', () => {
  it('sums numerators over denominators, not the mean of percentages, and flags bare ones', () => {
    const agg = aggregateFigures('percent', [
      { unitId: 'a', figure: { numerator: 90, denominator: 100, value: 90, note: null } },
      { unitId: 'b', figure: { numerator: 1, denominator: 10, value: 10, note: null } },
      {
        unitId: 'c',
        figure: { numerator: null, denominator: null, value: 70, note: BARE_PERCENT_NOTE },
      },
    ]);
    expect(agg).toEqual({
      numerator: 91,
      denominator: 110,
      value: 82.7273,
      included: 2,
      excludedBare: ['c'],
    });
  });

  it('sums counts and yes answers, and is empty when nothing was reported', () => {
    expect(
      aggregateFigures('count', [
        { unitId: 'a', figure: { numerator: null, denominator: null, value: 3, note: null } },
        { unitId: 'b', figure: { numerator: null, denominator: null, value: 4, note: null } },
      ]).value,
    ).toBe(7);
    expect(aggregateFigures('percent', [])).toMatchObject({ value: null, included: 0 });
  });
});
