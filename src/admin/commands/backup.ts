/**
 * `backup --out <file>`, `restore <file>`, `migrate-to --database-url <url>` (src/admin/backup.ts
 * has the format). With a server running on the embedded database the CLI streams the first
 * two through the server (`GET /admin/api/backup`, `POST /admin/api/restore`, see
 * src/admin/remote-stream.ts) and runs `migrate-to` itself from the server's backup stream;
 * these implementations run when the CLI holds the database (no server running) — or, for the
 * first two, behind the JSON endpoint.
 */
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { createDb } from '../../db/client.js';
import { migrate } from '../../db/migrate.js';
import {
  BackupFormatError,
  describeSummary,
  dumpLines,
  hasData,
  readLines,
  restoreLines,
} from '../backup.js';
import { parseOptions } from '../options.js';
import { UsageError, type AdminCommand } from '../types.js';

export const commands: AdminCommand[] = [
  {
    name: 'backup',
    usage: 'backup --out <file.ndjson.gz>',
    summary: 'write all data to a file (a consistent snapshot; the server keeps running)',
    async run(args, io, deps) {
      const { out } = parseOptions(args, { out: { type: 'string' } });
      if (!out) throw new UsageError('--out <file> is required');
      const lines: string[] = [];
      const summary = await dumpLines(deps.db, (l) => {
        lines.push(l);
      });
      await deps.writeFile(out, gzipSync(`${lines.join('\n')}\n`));
      io.stdout.write(`backup written to ${out}: ${describeSummary(summary)}\n`);
      return 0;
    },
  },
  {
    name: 'restore',
    usage: 'restore <file.ndjson.gz>',
    summary: 'replace all data with a backup (all or nothing; same schema version)',
    async run(args, io, deps) {
      const [file, ...rest] = args;
      if (!file || rest.length > 0) throw new UsageError('restore takes one file: restore <file>');
      const content = await deps.readFile(file).catch((err: unknown) => {
        throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
      });
      const summary = await restoreLines(deps.db, linesOf(content)).catch((err: unknown) => {
        throw err instanceof BackupFormatError ? new UsageError(`${file}: ${err.message}`) : err;
      });
      await deps.onChange?.('restore');
      io.stdout.write(`restored from ${file}: ${describeSummary(summary)}\n`);
      return 0;
    },
  },
  {
    name: 'migrate-to',
    usage: 'migrate-to --database-url <postgresql://…>',
    summary: 'copy every row of this database into an empty PostgreSQL database (moving house)',
    async run(args, io, deps) {
      const { 'database-url': url } = parseOptions(args, { 'database-url': { type: 'string' } });
      if (!url || !/^postgres(ql)?:\/\//.test(url))
        throw new UsageError('--database-url <postgresql://…> is required');
      const lines: string[] = [];
      await dumpLines(deps.db, (l) => {
        lines.push(l);
      });
      const summary = await copyInto(url, toAsync(lines), (m) => io.stderr.write(`${m}\n`));
      io.stdout.write(
        `copied to PostgreSQL: ${describeSummary(summary)}\n` +
          'next: set DATABASE_URL to that URL (and REDIS_URL for several instances) and restart.\n',
      );
      return 0;
    },
  },
];

/**
 * Migrates the target PostgreSQL database, refuses one that holds data, and restores the
 * backup lines into it. Shared with the CLI's streamed path.
 */
export async function copyInto(
  databaseUrl: string,
  lines: AsyncIterable<string>,
  note: (m: string) => void,
) {
  const target = await createDb({ databaseUrl, dataDir: '.' });
  try {
    const applied = await migrate(target);
    if (applied.length > 0) note(`target migrated (${applied.length} migrations)`);
    if (await hasData(target))
      throw new UsageError('the target database already holds data; use an empty database');
    return await restoreLines(target, lines).catch((err: unknown) => {
      throw err instanceof BackupFormatError ? new UsageError(err.message) : err;
    });
  } finally {
    await target.close();
  }
}

function linesOf(content: Buffer): AsyncIterable<string> {
  // A gzip file starts with 1f 8b; a plain NDJSON backup is accepted too.
  const gz = content[0] === 0x1f && content[1] === 0x8b;
  return readLines(Readable.from([gz ? gunzipSync(content) : content]), false);
}

async function* toAsync(lines: string[]): AsyncGenerator<string> {
  for (const l of lines) yield l;
}
