import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportRowsError, loadImporters, runImport } from '../../../src/admin/importers.js';
import type { Importer } from '../../../src/admin/importers.js';
import { SEED_DIR } from '../../../src/admin/seed.js';
import { catalogUpdatedAt } from '../../../src/domain/catalog/catalog.js';
import { createTestDb } from '../../helpers/db.js';
import type { TestDb } from '../../helpers/db.js';

const at = (iso: string) => ({
  now: new Date(iso),
  actor: 'cli',
  fileName: 'procedures.csv',
  progress: () => {},
});
const HEADER =
  'code,name_vi,field,level_source,level_2025,online_level,online_level_detail,processing_time,fee,portal_url,source';

describe('import services', () => {
  let t: TestDb;
  let imp: Importer;
  beforeAll(async () => {
    t = await createTestDb();
    imp = (await loadImporters()).get('services')!;
  });
  afterAll(async () => t?.cleanup());

  it('loads all 201 procedures with every column and stamps the catalogue date', async () => {
    const csv = await readFile(path.join(SEED_DIR, 'procedures.csv'));
    const r = await runImport(t.db, imp, csv, at('2025-11-01T00:00:00Z'));
    expect(r.counts).toEqual({ created: 201, updated: 0, unchanged: 0, removed: 0 });
    const p = await t.db.prisma.procedure.findUniqueOrThrow({ where: { code: '1.001193' } });
    expect(p).toMatchObject({
      name: 'Thủ tục đăng ký khai sinh',
      nameFolded: 'thu tuc dang ky khai sinh',
      field: 'Hộ tịch',
      levelSource: 'Cấp xã',
      level: 'cấp xã',
      onlineLevel: 'toàn trình',
      onlineLevelDetail: null,
      fee: 'Miễn phí',
    });
    expect(p.portalUrl).toMatch(/^https:\/\/dichvucong\.gov\.vn\//);
    expect(
      await t.db.prisma.procedure.count({
        where: { onlineLevel: 'tùy cơ quan', onlineLevelDetail: { not: null } },
      }),
    ).toBeGreaterThan(0);
    expect((await catalogUpdatedAt(t.db.prisma))?.toISOString()).toBe('2025-11-01T00:00:00.000Z');
  });

  it('leaves rows and the catalogue date alone on re-import', async () => {
    const csv = await readFile(path.join(SEED_DIR, 'procedures.csv'));
    const r = await runImport(t.db, imp, csv, at('2025-11-02T00:00:00Z'));
    expect(r.counts).toEqual({ created: 0, updated: 0, unchanged: 201, removed: 0 });
    expect((await catalogUpdatedAt(t.db.prisma))?.toISOString()).toBe('2025-11-01T00:00:00.000Z');
  });

  it('rejects bad rows with line numbers and keeps the catalogue as it was', async () => {
    const csv = [
      HEADER,
      '9.000001,Thủ tục mới,Hộ tịch,,,toàn trình,,,,https://example.gov.vn/x,',
      '9.000002,Thủ tục hai,Hộ tịch,,,trực tuyến,,,,,', // bad online level
      '9.000003,Thủ tục ba,Hộ tịch,,,một phần,,,,ftp://x,', // bad link
      '9.000001,Trùng,Hộ tịch,,,unknown,,,,,', // duplicate
    ].join('\r\n');
    const err = (await runImport(t.db, imp, Buffer.from(csv), at('2025-11-03T00:00:00Z')).catch(
      (e: unknown) => e,
    )) as ImportRowsError;
    expect(err).toBeInstanceOf(ImportRowsError);
    expect(err.errors.map((e) => e.line)).toEqual([3, 4, 5]);
    expect(err.errors[0]?.message).toMatch(/online_level/);
    expect(err.errors[1]?.message).toMatch(/portal_url/);
    expect(await t.db.prisma.procedure.count()).toBe(201);
  });

  it('treats the file as the whole catalogue: missing procedures are removed', async () => {
    const csv = `${HEADER}\n1.001193,Thủ tục đăng ký khai sinh (sửa),Hộ tịch,Cấp xã,cấp xã,toàn trình,,,Miễn phí,,\n`;
    const r = await runImport(t.db, imp, Buffer.from(csv), at('2025-11-04T00:00:00Z'));
    expect(r.counts).toEqual({ created: 0, updated: 1, unchanged: 0, removed: 200 });
    expect(await t.db.prisma.procedure.count()).toBe(1);
    expect((await catalogUpdatedAt(t.db.prisma))?.toISOString()).toBe('2025-11-04T00:00:00.000Z');
  });
});
