import { describe, expect, it } from 'vitest';
import { foldWithOffsets, tokenize } from '../../src/report-parser/lexer.js';
import { editDistance, suggestCode } from '../../src/report-parser/suggest.js';

describe('editDistance', () => {
  it.each([
    ['hscv', 'hscv', 0],
    ['hscc', 'hscv', 1],
    ['hsvc', 'hscv', 1],
    ['hstt', 'hscv', 2],
    ['', 'kns', 3],
    ['ho so truc tuyn', 'ho so truc tuyen', 1],
  ])('%s → %s is %d', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });

  it('stops early above the limit', () => {
    expect(editDistance('abcdefgh', 'zzzzzzzz', 2)).toBe(3);
  });
});

describe('suggestCode', () => {
  const keys = [
    { key: 'hstt', code: 'HSTT' },
    { key: 'hscv', code: 'HSCV' },
    { key: 'ho so truc tuyen', code: 'HSTT' },
    { key: 'kns', code: 'KNS' },
  ];
  it('suggests the closest code or alias within the tolerance', () => {
    expect(suggestCode('hscc', keys)).toBe('HSCV');
    expect(suggestCode('ho so truc tuyn', keys)).toBe('HSTT');
    expect(suggestCode('hosotructuyen', keys)).toBe('HSTT');
    expect(suggestCode('xyz', keys)).toBeUndefined();
    expect(suggestCode('ab', keys)).toBeUndefined();
  });
});

describe('foldWithOffsets and tokenize', () => {
  it('maps every folded character back to the text as typed', () => {
    const text = 'Báo cáo Đ\u0301';
    const f = foldWithOffsets(text);
    expect(f.text).toBe('bao cao d');
    expect(f.origin).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 10]);
  });

  it('splits words, numbers, slashes, percent signs and separators', () => {
    const toks = tokenize('hstt=1.200/1.500; hscv 65,5% 5g', new Set(['hstt', 'hscv']));
    expect(toks.map((t) => `${t.type}:${t.text}`)).toEqual([
      'word:hstt',
      'sep:=',
      'num:1.200',
      'slash:/',
      'num:1.500',
      'sep:;',
      'word:hscv',
      'num:65,5',
      'pct:%',
      'word:5g',
    ]);
  });

  it('splits a code glued to its number but not a code that contains digits', () => {
    const codes = new Set(['hscv', 'phu4g']);
    expect(tokenize('hscv65,5%', codes).map((t) => t.text)).toEqual(['hscv', '65,5', '%']);
    expect(tokenize('phu4g 90%', codes).map((t) => t.text)).toEqual(['phu4g', '90', '%']);
  });
});
