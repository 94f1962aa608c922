/**
 * Logical backup and restore of the application's data, the same on PGlite and PostgreSQL, so
 * one format serves three uses: `backup`/`restore` of an embedded deployment while its server
 * runs (streamed through the server), and `migrate-to`, which moves an embedded deployment to
 * PostgreSQL.
 *
 * Format (gzip of newline-delimited JSON):
 *   {"format":"cds-bot-backup","version":1,"createdAt":…,"migrations":[…applied names…]}
 *   {"__table":"unit"}            then one line per row: PostgreSQL's own row_to_json text
 *   …
 *   {"__end":true,"tables":{"unit":69,…}}
 * Rows are never parsed in JavaScript: PostgreSQL writes them (row_to_json) and reads them back
 * (json_populate_recordset), so numeric(18,4) figures, timestamps and JSON columns round-trip
 * exactly. The dump is one REPEATABLE READ transaction (a consistent snapshot); the restore is
 * one transaction (all or nothing) into a database migrated to the same migrations, replacing
 * every table's content, then moving sequences past the restored ids and changing every data
 * version so each instance reloads its caches.
 */
import { createGunzip, createGzip } from 'node:zlib';
import type { Readable, Writable } from 'node:stream';
import type { Db } from '../db/client.js';

export const BACKUP_FORMAT = 'cds-bot-backup';
export const BACKUP_VERSION = 1;
const BATCH_ROWS = 500;
const PAGE_ROWS = 2000;
/** A restore or dump of a large deployment takes minutes, not Prisma's default 5 s. */
const TX_OPTIONS = { maxWait: 60_000, timeout: 60 * 60_000 } as const;

export interface BackupSummary {
  migrations: string[];
  /** Rows per table. */
  tables: Record<string, number>;
}

/** Thrown for a file that is not a backup, is truncated, or fits another schema (exit code 2). */
export class BackupFormatError extends Error {
  override readonly name = 'BackupFormatError';
}

type Tx = Parameters<Parameters<Db['prisma']['$transaction']>[0]>[0];
type Query = Pick<Tx, '$queryRawUnsafe' | '$executeRawUnsafe'>;

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

interface TableInfo {
  /** Parents before children (foreign keys). */
  order: string[];
  /** Tables with a foreign key to themselves: restored in one statement. */
  selfReferencing: Set<string>;
}

/** The application's tables (schema public, without Prisma's migration record), in FK order. */
async function tables(q: Query): Promise<TableInfo> {
  const names = (
    await q.$queryRawUnsafe<{ name: string }[]>(
      `SELECT table_name AS name FROM information_schema.tables
        WHERE table_schema = 'public' AND table_type = 'BASE TABLE'
          AND table_name <> '_prisma_migrations' ORDER BY table_name`,
    )
  ).map((r) => r.name);
  const edges = await q.$queryRawUnsafe<{ child: string; parent: string }[]>(
    `SELECT ch.relname AS child, pa.relname AS parent
       FROM pg_constraint c
       JOIN pg_class ch ON ch.oid = c.conrelid
       JOIN pg_class pa ON pa.oid = c.confrelid
       JOIN pg_namespace n ON n.oid = ch.relnamespace
      WHERE c.contype = 'f' AND n.nspname = 'public'`,
  );
  const selfReferencing = new Set(edges.filter((e) => e.child === e.parent).map((e) => e.child));
  const order: string[] = [];
  const done = new Set<string>();
  const visit = (t: string, path: Set<string>) => {
    if (done.has(t) || path.has(t)) return;
    path.add(t);
    for (const e of edges) if (e.child === t && e.parent !== t) visit(e.parent, path);
    done.add(t);
    order.push(t);
  };
  for (const t of names) visit(t, new Set());
  return { order: order.filter((t) => names.includes(t)), selfReferencing };
}

async function appliedMigrations(q: Query): Promise<string[]> {
  const rows = await q.$queryRawUnsafe<{ name: string }[]>(
    `SELECT migration_name AS name FROM _prisma_migrations
      WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY migration_name`,
  );
  return rows.map((r) => r.name);
}

/**
 * Writes the backup as NDJSON lines to `emit` (awaited, so a slow reader holds the dump back)
 * from one consistent snapshot.
 */
export async function dumpLines(
  db: Db,
  emit: (line: string) => Promise<void> | void,
): Promise<BackupSummary> {
  return db.prisma.$transaction(async (tx) => {
    if (db.kind === 'postgres')
      await tx.$executeRawUnsafe('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const migrations = await appliedMigrations(tx);
    const { order } = await tables(tx);
    await emit(
      JSON.stringify({
        format: BACKUP_FORMAT,
        version: BACKUP_VERSION,
        createdAt: new Date().toISOString(),
        database: db.kind,
        migrations,
      }),
    );
    const counts: Record<string, number> = {};
    for (const table of order) {
      await emit(JSON.stringify({ __table: table }));
      let n = 0;
      for (;;) {
        const rows = await tx.$queryRawUnsafe<{ j: string }[]>(
          `SELECT row_to_json(t)::text AS j FROM ${quote(table)} t ORDER BY ctid LIMIT ${PAGE_ROWS} OFFSET ${n}`,
        );
        for (const r of rows) await emit(r.j);
        n += rows.length;
        if (rows.length < PAGE_ROWS) break;
      }
      counts[table] = n;
    }
    await emit(JSON.stringify({ __end: true, tables: counts }));
    return { migrations, tables: counts };
  }, TX_OPTIONS);
}

/** Gzipped backup into a writable stream (the HTTP response, a file). */
export async function writeBackup(db: Db, out: Writable): Promise<BackupSummary> {
  const gzip = createGzip();
  gzip.pipe(out);
  const finished = new Promise<void>((resolve, reject) => {
    out.once('finish', resolve);
    out.once('close', resolve);
    out.once('error', reject);
    gzip.once('error', reject);
  });
  const summary = await dumpLines(db, (line) => {
    if (!gzip.write(`${line}\n`)) return new Promise<void>((r) => gzip.once('drain', () => r()));
  });
  gzip.end();
  await finished;
  return summary;
}

/** Lines of a gzipped (or plain) NDJSON stream. */
export async function* readLines(input: Readable, gzipped = true): AsyncGenerator<string> {
  const source = gzipped ? input.pipe(createGunzip()) : input;
  if (gzipped) input.once('error', (err) => source.destroy(err));
  let rest = '';
  for await (const chunk of source as AsyncIterable<Buffer>) {
    rest += chunk.toString('utf8');
    let nl: number;
    while ((nl = rest.indexOf('\n')) >= 0) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      if (line.trim()) yield line;
    }
  }
  if (rest.trim()) yield rest;
}

/**
 * Replaces the database's data with a backup's, in one transaction. The database must be
 * migrated to exactly the backup's migrations (restore with the version that wrote it, then
 * upgrade). Throws BackupFormatError, and changes nothing, for anything else.
 */
export async function restoreLines(db: Db, lines: AsyncIterable<string>): Promise<BackupSummary> {
  const it = lines[Symbol.asyncIterator]();
  const first = await it.next();
  let header: { format?: unknown; version?: unknown; migrations?: unknown };
  try {
    header = first.done ? {} : (JSON.parse(first.value) as typeof header);
  } catch {
    throw new BackupFormatError('not a cds-bot backup (the first line is not JSON)');
  }
  if (header.format !== BACKUP_FORMAT) throw new BackupFormatError('not a cds-bot backup');
  if (header.version !== BACKUP_VERSION)
    throw new BackupFormatError(`backup format version ${String(header.version)} not supported`);
  const wanted = Array.isArray(header.migrations) ? header.migrations.map(String) : [];

  return db.prisma.$transaction(async (tx) => {
    const have = await appliedMigrations(tx);
    if (have.join('\n') !== wanted.join('\n')) {
      const missing = wanted.filter((m) => !have.includes(m));
      const extra = have.filter((m) => !wanted.includes(m));
      throw new BackupFormatError(
        `the backup was made at another schema version (${[
          missing.length ? `not applied here: ${missing.join(', ')}` : '',
          extra.length ? `applied here only: ${extra.join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; ')}); restore it with the version that made it, then upgrade`,
      );
    }
    const { order, selfReferencing } = await tables(tx);
    if (order.length > 0)
      await tx.$executeRawUnsafe(
        `TRUNCATE ${order.map(quote).join(', ')} RESTART IDENTITY CASCADE`,
      );

    const counts: Record<string, number> = {};
    let table: string | undefined;
    let batch: string[] = [];
    const flush = async () => {
      if (!table || batch.length === 0) return;
      await tx.$executeRawUnsafe(
        `INSERT INTO ${quote(table)} SELECT * FROM json_populate_recordset(NULL::${quote(table)}, $1::json)`,
        `[${batch.join(',')}]`,
      );
      counts[table] = (counts[table] ?? 0) + batch.length;
      batch = [];
    };
    let end: { tables?: Record<string, number> } | undefined;
    for (let r = await it.next(); !r.done; r = await it.next()) {
      const line = r.value;
      if (line.startsWith('{"__table":') || line.startsWith('{"__end":')) {
        await flush();
        const marker = JSON.parse(line) as { __table?: string; __end?: boolean };
        if (marker.__end) {
          end = marker as typeof end;
          break;
        }
        if (!marker.__table || !order.includes(marker.__table))
          throw new BackupFormatError(`unknown table in the backup: ${String(marker.__table)}`);
        table = marker.__table;
        counts[table] = 0;
        continue;
      }
      if (!table) throw new BackupFormatError('row before any table in the backup');
      batch.push(line);
      if (batch.length >= BATCH_ROWS && !selfReferencing.has(table)) await flush();
    }
    if (!end) throw new BackupFormatError('the backup is truncated (no end record)');
    for (const [t, n] of Object.entries(end.tables ?? {})) {
      if ((counts[t] ?? 0) !== n)
        throw new BackupFormatError(
          `the backup is damaged: ${t} has ${counts[t] ?? 0} of ${n} rows`,
        );
    }
    // Sequences past the restored ids (autoincrement columns).
    const serials = await tx.$queryRawUnsafe<{ t: string; c: string }[]>(
      `SELECT table_name AS t, column_name AS c FROM information_schema.columns
        WHERE table_schema = 'public' AND column_default LIKE 'nextval(%'`,
    );
    for (const { t, c } of serials) {
      await tx.$executeRawUnsafe(
        `SELECT setval(pg_get_serial_sequence('${quote(t)}', '${c}'), COALESCE((SELECT max(${quote(c)}) FROM ${quote(t)}), 0) + 1, false)`,
      );
    }
    // Every instance's caches are keyed by the data versions: change them all.
    await tx.$executeRawUnsafe(
      `UPDATE catalog_meta SET value = gen_random_uuid()::text WHERE key LIKE 'version.%'`,
    );
    return { migrations: wanted, tables: counts };
  }, TX_OPTIONS);
}

/** Whether the application's tables hold any row (migrate-to refuses a database in use). */
export async function hasData(db: Db): Promise<boolean> {
  const { order } = await tables(db.prisma);
  for (const t of order) {
    const rows = await db.prisma.$queryRawUnsafe<{ one: number }[]>(
      `SELECT 1 AS one FROM ${quote(t)} LIMIT 1`,
    );
    if (rows.length > 0) return true;
  }
  return false;
}

/** One line per table with rows, for the command's report. */
export function describeSummary(s: BackupSummary): string {
  const total = Object.values(s.tables).reduce((a, b) => a + b, 0);
  const parts = Object.entries(s.tables)
    .filter(([, n]) => n > 0)
    .map(([t, n]) => `${t} ${n}`);
  return `${total} rows in ${Object.keys(s.tables).length} tables (${parts.join(', ')}); schema at ${s.migrations.at(-1) ?? 'no migration'}`;
}
