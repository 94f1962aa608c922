import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../helpers/db.js';
import {
  AccessError,
  ValidationError,
  NotFoundError,
  canManageUnit,
  visibleUnitIds,
} from '../../../src/domain/access.js';
import {
  groupChatsOf,
  listMembers,
  moveGroupChat,
  readSenderPrelude,
  registerGroup,
  removeMember,
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

describe('group chats registered for a unit', () => {
  const input = (personId: string, chatId: string, unitCode?: string) => ({
    personId,
    channel: 'telegram',
    chatId,
    now,
    ...(unitCode ? { unitCode } : {}),
  });

  it("takes a unit in the manager's scope, or their only unit, and refuses one outside it", async () => {
    const manager = await addPerson(t.db, { name: 'Minh', unitId: f.province, role: 'manager' });
    expect(await registerGroup(t.db.prisma, input(manager, '-100', '18100'))).toMatchObject({
      unitId: f.tranPhu,
      unitCode: '18100',
    });
    expect(await registerGroup(t.db.prisma, input(manager, '-101'))).toMatchObject({
      unitId: f.province,
    });
    await expect(registerGroup(t.db.prisma, input(manager, '-102', '40'))).rejects.toBeInstanceOf(
      AccessError,
    );
    expect(await groupChatsOf(t.db.prisma, [f.tranPhu, f.province])).toEqual(
      [
        { channel: 'telegram', chatId: '-100', unitId: f.tranPhu },
        { channel: 'telegram', chatId: '-101', unitId: f.province },
      ].sort((a, b) => a.unitId.localeCompare(b.unitId)),
    );
  });

  it('asks a manager of several units to name one, and refuses a reporter', async () => {
    const two = await addPerson(t.db, { name: 'Hà', unitId: f.thanhSen, role: 'manager' });
    await t.db.prisma.membership.create({
      data: { personId: two, unitId: f.tranPhu, role: 'manager' },
    });
    await expect(registerGroup(t.db.prisma, input(two, '-103'))).rejects.toBeInstanceOf(
      ValidationError,
    );
    const reporter = await addPerson(t.db, { name: 'Lan', unitId: f.tranPhu, role: 'reporter' });
    await expect(registerGroup(t.db.prisma, input(reporter, '-104'))).rejects.toBeInstanceOf(
      AccessError,
    );
    await expect(
      registerGroup(t.db.prisma, input(reporter, '-104', '18100')),
    ).rejects.toBeInstanceOf(AccessError);
  });

  it('moves a registration to the new chat id of a migrated group, audited', async () => {
    expect(await moveGroupChat(t.db.prisma, 'telegram', '-100', '-1009')).toBe(true);
    expect(await moveGroupChat(t.db.prisma, 'telegram', '-100', '-1010')).toBe(false);
    expect(await groupChatsOf(t.db.prisma, [f.tranPhu])).toEqual([
      { channel: 'telegram', chatId: '-1009', unitId: f.tranPhu },
    ]);
    const trail = await t.db.prisma.auditLog.findMany({
      where: { entity: 'chat_group' },
      select: { action: true },
    });
    expect(trail.map((a) => a.action)).toContain('group.migrate');
  });
});
