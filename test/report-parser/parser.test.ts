import { loadLocaleTree } from '../../src/core/i18n.js';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULE } from '../../src/domain/schedule.js';
import { formatPeriod, type Period } from '../../src/domain/periods.js';
import { indicatorDefsFromCsv } from '../../src/report-parser/catalogue.js';
import { looksLikeReport, parseReport } from '../../src/report-parser/parser.js';
import type { ParseResult } from '../../src/report-parser/types.js';
import { NOWS, negativeCases, positiveCases, rng, type CorpusCase } from './corpus.js';

const catalogue = indicatorDefsFromCsv('prisma/seed/indicators.csv');
const S = DEFAULT_SCHEDULE;
const NOW = NOWS[0]?.now ?? new Date();
const month = (year: number, index: number): Period => ({ kind: 'month', year, index });
const quarter = (year: number, index: number): Period => ({ kind: 'quarter', year, index });
const year = (y: number): Period => ({ kind: 'year', year: y, index: 1 });
const parse = (text: string, now = NOW): ParseResult => parseReport(text, catalogue, now, S);

/** Items without spans, for comparing against expectations. */
function items(r: ParseResult) {
  if (!r.ok) throw new Error(`expected ok, got ${JSON.stringify(r.errors)}`);
  return r.items.map(({ span: _span, periodExplicit: _e, ...rest }) => rest);
}

function errorKeys(r: ParseResult): string[] {
  return r.ok ? [] : r.errors.map((e) => e.key);
}

describe('parseReport on the forms of issue 5', () => {
  it('reads a bare percentage and flags the missing numerator and denominator', () => {
    expect(items(parse('bc HSCV 65%'))).toEqual([
      { code: 'HSCV', value: 65, barePercent: true, period: month(2025, 10) },
    ]);
  });

  it('reads an explicit period and several pairs', () => {
    const r = parse('báo cáo T10/2025 HSTT 120/150 HSCV 65,5%');
    expect(r.ok && r.period).toEqual(month(2025, 10));
    expect(items(r)).toEqual([
      { code: 'HSTT', numerator: 120, denominator: 150, value: 80, period: month(2025, 10) },
      { code: 'HSCV', value: 65.5, barePercent: true, period: month(2025, 10) },
    ]);
  });

  it('reads a quarter without year or diacritics', () => {
    expect(items(parse('bao cao quy 3 KNS 45/50'))).toEqual([
      { code: 'KNS', numerator: 45, denominator: 50, value: 90, period: quarter(2025, 3) },
    ]);
  });

  it('accepts = and ; as separators', () => {
    expect(
      items(parse('HSTT=120/150; TTTT 30/100')).map((i) => [i.code, i.numerator, i.denominator]),
    ).toEqual([
      ['HSTT', 120, 150],
      ['TTTT', 30, 100],
    ]);
  });

  it('reads yes/no for boolean indicators', () => {
    expect(items(parse('CNTT có'))).toEqual([
      { code: 'CNTT', boolean: true, value: 1, period: year(2025) },
    ]);
    expect(items(parse('cntt chưa đạt'))[0]?.boolean).toBe(false);
  });

  it('reads multi-word aliases with and without diacritics', () => {
    expect(items(parse('ho so truc tuyen 120/150'))[0]?.code).toBe('HSTT');
    expect(items(parse('Hồ sơ trực tuyến 120/150'))[0]?.code).toBe('HSTT');
    // Longest alias wins: "kỹ năng số cơ bản" is KNSCB, "kỹ năng số cán bộ" is KNS.
    expect(
      items(parse('kỹ năng số cơ bản 60/100; ky nang so can bo 5/5')).map((i) => i.code),
    ).toEqual(['KNSCB', 'KNS']);
  });

  it('treats mm/yyyy in a value position as numerator/denominator', () => {
    expect(items(parse('HSTT 10/2025'))).toEqual([
      {
        code: 'HSTT',
        numerator: 10,
        denominator: 2025,
        value: 1000 / 2025,
        period: month(2025, 10),
      },
    ]);
    expect(
      parse('bc 10/2025 HSTT 1/2').ok &&
        (parse('bc 10/2025 HSTT 1/2') as { period?: Period }).period,
    ).toEqual(month(2025, 10));
  });

  it('reads Vietnamese thousands in numerators and denominators', () => {
    expect(items(parse('HSTT 1.200/1.500'))[0]).toMatchObject({
      numerator: 1200,
      denominator: 1500,
      value: 80,
    });
    expect(items(parse('TCNS 1.250'))[0]).toMatchObject({ value: 1250 });
  });

  it('accepts a percentage written after the pair when it agrees', () => {
    expect(items(parse('HSTT 120/150 (80%)'))[0]).toMatchObject({ numerator: 120, value: 80 });
    expect(errorKeys(parse('HSTT 120/150 (90%)'))).toEqual(['parse.error.percentMismatch']);
  });

  it('ignores greetings and politeness around a report', () => {
    const r = parse(
      'Em gửi báo cáo tháng 10 năm 2025 như sau: HSTT: 120/150, HSCV: 65,5%. Cảm ơn ạ',
    );
    expect(r.ok && r.items.map((i) => i.code)).toEqual(['HSTT', 'HSCV']);
  });

  it('gives the default period per indicator periodicity when none is named', () => {
    const r = parse('HSTT 1/2 KNS 1/2 CNTT có', NOWS[2]?.now);
    expect(r.ok && r.items.map((i) => [i.code, i.period, i.periodExplicit])).toEqual([
      ['HSTT', month(2026, 4), false],
      ['KNS', quarter(2026, 2), false],
      ['CNTT', year(2026), false],
    ]);
  });

  it('reports spans in the text as typed, even with diacritics', () => {
    const text = 'báo cáo HSTT 120/150 HSCC 65%';
    const r = parse(text);
    expect(r.ok).toBe(false);
    const e = r.ok ? undefined : r.errors[0];
    expect(e).toMatchObject({
      key: 'parse.error.unknownSuggest',
      vars: { part: 'HSCC', suggestion: 'HSCV' },
    });
    expect(e && text.slice(e.span[0], e.span[1])).toBe('HSCC');
  });

  it('names the period form an indicator takes', () => {
    const r = parse('bc T10/2025 KNS 45/50');
    expect(r.ok ? [] : r.errors).toEqual([
      {
        key: 'parse.error.periodMismatch.quarter',
        vars: { part: 'T10/2025', code: 'KNS', period: 'T10/2025', example: 'Q4/2025' },
        span: [3, 11],
      },
    ]);
  });

  it('saves nothing from a message with any error: no items come back', () => {
    const r = parse('HSTT 120/150 HSCV 120%');
    expect(r).toEqual({
      ok: false,
      errors: [expect.objectContaining({ key: 'parse.error.percentRange' })],
    });
  });
});

/** A one-line summary of a parse, to write expectations compactly. */
function summary(r: ParseResult): string {
  if (!r.ok) return `ERR ${r.errors.map((e) => e.key.replace('parse.error.', '')).join(',')}`;
  const items = r.items.map((i) => {
    const v =
      i.boolean !== undefined
        ? i.boolean
          ? 'yes'
          : 'no'
        : i.denominator !== undefined
          ? `${i.numerator}/${i.denominator}`
          : i.barePercent
            ? `${i.value}%`
            : String(i.value);
    return `${i.code} ${v} @${formatPeriod(i.period)}`;
  });
  return `${r.period ? formatPeriod(r.period) : '-'} | ${items.join('; ')}`;
}

describe('real-style staff messages (now 10/11/2025)', () => {
  it.each([
    ['bc HSTT 120/150', '- | HSTT 120/150 @T10/2025'],
    ['BC hstt 120 / 150, hscv 65,5 %', '- | HSTT 120/150 @T10/2025; HSCV 65.5% @T10/2025'],
    [
      'Báo cáo tháng 10: HSTT 120/150; HSCV 70%',
      'T10/2025 | HSTT 120/150 @T10/2025; HSCV 70% @T10/2025',
    ],
    ['bao cao thang 9 nam 2025 HSTT 98/120', 'T9/2025 | HSTT 98/120 @T9/2025'],
    ['HSTT tháng 10: 120/150', 'T10/2025 | HSTT 120/150 @T10/2025'],
    [
      'Q3/2025 KNS 45/50 CAPQUANG 80% TCNS 25',
      'Q3/2025 | KNS 45/50 @Q3/2025; CAPQUANG 80% @Q3/2025; TCNS 25 @Q3/2025',
    ],
    ['bc quý III/2025: cáp quang 1.200/1.500', 'Q3/2025 | CAPQUANG 1200/1500 @Q3/2025'],
    ['báo cáo năm 2025 CNTT có', 'năm 2025 | CNTT yes @năm 2025'],
    ['CNTT: chưa có', '- | CNTT no @năm 2025'],
    [
      '1. HSTT 120/150\n2. HSCV 65%\n3) TTTT 0/0',
      '- | HSTT 120/150 @T10/2025; HSCV 65% @T10/2025; TTTT 0/0 @T10/2025',
    ],
    [
      'BC T10/2025\n- HSTT: 120/150\n- HSCV: 65,5%',
      'T10/2025 | HSTT 120/150 @T10/2025; HSCV 65.5% @T10/2025',
    ],
    ['HSCV đạt 65%', '- | HSCV 65% @T10/2025'],
    ['TCNS 25 người', '- | TCNS 25 @Q4/2025'],
    ['HSCV 65 phần trăm', '- | HSCV 65% @T10/2025'],
    ['HSTT 120/150 và HSCV 65%', '- | HSTT 120/150 @T10/2025; HSCV 65% @T10/2025'],
    ['Dạ em gửi số liệu T10/2025: HSTT 120/150 ạ', 'T10/2025 | HSTT 120/150 @T10/2025'],
    ['Kỳ báo cáo: 10/2025 HSTT 1/2', 'T10/2025 | HSTT 1/2 @T10/2025'],
    [
      'hstt=120/150;hscv=65%;tttt=30/100',
      '- | HSTT 120/150 @T10/2025; HSCV 65% @T10/2025; TTTT 30/100 @T10/2025',
    ],
    ['HSCV65%', '- | HSCV 65% @T10/2025'],
    ['số hóa hồ sơ 40/100', '- | SOHOA 40/100 @T10/2025'],
    ['phủ sóng 4G 100%', '- | PHU4G 100% @Q4/2025'],
    ['5G 12/12', '- | PHU4G 12/12 @Q4/2025'],
    ['mức độ 4: 80%', '- | TTHCTT 80% @Q4/2025'],
    ['Tổ công nghệ số cộng đồng 1.250', '- | TCNS 1250 @Q4/2025'],
    ['VNEID 5.000/6.000 (83,3%)', '- | VNEID 5000/6000 @Q4/2025'],
    ['BÁO CÁO QUÝ 3 NĂM 2025 HSSK 900/1000', 'Q3/2025 | HSSK 900/1000 @Q3/2025'],
    ['bc T10 HSTT 1/2', 'T10/2025 | HSTT 1/2 @T10/2025'],
    ['bc T12 HSTT 1/2', 'T12/2024 | HSTT 1/2 @T12/2024'],
    ['HSTT 0/0', '- | HSTT 0/0 @T10/2025'],
    // No dossiers of the kind: "không phát sinh (hồ sơ)" is 0/0, with or without diacritics.
    ['bc HSTT không phát sinh', '- | HSTT 0/0 @T10/2025'],
    ['bc TTTT khong phat sinh ho so, HSCV 1/2', '- | TTTT 0/0 @T10/2025; HSCV 1/2 @T10/2025'],
    // Errors: named precisely, nothing understood is returned.
    ['bc HSCC 65%', 'ERR unknownSuggest'],
    ['bc T10/2025 KNS 45/50', 'ERR periodMismatch.quarter'],
    ['bc Q3/2025 HSTT 1/2', 'ERR periodMismatch.month'],
    ['bc T10/2025 CNTT có', 'ERR periodMismatch.year'],
    ['HSTT 150/120', 'ERR numeratorOverDenominator'],
    ['HSCV 101%', 'ERR percentRange'],
    ['TCNS -3', 'ERR negative'],
    ['TCNS 2,5', 'ERR fractionalCount'],
    ['HSTT 1/2 hstt 3/4', 'ERR duplicate'],
    ['HSCV 1.250', 'ERR ambiguousPercent'],
    ['HSCV có', 'ERR expectedNumber'],
    ['CNTT 2', 'ERR expectedBoolean'],
    ['HSTT 120/150 10/2025', 'ERR periodPosition'],
    ['bc T12/2025 HSTT 1/2', 'ERR futurePeriod'],
    ['Xã Cẩm Xuyên bc HSTT 1/2', 'ERR unknown'],
    ['bc HSTT', 'ERR missingValue'],
    ['HSTT 3/0', 'ERR zeroDenominator'],
  ])('%j → %s', (text, expected) => {
    expect(summary(parse(text))).toBe(expected);
  });

  it('reads decomposed (NFD) input like precomposed input', () => {
    const text = 'báo cáo quý 3/2025 kỹ năng số cơ bản 60/100';
    expect(summary(parse(text.normalize('NFD')))).toBe(summary(parse(text)));
    expect(summary(parse(text))).toBe('Q3/2025 | KNSCB 60/100 @Q3/2025');
  });
});

describe('robustness', () => {
  it('never throws on arbitrary input and keeps spans inside the text', () => {
    const r = rng(42);
    const alphabet = 'aAbcdđĐeêhHkKnoôơqQsStTuưv0123456789 /%.,;:=-()\n\u0301ạảấỹ🙂'.split('');
    const tokens = [
      'bc ',
      'HSTT ',
      'T10/2025 ',
      'quý ',
      '1.250',
      '/',
      '%',
      'có ',
      'kỳ ',
      '6 tháng ',
    ];
    for (let n = 0; n < 500; n++) {
      let text = '';
      const len = Math.floor(r() * 40);
      for (let k = 0; k < len; k++) {
        text +=
          r() < 0.3
            ? tokens[Math.floor(r() * tokens.length)]
            : alphabet[Math.floor(r() * alphabet.length)];
      }
      const res = parse(text);
      const src = text.normalize('NFC');
      if (res.ok) expect(res.items.length).toBeGreaterThan(0);
      else {
        for (const e of res.errors) {
          expect(e.span[0]).toBeGreaterThanOrEqual(0);
          expect(e.span[1]).toBeLessThanOrEqual(src.length);
          expect(e.span[0]).toBeLessThanOrEqual(e.span[1]);
        }
      }
      expect(typeof looksLikeReport(text, catalogue)).toBe('boolean');
    }
  });
});

describe('looksLikeReport', () => {
  it.each([
    ['bc HSCV 65%', true],
    ['Báo cáo tháng 10', true],
    ['/baocao', true],
    ['baocao', true],
    ['HSTT 120/150', true],
    ['hscv: 65%', true],
    ['hồ sơ trực tuyến 120/150', true],
    ['CNTT có', true],
    ['1. HSTT 120/150', true],
    ['- HSCV 65%', true],
    ['Em gửi báo cáo tháng 10', true],
    ['/start ABC123', false],
    ['làm giấy khai sinh online', false],
    ['đăng ký thường trú ở đâu', false],
    ['HSTT là gì?', false],
    ['xin chào', false],
    ['', false],
  ])('%j → %s', (text, expected) => {
    expect(looksLikeReport(text, catalogue)).toBe(expected);
  });
});

describe('generated corpus', () => {
  const positives = positiveCases(catalogue, 420);
  const negatives = negativeCases(catalogue);
  const results: { c: CorpusCase; pass: boolean; got: ParseResult }[] = [];

  function check(
    c: CorpusCase,
    got = parseReport(c.text, catalogue, c.now, S),
  ): { pass: boolean; got: ParseResult } {
    if (!c.expect.ok) {
      const exp = c.expect;
      const pass =
        !got.ok &&
        got.errors.some(
          (e) => e.key === exp.errorKey && (exp.part === undefined || e.vars.part === exp.part),
        );
      return { pass, got };
    }
    if (!got.ok) return { pass: false, got };
    const want = c.expect;
    const samePeriod = (a?: Period, b?: Period): boolean => JSON.stringify(a) === JSON.stringify(b);
    const pass =
      samePeriod(got.period, want.period) &&
      got.items.length === want.items.length &&
      want.items.every((w, i) => {
        const g = got.items[i];
        return (
          !!g &&
          g.code === w.code &&
          g.numerator === w.numerator &&
          g.denominator === w.denominator &&
          g.boolean === w.boolean &&
          !!g.barePercent === !!w.barePercent &&
          Math.abs((g.value ?? NaN) - (w.value ?? NaN)) < 1e-9 &&
          samePeriod(g.period, w.period)
        );
      });
    return { pass, got };
  }

  it('has at least 400 cases covering every indicator', () => {
    expect(positives.length + negatives.length).toBeGreaterThanOrEqual(400);
    for (const d of catalogue) {
      expect(
        positives.some((c) => c.expect.ok && c.expect.items.some((i) => i.code === d.code)),
      ).toBe(true);
      expect(negatives.some((c) => c.text.includes(d.code))).toBe(true);
    }
  });

  it.each(positives.map((c) => [c.text, c] as const))('reads %j', (_text, c) => {
    const r = check(c);
    results.push({ c, ...r });
    expect(r.got.ok ? r.got.items : r.got.errors).toEqual(r.pass ? expect.anything() : c.expect);
    expect(r.pass).toBe(true);
  });

  it.each(negatives.map((c) => [c.text, c] as const))('refuses %j precisely', (_text, c) => {
    const r = check(c);
    results.push({ c, ...r });
    expect(r.got.ok ? r.got.items : r.got.errors.map((e) => [e.key, e.vars.part])).toEqual(
      r.pass ? expect.anything() : c.expect,
    );
    expect(r.pass).toBe(true);
  });

  // The catalogue is compiled once per array; a copy is compiled afresh here, inside the test,
  // so that what compiling does (phrases, shared short forms, suggestions) is checked by a test
  // that runs it, not only by whichever test first met the shared array.
  it('reads the whole corpus the same with a copy of the catalogue compiled afresh', () => {
    const copy = [...catalogue];
    const failed = [...positives, ...negatives].filter(
      (c) => !check(c, parseReport(c.text, copy, c.now, S)).pass,
    );
    expect(failed.map((c) => c.text)).toEqual([]);
  });

  it('words every error in both locales, with every placeholder filled', () => {
    const locales = (['vi', 'en'] as const).map(
      (l) => loadLocaleTree(l, ['reporting']) as Record<string, unknown>,
    );
    const lookup = (obj: Record<string, unknown>, key: string): unknown =>
      key
        .split('.')
        .reduce<unknown>((o, k) => (o as Record<string, unknown> | undefined)?.[k], obj);
    const errors = [...positives, ...negatives].flatMap((c) => {
      const r = parseReport(c.text, catalogue, c.now, S);
      return r.ok ? [] : r.errors;
    });
    expect(new Set(errors.map((e) => e.key)).size).toBeGreaterThanOrEqual(15);
    for (const e of errors) {
      for (const loc of locales) {
        const text = lookup(loc, e.key);
        expect(typeof text, e.key).toBe('string');
        for (const [, name] of String(text).matchAll(/\{\{(\w+)\}\}/g)) {
          expect(e.vars, `${e.key} needs {{${name}}}`).toHaveProperty(name as string);
        }
      }
    }
  });

  afterAll(() => {
    const pos = results.filter((x) => x.c.expect.ok);
    const neg = results.filter((x) => !x.c.expect.ok);
    const wrongSaves = neg.filter((x) => x.got.ok).length;
    const pct = (a: number, b: number): string =>
      b === 0 ? '-' : ((100 * a) / b).toFixed(1) + '%';
    console.log(
      `[parser corpus] positives ${pos.filter((x) => x.pass).length}/${pos.length} (${pct(pos.filter((x) => x.pass).length, pos.length)}), ` +
        `negatives ${neg.filter((x) => x.pass).length}/${neg.length} (${pct(neg.filter((x) => x.pass).length, neg.length)}), ` +
        `overall ${pct(results.filter((x) => x.pass).length, results.length)}, wrong parses of bad input: ${wrongSaves}`,
    );
  });
});
