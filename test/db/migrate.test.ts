import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { MIGRATIONS_DIR } from '../../src/db/schema-engine.js';
import { createTestDb, testDbKind } from '../helpers/db.js';
import type { TestDb } from '../helpers/db.js';

const kind = testDbKind();

describe(`migrate on ${kind}`, () => {
  let t: TestDb;
  beforeAll(async () => {
    t = await createTestDb(kind);
  }, 120_000);
  afterAll(async () => {
    await t?.cleanup();
  });

  it('records every migration folder in _prisma_migrations like prisma migrate deploy', async () => {
    const folders = (await readdir(MIGRATIONS_DIR, { withFileTypes: true }))
      .filter((d) => d.isDirectory())
      .map((d) => d.name)
      .sort();
    const rows = await t.db.prisma.$queryRawUnsafe<
      { migration_name: string; finished_at: Date | null; rolled_back_at: Date | null }[]
    >('SELECT migration_name, finished_at, rolled_back_at FROM _prisma_migrations ORDER BY 1');
    expect(rows.map((r) => r.migration_name)).toEqual(folders);
    for (const r of rows) {
      expect(r.finished_at).toBeInstanceOf(Date);
      expect(r.rolled_back_at).toBeNull();
    }
  });

  it('applies nothing when the database is up to date', async () => {
    expect(await migrate(t.db)).toEqual([]);
  }, 60_000);

  it('records the checksum its up-to-date check compares (sha256 of migration.sql)', async () => {
    // The check that spares a restart the schema engine must agree with what the engine wrote,
    // or every start would load the engine again.
    const rows = await t.db.prisma.$queryRawUnsafe<{ name: string; checksum: string }[]>(
      'SELECT migration_name AS name, checksum FROM _prisma_migrations',
    );
    for (const r of rows) {
      const sql = await readFile(path.join(MIGRATIONS_DIR, r.name, 'migration.sql'));
      expect(r.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
    }
  });

  it('creates tables the client can write and read', async () => {
    const unit = await t.db.prisma.unit.create({
      data: {
        code: '42',
        name: 'Tỉnh Hà Tĩnh',
        type: 'tỉnh',
        level: 'province',
        effectiveFrom: new Date('2025-07-01T00:00:00Z'),
        nameFolded: 'tinh ha tinh',
      },
    });
    const found = await t.db.prisma.unit.findUniqueOrThrow({
      where: {
        code_effectiveFrom: { code: '42', effectiveFrom: new Date('2025-07-01T00:00:00Z') },
      },
    });
    expect(found.id).toBe(unit.id);
    await expect(
      t.db.prisma.unit.create({
        data: {
          code: '42',
          name: 'duplicate',
          type: 'tỉnh',
          level: 'province',
          effectiveFrom: new Date('2025-07-01T00:00:00Z'),
          nameFolded: 'duplicate',
        },
      }),
    ).rejects.toThrow();
    await t.db.ping();
  });

  it.runIf(kind === 'pglite')(
    'keeps data in the folder across close and reopen',
    async () => {
      const count = await t.db.prisma.unit.count();
      await t.db.close();
      const reopened = await createDb({ dataDir: t.dataDir });
      try {
        expect(await reopened.prisma.unit.count()).toBe(count);
        expect(await migrate(reopened)).toEqual([]);
      } finally {
        // hand the reopened handle to cleanup
        t.db = reopened;
      }
    },
    60_000,
  );
});
