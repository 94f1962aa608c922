/**
 * Importer registry for `import <kind> <file>`. One file per importer in ./importers/, each
 * exporting `importer: Importer`; files are discovered at run time, so adding an importer
 * (e.g. helper B's `schedule`) needs no edit here.
 *
 * Contract that makes imports safe: `parse` validates every row and returns all row errors
 * (line numbers) without touching the database; `apply` runs inside ONE transaction and may
 * throw ImportRowsError for errors only the database can reveal (unknown unit code…), which
 * rolls everything back. Re-importing the same file must be a no-op (upserts by natural key).
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Db, Prisma } from '../db/client.js';
import { bumpVersion } from '../domain/versions.js';

export interface RowError {
  /** 1-based line in the file (header = line 1); 0 when the error is about the whole file. */
  line: number;
  message: string;
}

export class ImportRowsError extends Error {
  constructor(readonly errors: RowError[]) {
    super(`${errors.length} bad row(s)`);
    this.name = 'ImportRowsError';
  }
}

export type ParseResult<T> =
  { ok: true; value: T; rows: number } | { ok: false; errors: RowError[] };

export interface ApplyContext {
  now: Date;
  /** Who imports: 'cli' or a person id. */
  actor: string;
  fileName: string;
  /** Reports progress (shown on stderr when it is a terminal). */
  progress(done: number, total: number): void;
  /** `--name value` options given on the command line (only those the importer declares). */
  options?: Readonly<Record<string, string>>;
}

export interface ImportSummary {
  /** e.g. { created: 3, updated: 1, unchanged: 66 } */
  counts: Record<string, number>;
  /** Optional extra line for the operator. */
  message?: string;
}

export interface Importer<T = unknown> {
  /** The word after `import`, e.g. 'units'. */
  kind: string;
  /** e.g. 'import units <file.csv>' */
  usage: string;
  /** Short description of the accepted format(s). */
  description: string;
  /** Names of the `--name value` options it takes (e.g. 'as-of'). */
  options?: readonly string[];
  /** Validates the whole file; never touches the database. */
  parse(content: Buffer, fileName: string): ParseResult<T>;
  /** Writes the parsed data inside the given transaction. */
  apply(tx: Prisma.TransactionClient, value: T, ctx: ApplyContext): Promise<ImportSummary>;
}

let cache: Promise<Map<string, Importer>> | undefined;

/** All importers found in ./importers/ (cached). */
export function loadImporters(): Promise<Map<string, Importer>> {
  cache ??= (async () => {
    const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), 'importers');
    const files = (await readdir(dir))
      .filter((f) => /\.(ts|js|mjs)$/.test(f) && !/\.d\.ts$|\.test\./.test(f))
      .sort();
    const map = new Map<string, Importer>();
    for (const f of files) {
      const mod = (await import(pathToFileURL(path.join(dir, f)).href)) as { importer?: Importer };
      if (mod.importer) map.set(mod.importer.kind, mod.importer);
    }
    return map;
  })();
  return cache;
}

/** Interactive transactions default to 5 s; a national import needs far more. */
export const IMPORT_TX_OPTIONS = { maxWait: 60_000, timeout: 15 * 60_000 } as const;

/**
 * Parses then applies in one transaction. Throws ImportRowsError (nothing written) when any
 * row is bad.
 */
export async function runImport<T>(
  db: Db,
  importer: Importer<T>,
  content: Buffer,
  ctx: ApplyContext,
): Promise<ImportSummary & { rows: number }> {
  const parsed = importer.parse(content, ctx.fileName);
  if (!parsed.ok) throw new ImportRowsError(parsed.errors);
  const summary = await db.prisma.$transaction(async (tx) => {
    const result = await importer.apply(tx, parsed.value, ctx);
    // Every instance's caches follow this version (see src/domain/versions.ts).
    await bumpVersion(tx, importer.kind);
    return result;
  }, IMPORT_TX_OPTIONS);
  return { ...summary, rows: parsed.rows };
}

/** Formats zod issues as one short reason. */
export function zodReason(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues
    .map((i) => (i.path.length ? `${i.path.map(String).join('.')}: ${i.message}` : i.message))
    .join('; ');
}
