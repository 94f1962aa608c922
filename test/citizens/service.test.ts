import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImport, type Importer } from '../../src/admin/importers.js';
import { importer as servicesImporter } from '../../src/admin/importers/services.js';
import { SEED_PROCEDURES_CSV } from '../../src/citizens/catalog-csv.js';
import { anonymiseQuery, CitizenService, fieldKey } from '../../src/citizens/service.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

describe('CitizenService on the seed CSV (no database)', () => {
  let svc: CitizenService;
  beforeAll(async () => {
    svc = new CitizenService();
    await svc.load();
  });

  it('refuses to answer before load()', () => {
    expect(() => new CitizenService().search('khai sinh')).toThrow(/before load/);
  });

  it('answers a question with hits', () => {
    const a = svc.answer('dang ky tam tru');
    expect(a.kind).toBe('hits');
    if (a.kind === 'hits')
      expect(a.hits[0]?.kind === 'procedure' && a.hits[0].procedure.code).toBe('1.004194');
  });

  it('recognises the fully-online-at-commune question and lists only toàn trình commune procedures', () => {
    expect(svc.answer('dịch vụ nào làm online hoàn toàn ở xã').kind).toBe('fullyOnlineCommune');
    const list = svc.fullyOnlineAtCommune();
    expect(list.length).toBeGreaterThan(50);
    for (const p of list) {
      expect(p.onlineLevel).toBe('toàn trình');
      expect(p.level).toMatch(/cấp xã/);
    }
    expect(list.map((p) => p.code)).toContain('1.001193');
    // Đăng ký thường trú: online level unknown in the catalogue, so never listed.
    expect(list.map((p) => p.code)).not.toContain('1.004222');
  });

  it('lists fields largest first with stable button keys', () => {
    const fields = svc.fields();
    expect(fields[0]).toEqual({ field: 'Hộ tịch', key: fieldKey('Hộ tịch'), count: 38 });
    expect(svc.fieldByButtonKey(fieldKey('Đất đai'))?.count).toBe(21);
    expect(new Set(fields.map((f) => f.key)).size).toBe(fields.length);
    expect(svc.answer('hộ tịch')).toEqual({ kind: 'field', field: fields[0] });
  });

  it('counts unanswered questions anonymously and masks phone numbers', async () => {
    await svc.recordUnanswered(
      'Giá vàng hôm nay? SĐT 0912 345 678',
      new Date('2026-01-01T00:00:00Z'),
    );
    await svc.recordUnanswered(
      'giá vàng hôm nay? sđt 0912 345 678',
      new Date('2026-01-02T00:00:00Z'),
    );
    const rows = await svc.unanswered();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ queryFolded: 'gia vang hom nay? sdt <sdt>', count: 2 });
    expect(rows[0]?.lastAt.toISOString()).toBe('2026-01-02T00:00:00.000Z');
  });

  it('anonymises by folding and masking numbers', () => {
    expect(anonymiseQuery('CCCD 042095001234 của tôi')).toBe('cccd <so giay to> cua toi');
    expect(anonymiseQuery('mã 12345678901234')).toBe('ma #');
  });
});

describe('CitizenService reload from a changed CSV', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'citizens-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('rebuilds the index so a new procedure is found after reload()', async () => {
    const file = path.join(dir, 'procedures.csv');
    const header = readFileSync(SEED_PROCEDURES_CSV, 'utf8').split('\n')[0];
    await writeFile(
      file,
      `${header}\n9.000001,Đăng ký nuôi ong mật,Chăn nuôi,Cấp xã,cấp xã,toàn trình,,,,,\n`,
    );
    const svc = new CitizenService({ catalogFile: file });
    await svc.load();
    expect(svc.search('nuôi ong').hits).toHaveLength(1);
    await writeFile(
      file,
      `${header}\n9.000002,Cấp phép khai thác cát sỏi lòng sông,Khoáng sản,Cấp tỉnh,cấp tỉnh,một phần,,,,,\n`,
    );
    await svc.reload();
    expect(svc.search('nuôi ong').hits).toEqual([]);
    expect(
      svc.search('khai thác cát').hits.map((h) => h.kind === 'procedure' && h.procedure.code),
    ).toEqual(['9.000002']);
  });
});

describe('CitizenService on the database', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
    await runImport(
      t.db,
      servicesImporter as Importer<unknown>,
      readFileSync(SEED_PROCEDURES_CSV),
      {
        now: new Date('2026-10-03T05:00:00Z'),
        actor: 'test',
        fileName: 'procedures.csv',
        progress: () => {},
      },
    );
  }, 120_000);
  afterAll(async () => {
    await t?.cleanup();
  });

  it('builds the index from the Procedure table and knows the catalogue update time', async () => {
    const svc = new CitizenService({ prisma: t.db.prisma });
    await svc.load();
    expect(svc.search('làm giấy khai sinh').hits[0]).toMatchObject({
      kind: 'procedure',
      procedure: { code: '1.001193' },
    });
    expect(svc.updatedAt()?.toISOString()).toBe('2026-10-03T05:00:00.000Z');
    expect(svc.fields().reduce((s, f) => s + f.count, 0)).toBe(201);
  });

  it('counts unanswered questions in UnansweredQuery with nothing about who asked', async () => {
    const svc = new CitizenService({ prisma: t.db.prisma });
    await svc.load();
    await svc.recordUnanswered('xổ số miền bắc', new Date('2026-10-04T01:00:00Z'));
    await svc.recordUnanswered('Xổ số miền Bắc', new Date('2026-10-05T01:00:00Z'));
    const row = await t.db.prisma.unansweredQuery.findUnique({
      where: { queryFolded: 'xo so mien bac' },
    });
    expect(row).toMatchObject({ count: 2 });
    expect(Object.keys(row ?? {}).sort()).toEqual(['count', 'firstAt', 'lastAt', 'queryFolded']);
    expect((await svc.unanswered(10))[0]).toMatchObject({
      queryFolded: 'xo so mien bac',
      count: 2,
    });
  });
});
