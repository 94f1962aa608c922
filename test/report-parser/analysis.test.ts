/**
 * What analyseReport makes of messages that are not clean one-line reports, item by item: the
 * figures it reads (with the part of the message each one quotes), each error with the part it
 * points at and its suggested fix, and what it says it saw (indicators named, values no
 * indicator took, words not understood). Read by read.ts to tell a report with slips from a
 * question or a citizen's message, so every field here is something an officer is told back.
 */
import { describe, expect, it } from 'vitest';
import { formatPeriod } from '../../src/domain/periods.js';
import { DEFAULT_SCHEDULE } from '../../src/domain/schedule.js';
import { indicatorDefsFromCsv } from '../../src/report-parser/catalogue.js';
import { analyseReport, type Analysis } from '../../src/report-parser/parser.js';
import { NOWS } from './corpus.js';
import { corpusUnits } from './free-text-corpus.js';

const catalogue = indicatorDefsFromCsv('prisma/seed/indicators.csv');
// 10/11/2025: T10, Q4 and năm 2025 are the open periods.
const NOW = NOWS[0]!.now;

/**
 * One line per item read (`HSTT 1/2=50 [0,8]`: code, figure, span), one per error (key without
 * `parse.error.`, quoted part, span, fix), then what was seen.
 */
function summarise(a: Analysis): string[] {
  const out: string[] = [];
  const r = a.result;
  if (r.ok) out.push(`ok${r.period ? ` ${formatPeriod(r.period)}` : ''}`);
  for (const i of a.understood) {
    const v =
      i.boolean !== undefined
        ? String(i.boolean)
        : i.denominator !== undefined
          ? `${i.numerator}/${i.denominator}=${i.value}`
          : `${i.value}${i.barePercent ? '%' : ''}`;
    out.push(`${i.code} ${v} [${i.span.join(',')}]`);
  }
  if (!r.ok) {
    for (const e of r.errors) {
      const fix = e.fix ? ` fix ${JSON.stringify(e.fix.text)} [${e.fix.span.join(',')}]` : '';
      out.push(
        `${e.key.replace('parse.error.', '')} ${JSON.stringify(e.vars.part)} [${e.span.join(',')}]${fix}`,
      );
    }
  }
  const unknown = a.unknown.map(
    (u) => `[${u.span.join(',')}]${u.suggestion ? `→${u.suggestion}` : ''}`,
  );
  out.push(
    [
      ...(a.period ? [formatPeriod(a.period)] : []),
      `mentioned ${a.mentioned.join(',') || '-'}`,
      `figures ${a.figures}`,
      `lone ${a.loneValues}`,
      `unknown ${unknown.join(' ') || '-'}`,
      ...(a.prefixed ? ['prefixed'] : []),
      ...(a.reportWord ? ['report word'] : []),
      ...(a.question ? ['question'] : []),
      ...(a.boolOnly && a.figures > 0 ? ['yes/no only'] : []),
    ].join('; '),
  );
  return out;
}

describe('analyseReport, the strict one-line grammar', () => {
  it.each<[string, string[]]>([
    [
      'xyz HSTT 120/150',
      [
        'HSTT 120/150=80 [4,16]',
        'unknown "xyz" [0,3]',
        'mentioned HSTT; figures 1; lone 0; unknown [0,3]',
      ],
    ],
    [
      'xyz hồ sơ 120/150',
      [
        'unknown "xyz" [0,3]',
        'sharedName "hồ sơ" [4,9]',
        'mentioned -; figures 0; lone 0; unknown [0,3]',
      ],
    ],
    [
      'xyz vẫn chưa có cán bộ CNTT',
      [
        'CNTT false [4,27]',
        'unknown "xyz" [0,3]',
        'mentioned CNTT; figures 1; lone 0; unknown [0,3]; yes/no only',
      ],
    ],
    [
      'xyz tháng 10 HSTT 1/2',
      [
        'HSTT 1/2=50 [13,21]',
        'unknown "xyz" [0,3]',
        'T10/2025; mentioned HSTT; figures 1; lone 0; unknown [0,3]',
      ],
    ],
    [
      'CNTT xyz có',
      [
        'missingValue "CNTT" [0,4]',
        'unknown "xyz" [5,8]',
        'mentioned CNTT; figures 0; lone 1; unknown [5,8]',
      ],
    ],
    [
      'abc bc HSTT 1/2',
      [
        'HSTT 1/2=50 [7,15]',
        'unknown "abc" [0,3]',
        'mentioned HSTT; figures 1; lone 0; unknown [0,3]; prefixed; report word',
      ],
    ],
    [
      'HSTT 1/2 abc bc',
      [
        'HSTT 1/2=50 [0,8]',
        'unknown "abc bc" [9,15]',
        'mentioned HSTT; figures 1; lone 0; unknown [9,15]; report word',
      ],
    ],
    [
      'HSTT 1/2 xyz: 3/4',
      [
        'HSTT 1/2=50 [0,8]',
        'unknown "xyz" [9,12]',
        'mentioned HSTT; figures 1; lone 1; unknown [9,12]',
      ],
    ],
    [
      'em gửi HSTT 1/2',
      ['ok', 'HSTT 1/2=50 [7,15]', 'mentioned HSTT; figures 1; lone 0; unknown -'],
    ],
    ['2) HSCV 5%', ['ok', 'HSCV 5% [3,10]', 'mentioned HSCV; figures 1; lone 0; unknown -']],
    [
      'HSTT 1/2\n3. HSCV 5%',
      [
        'ok',
        'HSTT 1/2=50 [0,8]',
        'HSCV 5% [12,19]',
        'mentioned HSTT,HSCV; figures 2; lone 0; unknown -',
      ],
    ],
    [
      'HSTT 1/2 3. HSCV 5%',
      [
        'HSTT 1/2=50 [0,8]',
        'HSCV 5% [12,19]',
        'valueWithoutIndicator "3" [9,10]',
        'mentioned HSTT,HSCV; figures 2; lone 1; unknown -',
      ],
    ],
    [
      '123. HSTT 1/2',
      [
        'HSTT 1/2=50 [5,13]',
        'valueWithoutIndicator "123" [0,3]',
        'mentioned HSTT; figures 1; lone 1; unknown -',
      ],
    ],
    [
      '1: HSTT 1/2',
      [
        'HSTT 1/2=50 [3,11]',
        'valueWithoutIndicator "1" [0,1]',
        'mentioned HSTT; figures 1; lone 1; unknown -',
      ],
    ],
    [
      '1. xyz',
      [
        'valueWithoutIndicator "1" [0,1]',
        'unknown "xyz" [3,6]',
        'mentioned -; figures 0; lone 1; unknown [3,6]',
      ],
    ],
    [
      'HSTT 1/2 10/2025',
      [
        'HSTT 1/2=50 [0,8]',
        'periodPosition "10/2025" [9,16]',
        'mentioned HSTT; figures 1; lone 0; unknown -',
      ],
    ],
    [
      'HSTT 1/2 kỳ báo cáo 10/2025',
      [
        'ok T10/2025',
        'HSTT 1/2=50 [0,8]',
        'T10/2025; mentioned HSTT; figures 1; lone 0; unknown -; report word',
      ],
    ],
    [
      'kỳ: 10/2025 HSTT 1/2',
      [
        'ok T10/2025',
        'HSTT 1/2=50 [12,20]',
        'T10/2025; mentioned HSTT; figures 1; lone 0; unknown -',
      ],
    ],
    [
      'HSTT 1/2 kỳ xyz',
      [
        'HSTT 1/2=50 [0,8]',
        'unknown "kỳ xyz" [9,15]',
        'mentioned HSTT; figures 1; lone 0; unknown [9,15]',
      ],
    ],
    [
      'HSTT 1/2 HSTT 3/4',
      [
        'HSTT 1/2=50 [0,8]',
        'duplicate "HSTT 3/4" [9,17]',
        'mentioned HSTT,HSTT; figures 1; lone 0; unknown -',
      ],
    ],
    [
      'có cán bộ CNTT, chưa có cán bộ CNTT',
      [
        'CNTT true [0,14]',
        'duplicate "chưa có cán bộ CNTT" [16,35]',
        'mentioned CNTT,CNTT; figures 1; lone 0; unknown -; yes/no only',
      ],
    ],
    ['HSTT: ', ['missingValue "HSTT" [0,4]', 'mentioned HSTT; figures 0; lone 0; unknown -']],
    [
      'HSTT HSCV 5%',
      [
        'HSCV 5% [5,12]',
        'missingValue "HSTT" [0,4]',
        'mentioned HSTT,HSCV; figures 1; lone 0; unknown -',
      ],
    ],
    [
      'HSCV 5% 7%',
      [
        'HSCV 5% [0,7]',
        'valueWithoutIndicator "7%" [8,10]',
        'mentioned HSCV; figures 1; lone 1; unknown -',
      ],
    ],
    ['/ 5%', ['valueWithoutIndicator "5%" [2,4]', 'mentioned -; figures 0; lone 1; unknown -']],
    ['%', ['unknown "%" [0,1]', 'mentioned -; figures 0; lone 0; unknown -']],
    ['   ', ['noItems "" [0,3]', 'mentioned -; figures 0; lone 0; unknown -']],
    [
      'HSTT 1/2 T10/2025 HSCV 5% T11/2025',
      [
        'HSTT 1/2=50 [0,8]',
        'HSCV 5% [18,25]',
        'twoPeriods "T11/2025" [26,34]',
        'T10/2025; mentioned HSTT,HSCV; figures 2; lone 0; unknown -',
      ],
    ],
    [
      'năm 2025 HSTT 1/2',
      [
        'HSTT 1/2=50 [9,17]',
        'periodMismatch.month "năm 2025" [0,8]',
        'năm 2025; mentioned HSTT; figures 1; lone 0; unknown -',
      ],
    ],
    [
      'KNS 1/2 tháng 10',
      [
        'KNS 1/2=50 [0,7]',
        'periodMismatch.quarter "tháng 10" [8,16]',
        'T10/2025; mentioned KNS; figures 1; lone 0; unknown -',
      ],
    ],
    [
      'HSTT 1/2 bangj rộng cố định',
      [
        'HSTT 1/2=50 [0,8]',
        'unknownSuggest "bangj rộng cố định" [9,27] fix "CAPQUANG" [9,27]',
        'mentioned HSTT; figures 1; lone 0; unknown [9,27]→CAPQUANG',
      ],
    ],
    [
      'hos sơ trực tuyến 1/2',
      [
        'unknownSuggest "hos sơ trực tuyến" [0,17] fix "HSTT" [0,17]',
        'mentioned -; figures 0; lone 1; unknown [0,17]→HSTT',
      ],
    ],
    [
      'cos cán bộ CNTT',
      ['ok', 'CNTT true [0,15]', 'mentioned CNTT; figures 1; lone 0; unknown -; yes/no only'],
    ],
    [
      'HSTT tháng 13 1/2',
      [
        'HSTT 1/2=50 [0,17]',
        'badPeriod "tháng 13" [5,13]',
        'mentioned HSTT; figures 1; lone 0; unknown -',
      ],
    ],
    [
      'hồ sơ đạt chưa',
      ['unknown "đạt" [6,9]', 'mentioned -; figures 0; lone 1; unknown [6,9]; question'],
    ],
    [
      'hồ sơ T10/2025: 5/10',
      ['sharedName "hồ sơ" [0,5]', 'T10/2025; mentioned -; figures 0; lone 0; unknown -'],
    ],
    [
      'bc bc HSTT 1/2',
      [
        'ok',
        'HSTT 1/2=50 [6,14]',
        'mentioned HSTT; figures 1; lone 0; unknown -; prefixed; report word',
      ],
    ],
    [
      'HSTT 1/2 tháng 12/2025',
      [
        'HSTT 1/2=50 [0,8]',
        'futurePeriod "tháng 12/2025" [9,22]',
        'mentioned HSTT; figures 1; lone 0; unknown -',
      ],
    ],
    [
      'HSTT 1/2 em cảm ơn ạ',
      ['ok', 'HSTT 1/2=50 [0,8]', 'mentioned HSTT; figures 1; lone 0; unknown -'],
    ],
    [
      'hstx 1/2',
      [
        'unknownSuggest "hstx" [0,4] fix "HSTT" [0,4]',
        'mentioned -; figures 0; lone 1; unknown [0,4]→HSTT',
      ],
    ],
    [
      'HSTT 1/2; HSCV 150%',
      [
        'HSTT 1/2=50 [0,8]',
        'percentRange "150%" [15,19]',
        'mentioned HSTT,HSCV; figures 2; lone 0; unknown -',
      ],
    ],
    [
      'tcns 40; cntt có; HSTT 1/2',
      [
        'ok',
        'TCNS 40 [0,7]',
        'CNTT true [9,16]',
        'HSTT 1/2=50 [18,26]',
        'mentioned TCNS,CNTT,HSTT; figures 3; lone 0; unknown -',
      ],
    ],
    [
      'HSTT 1/2 xyz tháng 10',
      [
        'HSTT 1/2=50 [0,8]',
        'unknown "xyz" [9,12]',
        'T10/2025; mentioned HSTT; figures 1; lone 0; unknown [9,12]',
      ],
    ],
    [
      'HSTT 1/2 xyz chưa',
      [
        'HSTT 1/2=50 [0,8]',
        'unknown "xyz" [9,12]',
        'mentioned HSTT; figures 1; lone 1; unknown [9,12]; question',
      ],
    ],
    [
      'HSTT 1/2 xyz có cán bộ CNTT',
      [
        'HSTT 1/2=50 [0,8]',
        'unknown "xyz" [9,12]',
        'missingValue "cán bộ CNTT" [16,27]',
        'mentioned HSTT,CNTT; figures 1; lone 1; unknown [9,12]',
      ],
    ],
    [
      'HSTT 1/2 xyz hồ sơ 5/10',
      [
        'HSTT 1/2=50 [0,8]',
        'unknown "xyz" [9,12]',
        'sharedName "hồ sơ" [13,18]',
        'mentioned HSTT; figures 1; lone 0; unknown [9,12]',
      ],
    ],
    [
      'HSTT 1/2 xyz HSCV 5%',
      [
        'HSTT 1/2=50 [0,8]',
        'HSCV 5% [13,20]',
        'unknown "xyz" [9,12]',
        'mentioned HSTT,HSCV; figures 2; lone 0; unknown [9,12]',
      ],
    ],
    [
      'xyz bc HSTT 1/2',
      [
        'HSTT 1/2=50 [7,15]',
        'unknown "xyz" [0,3]',
        'mentioned HSTT; figures 1; lone 0; unknown [0,3]; prefixed; report word',
      ],
    ],
    [
      'HSTT 1/2 xyz bc',
      [
        'HSTT 1/2=50 [0,8]',
        'unknown "xyz bc" [9,15]',
        'mentioned HSTT; figures 1; lone 0; unknown [9,15]; report word',
      ],
    ],
    [
      'HSTT 120/150 = 80%',
      ['ok', 'HSTT 120/150=80 [0,18]', 'mentioned HSTT; figures 1; lone 0; unknown -'],
    ],
    [
      'HSTT 120/150 - 80%',
      ['ok', 'HSTT 120/150=80 [0,18]', 'mentioned HSTT; figures 1; lone 0; unknown -'],
    ],
    [
      'HSTT 120/150 (80%) HSCV 5%',
      [
        'ok',
        'HSTT 120/150=80 [0,18]',
        'HSCV 5% [19,26]',
        'mentioned HSTT,HSCV; figures 2; lone 0; unknown -',
      ],
    ],
    [
      'HSTT 120/150 80%',
      ['ok', 'HSTT 120/150=80 [0,16]', 'mentioned HSTT; figures 1; lone 0; unknown -'],
    ],
    [
      'HSTT 120/150 (80%',
      ['ok', 'HSTT 120/150=80 [0,17]', 'mentioned HSTT; figures 1; lone 0; unknown -'],
    ],
    [
      'HSCV 65 phần trăm',
      ['ok', 'HSCV 65% [0,17]', 'mentioned HSCV; figures 1; lone 0; unknown -'],
    ],
    [
      'HSCV 65 phần',
      [
        'HSCV 65% [0,7]',
        'unknown "phần" [8,12]',
        'mentioned HSCV; figures 1; lone 0; unknown [8,12]',
      ],
    ],
    [
      'HSTT 98 hồ sơ trên 120',
      [
        'ok',
        'HSTT 98/120=81.66666666666667 [0,22]',
        'mentioned HSTT; figures 1; lone 0; unknown -',
      ],
    ],
    [
      'HSTT 98 hồ sơ trên tổng số 120',
      [
        'ok',
        'HSTT 98/120=81.66666666666667 [0,30]',
        'mentioned HSTT; figures 1; lone 0; unknown -',
      ],
    ],
    [
      'HSTT 98 trên tổng 120 hồ sơ',
      [
        'ok',
        'HSTT 98/120=81.66666666666667 [0,21]',
        'mentioned HSTT; figures 1; lone 0; unknown -',
      ],
    ],
    [
      'HSTT 98 hồ sơ / 120',
      [
        'ok',
        'HSTT 98/120=81.66666666666667 [0,19]',
        'mentioned HSTT; figures 1; lone 0; unknown -',
      ],
    ],
    [
      'HSTT 98 hồ sơ trên',
      [
        'needsTotal "98" [5,7]',
        'unknown "trên" [14,18]',
        'mentioned HSTT; figures 1; lone 0; unknown [14,18]',
      ],
    ],
    [
      'HSTT 120%/150',
      ['fractionPercent "120%/150" [5,13]', 'mentioned HSTT; figures 1; lone 0; unknown -'],
    ],
    [
      'HSTT 120/150%',
      ['fractionPercent "120/150%" [5,13]', 'mentioned HSTT; figures 1; lone 0; unknown -'],
    ],
    [
      'CNTT chưa có',
      ['ok', 'CNTT false [0,12]', 'mentioned CNTT; figures 1; lone 0; unknown -; yes/no only'],
    ],
    [
      'CNTT có rồi',
      ['ok', 'CNTT true [0,11]', 'mentioned CNTT; figures 1; lone 0; unknown -; yes/no only'],
    ],
    [
      'CNTT: không',
      [
        'ok',
        'CNTT false [0,11]',
        'mentioned CNTT; figures 1; lone 0; unknown -; question; yes/no only',
      ],
    ],
    ['HSTT -5', ['negative "-5" [5,7]', 'mentioned HSTT; figures 1; lone 0; unknown -']],
    ['HSTT - 5', ['ok', 'HSTT 5% [0,8]', 'mentioned HSTT; figures 1; lone 0; unknown -']],
    ['HSTT -', ['missingValue "HSTT" [0,4]', 'mentioned HSTT; figures 0; lone 0; unknown -']],
    [
      'HSTT -có',
      ['expectedNumber "có" [6,8]', 'mentioned HSTT; figures 1; lone 0; unknown -; yes/no only'],
    ],
    ['TCNS 40 thành viên', ['ok', 'TCNS 40 [0,7]', 'mentioned TCNS; figures 1; lone 0; unknown -']],
    [
      'TCNS 40 thành viên HSCV 5%',
      [
        'ok',
        'TCNS 40 [0,7]',
        'HSCV 5% [19,26]',
        'mentioned TCNS,HSCV; figures 2; lone 0; unknown -',
      ],
    ],
    ['HSCV 5 %', ['ok', 'HSCV 5% [0,8]', 'mentioned HSCV; figures 1; lone 0; unknown -']],
    ['HSTT 1 / 2', ['ok', 'HSTT 1/2=50 [0,10]', 'mentioned HSTT; figures 1; lone 0; unknown -']],
    ['HSTT 1 trên 2', ['ok', 'HSTT 1/2=50 [0,13]', 'mentioned HSTT; figures 1; lone 0; unknown -']],
    // Errors in the order of the message, whichever step found them.
    [
      'HSCV 150% xyz',
      [
        'percentRange "150%" [5,9]',
        'unknown "xyz" [10,13]',
        'mentioned HSCV; figures 1; lone 0; unknown [10,13]',
      ],
    ],
    [' xin chào ', ['noItems "xin chào" [0,10]', 'mentioned -; figures 0; lone 0; unknown -']],
    [
      'xyz HSCV 150% abc 5',
      [
        'unknown "xyz" [0,3]',
        'percentRange "150%" [9,13]',
        'unknown "abc" [14,17]',
        'mentioned HSCV; figures 1; lone 1; unknown [0,3] [14,17]',
      ],
    ],
    [
      'hstx abc 1/2',
      [
        'unknownSuggest "hstx abc" [0,8] fix "HSTT" [0,8]',
        'mentioned -; figures 0; lone 1; unknown [0,8]→HSTT',
      ],
    ],
    ['em gửi ạ', ['noItems "em gửi ạ" [0,8]', 'mentioned -; figures 0; lone 0; unknown -']],
    [
      '- em gửi số liệu: HSTT 1/2',
      [
        'ok',
        'HSTT 1/2=50 [18,26]',
        'mentioned HSTT; figures 1; lone 0; unknown -; prefixed; report word',
      ],
    ],
    [
      'xyz gửi số liệu HSTT 1/2',
      [
        'HSTT 1/2=50 [16,24]',
        'unknown "xyz gửi số liệu" [0,15]',
        'mentioned HSTT; figures 1; lone 0; unknown [0,15]; report word',
      ],
    ],
    [
      'tthc toanf trinh 5/10',
      [
        'unknownSuggest "tthc toanf trinh" [0,16] fix "TTHCTT" [0,16]',
        'mentioned -; figures 0; lone 1; unknown [0,16]→TTHCTT',
      ],
    ],
    [
      'dvc toanf trình 5/10',
      [
        'unknownSuggest "dvc toanf trình" [0,15] fix "TTHCTT" [0,15]',
        'mentioned -; figures 0; lone 1; unknown [0,15]→TTHCTT',
      ],
    ],
  ])('%j', (text, want) => {
    expect(summarise(analyseReport(text, catalogue, NOW, DEFAULT_SCHEDULE))).toEqual(want);
  });
});

describe('analyseReport, the lenient reading of free text', () => {
  it.each<[string, string[]]>([
    [
      'HSTT tiếp nhận 140 hồ sơ, trong đó 98 trực tuyến',
      ['ok', 'HSTT 98/140=70 [0,37]', 'mentioned HSTT; figures 1; lone 0; unknown -'],
    ],
    [
      'HSTT: tổng số 140; trong đó 98',
      [
        'percentRange "140" [14,17]',
        'valueWithoutIndicator "98" [28,30]',
        'mentioned HSTT; figures 1; lone 1; unknown -',
      ],
    ],
    [
      'HSTT xyz 5/10',
      [
        'missingValue "HSTT" [0,4]',
        'unknown "xyz" [5,8]',
        'valueWithoutIndicator "5/10" [9,13]',
        'mentioned HSTT; figures 0; lone 1; unknown [5,8]',
      ],
    ],
    [
      'HSTT hồ sơ 5/10 hồ sơ trực tuyến',
      ['ok', 'HSTT 5/10=50 [0,15]', 'mentioned HSTT; figures 1; lone 0; unknown -'],
    ],
    [
      'HSTT giải quyết trực tuyến 5/10',
      ['ok', 'HSTT 5/10=50 [0,31]', 'mentioned HSTT; figures 1; lone 0; unknown -'],
    ],
    ['HSTT -5/10', ['negative "-5/10" [5,10]', 'mentioned HSTT; figures 1; lone 0; unknown -']],
    ['HSTT - 5/10', ['ok', 'HSTT 5/10=50 [0,11]', 'mentioned HSTT; figures 1; lone 0; unknown -']],
    ['HSTT , 5/10', ['ok', 'HSTT 5/10=50 [0,11]', 'mentioned HSTT; figures 1; lone 0; unknown -']],
    [
      'HSTT tháng 10 tiếp nhận 5/10',
      [
        'ok T10/2025',
        'HSTT 5/10=50 [0,28]',
        'T10/2025; mentioned HSTT; figures 1; lone 0; unknown -',
      ],
    ],
    [
      'HSTT tiếp nhận tháng 10/2025 5/10',
      [
        'ok T10/2025',
        'HSTT 5/10=50 [0,33]',
        'T10/2025; mentioned HSTT; figures 1; lone 0; unknown -',
      ],
    ],
    [
      'tổng số 140 hồ sơ trực tuyến',
      ['needsTotal "140" [8,11]', 'mentioned HSTT; figures 1; lone 0; unknown -'],
    ],
    [
      'trong đó 98, tổng số 140 HSTT',
      ['ok', 'HSTT 98/140=70 [9,29]', 'mentioned HSTT; figures 1; lone 0; unknown -'],
    ],
    [
      '140 hồ sơ, 98 HSTT',
      [
        'whichIsNumerator "140 hồ sơ, 98" [0,13] fix "98/140" [0,13]',
        'mentioned HSTT; figures 1; lone 0; unknown -',
      ],
    ],
    [
      'xyz 140 HSTT',
      [
        'unknown "xyz" [0,3]',
        'percentRange "140" [4,7]',
        'mentioned HSTT; figures 1; lone 0; unknown [0,3]',
      ],
    ],
    [
      'tiếp nhận 140, HSTT 98',
      [
        'HSTT 98% [15,22]',
        'unknown "tiếp nhận" [0,9]',
        'valueWithoutIndicator "140" [10,13]',
        'mentioned HSTT; figures 1; lone 1; unknown [0,9]',
      ],
    ],
    [
      'HSTT 98 trực tuyến; xyz',
      [
        'HSTT 98% [0,7]',
        'unknown "xyz" [20,23]',
        'mentioned HSTT; figures 1; lone 0; unknown [20,23]',
      ],
    ],
    [
      'HSTT 98/140; trực tuyến',
      [
        'HSTT 98/140=70 [0,11]',
        'unknownSuggest "trực tuyến" [13,23] fix "HSTT" [13,23]',
        'mentioned HSTT; figures 1; lone 0; unknown [13,23]→HSTT',
      ],
    ],
    [
      'HSTT 98/140 xyz',
      [
        'HSTT 98/140=70 [0,11]',
        'unknown "xyz" [12,15]',
        'mentioned HSTT; figures 1; lone 0; unknown [12,15]',
      ],
    ],
    [
      'HSTT 98/140, 99/140',
      [
        'HSTT 98/140=70 [0,11]',
        'valueWithoutIndicator "99/140" [13,19]',
        'mentioned HSTT; figures 1; lone 1; unknown -',
      ],
    ],
    [
      'TCNS 40 thành viên, 5 tổ',
      ['ok', 'TCNS 40 [0,21]', 'mentioned TCNS; figures 1; lone 0; unknown -'],
    ],
    ['TCNS 5 tổ', ['ok', 'TCNS 5 [0,6]', 'mentioned TCNS; figures 1; lone 0; unknown -']],
    [
      'TCNS 40 tv, 5 tổ',
      ['whichValue "40 tv, 5" [5,13]', 'mentioned TCNS; figures 1; lone 0; unknown -'],
    ],
    [
      'CNTT có, HSTT 1/2',
      [
        'ok',
        'CNTT true [0,7]',
        'HSTT 1/2=50 [9,17]',
        'mentioned CNTT,HSTT; figures 2; lone 0; unknown -',
      ],
    ],
    ['HSTT trong đó 98', ['ok', 'HSTT 98% [0,16]', 'mentioned HSTT; figures 1; lone 0; unknown -']],
    [
      'HSTT 140 tổng số',
      ['percentRange "140" [5,8]', 'mentioned HSTT; figures 1; lone 0; unknown -'],
    ],
    [
      'HSTT 98 HSCV 5%',
      [
        'ok',
        'HSTT 98% [0,7]',
        'HSCV 5% [8,15]',
        'mentioned HSTT,HSCV; figures 2; lone 0; unknown -',
      ],
    ],
    [
      'có 40 thành viên',
      ['valueWithoutIndicator "40" [3,5]', 'mentioned -; figures 0; lone 1; unknown -'],
    ],
    ['đạt 70% HSCV', ['ok', 'HSCV 70% [4,12]', 'mentioned HSCV; figures 1; lone 0; unknown -']],
    [
      '40 xyz TCNS',
      ['TCNS 40 [0,11]', 'unknown "xyz" [3,6]', 'mentioned TCNS; figures 1; lone 0; unknown [3,6]'],
    ],
    [
      'xyz TCNS 40',
      ['TCNS 40 [4,11]', 'unknown "xyz" [0,3]', 'mentioned TCNS; figures 1; lone 0; unknown [0,3]'],
    ],
    [
      'thành viên tổ công nghệ số 40',
      ['ok', 'TCNS 40 [0,29]', 'mentioned TCNS; figures 1; lone 0; unknown -'],
    ],
    [
      'HSTT 1/2 xyz trong đó 3',
      [
        'HSTT 1/2=50 [0,8]',
        'unknown "xyz" [9,12]',
        'valueWithoutIndicator "3" [22,23]',
        'mentioned HSTT; figures 1; lone 1; unknown [9,12]',
      ],
    ],
    [
      'HSTT 1/2 xyz có 3',
      [
        'HSTT 1/2=50 [0,8]',
        'unknown "xyz" [9,12]',
        'valueWithoutIndicator "3" [16,17]',
        'mentioned HSTT; figures 1; lone 1; unknown [9,12]',
      ],
    ],
    [
      'HSTT 5/10 trực tuyến xyz',
      [
        'HSTT 5/10=50 [0,9]',
        'unknown "trực tuyến xyz" [10,24]',
        'mentioned HSTT; figures 1; lone 0; unknown [10,24]',
      ],
    ],
    [
      'HSTT 5/10\ntrực tuyến',
      [
        'HSTT 5/10=50 [0,9]',
        'unknownSuggest "trực tuyến" [10,20] fix "HSTT" [10,20]',
        'mentioned HSTT; figures 1; lone 0; unknown [10,20]→HSTT',
      ],
    ],
    [
      'trong đó 98 xyz HSTT',
      [
        'HSTT 98% [9,20]',
        'unknown "xyz" [12,15]',
        'mentioned HSTT; figures 1; lone 0; unknown [12,15]',
      ],
    ],
    [
      'CNTT có',
      ['ok', 'CNTT true [0,7]', 'mentioned CNTT; figures 1; lone 0; unknown -; yes/no only'],
    ],
    [
      'CNTT chưa',
      [
        'ok',
        'CNTT false [0,9]',
        'mentioned CNTT; figures 1; lone 0; unknown -; question; yes/no only',
      ],
    ],
    [
      'HSTT hồ sơ công việc 5%',
      [
        'HSCV 5% [5,23]',
        'missingValue "HSTT" [0,4]',
        'mentioned HSTT,HSCV; figures 1; lone 0; unknown -',
      ],
    ],
    [
      'HSTT 98 trực tuyến, tổng số 140',
      ['ok', 'HSTT 98/140=70 [0,31]', 'mentioned HSTT; figures 1; lone 0; unknown -'],
    ],
    [
      'HSTT trong đó 98, trong đó 140',
      [
        'whichIsNumerator "98, trong đó 140" [14,30] fix "98/140" [14,30]',
        'mentioned HSTT; figures 1; lone 0; unknown -',
      ],
    ],
    [
      'HSTT tổng số 140, tổng cộng 98',
      [
        'whichIsNumerator "140, tổng cộng 98" [13,30] fix "98/140" [13,30]',
        'mentioned HSTT; figures 1; lone 0; unknown -',
      ],
    ],
    [
      'HSTT tổng số 140, trong đó 98%',
      [
        'percentRange "140" [13,16]',
        'valueWithoutIndicator "98%" [27,30]',
        'mentioned HSTT; figures 1; lone 1; unknown -',
      ],
    ],
    [
      'HSTT 1.250 hồ sơ, 1.500 hồ sơ',
      [
        'whichIsNumerator "1.250 hồ sơ, 1.500" [5,23]',
        'mentioned HSTT; figures 1; lone 0; unknown -',
      ],
    ],
    [
      'HSTT 140 hồ sơ, 98 hồ sơ, 5 hồ sơ',
      [
        'whichValue "140 hồ sơ, 98 hồ sơ, 5" [5,27]',
        'mentioned HSTT; figures 1; lone 0; unknown -',
      ],
    ],
    [
      'TCNS 40 thành viên, 41 tv',
      ['ok', 'TCNS 40 [0,22]', 'mentioned TCNS; figures 1; lone 0; unknown -'],
    ],
    [
      'HSTT tổng số 140, trong đó 160',
      [
        'numeratorOverDenominator "140, trong đó 160" [13,30]',
        'mentioned HSTT; figures 1; lone 0; unknown -',
      ],
    ],
    [
      'HSTT 140 hồ sơ trong đó 98,5',
      [
        'fractionalCount "140 hồ sơ trong đó 98,5" [5,28]',
        'mentioned HSTT; figures 1; lone 0; unknown -',
      ],
    ],
    [
      'HSTT trong đó 98, 140 hồ sơ',
      ['ok', 'HSTT 98/140=70 [0,21]', 'mentioned HSTT; figures 1; lone 0; unknown -'],
    ],
    [
      'HSTT 98 hồ sơ, 1.500 hồ sơ',
      ['whichIsNumerator "98 hồ sơ, 1.500" [5,20]', 'mentioned HSTT; figures 1; lone 0; unknown -'],
    ],
    [
      'HSTT 1.500 hồ sơ, 98 hồ sơ',
      ['whichIsNumerator "1.500 hồ sơ, 98" [5,20]', 'mentioned HSTT; figures 1; lone 0; unknown -'],
    ],
    [
      'HSTT trực tuyến đạt 5/10',
      ['ok', 'HSTT 5/10=50 [0,24]', 'mentioned HSTT; figures 1; lone 0; unknown -'],
    ],
    [
      'HSTT trực tuyến -5/10',
      ['negative "-5/10" [16,21]', 'mentioned HSTT; figures 1; lone 0; unknown -'],
    ],
    [
      'HSCV 70% xử lý trên mạng',
      ['ok', 'HSCV 70% [0,8]', 'mentioned HSCV; figures 1; lone 0; unknown -'],
    ],
    [
      'HSCV 70 xử lý trên mạng',
      ['ok', 'HSCV 70% [0,7]', 'mentioned HSCV; figures 1; lone 0; unknown -'],
    ],
    [
      'giải quyết HSTT',
      [
        'unknown "giải quyết" [0,10]',
        'missingValue "HSTT" [11,15]',
        'mentioned HSTT; figures 0; lone 0; unknown [0,10]',
      ],
    ],
  ])('%j', (text, want) => {
    expect(
      summarise(analyseReport(text, catalogue, NOW, DEFAULT_SCHEDULE, { lenient: true })),
    ).toEqual(want);
  });
});

describe('analyseReport, the sender’s units', () => {
  const sender = { own: ['18073', '18775'], units: corpusUnits() };
  const analyse = (text: string) =>
    analyseReport(text, catalogue, NOW, DEFAULT_SCHEDULE, { sender });

  it('refuses another unit named in the message, quoting it as written and naming the own units', () => {
    for (const [text, part, span] of [
      ['Xã Thạch Hà: HSTT 1/2', 'Xã Thạch Hà', [0, 11]],
      ['HSTT 1/2 xã Thạch Hà', 'xã Thạch Hà', [9, 20]],
    ] as const) {
      const r = analyse(text).result;
      expect(r.ok ? r : r.errors).toEqual([
        {
          key: 'parse.error.otherUnit',
          vars: { part, unit: 'Xã Thạch Hà', own: 'Phường Thành Sen, Xã Kỳ Anh' },
          span,
        },
      ]);
    }
  });

  it('reads past an own unit named anywhere', () => {
    expect(summarise(analyse('Phường Thành Sen HSTT 1/2'))).toEqual([
      'ok',
      'HSTT 1/2=50 [17,25]',
      'mentioned HSTT; figures 1; lone 0; unknown -',
    ]);
    expect(summarise(analyse('HSTT 1/2 Xã Kỳ Anh'))).toEqual([
      'ok',
      'HSTT 1/2=50 [0,8]',
      'mentioned HSTT; figures 1; lone 0; unknown -',
    ]);
  });
});
