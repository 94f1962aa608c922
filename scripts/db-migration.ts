/**
 * `npm run db:migration -- <name>`: writes prisma/migrations/<yyyymmddHHMMSS>_<name>/migration.sql
 * with the SQL that takes the existing migrations to schema.prisma (offline, wasm engine).
 */
import { mkdir, writeFile, access } from 'node:fs/promises';
import path from 'node:path';
import { diffMigrationsToSchema } from '../src/db/migration-diff.js';
import { LOCKFILE_CONTENT, MIGRATIONS_DIR } from '../src/db/schema-engine.js';

/** UTC timestamp like Prisma's own migration folder names. */
function stamp(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return (
    `${d.getUTCFullYear()}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}` +
    `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`
  );
}

async function main(): Promise<number> {
  const raw = process.argv[2];
  if (!raw || !/^[a-z0-9_]+$/i.test(raw)) {
    process.stderr.write('usage: npm run db:migration -- <name>   (letters, digits, _)\n');
    return 2;
  }
  const sql = await diffMigrationsToSchema();
  if (!sql.trim()) {
    process.stdout.write('no changes\n');
    return 0;
  }
  const folder = path.join(MIGRATIONS_DIR, `${stamp(new Date())}_${raw.toLowerCase()}`);
  await mkdir(folder, { recursive: true });
  await writeFile(path.join(folder, 'migration.sql'), sql);
  const lock = path.join(MIGRATIONS_DIR, 'migration_lock.toml');
  await access(lock).catch(() => writeFile(lock, LOCKFILE_CONTENT));
  process.stdout.write(`created ${path.relative(process.cwd(), folder)}/migration.sql\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
