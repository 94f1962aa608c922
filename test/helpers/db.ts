/**
 * Test databases: a fresh, migrated database per call, on PGlite (default) or PostgreSQL
 * (`TEST_DATABASE=postgres`). Shared by every helper's tests.
 *
 * PGlite: initdb costs ~10 s on a busy machine, so a migrated template folder is built once
 * (keyed by the migrations' content and the PGlite version) under the OS temp dir and copied for
 * each test database (< 2 s). PostgreSQL: a fresh database `cds_test_<random>` is created with
 * TEST_DATABASE_ADMIN_URL (default postgresql://postgres@127.0.0.1:5432/postgres), migrated, and
 * dropped by `cleanup()`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { cp, mkdir, mkdtemp, readFile, readdir, rename, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import pg from 'pg';
import { createDb, pgliteDir } from '../../src/db/client.js';
import type { Db } from '../../src/db/client.js';
import { migrate } from '../../src/db/migrate.js';
import { MIGRATIONS_DIR, readMigrationList } from '../../src/db/schema-engine.js';
import { DEFAULT_SCHEDULE_FILE, SEED_DIR, seed } from '../../src/admin/seed.js';

export type TestDbKind = 'pglite' | 'postgres';

export interface TestDb {
  db: Db;
  kind: TestDbKind;
  /** PGlite: the DATA_DIR holding `pglite/`. PostgreSQL: a scratch dir (for lock/runtime files). */
  dataDir: string;
  /** PostgreSQL only: the URL of the fresh database. */
  databaseUrl?: string;
  /** Closes the database and removes it (folder or database). */
  cleanup(): Promise<void>;
}

export const DEFAULT_ADMIN_URL = 'postgresql://postgres@127.0.0.1:5432/postgres';

/** The backend chosen for this test run. */
export function testDbKind(): TestDbKind {
  return process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'pglite';
}

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

async function templateKey(): Promise<string> {
  const list = await readMigrationList(MIGRATIONS_DIR);
  const h = createHash('sha256');
  const require = createRequire(import.meta.url);
  const pgliteVersion = (
    JSON.parse(
      await readFile(
        path.join(path.dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json'),
        'utf8',
      ),
    ) as { version: string }
  ).version;
  h.update(pgliteVersion);
  for (const m of list.migrationDirectories) {
    h.update(m.path);
    h.update(m.migrationFile.content.tag === 'ok' ? m.migrationFile.content.value : '');
  }
  return h.digest('hex').slice(0, 16);
}

const templatePromises = new Map<string, Promise<string>>();

/** Hash of the seed files, so a changed seed rebuilds the seeded template. */
async function seedKey(): Promise<string> {
  const h = createHash('sha256');
  for (const f of (await readdir(SEED_DIR)).sort())
    h.update(f).update(await readFile(path.join(SEED_DIR, f)));
  h.update(await readFile(DEFAULT_SCHEDULE_FILE).catch(() => ''));
  return h.digest('hex').slice(0, 12);
}

/**
 * Builds (once, shared across processes through an atomic rename) a migrated PGlite folder,
 * optionally holding the default Hà Tĩnh seed too.
 */
function pgliteTemplate(seeded = false): Promise<string> {
  const variant = seeded ? 'seeded' : 'migrated';
  let p = templatePromises.get(variant);
  if (p) return p;
  p = (async () => {
    const suffix = seeded ? `${await templateKey()}-seed-${await seedKey()}` : await templateKey();
    const dir = path.join(os.tmpdir(), `cds-bot-pglite-template-${suffix}`);
    if (await exists(path.join(dir, 'pglite', 'PG_VERSION'))) return dir;
    const building = await mkdtemp(path.join(os.tmpdir(), 'cds-bot-pglite-build-'));
    if (seeded)
      await cp(pgliteDir(await pgliteTemplate(false)), pgliteDir(building), { recursive: true });
    const db = await createDb({ dataDir: building });
    try {
      await migrate(db);
      if (seeded) await seed(db);
    } finally {
      await db.close();
    }
    try {
      await rename(building, dir);
    } catch {
      // Another worker won the race: its template is as good as ours.
      await rm(building, { recursive: true, force: true });
    }
    return dir;
  })();
  templatePromises.set(variant, p);
  return p;
}

/** A fresh migrated database of the given kind (default: from TEST_DATABASE). */
export async function createTestDb(
  kind: TestDbKind = testDbKind(),
  opts: { seeded?: boolean } = {},
): Promise<TestDb> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'cds-bot-test-'));
  if (kind === 'pglite') {
    const template = await pgliteTemplate(opts.seeded ?? false);
    await mkdir(dataDir, { recursive: true });
    await cp(pgliteDir(template), pgliteDir(dataDir), { recursive: true });
    const db = await createDb({ dataDir });
    await migrate(db); // no-op unless the template is stale; keeps the helper honest
    return {
      db,
      kind,
      dataDir,
      async cleanup() {
        await db.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  }

  const adminUrl = process.env.TEST_DATABASE_ADMIN_URL ?? DEFAULT_ADMIN_URL;
  const name = `cds_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const db = await createDb({ databaseUrl, dataDir, poolMax: 4 });
  await migrate(db);
  if (opts.seeded) await seed(db);
  return {
    db,
    kind,
    dataDir,
    databaseUrl,
    async cleanup() {
      await db.close();
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      try {
        await a.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await a.end();
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
