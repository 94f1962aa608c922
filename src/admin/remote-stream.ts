/**
 * CLI side of the streamed admin routes, used while a server holds the embedded database:
 * `backup` reads `GET /admin/api/backup` straight into the file, `restore` sends the file as the
 * body of `POST /admin/api/restore`, and `migrate-to` restores the server's backup stream into
 * the target PostgreSQL from this process. Nothing is buffered whole or base64-encoded.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { describeSummary, readLines, type BackupSummary } from './backup.js';
import { copyInto } from './commands/backup.js';
import { parseOptions } from './options.js';
import type { RemoteTarget } from './remote.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, type AdminIO } from './types.js';

/** The commands that take the streamed path when a server is running. */
export const STREAMED_COMMANDS = new Set(['backup', 'restore', 'migrate-to']);

const auth = (t: RemoteTarget) => ({ authorization: `Bearer ${t.adminToken}` });

async function failure(res: Response): Promise<Error> {
  const text = await res.text().catch(() => '');
  let message = text.slice(0, 300);
  try {
    message = (JSON.parse(text) as { error?: string }).error ?? message;
  } catch {
    /* not JSON */
  }
  return res.status === 400
    ? new UsageError(message)
    : new Error(`server answered ${res.status}: ${message}`);
}

async function backupStream(target: RemoteTarget): Promise<Readable> {
  const res = await fetch(new URL('/admin/api/backup', target.url), { headers: auth(target) });
  if (!res.ok || !res.body) throw await failure(res);
  return Readable.fromWeb(res.body as WebReadableStream<Uint8Array>);
}

export async function runStreamed(
  target: RemoteTarget,
  argv: string[],
  io: AdminIO,
  cwd: string,
): Promise<number> {
  const [name, ...args] = argv;
  try {
    if (name === 'backup') {
      const { out } = parseOptions(args, { out: { type: 'string' } });
      if (!out) throw new UsageError('--out <file> is required');
      const file = path.resolve(cwd, out);
      const partial = `${file}.partial`;
      try {
        await pipeline(await backupStream(target), createWriteStream(partial));
        // The last line says what the backup holds; it is also the proof it is complete.
        let summary: BackupSummary | undefined;
        let migrations: string[] = [];
        for await (const line of readLines(createReadStream(partial))) {
          if (line.startsWith('{"format":'))
            migrations = (JSON.parse(line) as { migrations?: string[] }).migrations ?? [];
          if (line.startsWith('{"__end":')) summary = summaryOf(line, migrations);
        }
        if (!summary) throw new Error('the server ended the backup early');
        await rename(partial, file);
        const { size } = await stat(file);
        io.stdout.write(`backup written to ${out} (${size} bytes): ${describeSummary(summary)}\n`);
      } finally {
        await rm(partial, { force: true });
      }
      return EXIT_OK;
    }
    if (name === 'restore') {
      const [file, ...rest] = args;
      if (!file || rest.length > 0) throw new UsageError('restore takes one file: restore <file>');
      const full = path.resolve(cwd, file);
      await stat(full).catch(() => {
        throw new UsageError(`cannot read ${file}`);
      });
      const res = await fetch(new URL('/admin/api/restore', target.url), {
        method: 'POST',
        headers: { ...auth(target), 'content-type': 'application/gzip' },
        body: Readable.toWeb(createReadStream(full)) as unknown as BodyInit,
        duplex: 'half',
      } as RequestInit);
      if (!res.ok) throw await failure(res);
      const summary = (await res.json()) as BackupSummary;
      io.stdout.write(`restored from ${file}: ${describeSummary(summary)}\n`);
      return EXIT_OK;
    }
    if (name === 'migrate-to') {
      const { 'database-url': url } = parseOptions(args, { 'database-url': { type: 'string' } });
      if (!url || !/^postgres(ql)?:\/\//.test(url))
        throw new UsageError('--database-url <postgresql://…> is required');
      const summary = await copyInto(url, readLines(await backupStream(target)), (m) =>
        io.stderr.write(`${m}\n`),
      );
      io.stdout.write(
        `copied to PostgreSQL: ${describeSummary(summary)}\n` +
          'next: stop this server, set DATABASE_URL to that URL (and REDIS_URL for several instances) and start it again.\n',
      );
      return EXIT_OK;
    }
    throw new UsageError(`not a streamed command: ${String(name)}`);
  } catch (err) {
    io.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return err instanceof UsageError ? EXIT_USAGE : EXIT_FAILURE;
  }
}

function summaryOf(line: string, migrations: string[]): BackupSummary {
  const end = JSON.parse(line) as { tables?: Record<string, number> };
  return { migrations, tables: end.tables ?? {} };
}
