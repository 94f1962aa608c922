import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seed, seedIfEmpty } from '../../src/admin/seed.js';
import { createTestDb } from '../helpers/db.js';
import type { TestDb } from '../helpers/db.js';

describe('seed', () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb();
  });
  afterAll(async () => t?.cleanup());

  it('seeds an empty database once, with the Hà Tĩnh defaults', async () => {
    expect(await seedIfEmpty(t.db, { now: new Date('2025-11-03T02:00:00Z') })).toBe(true);
    const p = t.db.prisma;
    const current = await p.unit.findMany({ where: { effectiveTo: null } });
    expect(current).toHaveLength(70);
    expect(current.filter((u) => u.level === 'province').map((u) => [u.code, u.name])).toEqual([
      ['42', 'Tỉnh Hà Tĩnh'],
    ]);
    expect(current.filter((u) => u.type === 'xã')).toHaveLength(60);
    expect(current.filter((u) => u.type === 'phường')).toHaveLength(9);
    const history = await p.unit.findMany({ where: { effectiveTo: { not: null } } });
    expect(history.filter((u) => u.level === 'commune')).toHaveLength(210);
    expect(history.filter((u) => u.level === 'district')).toHaveLength(12);
    expect(await p.indicator.count()).toBe(17);
    expect(await p.procedure.count()).toBe(201);
    // Every old commune name is an alias of at least one new unit.
    const aliased = await p.unitAlias.findMany({
      distinct: ['aliasFolded'],
      where: { source: 'pre-2025' },
    });
    expect(aliased.length).toBeGreaterThan(200);
  });

  it('does not seed a database that already holds data', async () => {
    expect(await seedIfEmpty(t.db)).toBe(false);
  });

  it('can run again without duplicating anything', async () => {
    const r = await seed(t.db);
    expect(r.units?.counts).toMatchObject({ created: 0, unchanged: 70 });
    expect(r.history?.counts).toMatchObject({ created: 0, unchanged: 222, aliasesCreated: 0 });
    expect(r.indicators?.counts).toMatchObject({ created: 0, unchanged: 17 });
    expect(r.services?.counts).toMatchObject({ created: 0, unchanged: 201 });
    expect(await t.db.prisma.unit.count()).toBe(292);
  });
});
