import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../helpers/db.js';
import { AccessError, NotFoundError, ValidationError } from '../../../src/domain/access.js';
import { auditTrail } from '../../../src/domain/audit.js';
import { parsePeriod, periodStart, type Period } from '../../../src/domain/periods.js';
import { DEFAULT_SCHEDULE } from '../../../src/domain/schedule.js';
import {
  BARE_PERCENT_NOTE,
  LockedError,
  figureHistory,
  reopenPeriod,
  submitFigures,
  withdrawFigure,
} from '../../../src/domain/submissions/index.js';
import { lockAndRead, newRowId } from '../../../src/domain/submissions/submit.js';
import { addPerson, seedFixture, vn, type Fixture } from '../people/fixture.js';

let t: TestDb;
let f: Fixture;
let reporter: string;
let manager: string;
const schedule = DEFAULT_SCHEDULE;
const now = vn('2025-11-03T09:00:00');
const P = (s: string): Period => {
  const p = parsePeriod(s, now);
  if (!p) throw new Error(s);
  return p;
};

beforeAll(async () => {
  t = await createTestDb();
  f = await seedFixture(t.db);
  reporter = await addPerson(t.db, { name: 'Lê Thị B', unitId: f.tranPhu, role: 'reporter' });
  manager = await addPerson(t.db, { name: 'Trần Quản Lý', unitId: f.province, role: 'manager' });
}, 120_000);
afterAll(async () => {
  await t?.cleanup();
});

const base = () => ({ personId: reporter, unitId: f.tranPhu, channel: 'sim', schedule });

describe('submitFigures', () => {
  it("uses the caller's catalogue when given one (read once per update from its cache)", async () => {
    const input = {
      ...base(),
      period: P('T4/2025'),
      now: vn('2025-05-02T09:00:00'),
      items: [{ indicatorCode: 'HSTT', numerator: 3, denominator: 4 }],
    };
    await expect(submitFigures(t.db.prisma, { ...input, indicators: new Map() })).rejects.toThrow(
      NotFoundError,
    );
    const hstt = await t.db.prisma.indicator.findUniqueOrThrow({ where: { code: 'HSTT' } });
    const r = await submitFigures(t.db.prisma, { ...input, indicators: new Map([['HSTT', hstt]]) });
    expect(r.items[0]!.current).toEqual({ numerator: 3, denominator: 4, value: 75, note: null });
  });

  it('draws another receipt number while any row of the message would take one in use', async () => {
    const draws =
      (...refs: string[]) =>
      () =>
        refs.shift()!;
    const submit = (month: number, codes: string[], newRef: () => string) =>
      submitFigures(t.db.prisma, {
        ...base(),
        period: P(`T${month}/2025`),
        // Early in the next month: the period is open.
        now: vn(`2025-${String(month + 1).padStart(2, '0')}-02T09:00:00`),
        items: codes.map((indicatorCode) => ({ indicatorCode, numerator: 1, denominator: 2 })),
        newRef,
      });
    const first = await submit(5, ['HSTT', 'HSCV'], draws('RRRRR2'));
    expect(first.ref).toBe('RRRRR2');
    const refs = await t.db.prisma.submission.findMany({
      where: { ref: { startsWith: 'RRRRR2' } },
      select: { ref: true },
      orderBy: { ref: 'asc' },
    });
    expect(refs.map((r) => r.ref)).toEqual(['RRRRR2', 'RRRRR2-2']);
    // The first row's number is in use: drawn again.
    expect((await submit(6, ['HSTT'], draws('RRRRR2', 'RRRRR3'))).ref).toBe('RRRRR3');
    // Only the second row's number is in use (RRRRR2-2): drawn again as well.
    await t.db.prisma.submission.update({ where: { ref: 'RRRRR2' }, data: { ref: 'RRRRR9' } });
    expect((await submit(7, ['HSTT', 'HSCV'], draws('RRRRR2', 'RRRRR4'))).ref).toBe('RRRRR4');
    // A one-row message does not care about another message's second row.
    expect((await submit(8, ['HSTT'], draws('RRRRR2'))).ref).toBe('RRRRR2');
    // The number drawn again is checked too: RRRRR3 and RRRRR9 are in use, RRRRR6 is not.
    expect((await submit(2, ['HSTT'], draws('RRRRR3', 'RRRRR9', 'RRRRR6'))).ref).toBe('RRRRR6');
  });

  it('stores numerator and denominator, derives the percentage and returns a short receipt', async () => {
    const r = await submitFigures(t.db.prisma, {
      ...base(),
      period: P('T10/2025'),
      now,
      items: [{ indicatorCode: 'hstt', numerator: 120, denominator: 150 }],
    });
    expect(r.period).toBe('T10/2025');
    expect(r.ref).toMatch(/^[2-9A-Z]{6}$/);
    expect(r.items).toEqual([
      expect.objectContaining({
        code: 'HSTT',
        created: true,
        current: { numerator: 120, denominator: 150, value: 80, note: null },
      }),
    ]);
    const row = await t.db.prisma.submission.findFirstOrThrow({
      where: { unitId: f.tranPhu, indicatorCode: 'HSTT' },
    });
    expect(row.ref).toBe(r.ref);
    expect(row.periodStart.toISOString()).toBe('2025-10-01T00:00:00.000Z');
  });

  it('reads the row it locks exactly as Prisma reads it (decimals, dates, nulls)', async () => {
    const stored = await t.db.prisma.submission.findFirstOrThrow({
      where: { unitId: f.tranPhu, indicatorCode: 'HSTT', period: 'T10/2025' },
    });
    const locked = await t.db.prisma.$transaction((tx) =>
      lockAndRead(tx, f.tranPhu, 'HSTT', 'T10/2025'),
    );
    expect(locked).toEqual(stored);
    expect(locked!.numerator!.toString()).toBe('120');
    expect(
      await t.db.prisma.$transaction((tx) => lockAndRead(tx, f.tranPhu, 'HSTT', 'T9/2025')),
    ).toBeNull();
  });

  it('replaces the value on a correction, reports what it replaced and keeps the first submission time', async () => {
    const later = vn('2025-11-10T08:00:00'); // after the deadline, before the lock
    const r = await submitFigures(t.db.prisma, {
      ...base(),
      channel: 'telegram',
      period: P('T10/2025'),
      now: later,
      items: [{ indicatorCode: 'HSTT', numerator: 60, denominator: 100 }],
    });
    expect(r.items[0]?.created).toBe(false);
    expect(r.items[0]?.previous?.value).toBe(80);
    expect(r.items[0]?.current.value).toBe(60);
    const row = await t.db.prisma.submission.findFirstOrThrow({
      where: { unitId: f.tranPhu, indicatorCode: 'HSTT' },
    });
    expect(row.firstSubmittedAt.toISOString()).toBe(now.toISOString());
    expect(row.lastSubmittedAt.toISOString()).toBe(later.toISOString());
    expect(row.lastChannel).toBe('telegram');
    const history = await figureHistory(t.db.prisma, {
      unitId: f.tranPhu,
      indicatorCode: 'HSTT',
      period: P('T10/2025'),
    });
    expect(history.map((h) => h.action)).toEqual(['create', 'update']);
    expect(history[1]?.oldData).toMatchObject({ value: 80 });
    expect(history[1]?.newData).toMatchObject({ value: 60 });
  });

  it('stores a bare percentage with a note that numerator and denominator are missing', async () => {
    const r = await submitFigures(t.db.prisma, {
      ...base(),
      period: P('T10/2025'),
      now,
      items: [{ indicatorCode: 'HSCV', value: 65.5 }],
    });
    expect(r.items[0]?.current).toEqual({
      numerator: null,
      denominator: null,
      value: 65.5,
      note: BARE_PERCENT_NOTE,
    });
  });

  it('saves nothing when one item of the message is invalid', async () => {
    const err = await submitFigures(t.db.prisma, {
      ...base(),
      period: P('Q4/2025'),
      now,
      items: [
        { indicatorCode: 'KNS', numerator: 45, denominator: 50 },
        { indicatorCode: 'TCNS', value: 2.5 },
      ],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).key).toBe('domain.errors.countRange');
    expect(await t.db.prisma.submission.count({ where: { indicatorCode: 'KNS' } })).toBe(0);
  });

  it.each([
    [{ indicatorCode: 'HSTT', numerator: 160, denominator: 150 }, 'domain.errors.fractionRange'],
    [{ indicatorCode: 'HSTT', numerator: 1, denominator: 0 }, 'domain.errors.fractionRange'],
    [{ indicatorCode: 'HSTT', value: 101 }, 'domain.errors.percentRange'],
    [{ indicatorCode: 'HSTT', numerator: 5 }, 'domain.errors.fraction'],
  ])('rejects %o with %s', async (item, key) => {
    await expect(
      submitFigures(t.db.prisma, { ...base(), period: P('T10/2025'), now, items: [item] }),
    ).rejects.toMatchObject({ key });
  });

  it('says which period an indicator takes when the period is of the wrong kind', async () => {
    await expect(
      submitFigures(t.db.prisma, {
        ...base(),
        period: P('T10/2025'),
        now,
        items: [{ indicatorCode: 'KNS', value: 50 }],
      }),
    ).rejects.toMatchObject({
      key: 'domain.errors.wrongPeriodKind',
      vars: { expected: 'quarter' },
    });
  });

  it('refuses an indicator not reported at the unit level and unknown indicators', async () => {
    await expect(
      submitFigures(t.db.prisma, {
        ...base(),
        period: P('Q4/2025'),
        now,
        items: [{ indicatorCode: 'TTHCTT', value: 50 }],
      }),
    ).rejects.toMatchObject({ key: 'domain.errors.notDueForLevel' });
    await expect(
      submitFigures(t.db.prisma, {
        ...base(),
        period: P('Q4/2025'),
        now,
        items: [{ indicatorCode: 'NOPE', value: 50 }],
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('refuses a person who is not a reporter of that unit', async () => {
    await expect(
      submitFigures(t.db.prisma, {
        ...base(),
        unitId: f.thanhSen,
        period: P('T10/2025'),
        now,
        items: [{ indicatorCode: 'HSTT', value: 50 }],
      }),
    ).rejects.toBeInstanceOf(AccessError);
    await expect(
      submitFigures(t.db.prisma, {
        ...base(),
        personId: manager,
        period: P('T10/2025'),
        now,
        items: [{ indicatorCode: 'HSTT', value: 50 }],
      }),
    ).rejects.toBeInstanceOf(AccessError);
  });

  it('refuses a period that has not started yet', async () => {
    await expect(
      submitFigures(t.db.prisma, {
        ...base(),
        period: P('T12/2025'),
        now,
        items: [{ indicatorCode: 'HSTT', value: 50 }],
      }),
    ).rejects.toMatchObject({ key: 'domain.errors.periodNotStarted' });
  });
});

describe('what a refusal says', () => {
  const submit = (over: Partial<Parameters<typeof submitFigures>[1]>) =>
    submitFigures(t.db.prisma, {
      ...base(),
      period: P('T10/2025'),
      now,
      items: [{ indicatorCode: 'HSTT', value: 50 }],
      ...over,
    });

  it('names the message that carries no figure and the indicator given twice', async () => {
    await expect(submit({ items: [] })).rejects.toMatchObject({
      key: 'domain.errors.empty',
      message: 'nothing to submit',
    });
    await expect(
      submit({
        items: [
          { indicatorCode: 'HSTT', value: 50 },
          { indicatorCode: 'hstt', value: 60 },
        ],
      }),
    ).rejects.toMatchObject({
      key: 'domain.errors.duplicate',
      vars: { code: 'HSTT' },
      message: 'HSTT twice',
    });
  });

  it('names the unknown unit, the unknown indicator and the unit the person does not report for', async () => {
    await expect(submit({ unitId: 'no-such-unit' })).rejects.toMatchObject({
      entity: 'unit',
      ref: 'no-such-unit',
    });
    await expect(submit({ items: [{ indicatorCode: 'nope', value: 1 }] })).rejects.toMatchObject({
      entity: 'indicator',
      ref: 'nope',
    });
    await expect(submit({ unitId: f.thanhSen })).rejects.toMatchObject({
      key: 'domain.errors.notReporter',
      vars: { unit: 'Phường Thành Sen' },
    });
  });

  it('names the period not started yet, and the level that does not report an indicator', async () => {
    await expect(submit({ period: P('T12/2025') })).rejects.toMatchObject({
      key: 'domain.errors.periodNotStarted',
      vars: { period: 'T12/2025' },
    });
    await expect(
      submit({ period: P('Q4/2025'), items: [{ indicatorCode: 'TTHCTT', value: 50 }] }),
    ).rejects.toMatchObject({
      key: 'domain.errors.notDueForLevel',
      vars: { code: 'TTHCTT', level: 'commune' },
    });
  });
});

describe('one message with several figures', () => {
  it('is taken at the very start of its period, one receipt with a numbered row per figure', async () => {
    const period = P('T11/2025');
    const r = await submitFigures(t.db.prisma, {
      ...base(),
      period,
      now: periodStart(period),
      items: [
        { indicatorCode: 'HSTT', numerator: 9, denominator: 10 },
        { indicatorCode: 'HSCV', numerator: 3, denominator: 4 },
      ],
    });
    const rows = await t.db.prisma.submission.findMany({
      where: { unitId: f.tranPhu, period: 'T11/2025' },
    });
    expect(Object.fromEntries(rows.map((row) => [row.indicatorCode, row.ref]))).toEqual({
      HSTT: r.ref,
      HSCV: `${r.ref}-2`,
    });
  });
});

describe('concurrent reports', () => {
  it('serialises two reporters of one unit reporting the same new figure at once', async () => {
    const second = await addPerson(t.db, { name: 'Đỗ Văn E', unitId: f.tranPhu, role: 'reporter' });
    const q = P('Q4/2025');
    const [a, b] = await Promise.all([
      submitFigures(t.db.prisma, {
        ...base(),
        period: q,
        now,
        items: [{ indicatorCode: 'KNS', numerator: 1, denominator: 2 }],
      }),
      submitFigures(t.db.prisma, {
        ...base(),
        personId: second,
        period: q,
        now,
        items: [{ indicatorCode: 'KNS', numerator: 3, denominator: 4 }],
      }),
    ]);
    expect([a.items[0]?.created, b.items[0]?.created].sort()).toEqual([false, true]);
    const history = await figureHistory(t.db.prisma, {
      unitId: f.tranPhu,
      indicatorCode: 'KNS',
      period: q,
    });
    expect(history.map((h) => h.action)).toEqual(['create', 'update']);
    expect(history[1]?.oldData).toMatchObject({
      value: history[0]?.newData && (history[0].newData as { value: number }).value,
    });
  });
});

describe('locks and reopening', () => {
  it('refuses a locked period naming who can reopen it, and accepts it after a manager reopens', async () => {
    // T9/2025: deadline 05/10/2025 17:00, locked from 15/10/2025 17:00.
    const err = await submitFigures(t.db.prisma, {
      ...base(),
      period: P('T9/2025'),
      now,
      items: [{ indicatorCode: 'HSTT', numerator: 1, denominator: 2 }],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LockedError);
    expect((err as LockedError).reopeners.map((r) => r.displayName)).toContain('Trần Quản Lý');
    expect((err as LockedError).lockedAt.toISOString()).toBe(
      vn('2025-10-15T17:00:00').toISOString(),
    );

    await expect(
      reopenPeriod(t.db.prisma, {
        unitCode: '18100',
        period: 'T9/2025',
        by: { personId: reporter },
        now,
        schedule,
      }),
    ).rejects.toBeInstanceOf(AccessError);
    const reopen = await reopenPeriod(t.db.prisma, {
      unitCode: '18100',
      period: 'T9/2025',
      by: { personId: manager },
      now,
      schedule,
    });
    expect(reopen.until.toISOString()).toBe(new Date(now.getTime() + 3 * 86_400_000).toISOString());
    const ok = await submitFigures(t.db.prisma, {
      ...base(),
      period: P('T9/2025'),
      now: new Date(now.getTime() + 3_600_000),
      items: [{ indicatorCode: 'HSTT', numerator: 1, denominator: 2 }],
    });
    expect(ok.items[0]?.current.value).toBe(50);
    // It locks again once the grace is over; the other unit stayed locked throughout.
    await expect(
      submitFigures(t.db.prisma, {
        ...base(),
        period: P('T9/2025'),
        now: new Date(now.getTime() + 4 * 86_400_000),
        items: [{ indicatorCode: 'HSTT', value: 1 }],
      }),
    ).rejects.toBeInstanceOf(LockedError);
    const audit = await t.db.prisma.auditLog.findMany({ where: { action: 'period.reopen' } });
    expect(audit).toHaveLength(1);
  });
});

describe('withdrawFigure', () => {
  it('withdraws before the lock, keeps history, and a new report keeps the first time', async () => {
    const q = P('Q4/2025');
    await submitFigures(t.db.prisma, {
      ...base(),
      period: q,
      now,
      items: [{ indicatorCode: 'TCNS', value: 12 }],
    });
    const w = await withdrawFigure(t.db.prisma, {
      ...base(),
      indicatorCode: 'TCNS',
      period: q,
      now: vn('2025-11-04T08:00:00'),
    });
    expect(w.previous.value).toBe(12);
    await expect(
      withdrawFigure(t.db.prisma, {
        ...base(),
        indicatorCode: 'TCNS',
        period: q,
        now: vn('2025-11-04T08:00:00'),
      }),
    ).rejects.toMatchObject({ entity: 'submission', ref: 'TCNS Q4/2025' });
    const again = await submitFigures(t.db.prisma, {
      ...base(),
      period: q,
      now: vn('2025-11-05T08:00:00'),
      items: [{ indicatorCode: 'TCNS', value: 14 }],
    });
    expect(again.items[0]?.created).toBe(true);
    expect(again.items[0]?.previous).toBeUndefined();
    const history = await figureHistory(t.db.prisma, {
      unitId: f.tranPhu,
      indicatorCode: 'TCNS',
      period: q,
    });
    expect(history.map((h) => h.action)).toEqual(['create', 'withdraw', 'update']);
    // A figure never reported has no history.
    expect(
      await figureHistory(t.db.prisma, {
        unitId: f.tranPhu,
        indicatorCode: 'TCNS',
        period: P('Q3/2025'),
      }),
    ).toEqual([]);
    const row = await t.db.prisma.submission.findFirstOrThrow({ where: { indicatorCode: 'TCNS' } });
    expect(row.firstSubmittedAt.toISOString()).toBe(now.toISOString());
    // The withdrawal's version goes from active to withdrawn, keeping the figure.
    expect(history[1]).toMatchObject({
      oldData: { value: 12, status: 'active' },
      newData: { value: 12, status: 'withdrawn' },
    });
    // The audit trail: who did what, with the old figure and the new one where there is one.
    const trail = await auditTrail(t.db.prisma, 'submission', row.id);
    const about = { unitId: f.tranPhu, indicatorCode: 'TCNS', period: 'Q4/2025' };
    const figure = (value: number, status: string) =>
      expect.objectContaining({ value, status, ref: expect.any(String) });
    expect(trail.map((a) => [a.action, a.actor, a.data])).toEqual([
      ['submission.create', `person:${reporter}`, { ...about, new: figure(12, 'active') }],
      ['submission.withdraw', `person:${reporter}`, { ...about, old: figure(12, 'active') }],
      [
        'submission.update',
        `person:${reporter}`,
        { ...about, old: figure(12, 'withdrawn'), new: figure(14, 'active') },
      ],
    ]);
  });

  it('refuses to withdraw after the lock', async () => {
    await expect(
      withdrawFigure(t.db.prisma, {
        ...base(),
        indicatorCode: 'HSTT',
        period: P('T10/2025'),
        now: vn('2025-11-16T08:00:00'),
      }),
    ).rejects.toBeInstanceOf(LockedError);
  });
});

describe('row ids written by plain statements', () => {
  it("sort by creation time with Prisma's cuid() ids, never repeat, and keep their shape", async () => {
    const prismaMade = (await t.db.prisma.person.create({ data: { displayName: 'id' } })).id;
    const ids = Array.from({ length: 3000 }, () => newRowId());
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids[0]! > prismaMade).toBe(true);
    for (const id of [...ids.slice(0, 3), prismaMade]) expect(id).toMatch(/^c[0-9a-z]{24}$/);
    expect(newRowId(Date.UTC(2030, 0, 1)) > newRowId(Date.UTC(2029, 11, 31))).toBe(true);
  });
});
