import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImportRowsError, loadImporters, runImport } from '../../../src/admin/importers.js';
import type { Importer } from '../../../src/admin/importers.js';
import { createTestDb } from '../../helpers/db.js';
import type { TestDb } from '../../helpers/db.js';

const ctx = {
  now: new Date('2025-11-03T02:00:00Z'),
  actor: 'cli',
  fileName: 'staff.csv',
  progress: () => {},
};
const HEADER = 'unit_code,role,display_name,channel,external_id';

describe('import staff', () => {
  let t: TestDb;
  let imp: Importer;
  beforeAll(async () => {
    t = await createTestDb();
    imp = (await loadImporters()).get('staff')!;
    const p = t.db.prisma;
    const province = await p.unit.create({
      data: {
        code: '42',
        name: 'Tỉnh Hà Tĩnh',
        type: 'tỉnh',
        level: 'province',
        effectiveFrom: new Date('1900-01-01T00:00:00Z'),
        nameFolded: 'tinh ha tinh',
      },
    });
    await p.unit.create({
      data: {
        code: '18073',
        name: 'Phường Thành Sen',
        type: 'phường',
        level: 'commune',
        parentId: province.id,
        effectiveFrom: new Date('2025-07-01T00:00:00Z'),
        nameFolded: 'phuong thanh sen',
      },
    });
    // An old unit with the same code, no longer in force: must not be picked.
    await p.unit.create({
      data: {
        code: '18100',
        name: 'Phường Thạch Hạ',
        type: 'phường',
        level: 'commune',
        effectiveFrom: new Date('1900-01-01T00:00:00Z'),
        effectiveTo: new Date('2025-06-30T00:00:00Z'),
        nameFolded: 'phuong thach ha',
      },
    });
  });
  afterAll(async () => t?.cleanup());

  it('links identities to persons with memberships and audits each membership', async () => {
    const csv = [
      HEADER,
      '18073,reporter,Nguyễn Văn A,telegram,1001',
      '42,manager,Nguyễn Văn A,zalo-bot,za-77',
      '42,admin,Trần Thị B,telegram,1002',
      '18073,reporter,Nguyễn Văn A,telegram,1001x',
    ].join('\n');
    const r = await runImport(t.db, imp, Buffer.from(csv), ctx);
    expect(r.counts).toEqual({ personsCreated: 4, membershipsCreated: 4, unchanged: 0 });
    const a = await t.db.prisma.identity.findUniqueOrThrow({
      where: { channel_externalId: { channel: 'telegram', externalId: '1001' } },
      include: { person: { include: { memberships: { include: { unit: true } } } } },
    });
    expect(a.person.displayName).toBe('Nguyễn Văn A');
    expect(a.person.memberships.map((m) => [m.unit.code, m.role])).toEqual([['18073', 'reporter']]);
    expect(await t.db.prisma.auditLog.count({ where: { action: 'membership.create' } })).toBe(4);
  });

  it('puts several rows of one identity on one person and does not double memberships', async () => {
    const csv = [HEADER, '18073,reporter,,telegram,1001', '42,manager,,telegram,1001'].join('\n');
    const r = await runImport(t.db, imp, Buffer.from(csv), ctx);
    expect(r.counts).toEqual({ personsCreated: 0, membershipsCreated: 1, unchanged: 1 });
    const again = await runImport(t.db, imp, Buffer.from(csv), ctx);
    expect(again.counts).toEqual({ personsCreated: 0, membershipsCreated: 0, unchanged: 2 });
    const id = await t.db.prisma.identity.findUniqueOrThrow({
      where: { channel_externalId: { channel: 'telegram', externalId: '1001' } },
    });
    expect(await t.db.prisma.membership.count({ where: { personId: id.personId } })).toBe(2);
  });

  it('rejects unknown or ended units and bad values by line, importing nothing', async () => {
    const persons = await t.db.prisma.person.count();
    const csv = [
      HEADER,
      '18073,reporter,C,telegram,2001',
      '18100,reporter,D,telegram,2002', // only an ended unit has this code
      '18073,boss,E,telegram,2003',
      '18073,reporter,F,facebook,2004',
      '99999,reporter,G,sim,u1',
    ].join('\n');
    const parsed = await runImport(t.db, imp, Buffer.from(csv), ctx).catch((e: unknown) => e);
    expect(parsed).toBeInstanceOf(ImportRowsError);
    expect((parsed as ImportRowsError).errors.map((e) => e.line)).toEqual([4, 5]);
    const fixed = [
      HEADER,
      '18073,reporter,C,telegram,2001',
      '18100,reporter,D,telegram,2002',
      '99999,reporter,G,sim,u1',
    ].join('\n');
    const err = (await runImport(t.db, imp, Buffer.from(fixed), ctx).catch(
      (e: unknown) => e,
    )) as ImportRowsError;
    expect(err.errors).toEqual([
      { line: 3, message: 'unknown unit code 18100' },
      { line: 4, message: 'unknown unit code 99999' },
    ]);
    expect(await t.db.prisma.person.count()).toBe(persons);
  });
});
