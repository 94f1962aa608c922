/**
 * Database connection: PostgreSQL through @prisma/adapter-pg when DATABASE_URL is set,
 * otherwise embedded PGlite persisted under `<dataDir>/pglite`. One schema, one client type.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { preloadedOptions, type PglitePreload } from './pglite-preload.js';
import {
  readerThroughAdapter,
  transactionsThroughAdapter,
  type ReadStatement,
  type RunTransaction,
} from './raw.js';
import type { Logger } from 'pino';
import { PrismaClient } from './generated/client.js';
import type { Prisma } from './generated/client.js';

export { PrismaClient, Prisma };

/** Either the root client or the client handed to an interactive transaction callback. */
export type DbClient = PrismaClient | Prisma.TransactionClient;

export type DbKind = 'postgres' | 'pglite';

export interface Db {
  prisma: PrismaClient;
  kind: DbKind;
  /** The in-process PGlite instance (pg-boss: `fromPglite(db.pglite)`). */
  pglite?: PGlite;
  /** The pg pool behind Prisma (PostgreSQL only). */
  pgPool?: pg.Pool;
  /** The connection string (PostgreSQL only), e.g. for pg-boss's own pool. */
  databaseUrl?: string;
  /** Driver adapter factory, reused by the schema engine for migrations. */
  adapterFactory: SqlMigrationAwareDriverAdapterFactory;
  /**
   * A read outside any transaction through the driver adapter (see raw.ts): for the statement
   * every update runs; rows as `prisma.$queryRaw` returns them.
   */
  read: ReadStatement;
  /**
   * An interactive transaction (as `prisma.$transaction(fn, options)`) whose `$queryRaw` and
   * `$executeRaw` statements run on the driver adapter's transaction (see raw.ts): for the
   * transaction of every update that writes.
   */
  transaction: RunTransaction;
  /** Throws when the database does not answer (used by /readyz). */
  ping(): Promise<void>;
  /** Disconnects Prisma and closes the pool or the PGlite instance. Idempotent. */
  close(): Promise<void>;
}

export interface CreateDbOptions {
  databaseUrl?: string;
  dataDir: string;
  logger?: Pick<Logger, 'info' | 'warn' | 'error' | 'debug'>;
  /** Max pool size for PostgreSQL (default 10). */
  poolMax?: number;
  /**
   * Where the build put the embedded database's initdb template (scripts/pglite-template.mjs);
   * default `dist/pglite/` beside the compiled code. Used only to create a new database.
   */
  pgliteTemplateDir?: string;
  /** The engine and file bundle read and compiled ahead (see pglite-preload.ts). */
  pglitePreload?: PglitePreload;
}

/** The build's template folder, seen from dist/src/db/client.js (absent when run from src/). */
const DEFAULT_TEMPLATE_DIR = fileURLToPath(new URL('../../pglite/', import.meta.url));

/** The installed PGlite's version (its package.json is not exported as a module). */
function pgliteVersion(): string | undefined {
  let dir = path.dirname(createRequire(import.meta.url).resolve('@electric-sql/pglite'));
  while (path.dirname(dir) !== dir) {
    const file = path.join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === '@electric-sql/pglite') return pkg.version;
    }
    dir = path.dirname(dir);
  }
  return undefined;
}

/**
 * The initdb template for a database folder that holds no cluster yet, when the build made one
 * with this PGlite version: a first start then skips initdb (~700 MiB peak, ~20 s).
 */
async function templateFor(dir: string, templateDir: string): Promise<Blob | undefined> {
  if (existsSync(path.join(dir, 'PG_VERSION'))) return undefined;
  if ((await readdir(dir)).length > 0) return undefined;
  const version = pgliteVersion();
  const file = version && path.join(templateDir, `template-${version}.tar.gz`);
  if (!file || !existsSync(file)) return undefined;
  return new Blob([readFileSync(file)]);
}

/** Settings of the embedded PostgreSQL (written to its postgresql.conf at each open). */
export const PGLITE_CONF = ['shared_buffers = 32MB'];

/** The folder PGlite persists to inside DATA_DIR. */
export function pgliteDir(dataDir: string): string {
  return path.resolve(dataDir, 'pglite');
}

/**
 * The Prisma client over an adapter factory, with transactions whose raw statements run on the
 * adapter (raw.ts). Errors are formatted minimally in every environment: without it Prisma
 * captures a stack trace on every statement to point at the caller in its messages (1 % of the
 * write path's CPU), which the server's logs do not need.
 */
function clientOver(adapterFactory: SqlMigrationAwareDriverAdapterFactory): {
  prisma: PrismaClient;
  transaction: RunTransaction;
} {
  const through = transactionsThroughAdapter(adapterFactory, () => prisma);
  const prisma = new PrismaClient({ adapter: through.factory, errorFormat: 'minimal' });
  return { prisma, transaction: through.transaction };
}

/**
 * Opens the database named by the configuration. Does not migrate: call `migrate(db)`.
 * Why both backends here: every caller (server, CLI, tests) gets the same `Db` shape and never
 * needs to know which one it talks to.
 */
export async function createDb(opts: CreateDbOptions): Promise<Db> {
  const log = opts.logger;
  if (opts.databaseUrl) {
    const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: opts.poolMax ?? 10 });
    pool.on('error', (err) => log?.warn({ err }, 'pg pool error'));
    const adapterFactory = new PrismaPg(pool);
    const { prisma, transaction } = clientOver(adapterFactory);
    const reader = readerThroughAdapter(adapterFactory);
    let closed = false;
    log?.debug({ kind: 'postgres' }, 'database opened');
    return {
      prisma,
      kind: 'postgres',
      pgPool: pool,
      databaseUrl: opts.databaseUrl,
      adapterFactory,
      read: reader.read,
      transaction,
      async ping() {
        await pool.query('SELECT 1');
      },
      async close() {
        if (closed) return;
        closed = true;
        await reader.dispose();
        await prisma.$disconnect();
        await pool.end();
      },
    };
  }

  const dir = pgliteDir(opts.dataDir);
  await mkdir(dir, { recursive: true });
  // PostgreSQL's default 128 MB of shared buffers become resident wasm memory in this process
  // (measured: 313 → 198 MiB RSS for the seeded database with 16 MB); a province's data is a
  // few MB, so 32 MB still holds all of it.
  const loadDataDir = await templateFor(dir, opts.pgliteTemplateDir ?? DEFAULT_TEMPLATE_DIR);
  const pglite = await PGlite.create(dir, {
    postgresqlconf: PGLITE_CONF,
    loadDataDir,
    ...(await preloadedOptions(opts.pglitePreload)),
  });
  if (loadDataDir) log?.info({ dir }, 'embedded database created from the build template');
  const adapterFactory = new PrismaPGlite(pglite);
  const { prisma, transaction } = clientOver(adapterFactory);
  const reader = readerThroughAdapter(adapterFactory);
  let closed = false;
  log?.debug({ kind: 'pglite', dir }, 'database opened');
  return {
    prisma,
    kind: 'pglite',
    pglite,
    adapterFactory,
    read: reader.read,
    transaction,
    async ping() {
      await pglite.query('SELECT 1');
    },
    async close() {
      if (closed) return;
      closed = true;
      await reader.dispose();
      await prisma.$disconnect();
      await pglite.close();
    },
  };
}
