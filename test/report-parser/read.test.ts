import { describe, expect, it } from 'vitest';
import { formatPeriod } from '../../src/domain/periods.js';
import { DEFAULT_SCHEDULE } from '../../src/domain/schedule.js';
import { indicatorDefsFromCsv } from '../../src/report-parser/catalogue.js';
import { readMessage, type Reading } from '../../src/report-parser/read.js';
import {
  CATEGORIES,
  corpusUnits,
  freeTextCases,
  type Category,
  type FreeCase,
  type FreeItem,
} from './free-text-corpus.js';

const catalogue = indicatorDefsFromCsv('prisma/seed/indicators.csv');
const units = corpusUnits();
const read = (text: string, now: Date, own = '18073'): Reading =>
  readMessage(text, {
    catalogue,
    now,
    schedule: DEFAULT_SCHEDULE,
    sender: { own: [own], units },
  });
const DEC2 = new Date('2026-12-02T09:00:00+07:00');

/** `HSTT 98/120 @T11/2026` per item, for compact expectations. */
function summary(r: Reading): string {
  if (r.kind !== 'complete') return r.kind;
  return r.items
    .map((i) => {
      const v =
        i.boolean !== undefined
          ? i.boolean
            ? 'có'
            : 'không'
          : i.denominator !== undefined
            ? `${i.numerator}/${i.denominator}`
            : i.barePercent
              ? `${i.value}%`
              : String(i.value);
      return `${i.code} ${v} @${formatPeriod(i.period)}`;
    })
    .join('; ');
}

describe('readMessage on the wordings of issue 13 (now 02/12/2026)', () => {
  it.each([
    ['Dạ em gửi HSTT 90/100 ạ. Em cảm ơn 🙏 - Phường Thành Sen', 'HSTT 90/100 @T11/2026'],
    ['thang muoi HSCV dat tam muoi phan tram', 'HSCV 80% @T10/2026'],
    ['cáp quang quý ba: 1.250 trên 1.500 hộ', 'CAPQUANG 1250/1500 @Q3/2026'],
    ['TCNS quý 4 có 6 tổ, 42 thành viên', 'TCNS 42 @Q4/2026'],
    ['phường em chưa có cán bộ CNTT', 'CNTT không @năm 2026'],
    ['tháng 11 tiếp nhận 200 hồ sơ, trong đó 150 hồ sơ trực tuyến', 'HSTT 150/200 @T11/2026'],
    ['baos caos thasng 11 HSTT 88/100', 'HSTT 88/100 @T11/2026'],
    ['HSCV 96 trên tổng số 120', 'HSCV 96/120 @T11/2026'],
    ['HS CV 65%', 'HSCV 65% @T11/2026'],
    ['tk thanh toán quý 4: 700/900', 'TKTT 700/900 @Q4/2026'],
    ['phủ sóng 12/12 thôn', 'PHU4G 12/12 @Q4/2026'],
    ['4G/5G 10/12', 'PHU4G 10/12 @Q4/2026'],
    ['OCOP lên sàn 3/4', 'OCOP 3/4 @Q4/2026'],
    ['hồ sơ sức khỏe điện tử 5.000/6.000', 'HSSK 5000/6000 @Q4/2026'],
    ['gửi ngày 02/12/2026 HSCV 70%', 'HSCV 70% @T11/2026'],
    ['T10/26 HSTT 1/2', 'HSTT 1/2 @T10/2026'],
    ['quý III năm 2026 KNS 45/50', 'KNS 45/50 @Q3/2026'],
    ['tháng 12 HSCV 20%', 'HSCV 20% @T12/2026'],
    ['tha1ng 11 HSCV 70%', 'HSCV 70% @T11/2026'],
    ['KNS quys 4 45/50', 'KNS 45/50 @Q4/2026'],
    ['TCNS cos 40', 'TCNS 40 @Q4/2026'],
  ])('%j → %s', (text, expected) => {
    expect(summary(read(text, DEC2))).toBe(expected);
  });

  it('accepts the sender’s own unit named anywhere and refuses another, naming both', () => {
    expect(read('Xã Thạch Hà: HSTT 1/2', DEC2, '18562').kind).toBe('complete');
    const r = read('Xã Thạch Hà: HSTT 1/2', DEC2, '18073');
    expect(r.kind).toBe('partial');
    const e =
      r.kind === 'partial' ? r.errors.find((x) => x.key === 'parse.error.otherUnit') : undefined;
    expect(e?.vars).toMatchObject({ unit: 'Xã Thạch Hà', own: 'Phường Thành Sen' });
  });

  it('names the unit when a reporter of several units writes one of them', () => {
    const r = readMessage('Xã Kỳ Anh HSTT 1/2', {
      catalogue,
      now: DEC2,
      schedule: DEFAULT_SCHEDULE,
      sender: { own: ['18073', '18775'], units },
    });
    expect(r.kind === 'complete' && r.unitCode).toBe('18775');
  });

  it('asks every candidate of a shared short form, never guessing', () => {
    const r = read('hồ sơ tháng 11: 98/120', DEC2);
    expect(r.kind).toBe('ambiguous');
    if (r.kind !== 'ambiguous') return;
    expect(r.part).toBe('hồ sơ');
    // HSSK is quarterly: "tháng 11" rules it out.
    expect(r.candidates.map((c) => c.code).sort()).toEqual(['HSCV', 'HSTT', 'SOHOA']);
    expect(summary({ kind: 'complete', ...r.candidates[0]!.reading })).toMatch(
      /98\/120 @T11\/2026/,
    );
    expect(read('tài khoản 80%', DEC2)).toMatchObject({ kind: 'ambiguous' });
    expect(read('kỹ năng số 45/50', DEC2)).toMatchObject({ kind: 'ambiguous' });
    // After a number "hồ sơ" is only what is counted.
    expect(summary(read('HSTT 98/120 hồ sơ', DEC2))).toBe('HSTT 98/120 @T11/2026');
  });

  it('asks back a slip inside a code or a name, with the likely reading, never reads it', () => {
    for (const [text, code] of [
      ['HSCVs 70%', 'HSCV'],
      ['TCNSs 40', 'TCNS'],
      ['hoof sow truwcj tuyeens 98/120', 'HSTT'],
      ['hos sơ trực tuyến 98/120', 'HSTT'],
      ['sos hoas 1.100/1.300', 'SOHOA'],
    ] as const) {
      const r = read(text, DEC2);
      expect(r.kind, text).toBe('partial');
      if (r.kind === 'partial')
        expect(
          r.likely?.items.map((i) => i.code),
          text,
        ).toEqual([code]);
    }
  });

  it('keeps KNS and TCNS as codes: the Telex tone key "s" is never taken off a code', () => {
    expect(summary(read('KNS 45/50', DEC2))).toBe('KNS 45/50 @Q4/2026');
    expect(summary(read('TCNS 40', DEC2))).toBe('TCNS 40 @Q4/2026');
  });

  it('refuses figures that cannot be stored exactly, in digits and in words', () => {
    for (const [text, key] of [
      ['HSCV 61,23456%', 'tooManyDecimals'],
      ['TCNS 100000000000000', 'tooLarge'],
      ['TCNS 9007199254740993', 'tooLarge'],
      ['TCNS một trăm nghìn tỷ', 'tooLarge'],
    ] as const) {
      const r = read(text, DEC2);
      expect(r.kind === 'partial' && r.errors.map((e) => e.key), text).toEqual([
        `parse.error.${key}`,
      ]);
    }
    expect(summary(read('HSCV 61,2345%', DEC2))).toBe('HSCV 61.2345% @T11/2026');
  });

  it('tells status questions and citizens’ questions from reports', () => {
    expect(read('xã Thạch Hà báo cáo chưa', DEC2).kind).toBe('status');
    expect(read('HSTT tháng 10 của xã mình là bao nhiêu', DEC2).kind).toBe('status');
    expect(read('cấp căn cước cho trẻ 14 tuổi', DEC2).kind).toBe('notReport');
    expect(read('HSTT là gì?', DEC2).kind).toBe('notReport');
    expect(read('CNTT chưa', DEC2).kind).toBe('complete');
  });
});

/** Does a reading match a complete expectation exactly (every indicator, value, period)? */
function exact(r: Reading, items: readonly FreeItem[]): boolean {
  if (r.kind !== 'complete' || r.items.length !== items.length) return false;
  return items.every((w) => {
    const g = r.items.find((x) => x.code === w.code);
    return (
      !!g &&
      formatPeriod(g.period) === w.period &&
      g.numerator === w.numerator &&
      g.denominator === w.denominator &&
      Math.abs((g.value ?? NaN) - w.value) < 1e-9
    );
  });
}

interface Score {
  cases: number;
  exact: number;
  expectedComplete: number;
  wronglyComplete: number;
  toCitizens: number;
  rightKind: number;
}

/** Score every category: printed for the note, asserted for the goals of issue 13. */
export function scoreFreeText(cases: readonly FreeCase[]): {
  byCategory: Map<Category, Score>;
  misses: string[];
} {
  const byCategory = new Map<Category, Score>();
  const misses: string[] = [];
  for (const c of cases) {
    const s = byCategory.get(c.category) ?? {
      cases: 0,
      exact: 0,
      expectedComplete: 0,
      wronglyComplete: 0,
      toCitizens: 0,
      rightKind: 0,
    };
    byCategory.set(c.category, s);
    s.cases++;
    const r = read(c.text, c.now, c.unit);
    const e = c.expect;
    if (e.kind === 'complete') {
      s.expectedComplete++;
      if (exact(r, e.items)) {
        s.exact++;
        s.rightKind++;
      } else {
        if (r.kind === 'complete') s.wronglyComplete++;
        if (r.kind === 'notReport' || r.kind === 'status') s.toCitizens++;
        misses.push(`[${c.category}] ${JSON.stringify(c.text)} → ${summary(r)}`);
      }
      continue;
    }
    const ok =
      e.kind === 'askBack' ? r.kind === 'partial' || r.kind === 'ambiguous' : r.kind === e.kind;
    if (ok) s.rightKind++;
    else misses.push(`[${c.category}] ${JSON.stringify(c.text)} → ${r.kind} (want ${e.kind})`);
    if (r.kind === 'complete') s.wronglyComplete++;
    if (e.kind !== 'notReport' && r.kind === 'notReport') s.toCitizens++;
  }
  return { byCategory, misses };
}

describe('free-text corpus (issue 13 categories)', () => {
  const cases = freeTextCases(catalogue);
  const { byCategory, misses } = scoreFreeText(cases);

  it('has at least 30 messages per category over all 17 indicators', () => {
    for (const cat of CATEGORIES) {
      expect(byCategory.get(cat)?.cases ?? 0, cat).toBeGreaterThanOrEqual(30);
    }
    for (const d of catalogue) {
      expect(
        cases.some(
          (c) =>
            c.text.includes(d.code) ||
            (c.expect.kind === 'complete' && c.expect.items.some((i) => i.code === d.code)),
        ),
        d.code,
      ).toBe(true);
    }
  });

  it('holds none of the issue’s own examples', () => {
    const examples = [
      'Dạ em gửi số liệu tháng 11 ạ: HSTT 98/120, HSCV 66%. Em cảm ơn - Phường Thành Sen',
      'thang muoi mot HSTT dat 70 phan tram',
      'số hóa tháng 10: 1.100 trên 1.300 hồ sơ',
      'tổ công nghệ số quý 3 có 40 thành viên',
      'xã có cán bộ CNTT chuyên trách',
      'Tháng 11 tiếp nhận 140 hồ sơ, trong đó 98 hồ sơ trực tuyến',
      'baos caos thangs 11 HSCV 70%',
      'xã Thạch Hà báo cáo chưa',
      'HSTT tháng 10 của xã mình là bao nhiêu',
      'cấp căn cước cho trẻ 14 tuổi',
    ];
    const texts = new Set(cases.map((c) => c.text));
    for (const e of examples) expect(texts.has(e), e).toBe(false);
  });

  it('reads ≥ 95% exactly, offers nothing to ask back as complete, sends no report to citizens', () => {
    const lines = [...byCategory].map(([cat, s]) => {
      const rate = s.expectedComplete
        ? `${((s.exact / s.expectedComplete) * 100).toFixed(1)}% read exactly`
        : `${((s.rightKind / s.cases) * 100).toFixed(1)}% right kind`;
      return `  ${cat.padEnd(10)} ${String(s.cases).padStart(4)} cases  ${rate}  wrongly complete ${s.wronglyComplete}  report-like to citizens ${s.toCitizens}`;
    });
    console.log(
      `[free-text corpus]\n${lines.join('\n')}${misses.length ? `\n  misses:\n  ${misses.slice(0, 40).join('\n  ')}` : ''}`,
    );
    let exactAll = 0;
    let completeAll = 0;
    for (const [cat, s] of byCategory) {
      exactAll += s.exact;
      completeAll += s.expectedComplete;
      if (cat === 'askBack' || cat === 'status' || cat === 'citizen') {
        expect(s.wronglyComplete, cat).toBe(0);
      }
      if (cat !== 'citizen') expect(s.toCitizens, cat).toBe(0);
      if (s.expectedComplete > 0)
        expect(s.exact / s.expectedComplete, cat).toBeGreaterThanOrEqual(0.95);
    }
    expect(exactAll / completeAll).toBeGreaterThanOrEqual(0.95);
    for (const s of byCategory.values()) expect(s.wronglyComplete).toBe(0);
  });
});
