import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportRowsError, loadImporters, runImport } from '../../../src/admin/importers.js';
import type { Importer } from '../../../src/admin/importers.js';
import { SEED_DIR } from '../../../src/admin/seed.js';
import { createTestDb } from '../../helpers/db.js';
import type { TestDb } from '../../helpers/db.js';

const ctx = (fileName = 'units.csv') => ({
  now: new Date('2025-11-03T02:00:00Z'),
  actor: 'cli',
  fileName,
  progress: () => {},
});

describe('import units', () => {
  let t: TestDb;
  let units: Importer;
  beforeAll(async () => {
    t = await createTestDb();
    const imp = (await loadImporters()).get('units');
    if (!imp) throw new Error('units importer missing');
    units = imp;
  });
  afterAll(async () => t?.cleanup());

  it('rejects communes when no province exists, naming every line, and writes nothing', async () => {
    const csv = await readFile(path.join(SEED_DIR, 'ha_tinh_communes_2025.csv'));
    const err = await runImport(t.db, units, csv, ctx()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportRowsError);
    const rows = (err as ImportRowsError).errors;
    expect(rows).toHaveLength(69);
    expect(rows[0]).toMatchObject({ line: 2, message: expect.stringContaining('no province') });
    expect(await t.db.prisma.unit.count()).toBe(0);
  });

  it('imports a province and its communes from a file that holds both', async () => {
    const communes = (
      await readFile(path.join(SEED_DIR, 'ha_tinh_communes_2025.csv'), 'utf8')
    ).split('\n');
    const withProvince = [
      communes[0],
      '42,Tỉnh Hà Tĩnh,Tỉnh,Ha Tinh Province,,',
      ...communes.slice(1),
    ].join('\n');
    const r = await runImport(t.db, units, Buffer.from(withProvince), ctx());
    expect(r.counts).toEqual({ created: 70, updated: 0, unchanged: 0 });
    const province = await t.db.prisma.unit.findFirstOrThrow({ where: { code: '42' } });
    expect(province.level).toBe('province');
    const children = await t.db.prisma.unit.findMany({ where: { parentId: province.id } });
    expect(children).toHaveLength(69);
    expect(children.filter((c) => c.type === 'xã')).toHaveLength(60);
    expect(children.filter((c) => c.type === 'phường')).toHaveLength(9);
    expect(children.every((c) => c.effectiveFrom.toISOString().startsWith('2025-07-01'))).toBe(
      true,
    );
    const thanhSen = children.find((c) => c.code === '18073');
    expect(thanhSen).toMatchObject({
      name: 'Phường Thành Sen',
      nameFolded: 'phuong thanh sen',
      nameEn: 'Thanh Sen Ward',
    });
  });

  it('changes nothing when the same file is imported again', async () => {
    const csv = await readFile(path.join(SEED_DIR, 'ha_tinh_communes_2025.csv'));
    const r = await runImport(t.db, units, csv, ctx());
    expect(r.counts).toEqual({ created: 0, updated: 0, unchanged: 69 });
    expect(await t.db.prisma.unit.count()).toBe(70);
  });

  it('updates a renamed unit in place', async () => {
    const csv = 'code,name_vi,type\n18073,Phường Thành Sen Mới,Phường\n';
    const r = await runImport(t.db, units, Buffer.from(csv), ctx());
    expect(r.counts).toEqual({ created: 0, updated: 1, unchanged: 0 });
    const u = await t.db.prisma.unit.findFirstOrThrow({ where: { code: '18073' } });
    expect(u.nameFolded).toBe('phuong thanh sen moi');
    await runImport(
      t.db,
      units,
      Buffer.from('code,name_vi,type\n18073,Phường Thành Sen,Phường\n'),
      ctx(),
    );
  });

  it('reports bad rows with their line numbers and imports none of the file', async () => {
    const csv = [
      'code,name_vi,type',
      '99001,Xã Mới,Xã',
      '99002,,Xã', // empty name
      '"99003","Xã Có\nHai Dòng",Làng', // multi-line field, unknown type
      '99001,Xã Trùng,Xã', // duplicate code
    ].join('\n');
    const err = (await runImport(t.db, units, Buffer.from(csv), ctx()).catch(
      (e: unknown) => e,
    )) as ImportRowsError;
    expect(err).toBeInstanceOf(ImportRowsError);
    expect(err.errors.map((e) => e.line)).toEqual([3, 4, 6]);
    expect(err.errors[0]?.message).toMatch(/name/);
    expect(err.errors[1]?.message).toMatch(/unknown type "Làng"/);
    expect(err.errors[2]?.message).toMatch(/already on line 2/);
    expect(await t.db.prisma.unit.count({ where: { code: '99001' } })).toBe(0);
  });

  it('rejects a file that has neither known header', async () => {
    const err = await Promise.resolve()
      .then(() => units.parse(Buffer.from('foo,bar\n1,2\n'), 'x.csv'))
      .catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/missing column/);
  });

  it('imports pre-2025 units as history ending 2025-06-30 with their names as aliases', async () => {
    const csv = await readFile(path.join(SEED_DIR, 'ha_tinh_units_before_2025-07-01.csv'));
    const r = await runImport(t.db, units, csv, ctx('history.csv'));
    expect(r.counts).toMatchObject({ created: 222, updated: 0, unchanged: 0 });
    const history = await t.db.prisma.unit.findMany({ where: { effectiveTo: { not: null } } });
    expect(history).toHaveLength(222);
    expect(history.filter((u) => u.level === 'district')).toHaveLength(12);
    expect(history.every((u) => u.effectiveTo?.toISOString().startsWith('2025-06-30'))).toBe(true);
    // 18100 was Phường Thạch Hạ before and is Phường Trần Phú now: two units, one code.
    const both = await t.db.prisma.unit.findMany({
      where: { code: '18100' },
      orderBy: { effectiveFrom: 'asc' },
    });
    expect(both.map((u) => u.name)).toEqual(['Phường Thạch Hạ', 'Phường Trần Phú']);
    const oldDistrict = await t.db.prisma.unit.findUniqueOrThrow({
      where: { id: both[0]!.parentId! },
    });
    expect(oldDistrict).toMatchObject({
      name: 'Thành phố Hà Tĩnh',
      type: 'thành phố',
      level: 'district',
    });
    // Đại Nài was split: its name is an alias of both new units.
    const daiNai = await t.db.prisma.unitAlias.findMany({
      where: { aliasFolded: 'dai nai' },
      include: { unit: true },
    });
    expect(daiNai.map((a) => a.unit.code).sort()).toEqual(['18073', '18652']);
  });

  it('re-imports the history file without duplicating units or aliases', async () => {
    const aliases = await t.db.prisma.unitAlias.count();
    const csv = await readFile(path.join(SEED_DIR, 'ha_tinh_units_before_2025-07-01.csv'));
    const r = await runImport(t.db, units, csv, ctx('history.csv'));
    expect(r.counts).toMatchObject({ created: 0, updated: 0, unchanged: 222, aliasesCreated: 0 });
    expect(await t.db.prisma.unitAlias.count()).toBe(aliases);
  });

  it('rejects history rows pointing to unknown new units, with line numbers', async () => {
    const csv =
      'old_code,old_name,old_type,old_district_code,old_district_name,new_units_2025-07-01\n' +
      '77001,Xã A,Xã,700,Huyện B,18073 Phường Thành Sen\n' +
      '77002,Xã C,Xã,700,Huyện B,55555 Xã Không Có\n';
    const err = (await runImport(t.db, units, Buffer.from(csv), ctx()).catch(
      (e: unknown) => e,
    )) as ImportRowsError;
    expect(err.errors).toEqual([{ line: 3, message: 'unknown new unit code 55555' }]);
    expect(await t.db.prisma.unit.count({ where: { code: '77001' } })).toBe(0);
  });
});
