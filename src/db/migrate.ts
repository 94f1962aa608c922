/**
 * Applies `prisma/migrations/<timestamp>_<name>/migration.sql` with the wasm schema engine.
 * Records in `_prisma_migrations` exactly like `prisma migrate deploy`, so a deployment with
 * internet may still use the stock CLI on the same database.
 */
import type { Db } from './client.js';
import { MIGRATIONS_DIR, openSchemaEngine, readMigrationList } from './schema-engine.js';

export interface MigrateOptions {
  migrationsDir?: string;
  onLog?: (line: string) => void;
}

/** Applies pending migrations; returns the names applied now (empty when up to date). */
export async function migrate(db: Db, opts: MigrateOptions = {}): Promise<string[]> {
  const migrationsList = await readMigrationList(opts.migrationsDir ?? MIGRATIONS_DIR);
  const engine = await openSchemaEngine(db.adapterFactory, opts.onLog);
  try {
    const out = await engine.applyMigrations({
      migrationsList,
      filters: { externalTables: [], externalEnums: [] },
    });
    return out.appliedMigrationNames;
  } finally {
    engine.free();
  }
}
