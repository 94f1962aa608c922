/**
 * Concurrency on the real PostgreSQL (PGlite runs one transaction at a time, so these races
 * cannot happen there — the tests are skipped on it with that reason): one invitation code
 * redeemed by several identities at the same moment, and two corrections of one figure.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb, type Db } from '../../src/db/client.js';
import { parsePeriod } from '../../src/domain/periods.js';
import { createInvitation, redeemInvitation } from '../../src/domain/people/index.js';
import { DEFAULT_SCHEDULE } from '../../src/domain/schedule.js';
import { submitFigures } from '../../src/domain/submissions/index.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { addPerson, seedFixture, vn, type Fixture } from './people/fixture.js';

const onPostgres = process.env.TEST_DATABASE === 'postgres';

describe.runIf(onPostgres)('concurrent writes on PostgreSQL', () => {
  let t: TestDb;
  let other: Db;
  let f: Fixture;
  const now = vn('2025-11-03T09:00:00');

  beforeAll(async () => {
    t = await createTestDb('postgres');
    other = await createDb({ databaseUrl: t.databaseUrl, dataDir: t.dataDir, poolMax: 4 });
    f = await seedFixture(t.db);
  }, 120_000);
  afterAll(async () => {
    await other?.close();
    await t?.cleanup();
  });

  it('lets exactly one of several identities redeem one invitation code at the same moment', async () => {
    const { code } = await createInvitation(t.db.prisma, {
      unitCode: '18073',
      role: 'reporter',
      createdBy: 'cli',
      now,
    });
    const attempts = Array.from({ length: 6 }, (_, i) =>
      redeemInvitation(i % 2 ? other.prisma : t.db.prisma, {
        code,
        channel: 'telegram',
        externalId: `racer-${i}`,
        now,
      }).then(
        () => 'ok' as const,
        (e: unknown) => (e as Error).name,
      ),
    );
    const results = await Promise.all(attempts);
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r !== 'ok').every((r) => r === 'InvitationError')).toBe(true);
    const linked = await t.db.prisma.identity.count({
      where: { externalId: { startsWith: 'racer-' } },
    });
    expect(linked).toBe(1);
  });

  it('records an exact old → new for each of two concurrent corrections of one figure', async () => {
    const reporter = await addPerson(t.db, {
      name: 'Lê Văn C',
      unitId: f.tranPhu,
      role: 'reporter',
    });
    const period = parsePeriod('T10/2025', now)!;
    const submit = (db: Db, numerator: number) =>
      submitFigures(db.prisma, {
        personId: reporter,
        unitId: f.tranPhu,
        channel: 'sim',
        schedule: DEFAULT_SCHEDULE,
        period,
        now,
        items: [{ indicatorCode: 'HSTT', numerator, denominator: 100 }],
      });
    await submit(t.db, 10);
    await Promise.all([submit(t.db, 20), submit(other, 30)]);
    const row = await t.db.prisma.submission.findFirstOrThrow({
      where: { unitId: f.tranPhu, indicatorCode: 'HSTT', period: 'T10/2025' },
      include: { versions: { orderBy: { at: 'asc' } } },
    });
    const chain = row.versions.map((v) => [
      (v.oldData as { numerator?: number } | null)?.numerator ?? null,
      (v.newData as { numerator?: number }).numerator,
    ]);
    // create 10; then either 10→20→30 or 10→30→20: each update saw the figure the other left.
    expect(chain[0]).toEqual([null, 10]);
    expect(chain).toHaveLength(3);
    const [, second, third] = chain;
    expect(second![0]).toBe(10);
    expect(third![0]).toBe(second![1]);
    expect(Number(row.numerator)).toBe(third![1]);
  });
});

describe.runIf(!onPostgres)('concurrent writes on PGlite', () => {
  it.skip('are covered on PostgreSQL only: PGlite runs one transaction at a time', () => {});
});
