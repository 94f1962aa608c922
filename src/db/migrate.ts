/**
 * Applies `prisma/migrations/<timestamp>_<name>/migration.sql` with the wasm schema engine.
 * Records in `_prisma_migrations` exactly like `prisma migrate deploy`, so a deployment with
 * internet may still use the stock CLI on the same database.
 *
 * Why the up-to-date check first: instantiating the schema engine (a ~10 MB wasm module whose
 * memory stays with the process) costs seconds and tens of MB at every start, although a
 * restart almost never has a migration to apply. When every migration folder is recorded as
 * applied with the same checksum (sha256 of migration.sql, as Prisma records it), the engine
 * is not loaded at all; anything else — a new, failed, rolled back or edited migration, or no
 * `_prisma_migrations` table yet — goes to the engine, which applies or reports it.
 */
import { createHash } from 'node:crypto';
import type { Db } from './client.js';
import {
  MIGRATIONS_DIR,
  openSchemaEngine,
  readMigrationList,
  releaseSchemaEngine,
} from './schema-engine.js';

export interface MigrateOptions {
  migrationsDir?: string;
  onLog?: (line: string) => void;
  /** Release the schema engine afterwards (a server: nothing migrates again until a restart). */
  release?: boolean;
}

/** Applies pending migrations; returns the names applied now (empty when up to date). */
export async function migrate(db: Db, opts: MigrateOptions = {}): Promise<string[]> {
  const migrationsList = await readMigrationList(opts.migrationsDir ?? MIGRATIONS_DIR);
  if (await upToDate(db, migrationsList.migrationDirectories)) return [];
  const engine = await openSchemaEngine(db.adapterFactory, opts.onLog);
  try {
    const out = await engine.applyMigrations({
      migrationsList,
      filters: { externalTables: [], externalEnums: [] },
    });
    return out.appliedMigrationNames;
  } finally {
    engine.free();
    if (opts.release) releaseSchemaEngine();
  }
}

type Dirs = Awaited<ReturnType<typeof readMigrationList>>['migrationDirectories'];

/** True when every folder is applied, finished, not rolled back, with the same checksum. */
async function upToDate(db: Db, dirs: Dirs): Promise<boolean> {
  let rows: { name: string; checksum: string }[];
  try {
    rows = await db.prisma.$queryRawUnsafe<{ name: string; checksum: string }[]>(
      `SELECT migration_name AS name, checksum FROM _prisma_migrations
        WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
  } catch {
    return false; // no _prisma_migrations yet: a new database
  }
  const applied = new Map(rows.map((r) => [r.name, r.checksum]));
  return dirs.every((d) => {
    const content = d.migrationFile.content;
    if (content.tag !== 'ok') return false;
    const checksum = createHash('sha256').update(content.value).digest('hex');
    return applied.get(d.path) === checksum;
  });
}
