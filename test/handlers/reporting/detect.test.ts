import { describe, expect, it } from 'vitest';
import { invalidFigure } from '../../../handlers/reporting/draft.js';
import { isReportText } from '../../../handlers/reporting/detect.js';
import { indicatorDefsFromCsv } from '../../../src/report-parser/catalogue.js';

const catalogue = indicatorDefsFromCsv('prisma/seed/indicators.csv');
const now = new Date('2025-11-03T02:00:00Z');

describe('isReportText', () => {
  it('recognises reports with a prefix, CODE value pairs, and a leading period', () => {
    for (const text of [
      'bc HSTT 120/150',
      'báo cáo',
      'HSTT=120/150; TTTT 30/100',
      'CNTT có',
      'T10/2025 HSTT 120/150',
      'kỳ 10/2025 HSCV 65%',
      'Quý 3/2025   KNS 45/50',
    ]) {
      expect(isReportText(text, catalogue, now), text).toBe(true);
    }
  });

  it('leaves citizens’ questions alone, even when they mention a month or a code-like word', () => {
    for (const text of [
      'đăng ký khai sinh online',
      'tháng 10/2025 có làm căn cước không',
      'T10/2025',
      'HSTT',
      'làm hộ chiếu mất bao lâu',
    ]) {
      expect(isReportText(text, catalogue, now), text).toBe(false);
    }
  });
});

describe('invalidFigure', () => {
  it('accepts figures that can be stored and names the reason for those that cannot', () => {
    const percent = { unit: 'percent' as const };
    expect(
      invalidFigure(percent, { code: 'HSTT', numerator: 120, denominator: 150 }),
    ).toBeUndefined();
    expect(invalidFigure(percent, { code: 'HSTT', value: 65.5 })).toBeUndefined();
    // 0/0: no dossiers of the kind this period ("không phát sinh"), a real answer.
    expect(invalidFigure(percent, { code: 'HSTT', numerator: 0, denominator: 0 })).toBeUndefined();
    expect(invalidFigure(percent, { code: 'HSTT', numerator: 3, denominator: 0 })).toBe('fraction');
    expect(invalidFigure(percent, { code: 'HSTT', numerator: 160, denominator: 150 })).toBe(
      'fraction',
    );
    expect(invalidFigure(percent, { code: 'HSTT', value: 101 })).toBe('percent');
    expect(invalidFigure({ unit: 'count' }, { code: 'TCNS', value: 12.5 })).toBe('count');
    expect(invalidFigure({ unit: 'count' }, { code: 'TCNS', value: 12 })).toBeUndefined();
    expect(invalidFigure({ unit: 'boolean' }, { code: 'CNTT', value: 2 })).toBe('boolean');
    expect(invalidFigure({ unit: 'boolean' }, { code: 'CNTT', value: 0 })).toBeUndefined();
  });
});
