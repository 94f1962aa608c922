import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportRowsError, loadImporters, runImport } from '../../../src/admin/importers.js';
import type { Importer } from '../../../src/admin/importers.js';
import { SEED_DIR } from '../../../src/admin/seed.js';
import { createTestDb } from '../../helpers/db.js';
import type { TestDb } from '../../helpers/db.js';

const ctx = {
  now: new Date('2025-11-03T02:00:00Z'),
  actor: 'cli',
  fileName: 'indicators.csv',
  progress: () => {},
};
const HEADER =
  'code,name_vi,name_en,unit,numerator_vi,denominator_vi,periodicity,applies_to,target_op,target_2025_commune,target_2025_province,target_2030_commune,target_2030_province,target_source,aliases';

describe('import indicators', () => {
  let t: TestDb;
  let imp: Importer;
  beforeAll(async () => {
    t = await createTestDb();
    imp = (await loadImporters()).get('indicators')!;
  });
  afterAll(async () => t?.cleanup());

  it('loads the 17 seed indicators with only the targets the file gives', async () => {
    const r = await runImport(
      t.db,
      imp,
      await readFile(path.join(SEED_DIR, 'indicators.csv')),
      ctx,
    );
    expect(r.counts).toEqual({ created: 17, updated: 0, unchanged: 0 });
    const hscv = await t.db.prisma.indicator.findUniqueOrThrow({
      where: { code: 'HSCV' },
      include: { targets: { orderBy: [{ year: 'asc' }, { level: 'asc' }] } },
    });
    expect(hscv).toMatchObject({
      unit: 'percent',
      periodicity: 'month',
      appliesTo: ['commune', 'province'],
    });
    expect(hscv.aliases).toContain('hscv');
    expect(hscv.targets.map((x) => [x.year, x.level, x.op, x.value.toString()])).toEqual([
      [2025, 'province', '>=', '90'],
      [2025, 'commune', '>=', '60'],
      [2030, 'province', '>=', '100'],
      [2030, 'commune', '>=', '85'],
    ]);
    // Empty cells are no target: TTTT has none at all.
    expect(await t.db.prisma.indicatorTarget.count({ where: { indicatorCode: 'TTTT' } })).toBe(0);
    const hstt = await t.db.prisma.indicatorTarget.findMany({ where: { indicatorCode: 'HSTT' } });
    expect(hstt.every((x) => x.op === '>')).toBe(true);
  });

  it('changes nothing on re-import', async () => {
    const before = await t.db.prisma.indicatorTarget.count();
    const r = await runImport(
      t.db,
      imp,
      await readFile(path.join(SEED_DIR, 'indicators.csv')),
      ctx,
    );
    expect(r.counts).toEqual({ created: 0, updated: 0, unchanged: 17 });
    expect(await t.db.prisma.indicatorTarget.count()).toBe(before);
  });

  it('replaces the targets of an updated indicator', async () => {
    const csv = `${HEADER}\nHSTT,Tỷ lệ hồ sơ trực tuyến,Online dossiers,percent,Số hồ sơ trực tuyến,Tổng số hồ sơ,month,commune;province,>=,"65,5",,,,NQ,ho so truc tuyen\n`;
    const r = await runImport(t.db, imp, Buffer.from(csv), ctx);
    expect(r.counts).toEqual({ created: 0, updated: 1, unchanged: 0 });
    const targets = await t.db.prisma.indicatorTarget.findMany({
      where: { indicatorCode: 'HSTT' },
    });
    expect(targets.map((x) => [x.year, x.level, x.op, x.value.toString()])).toEqual([
      [2025, 'commune', '>=', '65.5'],
    ]);
  });

  it('reports every bad row with its line and imports nothing', async () => {
    const csv = [
      HEADER,
      'NEW1,Mới,New,percent,Tử,Mẫu,month,commune,>=,50,,,,,',
      'NEW2,Mới 2,New 2,ratio,Tử,Mẫu,month,commune,>=,,,,,,', // bad unit
      'NEW3,Mới 3,New 3,percent,,,week,commune,>=,,,,,,', // no labels, bad periodicity
      'NEW4,Mới 4,New 4,percent,Tử,Mẫu,month,commune,>=,150,,,,,', // > 100 %
      'NEW5,Mới 5,New 5,count,,,year,village,>=,,,,,,', // bad level
    ].join('\n');
    const err = (await runImport(t.db, imp, Buffer.from(csv), ctx).catch(
      (e: unknown) => e,
    )) as ImportRowsError;
    expect(err).toBeInstanceOf(ImportRowsError);
    expect(err.errors.map((e) => e.line)).toEqual([3, 4, 5, 6]);
    expect(err.errors[0]?.message).toMatch(/unit must be/);
    expect(err.errors[1]?.message).toMatch(/periodicity/);
    expect(err.errors[2]?.message).toMatch(/between 0 and 100/);
    expect(err.errors[3]?.message).toMatch(/applies_to/);
    expect(await t.db.prisma.indicator.count({ where: { code: 'NEW1' } })).toBe(0);
  });
});
