import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportRowsError, runImport, type ApplyContext } from '../../../src/admin/importers.js';
import { importer, lineOfPath } from '../../../src/admin/importers/schedule.js';
import { currentSchedule } from '../../../src/domain/reports/schedule-source.js';
import { DEFAULT_SCHEDULE } from '../../../src/domain/schedule.js';
import { createTestDb, type TestDb } from '../../helpers/db.js';

const ctx = (now = new Date('2026-01-02T03:00:00Z')): ApplyContext => ({
  now,
  actor: 'cli',
  fileName: 'schedule.json',
  progress: () => undefined,
});

describe('lineOfPath', () => {
  const text =
    '{\n  "version": 1,\n  "reminders": [\n    "-3d",\n    "soon"\n  ],\n  "due": [\n    { "indicator": "HSTT" },\n    {\n      "indicator": "XX"\n    }\n  ]\n}\n';
  it('finds the line of a key, an array item and a nested field', () => {
    expect(lineOfPath(text, ['version'])).toBe(2);
    expect(lineOfPath(text, ['reminders', 1])).toBe(5);
    expect(lineOfPath(text, ['due', 0])).toBe(8);
    expect(lineOfPath(text, ['due', 1, 'indicator'])).toBe(10);
    expect(lineOfPath(text, ['nothing', 3])).toBe(0);
  });
});

describe('import schedule: parsing', () => {
  it('accepts the default config/schedule.json', () => {
    const r = importer.parse(readFileSync('config/schedule.json'), 'schedule.json');
    expect(r).toEqual({ ok: true, rows: 1, value: { schedule: DEFAULT_SCHEDULE, dueLines: [] } });
  });

  it('names every bad field with its line and reason', () => {
    const text =
      '{\n  "version": 1,\n  "deadline": { "daysAfterEnd": 5, "time": "5pm" },\n  "reminders": ["-3d", "tomorrow"]\n}';
    const r = importer.parse(Buffer.from(text), 'bad.json');
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.errors).toEqual([
      { line: 3, message: expect.stringMatching(/^deadline\.time: expected a local time HH:mm/) },
      { line: 4, message: expect.stringMatching(/^reminders\.1: expected an offset/) },
    ]);
  });

  it('reports broken JSON instead of throwing', () => {
    const r = importer.parse(Buffer.from('{\n  "version": 1,\n  oops\n}'), 'broken.json');
    expect(r.ok ? [] : r.errors).toEqual([
      { line: expect.any(Number), message: expect.stringMatching(/^not valid JSON/) },
    ]);
  });
});

describe('import schedule: storing', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
    await t.db.prisma.indicator.create({
      data: {
        code: 'HSTT',
        nameVi: 'Tỷ lệ hồ sơ trực tuyến',
        nameEn: 'Online dossiers',
        unit: 'percent',
        periodicity: 'month',
        appliesTo: ['commune', 'province'],
        aliases: [],
      },
    });
  }, 120_000);
  afterAll(async () => {
    await t?.cleanup();
  });

  const file = (due: unknown[]): Buffer =>
    Buffer.from(
      JSON.stringify({ version: 1, deadline: { daysAfterEnd: 7, time: '16:30' }, due }, null, 2),
    );

  it('stores a new schedule, puts it in force and audits it; the same file again changes nothing', async () => {
    const first = await runImport(
      t.db,
      importer,
      file([{ indicator: 'HSTT', periodicity: 'quarter' }]),
      ctx(),
    );
    expect(first.counts).toEqual({ imported: 1 });
    const inForce = await currentSchedule(t.db.prisma);
    expect(inForce.deadline).toEqual({ daysAfterEnd: 7, time: '16:30' });
    expect(inForce.due).toEqual([{ indicator: 'HSTT', enabled: true, periodicity: 'quarter' }]);

    const again = await runImport(
      t.db,
      importer,
      file([{ indicator: 'HSTT', periodicity: 'quarter' }]),
      ctx(),
    );
    expect(again.counts).toEqual({ unchanged: 1 });
    expect(await t.db.prisma.scheduleConfig.count()).toBe(1);
    const trail = await t.db.prisma.auditLog.findMany({ where: { entity: 'schedule' } });
    expect(trail.map((a) => [a.action, a.actor])).toEqual([['schedule.import', 'cli']]);
  });

  it('refuses a schedule naming an unknown indicator, with its line, and stores nothing', async () => {
    const before = await t.db.prisma.scheduleConfig.count();
    const err = await runImport(
      t.db,
      importer,
      file([{ indicator: 'HSTT' }, { indicator: 'NOPE' }]),
      ctx(),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportRowsError);
    expect((err as ImportRowsError).errors).toEqual([
      { line: 12, message: 'due.1.indicator: unknown indicator code NOPE' },
    ]);
    expect(await t.db.prisma.scheduleConfig.count()).toBe(before);
  });
});
