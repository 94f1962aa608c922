import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prisma, PrismaClient } from '../../src/db/generated/client.js';
import { transactionsThroughAdapter } from '../../src/db/raw.js';
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

describe(`transactions whose raw statements run on the adapter (${testDbKind()})`, () => {
  let t: TestDb;
  let client: PrismaClient;
  let through: ReturnType<typeof transactionsThroughAdapter>;
  beforeAll(async () => {
    t = await createTestDb(testDbKind(), { seeded: true });
    await t.db.prisma.$executeRaw`CREATE TABLE raw_tx_probe (k text PRIMARY KEY, n int NOT NULL)`;
    through = transactionsThroughAdapter(t.db.adapterFactory, () => client);
    client = new PrismaClient({ adapter: through.factory, errorFormat: 'minimal' });
  });
  afterAll(async () => {
    await client?.$disconnect();
    await t?.cleanup();
  });
  const txid = Prisma.sql`SELECT txid_current()::text AS id`;
  const count = async (k: string) =>
    (
      await t.db.prisma.$queryRaw<
        { n: bigint }[]
      >`SELECT count(*) AS n FROM raw_tx_probe WHERE k = ${k}`
    )[0]!.n;

  it('run raw statements on the adapter, in the same transaction as the model queries', async () => {
    const before = { ...through.routed };
    const { ids, rows, unit } = await through.transaction(async (tx) => {
      const ids = [
        (await tx.$queryRaw<{ id: string }[]>(txid))[0]!.id,
        (await tx.$queryRaw<{ id: string }[]>`SELECT txid_current()::text AS id`)[0]!.id,
      ];
      const written = await tx.$executeRaw`INSERT INTO raw_tx_probe (k, n) VALUES (${'a'}, ${1})`;
      // A model query sees the row the adapter wrote: one transaction.
      const unit = await tx.unit.findFirst({ where: { level: 'commune' } });
      const rows = await tx.$queryRaw<{ k: string; n: number }[]>`
        SELECT k, n FROM raw_tx_probe WHERE k = ${'a'}`;
      expect(written).toBe(1);
      return { ids, rows, unit };
    });
    expect(new Set(ids).size).toBe(1);
    expect(rows).toEqual([{ k: 'a', n: 1 }]);
    expect(unit).not.toBeNull();
    expect(through.routed.adapter - before.adapter).toBe(4);
    expect(through.routed.prisma - before.prisma).toBe(0);
    expect(await count('a')).toBe(1n);
  });

  it('return the rows and errors Prisma returns, and roll back what the adapter wrote', async () => {
    const at = new Date('2026-11-30T17:05:06.789Z');
    const sql = Prisma.sql`
      SELECT ${'chữ'}::text AS text, 9007199254740993::int8 AS int8, 123.450::numeric AS numeric,
             '{"a": [1]}'::jsonb AS jsonb, ${at}::timestamptz AS at, ARRAY[1, 2]::int4[] AS ints,
             ${7} AS param_int, ${2.25}::float8 AS param_float, ${true} AS param_bool, NULL::text AS nothing`;
    const fast = await through.transaction((tx) => tx.$queryRaw(sql));
    const plain = await client.$queryRaw(sql);
    expect(fast).toEqual(plain);

    const failure = (p: Promise<unknown>) =>
      p.then(
        () => undefined,
        (err: unknown) => err as Prisma.PrismaClientKnownRequestError,
      );
    const viaPrisma = await failure(
      client.$executeRaw`INSERT INTO raw_tx_probe (k, n) VALUES (${'a'}, ${2})`,
    );
    const viaAdapter = await failure(
      through.transaction(async (tx) => {
        await tx.$executeRaw`INSERT INTO raw_tx_probe (k, n) VALUES (${'b'}, ${1})`;
        await tx.$executeRaw`INSERT INTO raw_tx_probe (k, n) VALUES (${'a'}, ${2})`;
      }),
    );
    expect(viaAdapter).toBeInstanceOf(Prisma.PrismaClientKnownRequestError);
    expect(viaAdapter?.code).toBe(viaPrisma?.code);
    // Prisma's own message only adds which call failed.
    expect(viaAdapter?.message).toMatch(/^Raw query failed\. Code: `23505`/);
    expect(viaPrisma?.message).toContain(viaAdapter?.message);
    // The first insert was on the rolled-back transaction.
    expect(await count('b')).toBe(0n);
  });

  it('hand a parameter the adapter path does not take to Prisma, in the same transaction', async () => {
    const before = { ...through.routed };
    const ids = await through.transaction(async (tx) => [
      (await tx.$queryRaw<{ id: string }[]>(txid))[0]!.id,
      (
        await tx.$queryRaw<{ id: string }[]>`SELECT txid_current()::text AS id, ${10n}::int8 AS big`
      )[0]!.id,
    ]);
    expect(new Set(ids).size).toBe(1);
    expect(through.routed.adapter - before.adapter).toBe(1);
    expect(through.routed.prisma - before.prisma).toBe(1);
  });

  it('never use a transaction once it has ended', async () => {
    let kept: Prisma.TransactionClient | undefined;
    await through.transaction(async (tx) => {
      kept = tx;
      await tx.$executeRaw`INSERT INTO raw_tx_probe (k, n) VALUES (${'c'}, ${1})`;
    });
    const before = { ...through.routed };
    await expect(
      kept!.$executeRaw`INSERT INTO raw_tx_probe (k, n) VALUES (${'d'}, ${1})`,
    ).rejects.toThrow();
    expect(through.routed.prisma - before.prisma).toBe(1);
    expect(await count('d')).toBe(0n);
  });

  it('keep concurrent transactions apart', async () => {
    const runs = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        through
          .transaction(async (tx) => {
            const a = (await tx.$queryRaw<{ id: string }[]>(txid))[0]!.id;
            await tx.$executeRaw`INSERT INTO raw_tx_probe (k, n) VALUES (${`p${i}`}, ${i})`;
            const b = (await tx.$queryRaw<{ id: string }[]>(txid))[0]!.id;
            if (i % 2 === 1) throw new Error(`roll back ${i}`);
            return [a, b];
          })
          .catch(() => undefined),
      ),
    );
    const committed = runs.filter((r) => r !== undefined);
    expect(committed).toHaveLength(3);
    for (const [a, b] of committed) expect(a).toBe(b);
    expect(new Set(committed.map(([a]) => a)).size).toBe(3);
    for (let i = 0; i < 6; i++) expect(await count(`p${i}`)).toBe(i % 2 === 0 ? 1n : 0n);
  });
});
