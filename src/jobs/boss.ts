/**
 * pg-boss on the application's own database: PostgreSQL through its own small pool, or the
 * in-process PGlite instance through `fromPglite` (PGlite is one session per process, so a
 * second connection is not an option). Jobs then live and commit next to the data they concern.
 */
import { fromPglite, PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { Db } from '../db/client.js';

export interface CreateBossOptions {
  db: Pick<Db, 'kind' | 'pglite' | 'databaseUrl'>;
  logger: Logger;
  /** PostgreSQL schema for pg-boss's tables (default 'pgboss'). */
  schema?: string;
  /** Pool size on PostgreSQL (default 4). */
  max?: number;
  /** How often expired/stalled jobs are detected, in seconds (default 15). */
  superviseIntervalSeconds?: number;
}

/**
 * Create and start pg-boss. Errors pg-boss reports in the background (lost connection,
 * maintenance failures) are logged, never thrown into the process.
 */
export async function createBoss(opts: CreateBossOptions): Promise<PgBoss> {
  const log = opts.logger.child({ component: 'pg-boss' });
  const common = {
    schema: opts.schema ?? 'pgboss',
    superviseIntervalSeconds: opts.superviseIntervalSeconds ?? 15,
    openTelemetry: { enabled: false },
  };
  let boss: PgBoss;
  if (opts.db.kind === 'pglite') {
    if (!opts.db.pglite) throw new Error('createBoss: PGlite database without its instance');
    boss = new PgBoss({ ...common, db: fromPglite(opts.db.pglite) });
  } else {
    if (!opts.db.databaseUrl) throw new Error('createBoss: PostgreSQL database without its URL');
    boss = new PgBoss({ ...common, connectionString: opts.db.databaseUrl, max: opts.max ?? 4 });
  }
  boss.on('error', (err) => log.error({ err }, 'pg-boss error'));
  boss.on('warning', (w) => log.warn({ warning: w }, 'pg-boss warning'));
  await boss.start();
  return boss;
}
