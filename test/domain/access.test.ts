/**
 * Who may see and change what (src/domain/access.ts), on one small unit tree: roles from active
 * memberships, the unit tree walked both ways, the shared domain errors and the day in Hà Nội time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AccessError,
  NotFoundError,
  ValidationError,
  actorLabel,
  activeMemberships,
  actorPersonId,
  ancestorIds,
  canManageUnit,
  findUnitByCode,
  hcmDay,
  inTransaction,
  isAdmin,
  isBadInput,
  isReporterOf,
  reopenersOf,
  subtreeIds,
  visibleUnitIds,
  vnDateTimeText,
} from '../../src/domain/access.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { addPerson, seedFixture, vn, type Fixture } from './people/fixture.js';

let t: TestDb;
let f: Fixture;
const now = vn('2025-11-03T09:00:00');
// Roles: a reporter of Thành Sen, a manager of the province (twice, through two memberships)
// who also reports for Trần Phú, a manager of Vinh Phú, an admin, and a removed manager.
let reporter: string;
let manager: string;
let vinhManager: string;
let admin: string;
let removed: string;
let nobody: string;
let provinceReporter: string;

beforeAll(async () => {
  t = await createTestDb();
  f = await seedFixture(t.db);
  const p = t.db.prisma;
  admin = await addPerson(t.db, { name: 'Admin', unitId: f.ngheAn, role: 'admin' });
  manager = await addPerson(t.db, { name: 'Quản lý', unitId: f.province, role: 'manager' });
  await p.membership.create({ data: { personId: manager, unitId: f.tranPhu, role: 'manager' } });
  await p.membership.create({ data: { personId: manager, unitId: f.tranPhu, role: 'reporter' } });
  reporter = await addPerson(t.db, { name: 'Báo cáo', unitId: f.thanhSen, role: 'reporter' });
  vinhManager = await addPerson(t.db, { name: 'Vinh', unitId: f.vinh, role: 'manager' });
  removed = await addPerson(t.db, { name: 'Đã rời', unitId: f.province, role: 'manager' });
  await p.membership.updateMany({ where: { personId: removed }, data: { removedAt: now } });
  nobody = (await p.person.create({ data: { displayName: 'Công dân' } })).id;
  provinceReporter = await addPerson(t.db, { name: 'Tỉnh', unitId: f.province, role: 'reporter' });
}, 120_000);
afterAll(async () => {
  await t?.cleanup();
});

describe('roles', () => {
  it('treats the CLI operator and an admin anywhere as admins, and nobody else', async () => {
    const db = t.db.prisma;
    expect(await isAdmin(db, 'cli')).toBe(true);
    expect(await isAdmin(db, { personId: admin })).toBe(true);
    for (const p of [manager, reporter, removed, nobody])
      expect(await isAdmin(db, { personId: p })).toBe(false);
  });

  it('lets admins and managers of the unit or an ancestor manage it, no one else', async () => {
    const db = t.db.prisma;
    expect(await canManageUnit(db, 'cli', f.vinh)).toBe(true);
    expect(await canManageUnit(db, { personId: admin }, f.tranPhu)).toBe(true);
    expect(await canManageUnit(db, { personId: manager }, f.thanhSen)).toBe(true);
    expect(await canManageUnit(db, { personId: manager }, f.province)).toBe(true);
    expect(await canManageUnit(db, { personId: manager }, f.vinh)).toBe(false);
    expect(await canManageUnit(db, { personId: vinhManager }, f.vinh)).toBe(true);
    expect(await canManageUnit(db, { personId: vinhManager }, f.ngheAn)).toBe(false);
    expect(await canManageUnit(db, { personId: reporter }, f.thanhSen)).toBe(false);
    expect(await canManageUnit(db, { personId: removed }, f.thanhSen)).toBe(false);
    expect(await canManageUnit(db, { personId: nobody }, f.thanhSen)).toBe(false);
  });

  it('lists the active memberships of a person with their ids', async () => {
    const rows = await t.db.prisma.membership.findMany({
      where: { personId: manager },
      orderBy: { role: 'asc' },
    });
    const active = await activeMemberships(t.db.prisma, manager);
    expect(
      active
        .map((m) => [m.id, m.unitId, m.role])
        .sort((a, b) => String(a).localeCompare(String(b))),
    ).toEqual(
      rows.map((m) => [m.id, m.unitId, m.role]).sort((a, b) => String(a).localeCompare(String(b))),
    );
    expect(await activeMemberships(t.db.prisma, removed)).toEqual([]);
  });

  it('knows the active reporters of exactly one unit', async () => {
    const db = t.db.prisma;
    expect(await isReporterOf(db, reporter, f.thanhSen)).toBe(true);
    expect(await isReporterOf(db, reporter, f.tranPhu)).toBe(false);
    expect(await isReporterOf(db, manager, f.tranPhu)).toBe(true);
    // Managing a unit is not reporting for it.
    expect(await isReporterOf(db, manager, f.thanhSen)).toBe(false);
    expect(await isReporterOf(db, removed, f.province)).toBe(false);
  });

  it('shows each role its own figures: all, the managed subtrees plus own units, or none', async () => {
    const db = t.db.prisma;
    expect(await visibleUnitIds(db, 'cli')).toBe('all');
    expect(await visibleUnitIds(db, { personId: admin })).toBe('all');
    const managed = await visibleUnitIds(db, { personId: manager });
    // The province's subtree once, though Trần Phú is also managed and reported directly.
    expect([...(managed as string[])].sort()).toEqual(
      [f.province, f.thanhSen, f.tranPhu, f.oldThachHa].sort(),
    );
    expect(await visibleUnitIds(db, { personId: reporter })).toEqual([f.thanhSen]);
    // Reporting for the province is not managing it: the wards below stay out of sight.
    expect(await visibleUnitIds(db, { personId: provinceReporter })).toEqual([f.province]);
    expect(await visibleUnitIds(db, { personId: removed })).toEqual([]);
    expect(await visibleUnitIds(db, { personId: nobody })).toEqual([]);
  });

  it('names who can reopen a unit: its managers up the tree and the admins, each once', async () => {
    const r = await reopenersOf(t.db.prisma, f.tranPhu);
    expect(r).toEqual([
      { personId: admin, displayName: 'Admin', role: 'admin', unitCode: '40' },
      { personId: manager, displayName: 'Quản lý', role: 'manager', unitCode: '42' },
    ]);
    expect((await reopenersOf(t.db.prisma, f.vinh)).map((x) => x.personId)).toEqual([
      admin,
      vinhManager,
    ]);
  });
});

describe('the unit tree', () => {
  it('lists a unit and its ancestors, nearest first', async () => {
    expect(await ancestorIds(t.db.prisma, f.tranPhu)).toEqual([f.tranPhu, f.province]);
    expect(await ancestorIds(t.db.prisma, f.province)).toEqual([f.province]);
    // An id that names no unit (deleted meanwhile) is its own, only, link.
    expect(await ancestorIds(t.db.prisma, 'no-such-unit')).toEqual(['no-such-unit']);
  });

  it('lists the roots and every unit below them', async () => {
    const below = await subtreeIds(t.db.prisma, [f.province, f.vinh]);
    expect([...below].sort()).toEqual(
      [f.province, f.thanhSen, f.tranPhu, f.oldThachHa, f.vinh].sort(),
    );
    expect(await subtreeIds(t.db.prisma, [f.thanhSen])).toEqual([f.thanhSen]);
  });

  it('stops walking a tree whose parents loop', async () => {
    const p = t.db.prisma;
    const unit = (code: string) =>
      p.unit.create({
        data: {
          code,
          name: code,
          type: 'xã',
          level: 'commune',
          effectiveFrom: new Date('2025-07-01T00:00:00Z'),
          nameFolded: code,
        },
      });
    const a = await unit('99001');
    const b = await unit('99002');
    await p.unit.update({ where: { id: a.id }, data: { parentId: b.id } });
    await p.unit.update({ where: { id: b.id }, data: { parentId: a.id } });
    expect(await ancestorIds(p, a.id)).toEqual([a.id, b.id]);
    expect([...(await subtreeIds(p, [a.id]))].sort()).toEqual([a.id, b.id].sort());
  });

  it('resolves a typed code to the unit in force that day, or says it names nothing', async () => {
    expect((await findUnitByCode(t.db.prisma, '18100', now)).id).toBe(f.tranPhu);
    expect((await findUnitByCode(t.db.prisma, '18100', vn('2025-06-01T09:00:00'))).id).toBe(
      f.oldThachHa,
    );
    const err = await findUnitByCode(t.db.prisma, '00000', now).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({
      message: "unknown unit '00000'",
      key: 'domain.errors.notFound',
      vars: { entity: 'unit', ref: '00000' },
      entity: 'unit',
      ref: '00000',
      name: 'NotFoundError',
    });
  });
});

describe('inTransaction', () => {
  it('opens one transaction on a root client and undoes everything when it throws', async () => {
    const p = t.db.prisma;
    const failed = await inTransaction(p, async (tx) => {
      await tx.person.create({ data: { displayName: 'rolled back' } });
      throw new Error('stop');
    }).catch((e: unknown) => e);
    expect(failed).toMatchObject({ message: 'stop' });
    expect(await p.person.count({ where: { displayName: 'rolled back' } })).toBe(0);
  });

  it("reuses the caller's transaction instead of nesting one", async () => {
    const p = t.db.prisma;
    const seen = await p.$transaction(async (tx) => inTransaction(tx, async (inner) => inner));
    expect(seen).not.toBe(p);
    const same = await p.$transaction(async (tx) =>
      inTransaction(tx, async (inner) => inner === tx),
    );
    expect(same).toBe(true);
  });
});

describe('actors, errors and dates', () => {
  it('labels the actor for the audit log', () => {
    expect(actorLabel('cli')).toBe('cli');
    expect(actorLabel({ personId: 'p1' })).toBe('person:p1');
    expect(actorPersonId('cli')).toBeNull();
    expect(actorPersonId({ personId: 'p1' })).toBe('p1');
  });

  it('gives each domain error its locale key and variables', () => {
    expect(new AccessError('no')).toMatchObject({
      name: 'AccessError',
      message: 'no',
      key: 'domain.errors.access',
      vars: {},
    });
    expect(new AccessError('no', 'x.key', { unit: '42' })).toMatchObject({
      key: 'x.key',
      vars: { unit: '42' },
    });
    expect(new ValidationError('bad')).toMatchObject({
      name: 'ValidationError',
      key: 'domain.errors.invalid',
      vars: {},
    });
    expect(new ValidationError('bad', 'y.key', { n: 1 })).toMatchObject({
      key: 'y.key',
      vars: { n: 1 },
    });
  });

  it('calls an unknown code or an invalid value bad input, not a refusal or a failure', () => {
    expect(isBadInput(new NotFoundError('person', 'p9'))).toBe(true);
    expect(isBadInput(new ValidationError('bad'))).toBe(true);
    expect(isBadInput(new AccessError('no'))).toBe(false);
    expect(isBadInput(new Error('boom'))).toBe(false);
  });

  it('takes the calendar day in Hà Nội time, which starts at 17:00 UTC', () => {
    expect(hcmDay(new Date('2025-10-31T16:59:59Z'))).toEqual(new Date('2025-10-31T00:00:00Z'));
    expect(hcmDay(new Date('2025-10-31T17:00:00Z'))).toEqual(new Date('2025-11-01T00:00:00Z'));
    expect(hcmDay(new Date('2025-12-31T17:30:00Z'))).toEqual(new Date('2026-01-01T00:00:00Z'));
  });

  it('writes a time as HH:mm dd/mm/yyyy in Hà Nội time, zero-padded', () => {
    expect(vnDateTimeText(new Date('2025-01-02T01:04:00Z'))).toBe('08:04 02/01/2025');
    expect(vnDateTimeText(new Date('2025-11-30T16:30:00Z'))).toBe('23:30 30/11/2025');
    expect(vnDateTimeText(new Date('2025-12-31T17:05:00Z'))).toBe('00:05 01/01/2026');
  });
});
