/**
 * `npm run db:migrate`: applies pending migrations to DATABASE_URL, or to the PGlite folder in
 * DATA_DIR (default ./data) when no server holds it (the server migrates at start-up anyway).
 */
import { loadConfig } from '../src/config.js';
import { createDb } from '../src/db/client.js';
import {
  acquireDataDirLock,
  releaseDataDirLock,
  DataDirLockedError,
} from '../src/db/datadir-lock.js';
import { migrate } from '../src/db/migrate.js';

async function main(): Promise<number> {
  const { databaseUrl, dataDir } = loadConfig(process.env, { secrets: false });
  if (!databaseUrl) {
    try {
      acquireDataDirLock(dataDir);
    } catch (err) {
      if (err instanceof DataDirLockedError) {
        process.stderr.write(
          `${err.message}: a running server applies migrations at start-up; restart it instead.\n`,
        );
        return 1;
      }
      throw err;
    }
  }
  const db = await createDb({ databaseUrl, dataDir });
  try {
    const applied = await migrate(db);
    process.stdout.write(
      applied.length ? `applied ${applied.length}: ${applied.join(', ')}\n` : 'up to date\n',
    );
    return 0;
  } finally {
    await db.close();
    if (!databaseUrl) releaseDataDirLock(dataDir);
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
