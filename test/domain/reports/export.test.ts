import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../helpers/db.js';
import { NotFoundError } from '../../../src/domain/access.js';
import { parsePeriod, type Period } from '../../../src/domain/periods.js';
import { DEFAULT_SCHEDULE } from '../../../src/domain/schedule.js';
import {
  CSV_HEADER,
  XLSX_HEADER_VI,
  formatStatus,
  isoVn,
  periodCompleteness,
  periodRows,
  toCsv,
  toXlsx,
} from '../../../src/domain/reports/index.js';
import { submitFigures } from '../../../src/domain/submissions/index.js';
import { addPerson, seedFixture, vn, type Fixture } from '../people/fixture.js';

let t: TestDb;
let f: Fixture;
const schedule = DEFAULT_SCHEDULE;
const now = vn('2025-11-03T09:15:00');
const T10 = parsePeriod('T10/2025', now) as Period;

beforeAll(async () => {
  t = await createTestDb();
  f = await seedFixture(t.db);
  const r1 = await addPerson(t.db, { name: 'A', unitId: f.tranPhu, role: 'reporter' });
  const r2 = await addPerson(t.db, { name: 'B', unitId: f.thanhSen, role: 'reporter' });
  await submitFigures(t.db.prisma, {
    personId: r1,
    unitId: f.tranPhu,
    channel: 'sim',
    period: T10,
    now,
    schedule,
    items: [
      { indicatorCode: 'HSTT', numerator: 120, denominator: 150 },
      { indicatorCode: 'HSCV', value: 55.25 },
    ],
  });
  // Thành Sen reports late (after the 05/11 17:00 deadline) and then corrects.
  await submitFigures(t.db.prisma, {
    personId: r2,
    unitId: f.thanhSen,
    channel: 'sim',
    period: T10,
    now: vn('2025-11-07T08:00:00'),
    schedule,
    items: [{ indicatorCode: 'HSTT', numerator: 10, denominator: 40 }],
  });
}, 120_000);
afterAll(async () => {
  await t?.cleanup();
});

describe('periodRows', () => {
  it('lists one row per unit in force and indicator due, reported or not', async () => {
    const rows = await periodRows(t.db.prisma, { period: T10, schedule });
    // 2 provinces + 3 current communes (the old Thạch Hạ is history), 2 monthly indicators each.
    expect(rows).toHaveLength(10);
    expect(rows.map((r) => r.unit.code).filter((c, i, a) => a.indexOf(c) === i)).toEqual([
      '40',
      '42',
      '16681',
      '18073',
      '18100',
    ]);
    const tp = rows.filter((r) => r.unit.code === '18100');
    expect(tp.map((r) => [r.indicator.code, r.figure?.value, r.target?.met, r.onTime])).toEqual([
      ['HSCV', 55.25, false, true],
      ['HSTT', 80, true, true],
    ]);
  });

  it('limits to a subtree and to named indicators, and rejects unknown codes', async () => {
    const rows = await periodRows(t.db.prisma, {
      period: T10,
      schedule,
      rootUnitCode: '40',
      indicatorCodes: ['hstt'],
    });
    expect(rows.map((r) => `${r.unit.code}:${r.indicator.code}`)).toEqual([
      '40:HSTT',
      '16681:HSTT',
    ]);
    await expect(
      periodRows(t.db.prisma, { period: T10, schedule, indicatorCodes: ['XYZ'] }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      periodRows(t.db.prisma, { period: T10, schedule, rootUnitCode: '77' }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('CSV export', () => {
  it('has the exact header, dot decimals, empty cells for missing figures and +07:00 times', async () => {
    const csv = toCsv(await periodRows(t.db.prisma, { period: T10, schedule, rootUnitCode: '42' }));
    const lines = csv.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'unit_code,unit_name,indicator_code,period,numerator,denominator,value,unit,target,target_met,first_submitted_at,last_submitted_at,on_time',
    );
    expect(lines[0]?.split(',')).toEqual([...CSV_HEADER]);
    expect(lines).toContain(
      '18100,Phường Trần Phú,HSTT,T10/2025,120,150,80,percent,50,true,2025-11-03T09:15:00+07:00,2025-11-03T09:15:00+07:00,true',
    );
    expect(lines).toContain(
      '18100,Phường Trần Phú,HSCV,T10/2025,,,55.25,percent,60,false,2025-11-03T09:15:00+07:00,2025-11-03T09:15:00+07:00,true',
    );
    expect(lines).toContain(
      '18073,Phường Thành Sen,HSTT,T10/2025,10,40,25,percent,50,false,2025-11-07T08:00:00+07:00,2025-11-07T08:00:00+07:00,false',
    );
    expect(lines).toContain('18073,Phường Thành Sen,HSCV,T10/2025,,,,percent,60,,,,');
    expect(lines).toContain('42,Tỉnh Hà Tĩnh,HSCV,T10/2025,,,,percent,90,,,,');
  });

  it('formats instants in Asia/Ho_Chi_Minh whatever the UTC date', () => {
    expect(isoVn(new Date('2025-12-31T17:30:00Z'))).toBe('2026-01-01T00:30:00+07:00');
  });
});

describe('XLSX export', () => {
  it('has Vietnamese headers, a frozen header row and number formats', async () => {
    const rows = await periodRows(t.db.prisma, { period: T10, schedule });
    const buf = await toXlsx(rows, 'T10/2025');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(1).values).toEqual([undefined, ...XLSX_HEADER_VI]);
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(ws.rowCount).toBe(rows.length + 1);
    const tp = rows.findIndex((r) => r.unit.code === '18100' && r.indicator.code === 'HSTT') + 2;
    expect(ws.getCell(tp, 5).value).toBe(120);
    expect(ws.getCell(tp, 7).value).toBe(80);
    expect(ws.getCell(tp, 7).numFmt).toBe('#,##0.0#');
    expect(ws.getCell(tp, 11).numFmt).toBe('dd/mm/yyyy hh:mm');
    expect((ws.getCell(tp, 11).value as Date).toISOString()).toBe('2025-11-03T09:15:00.000Z');
  });
});

describe('completeness', () => {
  it('counts due, submitted, on time, late and missing per unit', async () => {
    const rep = await periodCompleteness(t.db.prisma, {
      period: T10,
      schedule,
      rootUnitCode: '42',
    });
    const byCode = Object.fromEntries(rep.units.map((u) => [u.unitCode, u]));
    expect(byCode['18100']).toMatchObject({
      due: 2,
      submitted: 2,
      onTime: 2,
      late: 0,
      missing: 0,
      completeness: 1,
    });
    expect(byCode['18073']).toMatchObject({
      due: 2,
      submitted: 1,
      onTime: 0,
      late: 1,
      missing: 1,
      missingCodes: ['HSCV'],
    });
    expect(byCode['42']).toMatchObject({ due: 2, submitted: 0, missing: 2 });
    expect(rep.total).toMatchObject({
      units: 3,
      due: 6,
      submitted: 3,
      onTime: 2,
      late: 1,
      missing: 3,
      completeness: 0.5,
    });
    const table = formatStatus(rep, 'table');
    expect(table).toContain('Kỳ T10/2025');
    expect(table).toMatch(/18073\s+Phường Thành Sen\s+2\s+1\s+0\s+1\s+1\s+50,0%\s+0,0%/);
    expect(formatStatus(rep, 'csv').split('\n')[0]).toBe(
      'unit_code,unit_name,due,submitted,on_time,late,missing,completeness,timeliness,missing_indicators',
    );
    expect(JSON.parse(formatStatus(rep, 'json')).total.due).toBe(6);
  });
});
