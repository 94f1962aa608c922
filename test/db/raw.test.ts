import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma } from '../../src/db/generated/client.js';
import { readSenderPrelude } from '../../src/domain/people/members.js';
import { addPerson } from '../domain/people/fixture.js';
import { createTestDb, testDbKind, type TestDb } from '../helpers/db.js';

describe(`reads through the driver adapter (${testDbKind()})`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(testDbKind(), { seeded: true });
  });
  afterAll(async () => {
    await t?.cleanup();
  });

  it('return the rows $queryRaw returns, for every column type the schema uses', async () => {
    const at = new Date('2026-11-30T17:05:06.789Z');
    const sql = Prisma.sql`
      SELECT ${'chữ'}::text AS text, 42::int4 AS int4, 9007199254740993::int8 AS int8,
             12.5::float8 AS float8, 123.450::numeric AS numeric, true AS yes, false AS no,
             '{"a": [1, "b"], "c": null}'::json AS json, '{"x": 1}'::jsonb AS jsonb,
             DATE '2026-12-01' AS day, ${at}::timestamptz AS at, TIMESTAMP '2026-12-01 10:00:00' AS naive,
             ARRAY['a', 'b'] AS texts, ARRAY[1, 2]::int4[] AS ints, ARRAY[1.5]::numeric[] AS numerics,
             'commune'::"UnitLevel" AS level, NULL::text AS nothing, ${7} AS param_int,
             ${2.25}::float8 AS param_float, ${false} AS param_bool`;
    const through = await t.db.read<Record<string, unknown>>(sql);
    const client = await t.db.prisma.$queryRaw<Record<string, unknown>[]>(sql);
    expect(through).toEqual(client);
    const [row] = through;
    expect(row?.at).toEqual(at);
    expect(row?.int8).toBe(9007199254740993n);
    expect(String(row?.numeric)).toBe('123.45');
    expect(row?.json).toEqual({ a: [1, 'b'], c: null });
    expect(row?.text).toBe('chữ');
  });

  it('read the sender as the client does: none, a citizen with a language, staff in two units', async () => {
    const units = await t.db.prisma.unit.findMany({
      where: { level: 'commune' },
      orderBy: { code: 'asc' },
      take: 2,
    });
    const personId = await addPerson(t.db, {
      name: 'Nguyễn Văn A',
      unitId: units[0]!.id,
      role: 'reporter',
      channel: 'telegram',
      externalId: '5001',
    });
    await t.db.prisma.membership.create({
      data: { personId, unitId: units[1]!.id, role: 'manager' },
    });
    await t.db.prisma.identity.update({
      where: { channel_externalId: { channel: 'telegram', externalId: '5001' } },
      data: { lastSeenAt: new Date('2026-12-02T01:02:03.004Z') },
    });
    await t.db.prisma.localeChoice.create({
      data: { channel: 'zalo-bot', userId: 'citizen-1', locale: 'en' },
    });
    for (const [channel, userId] of [
      ['telegram', '5001'],
      ['zalo-bot', 'citizen-1'],
      ['telegram', 'nobody'],
    ] as const) {
      const fast = await readSenderPrelude(t.db.prisma, channel, userId, t.db.read);
      const plain = await readSenderPrelude(t.db.prisma, channel, userId);
      expect(fast, `${channel} ${userId}`).toEqual(plain);
    }
    const staff = await readSenderPrelude(t.db.prisma, 'telegram', '5001', t.db.read);
    expect(staff.identity?.memberships.map((m) => m.role)).toEqual(['reporter', 'manager']);
    expect(staff.identity?.identity.lastSeenAt).toEqual(new Date('2026-12-02T01:02:03.004Z'));
    expect(staff.versions.size).toBeGreaterThan(0);
    const citizen = await readSenderPrelude(t.db.prisma, 'zalo-bot', 'citizen-1', t.db.read);
    expect(citizen).toMatchObject({ identity: null, ownLocale: 'en' });
  });

  it('refuse a parameter type it would pass on unchecked', async () => {
    await expect(t.db.read(Prisma.sql`SELECT ${{ a: 1 }}::jsonb AS j`)).rejects.toThrow(
      /unsupported parameter type/,
    );
  });
});
