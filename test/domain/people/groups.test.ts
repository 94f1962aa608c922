import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessError, ValidationError } from '../../../src/domain/access.js';
import { groupChatsOf, moveGroupChat, registerGroup } from '../../../src/domain/people/index.js';
import { createTestDb, type TestDb } from '../../helpers/db.js';
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
