/**
 * What a commune officer is told back: each error of the one-line grammar with exactly the
 * words and figures its message is filled with (code, example, numbers, periods), the part of
 * the message it points at, and what `analyseReport` says it saw in a message.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULE } from '../../src/domain/schedule.js';
import { indicatorDefsFromCsv } from '../../src/report-parser/catalogue.js';
import { analyseReport, looksLikeReport, parseReport } from '../../src/report-parser/parser.js';
import type { IndicatorDef, ParseError } from '../../src/report-parser/types.js';
import { NOWS } from './corpus.js';

const catalogue = indicatorDefsFromCsv('prisma/seed/indicators.csv');
// 10/11/2025: T10, Q4 and năm 2025 are the open periods.
const NOW = NOWS[0]!.now;
const errorsOf = (text: string, lenient = false): ParseError[] => {
  const r = parseReport(text, catalogue, NOW, DEFAULT_SCHEDULE, { lenient });
  return r.ok ? [] : r.errors;
};
const analyse = (text: string, lenient = false) =>
  analyseReport(text, catalogue, NOW, DEFAULT_SCHEDULE, { lenient });

const percentVars = (code: string) => ({ code, example: `${code} 120/150` });

describe('the error of a figure that does not fit its indicator', () => {
  it.each<[string, ParseError]>([
    [
      'bc HSTT -5/10',
      {
        key: 'parse.error.negative',
        vars: { part: '-5/10', ...percentVars('HSTT') },
        span: [8, 13],
      },
    ],
    [
      'HSTT có',
      {
        key: 'parse.error.expectedNumber',
        vars: { part: 'có', ...percentVars('HSTT') },
        span: [5, 7],
      },
    ],
    [
      'CNTT 65%',
      {
        key: 'parse.error.expectedBoolean',
        vars: { part: '65%', code: 'CNTT', example: 'CNTT có' },
        span: [5, 8],
      },
    ],
    [
      'CNTT 1/2',
      {
        key: 'parse.error.expectedBoolean',
        vars: { part: '1/2', code: 'CNTT', example: 'CNTT có' },
        span: [5, 8],
      },
    ],
    [
      'CNTT 2',
      {
        key: 'parse.error.expectedBoolean',
        vars: { part: '2', code: 'CNTT', example: 'CNTT có' },
        span: [5, 6],
      },
    ],
    [
      'TCNS 5/10',
      {
        key: 'parse.error.countFraction',
        vars: { part: '5/10', code: 'TCNS', example: 'TCNS 25' },
        span: [5, 9],
      },
    ],
    [
      'TCNS 50%',
      {
        key: 'parse.error.countPercent',
        vars: { part: '50%', code: 'TCNS', example: 'TCNS 25' },
        span: [5, 8],
      },
    ],
    [
      'TCNS 2,5',
      {
        key: 'parse.error.fractionalCount',
        vars: { part: '2,5', code: 'TCNS', example: 'TCNS 25' },
        span: [5, 8],
      },
    ],
    [
      'HSTT 5%/10',
      {
        key: 'parse.error.fractionPercent',
        vars: { part: '5%/10', ...percentVars('HSTT') },
        span: [5, 10],
      },
    ],
    [
      'HSTT 120/150 %',
      {
        key: 'parse.error.fractionPercent',
        vars: { part: '120/150 %', ...percentVars('HSTT') },
        span: [5, 14],
      },
    ],
    [
      'HSTT 2,5/10',
      {
        key: 'parse.error.fractionalCount',
        vars: { part: '2,5/10', ...percentVars('HSTT') },
        span: [5, 11],
      },
    ],
    [
      'HSTT 5/0',
      {
        key: 'parse.error.zeroDenominator',
        vars: { part: '5/0', ...percentVars('HSTT') },
        span: [5, 8],
      },
    ],
    [
      'HSTT 1.200/1.000',
      {
        key: 'parse.error.numeratorOverDenominator',
        vars: {
          part: '1.200/1.000',
          ...percentVars('HSTT'),
          numerator: '1.200',
          denominator: '1.000',
        },
        span: [5, 16],
      },
    ],
    [
      'HSTT 120/150 (81%)',
      {
        key: 'parse.error.percentMismatch',
        vars: {
          part: '120/150 (81%)',
          ...percentVars('HSTT'),
          numerator: '120',
          denominator: '150',
          percent: '80',
        },
        span: [5, 18],
      },
    ],
    [
      'HSTT 2/3 = 60%',
      {
        key: 'parse.error.percentMismatch',
        vars: {
          part: '2/3 = 60%',
          ...percentVars('HSTT'),
          numerator: '2',
          denominator: '3',
          percent: '66,7',
        },
        span: [5, 14],
      },
    ],
    [
      'HSTT 98 hồ sơ',
      {
        key: 'parse.error.needsTotal',
        vars: { part: '98', ...percentVars('HSTT'), number: '98' },
        span: [5, 7],
      },
    ],
    [
      'HSCV 1.250',
      {
        key: 'parse.error.ambiguousPercent',
        vars: { part: '1.250', ...percentVars('HSCV'), decimal: '1,25' },
        span: [5, 10],
      },
    ],
    [
      'HSCV 150',
      {
        key: 'parse.error.percentRange',
        vars: { part: '150', ...percentVars('HSCV') },
        span: [5, 8],
      },
    ],
    [
      'HSCV 65,12345%',
      {
        key: 'parse.error.tooManyDecimals',
        vars: { part: '65,12345%', ...percentVars('HSCV'), number: '65,12345' },
        span: [5, 14],
      },
    ],
    [
      'HSTT 120/150,12345',
      {
        key: 'parse.error.tooManyDecimals',
        vars: { part: '120/150,12345', ...percentVars('HSTT'), number: '150,12345' },
        span: [5, 18],
      },
    ],
    [
      'HSTT 1/2 (50,12345%)',
      {
        key: 'parse.error.tooManyDecimals',
        vars: { part: '1/2 (50,12345%)', ...percentVars('HSTT'), number: '50,12345' },
        span: [5, 20],
      },
    ],
    [
      'HSCV 123456789012345678',
      {
        key: 'parse.error.tooLarge',
        vars: { part: '123456789012345678', ...percentVars('HSCV'), number: '123456789012345678' },
        span: [5, 23],
      },
    ],
    [
      'HSTT',
      {
        key: 'parse.error.missingValue',
        vars: { part: 'HSTT', ...percentVars('HSTT') },
        span: [0, 4],
      },
    ],
    [
      'hồ sơ trực tuyến:',
      {
        key: 'parse.error.missingValue',
        vars: { part: 'hồ sơ trực tuyến', ...percentVars('HSTT') },
        span: [0, 16],
      },
    ],
  ])('%j', (text, error) => {
    expect(errorsOf(text)).toEqual([error]);
  });
});

describe('figures the grammar accepts', () => {
  const itemsOf = (text: string, lenient = false) => {
    const r = parseReport(text, catalogue, NOW, DEFAULT_SCHEDULE, { lenient });
    if (!r.ok) throw new Error(`${text}: ${JSON.stringify(r.errors)}`);
    return r.items.map(({ code, numerator, denominator, value, barePercent, boolean }) => ({
      code,
      numerator,
      denominator,
      value,
      barePercent,
      boolean,
    }));
  };
  interface Row {
    code: string;
    numerator: number | undefined;
    denominator: number | undefined;
    value: number | undefined;
    barePercent: boolean | undefined;
    boolean: boolean | undefined;
  }
  const pair = (code: string, numerator: number, denominator: number, value: number): Row => ({
    code,
    numerator,
    denominator,
    value,
    barePercent: undefined,
    boolean: undefined,
  });
  const pct = (code: string, value: number): Row => ({
    code,
    numerator: undefined,
    denominator: undefined,
    value,
    barePercent: true,
    boolean: undefined,
  });
  const yesNo = (code: string, b: boolean): Row => ({
    code,
    numerator: undefined,
    denominator: undefined,
    value: b ? 1 : 0,
    barePercent: undefined,
    boolean: b,
  });

  it.each<[string, Row[]]>([
    ['HSTT 0/0', [{ ...pair('HSTT', 0, 0, 0), value: undefined }]],
    ['HSTT 150/150', [pair('HSTT', 150, 150, 100)]],
    ['HSTT 2/3 = 66,7%', [pair('HSTT', 2, 3, 200 / 3)]],
    ['HSTT 2/3 (67%)', [pair('HSTT', 2, 3, 200 / 3)]],
    ['HSTT 120/150 - 80%', [pair('HSTT', 120, 150, 80)]],
    ['HSTT 120/150 (80%) HSCV 65%', [pair('HSTT', 120, 150, 80), pct('HSCV', 65)]],
    ['HSTT 98 hồ sơ trên 120', [pair('HSTT', 98, 120, (98 * 100) / 120)]],
    ['HSTT 120 trên tổng số 150', [pair('HSTT', 120, 150, 80)]],
    ['HSTT 120 trên tổng 150', [pair('HSTT', 120, 150, 80)]],
    ['HSTT 120 trên 150 hồ sơ', [pair('HSTT', 120, 150, 80)]],
    ['HSTT: 120/150 hồ sơ; HSCV: 65%', [pair('HSTT', 120, 150, 80), pct('HSCV', 65)]],
    ['HSTT - 5/10', [pair('HSTT', 5, 10, 50)]],
    ['HSTT là 120/150', [pair('HSTT', 120, 150, 80)]],
    ['HSCV đạt 65%', [pct('HSCV', 65)]],
    ['HSCV 65 phần trăm', [pct('HSCV', 65)]],
    ['HSCV 65,5 %', [pct('HSCV', 65.5)]],
    ['HSCV 100', [pct('HSCV', 100)]],
    ['HSCV 0', [pct('HSCV', 0)]],
    ['HSTT 1.250%', [pct('HSTT', 1.25)]],
    ['CNTT 1', [yesNo('CNTT', true)]],
    ['CNTT 0', [yesNo('CNTT', false)]],
    ['CNTT chưa đạt', [yesNo('CNTT', false)]],
    ['CNTT không có', [yesNo('CNTT', false)]],
    ['CNTT đã có', [yesNo('CNTT', true)]],
    ['CNTT k', [yesNo('CNTT', false)]],
    ['có cán bộ CNTT', [yesNo('CNTT', true)]],
    ['chưa có cán bộ CNTT', [yesNo('CNTT', false)]],
    ['vẫn chưa có cán bộ CNTT', [yesNo('CNTT', false)]],
    ['không có cán bộ CNTT', [yesNo('CNTT', false)]],
    ['1. HSTT 120/150\n2) HSCV 65%', [pair('HSTT', 120, 150, 80), pct('HSCV', 65)]],
    ['phủ sóng 4G/5G 10/12', [pair('PHU4G', 10, 12, (10 * 100) / 12)]],
  ])('%j', (text, items) => {
    expect(itemsOf(text)).toEqual(items);
  });

  it('counts a figure of a count indicator after "có"', () => {
    expect(itemsOf('TCNS có 40')).toEqual([
      {
        code: 'TCNS',
        numerator: undefined,
        denominator: undefined,
        value: 40,
        barePercent: undefined,
        boolean: undefined,
      },
    ]);
  });
});

describe('periods in a report', () => {
  it.each<[string, ParseError]>([
    [
      'bc T10/2025 HSTT 120/150 11/2025',
      {
        key: 'parse.error.periodPosition',
        vars: { part: '11/2025', month: 'T10/2025', quarter: 'Q4/2025', year: 'năm 2025' },
        span: [25, 32],
      },
    ],
    [
      'bc T12/2025 HSTT 120/150',
      {
        key: 'parse.error.futurePeriod',
        vars: { part: 'T12/2025', period: 'T12/2025' },
        span: [3, 11],
      },
    ],
    [
      'bc T10/2025 HSTT 120/150 T9/2025',
      {
        key: 'parse.error.twoPeriods',
        vars: { part: 'T9/2025', first: 'T10/2025', period: 'T9/2025' },
        span: [25, 32],
      },
    ],
    [
      'bc T13/2025 HSTT 120/150',
      {
        key: 'parse.error.badPeriod',
        vars: { part: 'T13/2025', month: 'T10/2025', quarter: 'Q4/2025', year: 'năm 2025' },
        span: [3, 11],
      },
    ],
    [
      'bc quý 3/2025 HSTT 120/150',
      {
        key: 'parse.error.periodMismatch.month',
        vars: { part: 'quý 3/2025', code: 'HSTT', period: 'Q3/2025', example: 'T9/2025' },
        span: [3, 13],
      },
    ],
    [
      'bc T10/2025 CNTT có',
      {
        key: 'parse.error.periodMismatch.year',
        vars: { part: 'T10/2025', code: 'CNTT', period: 'T10/2025', example: 'năm 2025' },
        span: [3, 11],
      },
    ],
  ])('%j', (text, error) => {
    expect(errorsOf(text)).toEqual([error]);
  });

  it('takes the same period named twice', () => {
    const r = parseReport('bc T10/2025 HSTT 120/150 tháng 10', catalogue, NOW, DEFAULT_SCHEDULE);
    expect(r.ok && r.period).toEqual({ kind: 'month', year: 2025, index: 10 });
  });

  it.each([
    'bc kỳ 10/2025 HSTT 120/150',
    'kỳ báo cáo: 10/2025 HSTT 120/150',
    '10/2025 HSTT 120/150',
    'HSTT T10/2025 120/150',
    'HSTT T10/2025: 120/150',
  ])('reads the month of %j, named by the sender', (text) => {
    const r = parseReport(text, catalogue, NOW, DEFAULT_SCHEDULE);
    expect(r.ok && r.period).toEqual({ kind: 'month', year: 2025, index: 10 });
    expect(r.ok && r.items.map((i) => [i.code, i.periodExplicit])).toEqual([['HSTT', true]]);
  });
});

describe('parts of a message that are not a report', () => {
  it.each<[string, ParseError[]]>([
    [
      'bc',
      [
        {
          key: 'parse.error.noItems',
          vars: { part: 'bc', example: 'bc HSTT 120/150' },
          span: [0, 2],
        },
      ],
    ],
    [
      ' xin chào ',
      [
        {
          key: 'parse.error.noItems',
          vars: { part: 'xin chào', example: 'bc HSTT 120/150' },
          span: [0, 10],
        },
      ],
    ],
    [
      '120/150',
      [{ key: 'parse.error.valueWithoutIndicator', vars: { part: '120/150' }, span: [0, 7] }],
    ],
    [
      'HSCC 65%',
      [
        {
          key: 'parse.error.unknownSuggest',
          vars: { part: 'HSCC', suggestion: 'HSCV' },
          span: [0, 4],
          fix: { span: [0, 4], text: 'HSCV' },
        },
      ],
    ],
    [
      'hos sơ trực tuyến 120/150',
      [
        {
          key: 'parse.error.unknownSuggest',
          vars: { part: 'hos sơ trực tuyến', suggestion: 'HSTT' },
          span: [0, 17],
          fix: { span: [0, 17], text: 'HSTT' },
        },
      ],
    ],
    ['bc / HSTT 120/150', [{ key: 'parse.error.unknown', vars: { part: '/' }, span: [3, 4] }]],
    [
      'HSTT 120/150 HSTT 100/150',
      [
        {
          key: 'parse.error.duplicate',
          vars: { part: 'HSTT 100/150', code: 'HSTT' },
          span: [13, 25],
        },
      ],
    ],
    [
      'có cán bộ CNTT, CNTT có',
      [{ key: 'parse.error.duplicate', vars: { part: 'CNTT có', code: 'CNTT' }, span: [16, 23] }],
    ],
    [
      'hồ sơ 120/150',
      [
        {
          key: 'parse.error.sharedName',
          vars: { part: 'hồ sơ', codes: 'HSTT, HSCV, SOHOA, HSSK' },
          span: [0, 5],
          candidates: ['HSTT', 'HSCV', 'SOHOA', 'HSSK'],
        },
      ],
    ],
  ])('%j', (text, errors) => {
    expect(errorsOf(text)).toEqual(errors);
  });

  it('lists several errors in the order of the message', () => {
    // The figure's error is found last (once the whole message is read) and still comes second.
    expect(errorsOf('HSCC 65% HSCV 150 120/150').map((e) => [e.key, e.vars.part])).toEqual([
      ['parse.error.unknownSuggest', 'HSCC'],
      ['parse.error.percentRange', '150'],
      ['parse.error.valueWithoutIndicator', '120/150'],
    ]);
  });
});

describe('the lenient reading of free text', () => {
  it.each<[string, ParseError]>([
    [
      'HSTT 140 hồ sơ, 98 hồ sơ',
      {
        key: 'parse.error.whichIsNumerator',
        vars: { part: '140 hồ sơ, 98', ...percentVars('HSTT') },
        span: [5, 18],
        fix: { span: [5, 18], text: '98/140' },
      },
    ],
    [
      'HSTT 98 hồ sơ, 140 hồ sơ',
      {
        key: 'parse.error.whichIsNumerator',
        vars: { part: '98 hồ sơ, 140', ...percentVars('HSTT') },
        span: [5, 18],
        fix: { span: [5, 18], text: '98/140' },
      },
    ],
    [
      'HSTT 98 hồ sơ, 98 hồ sơ',
      {
        key: 'parse.error.whichIsNumerator',
        vars: { part: '98 hồ sơ, 98', ...percentVars('HSTT') },
        span: [5, 17],
      },
    ],
    [
      'TCNS 5 tổ, 6 thôn',
      {
        key: 'parse.error.whichValue',
        vars: { part: '5 tổ, 6', code: 'TCNS', example: 'TCNS 25' },
        span: [5, 12],
      },
    ],
    [
      'TCNS 5 tổ, 40 thành viên, 41 thành viên',
      {
        key: 'parse.error.whichValue',
        vars: { part: '5 tổ, 40 thành viên, 41', code: 'TCNS', example: 'TCNS 25' },
        span: [5, 28],
      },
    ],
    // An indicator named twice quotes its second mention whole, figures first or name first.
    [
      'HSTT 120/150 98 hồ sơ trực tuyến',
      {
        key: 'parse.error.duplicate',
        vars: { part: '98 hồ sơ trực tuyến', code: 'HSTT' },
        span: [13, 32],
      },
    ],
  ])('%j', (text, error) => {
    expect(errorsOf(text, true)).toEqual([error]);
  });

  it('reads "98 hồ sơ trực tuyến" as a count of dossiers whose total is missing, not as 98 %', () => {
    expect(errorsOf('98 hồ sơ trực tuyến', true)).toEqual([
      {
        key: 'parse.error.needsTotal',
        vars: { part: '98', number: '98', ...percentVars('HSTT') },
        span: [0, 2],
      },
    ]);
    // The same after the code: "HSTT 98 hồ sơ trực tuyến" counts dossiers too (it was read
    // as 98 %); with a percent sign, a fraction or a total it is read as before.
    for (const text of ['HSTT 98 hồ sơ trực tuyến', 'HSCV 70 hồ sơ công việc']) {
      expect(errorsOf(text, true).map((e) => [e.key, e.vars.part, e.span])).toEqual([
        ['parse.error.needsTotal', text.slice(5, 7), [5, 7]],
      ]);
    }
    const read = (text: string) => {
      const r = parseReport(text, catalogue, NOW, DEFAULT_SCHEDULE, { lenient: true });
      return r.ok ? r.items.map((i) => [i.numerator, i.denominator, i.value]) : r.errors;
    };
    expect(read('HSTT 98% hồ sơ trực tuyến')).toEqual([[undefined, undefined, 98]]);
    expect(read('HSTT 120/150 hồ sơ trực tuyến')).toEqual([[120, 150, 80]]);
    expect(read('HSTT 98 hồ sơ trực tuyến, tổng số 140 hồ sơ')).toEqual([[98, 140, 70]]);
    expect(read('HSTT 98 trực tuyến')).toEqual([[undefined, undefined, 98]]);
    // Each mention alone: the first has no total, the second names HSTT again.
    expect(errorsOf('trong đó 98 hồ sơ trực tuyến; tổng số 140 HSTT', true)).toEqual([
      {
        key: 'parse.error.needsTotal',
        vars: { part: '98', number: '98', ...percentVars('HSTT') },
        span: [9, 11],
      },
      { key: 'parse.error.duplicate', vars: { part: '140 HSTT', code: 'HSTT' }, span: [38, 46] },
    ]);
  });

  it.each<[string, [string, number | undefined, number | undefined, number | undefined]]>([
    ['HSTT tiếp nhận 140 hồ sơ, trong đó 98 trực tuyến', ['HSTT', 98, 140, 70]],
    ['HSTT tổng số 140, 98 trực tuyến', ['HSTT', 98, 140, 70]],
    ['HSTT trong đó 98, tổng số 140', ['HSTT', 98, 140, 70]],
    ['HSTT 140 tổng cộng, trong đó 98', ['HSTT', 98, 140, 70]],
    ['HSTT T10/2025 tổng số 140, trong đó 98', ['HSTT', 98, 140, 70]],
    ['tiếp nhận 140 hồ sơ, trong đó 98 hồ sơ trực tuyến', ['HSTT', 98, 140, 70]],
    ['TCNS 5 tổ, 40 thành viên', ['TCNS', undefined, undefined, 40]],
    ['có 40 thành viên tổ công nghệ số', ['TCNS', undefined, undefined, 40]],
    ['tổ công nghệ số có 40 thành viên', ['TCNS', undefined, undefined, 40]],
    ['HSTT 120/150 hồ sơ trực tuyến', ['HSTT', 120, 150, 80]],
  ])('%j', (text, [code, numerator, denominator, value]) => {
    const r = parseReport(text, catalogue, NOW, DEFAULT_SCHEDULE, { lenient: true });
    expect(r.ok && r.items.map((i) => [i.code, i.numerator, i.denominator, i.value])).toEqual([
      [code, numerator, denominator, value],
    ]);
  });

  it('is off by default', () => {
    expect(errorsOf('HSTT tổng số 140, 98 trực tuyến').length).toBeGreaterThan(0);
  });
});

describe('what analyseReport says it saw', () => {
  it('a clean report: what was named, the figures, a prefix, no question', () => {
    const a = analyse('bc T10/2025 HSTT 120/150; HSCV 65%');
    expect(a).toMatchObject({
      mentioned: ['HSTT', 'HSCV'],
      shared: [],
      figures: 2,
      loneValues: 0,
      prefixed: true,
      question: false,
      unknown: [],
      reportWord: true,
      boolOnly: false,
      period: { kind: 'month', year: 2025, index: 10 },
    });
    expect(a.understood.map((i) => [i.code, i.periodExplicit, i.span])).toEqual([
      ['HSTT', true, [12, 24]],
      ['HSCV', true, [26, 34]],
    ]);
  });

  it('no period key when none is named', () => {
    expect(Object.keys(analyse('HSTT 120/150'))).not.toContain('period');
    const r = parseReport('HSTT 120/150', catalogue, NOW, DEFAULT_SCHEDULE);
    expect(r.ok && Object.keys(r)).not.toContain('period');
  });

  it('figures that were only yes/no words', () => {
    expect(analyse('CNTT chưa').boolOnly).toBe(true);
    expect(analyse('CNTT chưa HSCV 65%').boolOnly).toBe(false);
  });

  it.each([
    ['HSTT bao nhiêu vậy', true],
    ['HSTT chưa ạ', true],
    ['HSTT được không', true],
    ['HSTT là gì?', true],
    ['bao nhiêu hồ sơ trực tuyến rồi', true],
    ['HSCV 65%', false],
    ['HSTT 120/150 ạ', false],
    // A question mark anywhere, even after figures and with no question word.
    ['HSTT 120/150?', true],
    ['HSTT 120/150; HSCV 65%', false],
    // Signs and politeness after the question word are looked past.
    ['HSTT chưa ạ.', true],
    ['HSTT chưa nhỉ', true],
    ['HSTT đạt chưa nhé', true],
    ['CNTT có không thế', true],
    ['HSTT được không hả', true],
    ['HSTT được không ạ', true],
    ['HSTT chưa vậy', true],
    ['HSTT chưa rồi', false],
    // A question word that is the whole message.
    ['không', true],
    ['gì', true],
  ])('a question in %j: %s', (text, question) => {
    expect(analyse(text).question).toBe(question);
  });

  it.each([
    ['Em gửi số liệu HSTT 120/150', true, true],
    ['số liệu HSTT 120/150', true, true],
    ['Dạ em gửi báo cáo HSTT 120/150', true, true],
    ['em số liệu HSTT 120/150', false, true],
    ['HSTT 120/150 số liệu', false, true],
    ['HSTT 120/150', false, false],
    ['xin chào HSTT 120/150', false, false],
  ])('%j starts like a report: %s (report word: %s)', (text, prefixed, reportWord) => {
    const a = analyse(text);
    expect([a.prefixed, a.reportWord]).toEqual([prefixed, reportWord]);
  });

  it('values no indicator took, and words not understood', () => {
    const a = analyse('HSCC 65% 120/150 blah');
    expect(a).toMatchObject({ mentioned: [], figures: 0, loneValues: 2 });
    expect(a.unknown).toEqual([{ span: [0, 4], suggestion: 'HSCV' }, { span: [17, 21] }]);
  });

  it('a short form several indicators share', () => {
    const a = analyse('hồ sơ 120/150');
    expect(a.shared).toEqual([{ span: [0, 5], codes: ['HSTT', 'HSCV', 'SOHOA', 'HSSK'] }]);
    expect(a.mentioned).toEqual([]);
    // Without a figure it is not a report ("hồ sơ đạt chưa?").
    expect(analyse('hồ sơ đạt chưa').shared).toEqual([]);
  });
});

describe('looksLikeReport on more first words', () => {
  it.each([
    ['/bc', true],
    ['/report', true],
    ['/help', false],
    ['report HSTT', true],
    ['12. HSCV 65%', true],
    ['1.HSCV 65%', true],
    ['2) HSCV 65%', true],
    ['123. HSCV 65%', false],
    ['1 HSCV 65%', false],
    ['; HSCV 65%', true],
    ['HSTT: có', true],
    ['HSTT', false],
    ['HSTT:', false],
    ['em HSCV', false],
    ['hồ sơ trực tuyến', false],
  ])('%j → %s', (text, expected) => {
    expect(looksLikeReport(text, catalogue)).toBe(expected);
  });
});

describe('a catalogue of its own', () => {
  const own: IndicatorDef[] = [
    {
      code: 'AAA',
      nameVi: 'Tỷ lệ máy tính nối mạng',
      unit: 'percent',
      periodicity: 'month',
      aliases: ['máy tính nối mạng', 'chung một'],
      numeratorLabel: 'Số máy tính nối mạng',
      denominatorLabel: 'Tổng số máy tính hiện có',
    },
    {
      code: 'BBB',
      nameVi: 'Tỷ lệ máy tính có bản quyền',
      unit: 'percent',
      periodicity: 'month',
      aliases: ['máy tính có bản quyền', 'chung một'],
    },
    {
      code: 'CCC',
      nameVi: 'Số điểm wifi',
      unit: 'count',
      periodicity: 'quarter',
      aliases: ['wifi'],
    },
  ];
  // Compiled once per array: each test compiles its own copy, so that what compiling does is
  // checked by the test that runs it (per-test coverage), not only by the first test.
  let cat: IndicatorDef[] = own;
  beforeEach(() => {
    cat = [...own];
  });
  const parseOwn = (text: string, lenient = false) =>
    parseReport(text, cat, NOW, DEFAULT_SCHEDULE, { lenient });
  const codes = (text: string) => {
    const r = parseOwn(text);
    return r.ok ? r.items.map((i) => [i.code, i.value]) : r.errors.map((e) => e.key);
  };

  it('reads codes in any case, aliases and names, with and without diacritics', () => {
    expect(codes('aaa 5/10; BBB 1/2')).toEqual([
      ['AAA', 50],
      ['BBB', 50],
    ]);
    expect(codes('máy tính nối mạng 5/10')).toEqual([['AAA', 50]]);
    expect(codes('may tinh noi mang 1/2')).toEqual([['AAA', 50]]);
    expect(codes('tỷ lệ máy tính có bản quyền 1/2')).toEqual([['BBB', 50]]);
    expect(codes('wifi 12')).toEqual([['CCC', 12]]);
    expect(codes('số điểm wifi 12')).toEqual([['CCC', 12]]);
  });

  it('asks which one for an alias two indicators share, and for the start they share', () => {
    for (const [text, part] of [
      ['chung một 5/10', 'chung một'],
      ['máy tính 5/10', 'máy tính'],
    ] as const) {
      expect(parseOwn(text)).toEqual({
        ok: false,
        errors: [
          {
            key: 'parse.error.sharedName',
            vars: { part, codes: 'AAA, BBB' },
            span: [0, part.length],
            candidates: ['AAA', 'BBB'],
          },
        ],
      });
    }
    expect(codes('máy tính')).toEqual(['parse.error.unknown']);
  });

  it('suggests the indicator a slip was meant for: its code, an alias, an alias run together', () => {
    const suggestion = (text: string) => {
      const r = parseOwn(text);
      return r.ok ? r.items : r.errors.map((e) => [e.key, e.vars.part, e.fix?.text]);
    };
    expect(suggestion('AAB 5/10')).toEqual([['parse.error.unknownSuggest', 'AAB', 'AAA']]);
    expect(suggestion('may tinh noi mnag 5/10')).toEqual([
      ['parse.error.unknownSuggest', 'may tinh noi mnag', 'AAA'],
    ]);
    expect(suggestion('maytinhnoimang 5/10')).toEqual([
      ['parse.error.unknownSuggest', 'maytinhnoimang', 'AAA'],
    ]);
    expect(suggestion('wiffi 12')).toEqual([['parse.error.unknownSuggest', 'wiffi', 'CCC']]);
    expect(suggestion('chung 5/10')).toEqual([
      ['parse.error.valueWithoutIndicator', '5/10', undefined],
    ]);
  });

  it('reads an indicator described in the words of its name and its labels (lenient)', () => {
    const read = (text: string) => {
      const r = parseOwn(text, true);
      return r.ok
        ? r.items.map((i) => [i.code, i.numerator, i.denominator, i.value])
        : r.errors.map((e) => [e.key, e.vars.part]);
    };
    // "hiện có" is in AAA's denominator label, not in any word of BBB.
    expect(read('AAA hiện có 10, trong đó 5')).toEqual([['AAA', 5, 10, 50]]);
    expect(read('BBB hiện có 10')).toEqual([
      ['parse.error.missingValue', 'BBB'],
      ['parse.error.unknown', 'hiện'],
      ['parse.error.valueWithoutIndicator', '10'],
    ]);
    expect(read('AAA nối mạng 5/10')).toEqual([['AAA', 5, 10, 50]]);
    expect(read('CCC điểm 12')).toEqual([['CCC', undefined, undefined, 12]]);
    expect(read('số điểm wifi 12')).toEqual([['CCC', undefined, undefined, 12]]);
  });
});

describe('more of what officers type', () => {
  const summary = (text: string, lenient = false) => {
    const r = parseReport(text, catalogue, NOW, DEFAULT_SCHEDULE, { lenient });
    if (!r.ok) return r.errors.map((e) => `${e.key} ${e.vars.part}`);
    const p = r.period ? `${r.period.kind} ${r.period.index}/${r.period.year}` : '-';
    return [p, ...r.items.map((i) => `${i.code} ${i.numerator}/${i.denominator} ${i.value}`)];
  };

  it.each<[string, boolean, string[]]>([
    ['/ HSTT 1/2', false, ['-', 'HSTT 1/2 50']],
    ['HSTT 1/2 /', false, ['parse.error.unknown /']],
    ['cos cán bộ CNTT', false, ['-', 'CNTT undefined/undefined 1']],
    ['HSTT 1/2 tháng 10', false, ['month 10/2025', 'HSTT 1/2 50']],
    ['HSTT tháng 10 1/2', false, ['month 10/2025', 'HSTT 1/2 50']],
    ['HSTT 1/2 kỳ 10/2025', false, ['month 10/2025', 'HSTT 1/2 50']],
    ['bc năm 2025 CNTT có', false, ['year 1/2025', 'CNTT undefined/undefined 1']],
    ['HSTT 98 hồ sơ trực tuyến, tổng số 140 hồ sơ', true, ['-', 'HSTT 98/140 70']],
    ['140 hồ sơ, trong đó 98 HSTT', true, ['-', 'HSTT 98/140 70']],
    ['HSTT T10/2025 có 98', true, ['month 10/2025', 'HSTT undefined/undefined 98']],
    ['HSTT: tiếp nhận 140', true, ['parse.error.percentRange 140']],
  ])('%j (lenient: %s)', (text, lenient, want) => {
    expect(summary(text, lenient)).toEqual(want);
  });
});

describe('the value checks, at their edges', () => {
  it.each<[string, ParseError]>([
    [
      'HSTT 1/2,5',
      {
        key: 'parse.error.fractionalCount',
        vars: { part: '1/2,5', ...percentVars('HSTT') },
        span: [5, 10],
      },
    ],
    [
      'HSTT 120/150 (180%)',
      {
        key: 'parse.error.percentMismatch',
        vars: {
          part: '120/150 (180%)',
          ...percentVars('HSTT'),
          numerator: '120',
          denominator: '150',
          percent: '80',
        },
        span: [5, 19],
      },
    ],
    [
      'HSCV 1.255',
      {
        key: 'parse.error.ambiguousPercent',
        vars: { part: '1.255', ...percentVars('HSCV'), decimal: '1,255' },
        span: [5, 10],
      },
    ],
    [
      'HSCV 1.2.3',
      {
        key: 'parse.error.badNumber',
        vars: { part: '1.2.3', ...percentVars('HSCV') },
        span: [5, 10],
      },
    ],
    [
      'HSTT 4/1.2.3',
      {
        key: 'parse.error.badNumber',
        vars: { part: '4/1.2.3', ...percentVars('HSTT') },
        span: [5, 12],
      },
    ],
  ])('%j', (text, error) => {
    expect(errorsOf(text)).toEqual([error]);
  });

  it('takes a stated percentage rounded either way at exactly half a point', () => {
    for (const text of ['HSTT 1/8 (13%)', 'HSTT 1/8 (12%)']) {
      const r = parseReport(text, catalogue, NOW, DEFAULT_SCHEDULE);
      expect(r.ok && r.items.map((i) => [i.numerator, i.denominator, i.value])).toEqual([
        [1, 8, 12.5],
      ]);
    }
  });
});
