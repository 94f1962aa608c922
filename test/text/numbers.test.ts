import { describe, expect, it } from 'vitest';
import {
  formatDateTimeVi,
  formatDateVi,
  formatNumberVi,
  formatPercentVi,
  parseNumberVi,
  resolveNumber,
} from '../../src/text/numbers.js';

describe('parseNumberVi', () => {
  it.each([
    ['120', 120, false],
    ['1.234.567,89', 1234567.89, false],
    ['1,234,567.89', 1234567.89, false],
    ['1.234.567', 1234567, false],
    ['85,3%', 85.3, true],
    ['85.3', 85.3, false],
    ['65,5%', 65.5, true],
    ['65,5 %', 65.5, true],
    ['0,125', 0.125, false],
    ['1234,5', 1234.5, false],
    ['12,50', 12.5, false],
    ['-5', -5, false],
    ['100%', 100, true],
  ])('reads %s', (text, value, percent) => {
    expect(parseNumberVi(text)).toEqual({ ambiguous: false, value, percent });
  });

  it.each([
    ['1.250', [1250, 1.25]],
    ['1,250', [1250, 1.25]],
    ['12.500', [12500, 12.5]],
    ['999,999', [999999, 999.999]],
  ])('reports %s as ambiguous between thousands and decimals', (text, candidates) => {
    expect(parseNumberVi(text)).toEqual({ ambiguous: true, candidates, percent: false });
  });

  it.each(['', 'abc', '1.23.4', '1,2.3,4', '12a', '1..2', '%', '1.234,5.6'])(
    'rejects %j',
    (text) => {
      expect(parseNumberVi(text)).toBeUndefined();
    },
  );
});

describe('resolveNumber', () => {
  const isCount = (n: number): boolean => Number.isInteger(n) && n >= 0;
  const isPercent = (n: number): boolean => n >= 0 && n <= 100;
  const p = (t: string) => {
    const r = parseNumberVi(t);
    if (!r) throw new Error(t);
    return r;
  };

  it('takes the thousands reading for a count and the decimal one for a percentage', () => {
    expect(resolveNumber(p('1.250'), isCount)).toBe(1250);
    expect(resolveNumber(p('1,250%'), isPercent)).toBe(1.25);
  });

  it('asks back when both readings fit and refuses when none does', () => {
    expect(resolveNumber(p('1.250'), () => true)).toBe('ambiguous');
    expect(resolveNumber(p('1,5'), isCount)).toBe('invalid');
    expect(resolveNumber(p('120'), isPercent)).toBe('invalid');
    expect(resolveNumber(p('65,5'), isPercent)).toBe(65.5);
  });
});

describe('formatting', () => {
  it.each([
    [65.5, '65,5'],
    [1234567.891, '1.234.567,89'],
    [1000, '1.000'],
    [0, '0'],
    [80, '80'],
    [-1234.5, '-1.234,5'],
    [66.666666, '66,67'],
  ])('formats %d as %s', (n, text) => {
    expect(formatNumberVi(n)).toBe(text);
  });

  it('can leave out grouping to quote a number unambiguously', () => {
    expect(formatNumberVi(1250, { grouping: false })).toBe('1250');
  });

  it('formats percentages with one decimal', () => {
    expect(formatPercentVi(65.5)).toBe('65,5%');
    expect(formatPercentVi(80)).toBe('80%');
    expect(formatPercentVi(200 / 3)).toBe('66,7%');
  });

  it('formats dates as dd/mm/yyyy in Hà Nội time', () => {
    expect(formatDateVi(new Date('2025-12-04T17:30:00Z'))).toBe('05/12/2025');
    expect(formatDateVi(new Date('2025-12-04T16:59:00Z'))).toBe('04/12/2025');
    expect(formatDateVi(new Date('2028-02-28T17:00:00Z'))).toBe('29/02/2028');
    expect(formatDateTimeVi(new Date('2025-11-05T10:00:00Z'))).toBe('17:00 05/11/2025');
  });
});
