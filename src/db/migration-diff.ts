/**
 * Computes the SQL that takes the migrations folder to the current schema.prisma.
 * Uses an in-memory PGlite as shadow database, so it needs no server and no network.
 */
import { readFile } from 'node:fs/promises';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import {
  MIGRATIONS_DIR,
  SCHEMA_PATH,
  openSchemaEngine,
  readMigrationList,
} from './schema-engine.js';

/**
 * Returns the migration script from the migrations folder to `schemaPath`, or '' when they agree.
 * Why a fresh in-memory PGlite: the engine replays the migrations into a shadow database to know
 * the state they produce; an embedded one keeps this offline and side-effect free.
 */
export async function diffMigrationsToSchema(
  migrationsDir: string = MIGRATIONS_DIR,
  schemaPath: string = SCHEMA_PATH,
): Promise<string> {
  const pglite = await PGlite.create();
  const engine = await openSchemaEngine(new PrismaPGlite(pglite));
  try {
    const migrationsList = await readMigrationList(migrationsDir);
    const schema = await readFile(schemaPath, 'utf8');
    const result = await engine.diff({
      from: migrationsList.migrationDirectories.length
        ? { tag: 'migrations', ...migrationsList }
        : { tag: 'empty' },
      to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: schema }] },
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    });
    const sql = result.stdout ?? '';
    return sql.includes('-- This is an empty migration.') ? '' : sql;
  } finally {
    engine.free();
    await pglite.close();
  }
}
