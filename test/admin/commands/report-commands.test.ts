import ExcelJS from 'exceljs';
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../helpers/db.js';
import { runAdminCommand } from '../../../src/admin/run.js';
import { parseUntil } from '../../../src/admin/commands/reopen.js';
import type { AdminDeps } from '../../../src/admin/types.js';
import { parsePeriod, type Period } from '../../../src/domain/periods.js';
import { DEFAULT_SCHEDULE } from '../../../src/domain/schedule.js';
import { submitFigures } from '../../../src/domain/submissions/index.js';
import { addPerson, seedFixture, vn, type Fixture } from '../../domain/people/fixture.js';

let t: TestDb;
let f: Fixture;
let deps: AdminDeps;
let reporter: string;
const now = vn('2025-11-03T09:00:00');
const run = (...argv: string[]) => runAdminCommand(argv, deps, { collectOutputFiles: true });

beforeAll(async () => {
  t = await createTestDb();
  f = await seedFixture(t.db);
  deps = {
    db: t.db,
    config: { dataDir: t.dataDir, timezone: 'Asia/Ho_Chi_Minh' },
    now: () => now,
    readFile: (p) => readFile(p),
    writeFile: async () => {},
  };
  reporter = await addPerson(t.db, { name: 'R', unitId: f.tranPhu, role: 'reporter' });
  await submitFigures(t.db.prisma, {
    personId: reporter,
    unitId: f.tranPhu,
    channel: 'sim',
    period: parsePeriod('T10/2025', now) as Period,
    now,
    schedule: DEFAULT_SCHEDULE,
    items: [{ indicatorCode: 'HSTT', numerator: 120, denominator: 150 }],
  });
}, 120_000);
afterAll(async () => {
  await t?.cleanup();
});

describe('export', () => {
  it('writes CSV to stdout with the exact header, one row per unit and indicator due', async () => {
    const r = await run('export', '--period', 'thang 10/2025', '--indicator', 'HSTT');
    expect(r.exitCode).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'unit_code,unit_name,indicator_code,period,numerator,denominator,value,unit,target,target_met,first_submitted_at,last_submitted_at,on_time',
    );
    expect(lines).toHaveLength(1 + 5);
    expect(lines).toContain(
      '18100,Phường Trần Phú,HSTT,T10/2025,120,150,80,percent,50,true,2025-11-03T09:00:00+07:00,2025-11-03T09:00:00+07:00,true',
    );
  });

  it('writes XLSX to --out (and as bytes to stdout)', async () => {
    const r = await run('export', '--period', 'T10/2025', '--format', 'xlsx', '--out', 'out.xlsx');
    expect(r.exitCode).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.files['out.xlsx'] as unknown as ArrayBuffer);
    expect(wb.worksheets[0]?.getCell('A1').value).toBe('Mã đơn vị');
    expect(wb.worksheets[0]?.rowCount).toBe(1 + 10);
    const s = await run('export', '--period', 'T10/2025', '--format', 'xlsx');
    expect(s.stdoutBytes.subarray(0, 2).toString('latin1')).toBe('PK');
  });

  it('--layout wide and --dialect excel: the dashboard’s documents', async () => {
    const r = await run('export', '--period', 'T10/2025', '--layout', 'wide', '--out', 'w.xlsx');
    expect(r.exitCode).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(r.files['w.xlsx'] as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.getCell('A1').value).toBe('Báo cáo chuyển đổi số — kỳ T10/2025');
    expect(ws.getCell('A6').value).toBe('Mã đơn vị');
    expect(ws.autoFilter).toMatch(/^A6:/);
    expect(String(ws.getRow(ws.rowCount).getCell(2).value)).toContain('Tổng cộng');
    const c = await run('export', '--period', 'T10/2025', '--dialect', 'excel');
    expect(c.exitCode).toBe(0);
    expect(c.stdout.startsWith('\uFEFFunit_code;unit_name;')).toBe(true);
  });

  it.each([
    [['export', '--period', 'T10/2025', '--layout', 'tall'], /bad --layout/],
    [['export', '--period', 'T10/2025', '--dialect', 'libre'], /bad --dialect/],
    [['export'], /--period/],
    [['export', '--period', 'T13/2025'], /bad period/],
    [['export', '--period', 'T10/2025', '--indicator', 'XYZ'], /unknown indicator 'XYZ'/],
    [['export', '--period', 'T10/2025', '--unit', '77'], /unknown unit '77'/],
    [['export', '--period', 'T10/2025', '--format', 'pdf'], /bad --format/],
  ])('exits 2 for %j', async (argv, message) => {
    const r = await run(...argv);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('status', () => {
  it('prints completeness per unit as a table, CSV or JSON', async () => {
    const table = await run('status', '--period', 'T10/2025', '--unit', '42');
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toMatch(/18100\s+Phường Trần Phú\s+2\s+1\s+1\s+0\s+1\s+50,0%/);
    const json = await run('status', '--period', 'T10/2025', '--format', 'json');
    expect(JSON.parse(json.stdout).total).toMatchObject({ units: 5, due: 10, submitted: 1 });
    const csv = await run('status', '--period', 'T10/2025', '--format', 'csv');
    expect(csv.stdout.split('\n')[0]).toContain('unit_code,unit_name,due,submitted');
  });

  it('exits 2 for a bad period, format or unit', async () => {
    expect((await run('status', '--period', 'hôm qua')).exitCode).toBe(2);
    expect((await run('status', '--period', 'T10/2025', '--format', 'xml')).exitCode).toBe(2);
    expect((await run('status', '--period', 'T10/2025', '--unit', '00')).exitCode).toBe(2);
  });
});

describe('reopen', () => {
  it('reopens a locked unit period until the given day, audited', async () => {
    const r = await run(
      'reopen',
      '--unit',
      '18100',
      '--period',
      'T9/2025',
      '--until',
      '05/11/2025',
    );
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Reopened 18100 T9/2025 until 2025-11-06T00:00:00+07:00');
    const row = await t.db.prisma.periodReopen.findFirstOrThrow({ where: { unitId: f.tranPhu } });
    expect(row.period).toBe('T9/2025');
    const ok = await submitFigures(t.db.prisma, {
      personId: reporter,
      unitId: f.tranPhu,
      channel: 'sim',
      period: parsePeriod('T9/2025', now) as Period,
      now,
      schedule: DEFAULT_SCHEDULE,
      items: [{ indicatorCode: 'HSTT', value: 40 }],
    });
    expect(ok.period).toBe('T9/2025');
    expect(await t.db.prisma.auditLog.count({ where: { action: 'period.reopen' } })).toBe(1);
  });

  it('defaults to the schedule grace and exits 2 on bad arguments', async () => {
    const r = await run('reopen', '--unit', '18073', '--period', 'Q3/2025');
    expect(r.stdout).toContain('until 2025-11-06T09:00:00+07:00');
    expect((await run('reopen', '--unit', '18073', '--period', 'Q9/2025')).exitCode).toBe(2);
    expect((await run('reopen', '--unit', '99', '--period', 'Q3/2025')).exitCode).toBe(2);
    expect(
      (await run('reopen', '--unit', '18073', '--period', 'Q3/2025', '--until', '31/02/2026'))
        .exitCode,
    ).toBe(2);
    expect(
      (await run('reopen', '--unit', '18073', '--period', 'Q3/2025', '--until', '01/01/2020'))
        .exitCode,
    ).toBe(2);
    expect((await run('reopen', '--period', 'Q3/2025')).exitCode).toBe(2);
  });

  it('parses --until as dd/mm/yyyy, ISO date and ISO time in Asia/Ho_Chi_Minh', () => {
    expect(parseUntil('20/11/2025')?.toISOString()).toBe('2025-11-20T17:00:00.000Z');
    expect(parseUntil('2025-11-20')?.toISOString()).toBe('2025-11-20T17:00:00.000Z');
    expect(parseUntil('2025-11-20T08:30')?.toISOString()).toBe('2025-11-20T01:30:00.000Z');
    expect(parseUntil('2025-11-20T08:30:00Z')?.toISOString()).toBe('2025-11-20T08:30:00.000Z');
    expect(parseUntil('tomorrow')).toBeUndefined();
  });
});
