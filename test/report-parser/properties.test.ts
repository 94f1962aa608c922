/**
 * Property-based tests (fast-check) for the report, period and number parsers: no input
 * crashes them, and every figure the report parser accepts is stored exactly as it is echoed
 * (the parser's reading, the domain's normalisation for the Decimal(18, 4) columns, and the
 * confirmation's formatting agree digit for digit).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatFigure } from '../../handlers/reporting/format.js';
import type { ReportIndicator } from '../../handlers/reporting/env.js';
import {
  formatPeriod,
  matchPeriodAt,
  parsePeriod,
  type Period,
  type PeriodKind,
} from '../../src/domain/periods.js';
import { DEFAULT_SCHEDULE } from '../../src/domain/schedule.js';
import { normalizeFigure } from '../../src/domain/submissions/figures.js';
import { indicatorDefsFromCsv } from '../../src/report-parser/catalogue.js';
import { parseReport } from '../../src/report-parser/parser.js';
import { readMessage } from '../../src/report-parser/read.js';
import { parseNumberWords } from '../../src/text/number-words.js';
import { figureLimit, formatNumberVi, parseNumberVi } from '../../src/text/numbers.js';
import { fold } from '../../src/text/vietnamese.js';
import { corpusUnits, numberWords } from './free-text-corpus.js';

const catalogue = indicatorDefsFromCsv('prisma/seed/indicators.csv');
const units = corpusUnits();
const NOW = new Date('2026-12-02T09:00:00+07:00');
const t = (key: string): string =>
  key === 'report.yes' ? 'có' : key === 'report.no' ? 'không' : key;
const RUNS = { numRuns: 400 };

/** Pieces of real messages, so random text is often close to a report. */
const piece = fc.constantFrom(
  'bc ',
  'báo cáo ',
  'HSTT ',
  'hscv ',
  'KNS ',
  'TCNS ',
  'CNTT ',
  'hồ sơ ',
  'tài khoản ',
  'kỹ năng số ',
  'tháng ',
  'thang muoi mot ',
  'quý ',
  'T10/2026 ',
  'Q3-2026 ',
  'năm 2026 ',
  '1.250',
  '98/120 ',
  '% ',
  ' trên ',
  'tổng số ',
  'trong đó ',
  'có ',
  'chưa có ',
  'đạt ',
  'phần trăm ',
  'mười ',
  'hai mươi lăm ',
  'một trăm nghìn tỷ ',
  'ngày 02/12/2026 ',
  'Phường Thành Sen ',
  'Xã Thạch Hà ',
  'baos caos ',
  'tha1ng ',
  'HSCVs ',
  '🙏',
  'ạ',
  '\n',
  '; ',
  ', ',
  '?',
  '-',
  '(80%)',
  '0/0 ',
  '9007199254740993 ',
  '61,23456% ',
  'thành viên ',
  'hộ ',
  '\u0301',
  '\u200b',
);
const messy = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc
    .array(fc.oneof(piece, fc.string({ maxLength: 4 })), { maxLength: 14 })
    .map((xs) => xs.join('')),
);

describe('no input crashes the parsers', () => {
  it('parseReport, strict and lenient, with and without a sender; spans stay inside the text', () => {
    fc.assert(
      fc.property(messy, (text) => {
        const src = text.normalize('NFC');
        for (const lenient of [false, true]) {
          const r = parseReport(text, catalogue, NOW, DEFAULT_SCHEDULE, {
            lenient,
            sender: { own: ['18073'], units },
          });
          if (r.ok) expect(r.items.length).toBeGreaterThan(0);
          else
            for (const e of r.errors) {
              expect(0 <= e.span[0] && e.span[0] <= e.span[1] && e.span[1] <= src.length).toBe(
                true,
              );
            }
        }
      }),
      RUNS,
    );
  });

  it('readMessage always answers one of its five kinds', () => {
    fc.assert(
      fc.property(messy, (text) => {
        const r = readMessage(text, {
          catalogue,
          now: NOW,
          schedule: DEFAULT_SCHEDULE,
          sender: { own: ['18073'], units },
        });
        expect(['complete', 'partial', 'ambiguous', 'status', 'notReport']).toContain(r.kind);
      }),
      RUNS,
    );
  });

  it('the period and number parsers', () => {
    fc.assert(
      fc.property(messy, fc.nat({ max: 80 }), (text, pos) => {
        parsePeriod(text, NOW);
        matchPeriodAt(fold(text), Math.min(pos, text.length), NOW, true);
        parseNumberVi(text);
        figureLimit(text);
        parseNumberWords(text);
      }),
      RUNS,
    );
  });
});

describe('round trips', () => {
  const periodArb = fc
    .record({
      kind: fc.constantFrom<PeriodKind>('month', 'quarter', 'half', 'year'),
      year: fc.integer({ min: 2000, max: 2099 }),
      index: fc.integer({ min: 1, max: 12 }),
    })
    .map(({ kind, year, index }): Period => {
      const per = { month: 12, quarter: 4, half: 2, year: 1 }[kind];
      return { kind, year, index: ((index - 1) % per) + 1 };
    });

  it('every printed period parses back to itself', () => {
    fc.assert(
      fc.property(periodArb, (p) => {
        expect(parsePeriod(formatPeriod(p), NOW)).toEqual(p);
      }),
      RUNS,
    );
  });

  it('every number with at most 4 decimals prints and reads back exactly; words too', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 99_999_999_999 }),
        fc.integer({ min: 0, max: 9999 }),
        (int, frac) => {
          const n = Number(`${int}.${String(frac).padStart(4, '0')}`);
          const printed = formatNumberVi(n, { maxFractionDigits: 4 });
          const back = parseNumberVi(printed);
          // `1,109` may also be read 1109: the reader decides by the indicator; n is one reading.
          const values = back ? (back.ambiguous ? [...back.candidates] : [back.value]) : [];
          expect(values).toContain(n);
          expect(figureLimit(printed)).toBeUndefined();
        },
      ),
      RUNS,
    );
    fc.assert(
      // Zero alone is "không", which is also "no": it is read as a yes/no word, not a number.
      fc.property(fc.integer({ min: 1, max: 999_999 }), (n) => {
        expect(parseNumberWords(numberWords(n))).toBe(BigInt(n));
      }),
      RUNS,
    );
  });

  it('refuses more than 4 decimals and 10^14 or more, whatever the grouping', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 999 }),
        fc.integer({ min: 5, max: 9 }),
        (int, decimals) => {
          expect(figureLimit(`${int},${'7'.repeat(decimals)}`)).toBe('decimals');
        },
      ),
      RUNS,
    );
    fc.assert(
      fc.property(fc.bigInt({ min: 10n ** 14n, max: 10n ** 20n }), (n) => {
        expect(figureLimit(n.toString())).toBe('tooLarge');
        expect(figureLimit(n.toString().replace(/\B(?=(\d{3})+(?!\d))/g, '.'))).toBe('tooLarge');
      }),
      RUNS,
    );
  });
});

/** A typed value for an indicator, in the forms people type, with up to 6 decimals. */
const valueArb = fc.oneof(
  fc
    .tuple(
      fc.integer({ min: 0, max: 100 }),
      fc.integer({ min: 0, max: 999_999 }),
      fc.integer({ min: 0, max: 6 }),
    )
    .map(([i, f, d]) => (d === 0 ? `${i}%` : `${i},${String(f).padStart(6, '0').slice(0, d)}%`)),
  fc
    .tuple(fc.integer({ min: 0, max: 2_000_000 }), fc.integer({ min: 1, max: 2_000_000 }))
    .map(([a, b]) => `${formatNumberVi(Math.min(a, b))}/${formatNumberVi(Math.max(a, b))}`),
  fc.bigInt({ min: 0n, max: 10n ** 16n }).map((n) => n.toString()),
  fc.integer({ min: 0, max: 999_999 }).map((n) => numberWords(n)),
  fc.constantFrom('có', 'chưa có', 'không'),
);

describe('every accepted figure is stored exactly as echoed', () => {
  it('parser → domain normalisation (Decimal(18, 4)) → confirmation text agree', () => {
    fc.assert(
      fc.property(fc.constantFrom(...catalogue), valueArb, (def, value) => {
        const r = parseReport(`${def.code} ${value}`, catalogue, NOW, DEFAULT_SCHEDULE, {
          lenient: true,
        });
        if (!r.ok) return;
        const [item] = r.items;
        if (!item) return;
        const stored = normalizeFigure(def.code, def.unit, {
          ...(item.numerator !== undefined && item.denominator !== undefined
            ? { numerator: item.numerator, denominator: item.denominator }
            : { value: item.value ?? null }),
        });
        const ind = { ...def, targets: [] } as unknown as ReportIndicator;
        const echo = formatFigure(t as never, 'vi', ind, item);
        // Every number the echo shows (except a derived "≈" percentage) is what is stored.
        if (def.unit === 'boolean') {
          expect(echo).toBe(stored.value === 1 ? 'có' : 'không');
          return;
        }
        // Read the echo back as the parser does for this indicator (`1,001%` is 1.001).
        const numbers = [...echo.replace(/\(≈[^)]*\)/, '').matchAll(/[\d.,]*\d%?/g)].map((m) => {
          const p = parseNumberVi(m[0]);
          if (!p || !p.ambiguous) return p?.value;
          return m[0].endsWith('%') ? p.candidates[1] : p.candidates[0];
        });
        if (stored.numerator !== null) {
          expect(numbers.slice(0, 2)).toEqual([stored.numerator, stored.denominator]);
          if (!echo.includes('≈') && stored.denominator !== 0)
            expect(numbers[2]).toBe(stored.value);
        } else {
          expect(numbers).toEqual([stored.value]);
        }
        // And the stored value is the one typed (no silent rounding of a typed figure).
        if (item.numerator === undefined) expect(stored.value).toBe(item.value);
      }),
      { numRuns: 1500 },
    );
  });
});
