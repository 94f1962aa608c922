import { describe, expect, it } from 'vitest';
import { csvSafe, toSafeCsv } from '../../src/text/csv-safe.js';

describe('CSV cells a spreadsheet cannot run', () => {
  it.each([
    ['=HYPERLINK("http://x","bam vao")', `'=HYPERLINK("http://x","bam vao")`],
    ['+cmd|" /C calc"!A0', `'+cmd|" /C calc"!A0`],
    ['-2+3+cmd', `'-2+3+cmd`],
    ['@SUM(A1:A9)', `'@SUM(A1:A9)`],
    ['\t=1+1', `'\t=1+1`],
    ['\r=1+1', `'\r=1+1`],
  ])('neutralises %j', (cell, expected) => {
    expect(csvSafe(cell)).toBe(expected);
  });

  it('leaves numbers, plain decimal figures and ordinary text alone', () => {
    expect(csvSafe(-5)).toBe(-5);
    expect(csvSafe('-12.5')).toBe('-12.5');
    expect(csvSafe('55.25')).toBe('55.25');
    expect(csvSafe('Phường Trần Phú')).toBe('Phường Trần Phú');
    expect(csvSafe(null)).toBe('');
  });

  it('neutralises every cell of a document, header kept', () => {
    expect(toSafeCsv([[1, '=1+1', 'ok']], ['n', 'q', 'r'])).toBe(`n,q,r\n1,'=1+1,ok\n`);
  });
});
