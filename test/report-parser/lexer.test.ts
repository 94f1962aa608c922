/**
 * The folding and the tokens the report parser reads: what each character of a message becomes.
 */
import { describe, expect, it } from 'vitest';
import { foldWithOffsets, tokenize } from '../../src/report-parser/lexer.js';

/** [type, text] of each token. */
const kinds = (text: string, codes?: ReadonlySet<string>) =>
  tokenize(text, codes).map((t) => [t.type, t.text]);

describe('foldWithOffsets', () => {
  it('lowers every ASCII capital, drops the marks and keeps where each letter came from', () => {
    const f = foldWithOffsets('AZ Đạt ư');
    expect(f.text).toBe('az dat u');
    // One origin per folded character, plus the end of the original text.
    expect(f.origin).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('turns a non-ASCII blank (em space, no-break space) into a plain space', () => {
    expect(foldWithOffsets('HSTT\u2003120\u00a0/150').text).toBe('hstt 120 /150');
  });
});

describe('tokenize', () => {
  it('reads numbers, a slash, a percent sign and separators', () => {
    expect(kinds('120/150; 65,5% 7~8')).toEqual([
      ['num', '120'],
      ['slash', '/'],
      ['num', '150'],
      ['sep', ';'],
      ['num', '65,5'],
      ['pct', '%'],
      ['num', '7'],
      ['sep', '~'],
      ['num', '8'],
    ]);
  });

  it('skips every kind of blank between words and marks the word after it', () => {
    for (const blank of [' ', '\t', '\r', '\f', '\v', '\u00a0']) {
      const toks = tokenize(`hstt${blank}xyz`);
      expect(toks.map((t) => [t.type, t.text, t.spaceBefore])).toEqual([
        ['word', 'hstt', false],
        ['word', 'xyz', true],
      ]);
    }
  });

  it('reads a number glued to letters, ASCII or not, as one word', () => {
    expect(kinds('5z 6t 7ø')).toEqual([
      ['word', '5z'],
      ['word', '6t'],
      ['word', '7ø'],
    ]);
  });

  it('splits a known code glued to its figure, the figure right after the code', () => {
    const codes = new Set(['hscv', 'phu4g']);
    const toks = tokenize('hscv65 phu4g90', codes);
    expect(toks.map((t) => [t.type, t.text, t.start, t.end, t.spaceBefore])).toEqual([
      ['word', 'hscv', 0, 4, false],
      ['num', '65', 4, 6, false],
      ['word', 'phu4g', 7, 12, true],
      ['num', '90', 12, 14, false],
    ]);
  });

  it('leaves a word whole when it is itself a code, or when letters follow the digits', () => {
    expect(kinds('tt2 hscv65x', new Set(['tt', 'tt2', 'hscv']))).toEqual([
      ['word', 'tt2'],
      ['word', 'hscv65x'],
    ]);
    expect(kinds('hscv65')).toEqual([['word', 'hscv65']]);
  });
});
