import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedIfEmpty } from '../../src/admin/seed.js';
import { createDb } from '../../src/db/client.js';
import type { Db } from '../../src/db/client.js';
import { createTestDb } from '../helpers/db.js';
import type { TestDb } from '../helpers/db.js';

describe.runIf(process.env.TEST_DATABASE === 'postgres')(
  'seed on first start of several instances',
  () => {
    let t: TestDb;
    let other: Db;
    beforeAll(async () => {
      t = await createTestDb('postgres');
      other = await createDb({ databaseUrl: t.databaseUrl, dataDir: t.dataDir, poolMax: 2 });
    });
    afterAll(async () => {
      await other?.close();
      await t?.cleanup();
    });

    it('seeds exactly once when two instances start together', async () => {
      const results = await Promise.all([seedIfEmpty(t.db), seedIfEmpty(other)]);
      expect(results.filter(Boolean)).toHaveLength(1);
      expect(await t.db.prisma.unit.count()).toBe(292);
      expect(await t.db.prisma.procedure.count()).toBe(201);
    });
  },
);
