import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../helpers/db.js';
import {
  AccessError,
  NotFoundError,
  canManageUnit,
  visibleUnitIds,
} from '../../../src/domain/access.js';
import { listMembers, removeMember, resolveIdentity } from '../../../src/domain/people/index.js';
import { addPerson, seedFixture, vn, type Fixture } from './fixture.js';

let t: TestDb;
let f: Fixture;
const now = vn('2025-11-03T09:00:00');

beforeAll(async () => {
  t = await createTestDb();
  f = await seedFixture(t.db);
}, 120_000);
afterAll(async () => {
  await t?.cleanup();
});

describe('resolveIdentity', () => {
  it('returns null for an unlinked identity (a citizen)', async () => {
    expect(await resolveIdentity(t.db.prisma, 'telegram', 'nobody')).toBeNull();
  });
});

describe('scopes', () => {
  it('gives reporters their units, managers their subtree and admins everything', async () => {
    const rep = await addPerson(t.db, { name: 'R', unitId: f.thanhSen, role: 'reporter' });
    const man = await addPerson(t.db, { name: 'M', unitId: f.province, role: 'manager' });
    const adm = await addPerson(t.db, { name: 'A', unitId: f.ngheAn, role: 'admin' });
    expect(await visibleUnitIds(t.db.prisma, { personId: rep })).toEqual([f.thanhSen]);
    const managed = await visibleUnitIds(t.db.prisma, { personId: man });
    expect(new Set(managed)).toEqual(new Set([f.province, f.thanhSen, f.tranPhu, f.oldThachHa]));
    expect(await visibleUnitIds(t.db.prisma, { personId: adm })).toBe('all');
    expect(await canManageUnit(t.db.prisma, { personId: man }, f.tranPhu)).toBe(true);
    expect(await canManageUnit(t.db.prisma, { personId: man }, f.vinh)).toBe(false);
    expect(await canManageUnit(t.db.prisma, { personId: rep }, f.thanhSen)).toBe(false);
  });
});

describe('listMembers and removeMember', () => {
  it('lists members of one unit with their identities, and removal keeps history', async () => {
    const p = await addPerson(t.db, {
      name: 'Phan Văn C',
      unitId: f.tranPhu,
      role: 'reporter',
      channel: 'telegram',
      externalId: 'tg-c',
    });
    const list = await listMembers(t.db.prisma, { unitCode: '18100', now });
    expect(list.map((m) => [m.displayName, m.role, m.identities])).toEqual([
      ['Phan Văn C', 'reporter', [{ channel: 'telegram', externalId: 'tg-c' }]],
    ]);
    const man = await addPerson(t.db, { name: 'M2', unitId: f.ngheAn, role: 'manager' });
    await expect(
      removeMember(t.db.prisma, { personId: p, by: { personId: man }, now }),
    ).rejects.toBeInstanceOf(AccessError);
    expect(await removeMember(t.db.prisma, { personId: p, by: 'cli', now })).toBe(1);
    expect(await listMembers(t.db.prisma, { unitCode: '18100', now })).toEqual([]);
    const who = await resolveIdentity(t.db.prisma, 'telegram', 'tg-c');
    expect(who?.memberships).toEqual([]);
    const rows = await t.db.prisma.membership.findMany({ where: { personId: p } });
    expect(rows[0]?.removedAt?.toISOString()).toBe(now.toISOString());
    expect(await t.db.prisma.auditLog.count({ where: { action: 'membership.remove' } })).toBe(1);
  });

  it('rejects unknown people and unit codes', async () => {
    await expect(
      removeMember(t.db.prisma, { personId: 'nope', by: 'cli', now }),
    ).rejects.toBeInstanceOf(NotFoundError);
    await expect(listMembers(t.db.prisma, { unitCode: '00000', now })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });
});
