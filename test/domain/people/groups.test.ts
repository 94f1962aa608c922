import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../../helpers/db.js';
import { AccessError, ValidationError } from '../../../src/domain/access.js';
import { groupChatsOf, moveGroupChat, registerGroup } from '../../../src/domain/people/index.js';
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

describe('registering a group again', () => {
  const input = (personId: string, chatId: string, unitCode?: string) => ({
    personId,
    channel: 'zalo-bot',
    chatId,
    now,
    ...(unitCode ? { unitCode } : {}),
  });

  it('moves it to the new unit, naming the one it served before, and audits both', async () => {
    const manager = await addPerson(t.db, { name: 'Chuyển', unitId: f.province, role: 'manager' });
    const first = await registerGroup(t.db.prisma, input(manager, 'g-1', '18073'));
    expect(first).toEqual({ unitId: f.thanhSen, unitCode: '18073', unitName: 'Phường Thành Sen' });
    const again = await registerGroup(t.db.prisma, input(manager, 'g-1', '18073'));
    expect(again).toEqual(first);
    const other = await addPerson(t.db, {
      name: 'Người khác',
      unitId: f.province,
      role: 'manager',
    });
    const later = new Date(now.getTime() + 60_000);
    const moved = await registerGroup(t.db.prisma, {
      ...input(other, 'g-1', '18100'),
      now: later,
    });
    expect(moved).toEqual({
      unitId: f.tranPhu,
      unitCode: '18100',
      unitName: 'Phường Trần Phú',
      previousUnitId: f.thanhSen,
    });
    expect(
      await t.db.prisma.chatGroup.findUniqueOrThrow({
        where: { channel_chatId: { channel: 'zalo-bot', chatId: 'g-1' } },
      }),
    ).toMatchObject({ unitId: f.tranPhu, registeredBy: other, registeredAt: later });
    const trail = await t.db.prisma.auditLog.findMany({
      where: { entity: 'chat_group', entityId: 'zalo-bot:g-1' },
      orderBy: { id: 'asc' },
    });
    expect(trail.map((a) => [a.actor, a.action, a.data])).toEqual([
      [`person:${manager}`, 'group.register', { unit: '18073' }],
      [`person:${manager}`, 'group.register', { unit: '18073', previousUnitId: f.thanhSen }],
      [`person:${other}`, 'group.register', { unit: '18100', previousUnitId: f.thanhSen }],
    ]);
    const row = await t.db.prisma.chatGroup.findUniqueOrThrow({
      where: { channel_chatId: { channel: 'zalo-bot', chatId: 'g-1' } },
    });
    expect(row.registeredAt).toEqual(later);
  });

  it("takes an admin's only unit, counted once when held under two roles", async () => {
    const admin = await addPerson(t.db, { name: 'QT nhóm', unitId: f.ngheAn, role: 'admin' });
    await t.db.prisma.membership.create({
      data: { personId: admin, unitId: f.ngheAn, role: 'manager' },
    });
    await t.db.prisma.membership.create({
      data: { personId: admin, unitId: f.vinh, role: 'reporter' },
    });
    expect(await registerGroup(t.db.prisma, input(admin, 'g-2'))).toEqual({
      unitId: f.ngheAn,
      unitCode: '40',
      unitName: 'Tỉnh Nghệ An',
    });
    const created = await t.db.prisma.chatGroup.findUniqueOrThrow({
      where: { channel_chatId: { channel: 'zalo-bot', chatId: 'g-2' } },
    });
    expect(created).toMatchObject({ registeredBy: admin, registeredAt: now });
  });
});

describe('group chats of units', () => {
  it('are only those of the units asked, ordered by unit, channel and chat', async () => {
    const manager = await addPerson(t.db, { name: 'Thứ tự', unitId: f.ngheAn, role: 'manager' });
    for (const [channel, chatId] of [
      ['zalo-bot', 'o-2'],
      ['telegram', 'o-3'],
      ['telegram', 'o-1'],
    ] as const) {
      await registerGroup(t.db.prisma, {
        personId: manager,
        channel,
        chatId,
        unitCode: '16681',
        now,
      });
    }
    expect(await groupChatsOf(t.db.prisma, [f.vinh])).toEqual([
      { channel: 'telegram', chatId: 'o-1', unitId: f.vinh },
      { channel: 'telegram', chatId: 'o-3', unitId: f.vinh },
      { channel: 'zalo-bot', chatId: 'o-2', unitId: f.vinh },
    ]);
    expect(await groupChatsOf(t.db.prisma, [])).toEqual([]);
  });

  it('move on migration only on their own channel, audited by the system', async () => {
    const manager = await addPerson(t.db, {
      name: 'Di chuyển',
      unitId: f.province,
      role: 'manager',
    });
    await registerGroup(t.db.prisma, {
      personId: manager,
      channel: 'zalo-bot',
      chatId: 'mig-1',
      unitCode: '42',
      now,
    });
    expect(await moveGroupChat(t.db.prisma, 'telegram', 'mig-1', 'mig-2')).toBe(false);
    expect(await moveGroupChat(t.db.prisma, 'zalo-bot', 'mig-1', 'mig-2')).toBe(true);
    const trail = await t.db.prisma.auditLog.findFirstOrThrow({
      where: { action: 'group.migrate', entityId: 'zalo-bot:mig-2' },
    });
    expect([trail.actor, trail.entity, trail.data]).toEqual([
      'system',
      'chat_group',
      { from: 'mig-1' },
    ]);
    expect(
      await t.db.prisma.auditLog.count({
        where: { action: 'group.migrate', entityId: 'telegram:mig-2' },
      }),
    ).toBe(0);
  });
});

describe('what a person reads when a group cannot be registered', () => {
  it('names the reason', async () => {
    const reporter = await addPerson(t.db, { name: 'BCV nhóm', unitId: f.vinh, role: 'reporter' });
    await expect(
      registerGroup(t.db.prisma, { personId: reporter, channel: 'sim', chatId: 'r-1', now }),
    ).rejects.toMatchObject({ message: 'not a manager', key: 'domain.errors.access' });
    await expect(
      registerGroup(t.db.prisma, {
        personId: reporter,
        channel: 'sim',
        chatId: 'r-1',
        unitCode: '16681',
        now,
      }),
    ).rejects.toThrow('unit out of scope');
    const two = await addPerson(t.db, { name: 'QL hai nơi', unitId: f.vinh, role: 'manager' });
    await t.db.prisma.membership.create({
      data: { personId: two, unitId: f.thanhSen, role: 'admin' },
    });
    await expect(
      registerGroup(t.db.prisma, { personId: two, channel: 'sim', chatId: 'r-2', now }),
    ).rejects.toMatchObject({ message: 'several units: name one', key: 'groups.errors.nameUnit' });
  });
});
