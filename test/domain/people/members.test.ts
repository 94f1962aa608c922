import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../helpers/db.js';
import {
  AccessError,
  NotFoundError,
  canManageUnit,
  visibleUnitIds,
} from '../../../src/domain/access.js';
import {
  listMembers,
  readSenderPrelude,
  removeMember,
  createLinkCode,
  resolveIdentity,
  setLocale,
} from '../../../src/domain/people/index.js';
import { bumpVersion, readVersions } from '../../../src/domain/versions.js';
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

  it('gives the person, their reachability and active memberships in order, as stored', async () => {
    const p = await addPerson(t.db, {
      name: 'Lê Thị Hoa',
      unitId: f.thanhSen,
      role: 'reporter',
      channel: 'telegram',
      externalId: 'tg-resolve',
    });
    await t.db.prisma.membership.create({
      data: {
        personId: p,
        unitId: f.province,
        role: 'manager',
        createdAt: vn('2030-01-01T00:00:00'),
      },
    });
    await t.db.prisma.membership.create({
      data: { personId: p, unitId: f.tranPhu, role: 'reporter', removedAt: now },
    });
    const seenAt = vn('2025-11-02T08:00:00');
    await t.db.prisma.identity.update({
      where: { channel_externalId: { channel: 'telegram', externalId: 'tg-resolve' } },
      data: { lastSeenAt: seenAt },
    });
    const who = await resolveIdentity(t.db.prisma, 'telegram', 'tg-resolve');
    // The same as Prisma reads it relation by relation.
    const stored = await t.db.prisma.person.findUniqueOrThrow({
      where: { id: p },
      include: {
        memberships: {
          where: { removedAt: null },
          include: { unit: true },
          orderBy: { createdAt: 'asc' },
        },
      },
    });
    const { memberships, ...person } = stored;
    expect(who).toEqual({
      person,
      identity: { lastSeenAt: seenAt, unreachableAt: null },
      memberships: memberships.map((m) => ({ membershipId: m.id, unit: m.unit, role: m.role })),
    });
    expect(who!.memberships.map((m) => m.role)).toEqual(['reporter', 'manager']);
  });

  it('gives a linked person without active memberships an empty list', async () => {
    const p = await addPerson(t.db, {
      name: 'Phan Văn Tú',
      unitId: f.thanhSen,
      role: 'reporter',
      channel: 'zalo-bot',
      externalId: 'zb-removed',
    });
    await t.db.prisma.membership.updateMany({ where: { personId: p }, data: { removedAt: now } });
    const who = await resolveIdentity(t.db.prisma, 'zalo-bot', 'zb-removed');
    expect(who?.person.id).toBe(p);
    expect(who?.memberships).toEqual([]);
  });
});

describe("an update's first read (readSenderPrelude)", () => {
  it('gives the sender, the language chosen on the identity and the data versions at once', async () => {
    await bumpVersion(t.db.prisma, 'indicators');
    await bumpVersion(t.db.prisma, 'services');
    const p = await addPerson(t.db, {
      name: 'Đặng Thị Mai',
      unitId: f.thanhSen,
      role: 'reporter',
      channel: 'telegram',
      externalId: 'tg-prelude',
    });
    await setLocale(t.db.prisma, 'telegram', 'tg-prelude', 'en', now);
    const prelude = await readSenderPrelude(t.db.prisma, 'telegram', 'tg-prelude');
    expect(prelude.identity).toEqual(await resolveIdentity(t.db.prisma, 'telegram', 'tg-prelude'));
    expect(prelude.identity?.person.id).toBe(p);
    expect(prelude.ownLocale).toBe('en');
    const versions = await readVersions(t.db.prisma);
    expect(versions.get('indicators')).toMatch(/^[0-9a-f-]{36}$/);
    expect(prelude.versions).toEqual(versions);
  });

  it("gives a citizen's own language and the versions, with no identity", async () => {
    await setLocale(t.db.prisma, 'zalo-oa', 'citizen-prelude', 'en', now);
    const prelude = await readSenderPrelude(t.db.prisma, 'zalo-oa', 'citizen-prelude');
    expect(prelude.identity).toBeNull();
    expect(prelude.ownLocale).toBe('en');
    expect(prelude.versions).toEqual(await readVersions(t.db.prisma));
    const stranger = await readSenderPrelude(t.db.prisma, 'zalo-oa', 'never-seen');
    expect(stranger).toEqual({ identity: null, ownLocale: null, versions: prelude.versions });
  });

  it('follows a new data version at once', async () => {
    const before = (await readSenderPrelude(t.db.prisma, 'telegram', 'x')).versions.get('schedule');
    await bumpVersion(t.db.prisma, 'schedule');
    const after = (await readSenderPrelude(t.db.prisma, 'telegram', 'x')).versions.get('schedule');
    expect(after).toBeDefined();
    expect(after).not.toBe(before);
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

describe('the member list', () => {
  it('orders by unit code, then admin, manager, reporter, then Vietnamese name, then person', async () => {
    const at = (unitId: string, role: 'reporter' | 'manager' | 'admin', name: string) =>
      addPerson(t.db, { name, unitId, role, channel: 'sim', externalId: `order-${name}-${role}` });
    // Vietnamese collation puts Ă and Â after A as letters of their own: Az before Âu.
    const au = await at(f.vinh, 'reporter', 'Âu');
    const az = await at(f.vinh, 'reporter', 'Az');
    const twin1 = await at(f.vinh, 'reporter', 'Bình');
    const twin2 = await addPerson(t.db, { name: 'Bình', unitId: f.vinh, role: 'reporter' });
    const man = await at(f.vinh, 'manager', 'Yến');
    const adm = await at(f.vinh, 'admin', 'Zung');
    const lower = await at(f.ngheAn, 'reporter', 'An');
    const twins = [twin1, twin2].sort((a, b) => a.localeCompare(b));
    const mine = new Set([au, az, twin1, twin2, man, adm, lower]);
    const everyone = await listMembers(t.db.prisma, { now });
    expect(everyone.filter((m) => mine.has(m.personId)).map((m) => m.personId)).toEqual([
      adm,
      man,
      az,
      au,
      ...twins,
      lower,
    ]);
    const one = (await listMembers(t.db.prisma, { unitCode: '16681', now })).find(
      (m) => m.personId === man,
    );
    const row = await t.db.prisma.membership.findFirstOrThrow({ where: { personId: man } });
    expect(one).toEqual({
      personId: man,
      displayName: 'Yến',
      membershipId: row.id,
      unitCode: '16681',
      unitName: 'Phường Vinh Phú',
      role: 'manager',
      since: row.createdAt,
      identities: [{ channel: 'sim', externalId: 'order-Yến-manager' }],
    });
  });

  it("lists a person's identities by channel, then id", async () => {
    const p = await addPerson(t.db, {
      name: 'Nhiều kênh',
      unitId: f.vinh,
      role: 'reporter',
      channel: 'zalo-bot',
      externalId: 'zb-2',
    });
    for (const [channel, externalId] of [
      ['telegram', 'tg-2'],
      ['zalo-bot', 'zb-1'],
      ['telegram', 'tg-1'],
    ] as const) {
      await t.db.prisma.identity.create({ data: { channel, externalId, personId: p } });
    }
    const m = (await listMembers(t.db.prisma, { unitCode: '16681', now })).find(
      (x) => x.personId === p,
    );
    expect(m?.identities.map((i) => `${i.channel}:${i.externalId}`)).toEqual([
      'telegram:tg-1',
      'telegram:tg-2',
      'zalo-bot:zb-1',
      'zalo-bot:zb-2',
    ]);
  });
});

describe('removing members', () => {
  it('removes only the named unit, audited, and lets a manager of the subtree do it', async () => {
    const p = await addPerson(t.db, { name: 'Hai đơn vị', unitId: f.thanhSen, role: 'reporter' });
    const kept = await t.db.prisma.membership.create({
      data: { personId: p, unitId: f.tranPhu, role: 'reporter' },
    });
    const manager = await addPerson(t.db, { name: 'QL xóa', unitId: f.province, role: 'manager' });
    const later = new Date(now.getTime() + 3_600_000);
    expect(
      await removeMember(t.db.prisma, {
        personId: p,
        by: { personId: manager },
        unitCode: '18073',
        now: later,
      }),
    ).toBe(1);
    const rows = await t.db.prisma.membership.findMany({ where: { personId: p } });
    expect(rows.find((r) => r.id === kept.id)?.removedAt).toBeNull();
    const gone = rows.find((r) => r.id !== kept.id)!;
    expect(gone.removedAt).toEqual(later);
    const trail = await t.db.prisma.auditLog.findFirstOrThrow({
      where: { action: 'membership.remove', entityId: gone.id },
    });
    expect([trail.actor, trail.entity, trail.at, trail.data]).toEqual([
      `person:${manager}`,
      'membership',
      later,
      { personId: p, unitId: f.thanhSen, role: 'reporter' },
    ]);
    await expect(
      removeMember(t.db.prisma, { personId: p, by: 'cli', unitCode: '99999', now }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lets only an admin (or the operator) remove an admin', async () => {
    const target = await addPerson(t.db, { name: 'QT phường', unitId: f.tranPhu, role: 'admin' });
    const manager = await addPerson(t.db, { name: 'QL tỉnh', unitId: f.province, role: 'manager' });
    await expect(
      removeMember(t.db.prisma, { personId: target, by: { personId: manager }, now }),
    ).rejects.toMatchObject({ name: 'AccessError', key: 'domain.errors.inviteRole' });
    expect(
      await t.db.prisma.membership.count({ where: { personId: target, removedAt: null } }),
    ).toBe(1);
    const admin = await addPerson(t.db, { name: 'QT tỉnh', unitId: f.province, role: 'admin' });
    expect(
      await removeMember(t.db.prisma, { personId: target, by: { personId: admin }, now }),
    ).toBe(1);
    const other = await addPerson(t.db, { name: 'QT khác', unitId: f.tranPhu, role: 'admin' });
    expect(await removeMember(t.db.prisma, { personId: other, by: 'cli', now })).toBe(1);
  });

  it("revokes the person's unused self-link codes", async () => {
    const p = await addPerson(t.db, { name: 'Có mã', unitId: f.thanhSen, role: 'reporter' });
    const link = await createLinkCode(t.db.prisma, { personId: p, now });
    const later = new Date(now.getTime() + 60_000);
    await removeMember(t.db.prisma, { personId: p, by: 'cli', now: later });
    const inv = await t.db.prisma.invitation.findUniqueOrThrow({
      where: { id: link.invitation.id },
    });
    expect(inv.revokedAt).toEqual(later);
  });
});

describe('what the operator reads when a removal is refused', () => {
  it('names the rule broken', async () => {
    const p = await addPerson(t.db, { name: 'Ngoài phạm vi', unitId: f.vinh, role: 'reporter' });
    const manager = await addPerson(t.db, { name: 'QL 42', unitId: f.province, role: 'manager' });
    await expect(
      removeMember(t.db.prisma, { personId: p, by: { personId: manager }, now }),
    ).rejects.toMatchObject({
      message: 'not a manager of every unit of this person',
      key: 'domain.errors.notManager',
    });
    const admin = await addPerson(t.db, { name: 'QT 42', unitId: f.thanhSen, role: 'admin' });
    await expect(
      removeMember(t.db.prisma, { personId: admin, by: { personId: manager }, now }),
    ).rejects.toThrow('only an admin may remove an admin');
  });
});
