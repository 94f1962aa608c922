/**
 * `npm run admin -- <command>`: the operator's command line.
 *
 * Never two writers on one PGlite folder: when a live server advertises itself in
 * `<DATA_DIR>/runtime.json`, the command runs inside it through `POST /admin/api/run`;
 * otherwise the CLI takes `<DATA_DIR>/pglite.lock` (or uses DATABASE_URL) and opens the
 * database itself. A stale runtime file (its process is gone) is ignored.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createDb } from '../db/client.js';
import { DataDirLockedError, acquireDataDirLock, releaseDataDirLock } from '../db/datadir-lock.js';
import { migrate } from '../db/migrate.js';
import { loadConfig } from '../config.js';
import type { Config } from '../config.js';
import { readRuntimeFile } from '../server/runtime-file.js';
import { loadOrCreateSecret } from '../server/secrets.js';
import { runRemote } from './remote.js';
import { STREAMED_COMMANDS, runStreamed } from './remote-stream.js';
import { runCommand } from './run.js';
import { EXIT_FAILURE } from './types.js';
import type { AdminIO } from './types.js';

/** The environment the CLI reads (validated by the app's own loadConfig). */
export type CliEnv = NodeJS.ProcessEnv;

/** Runs the CLI; returns the exit code. Separated from process handling for tests. */
export async function main(
  argv: string[],
  env: CliEnv = process.env,
  io: AdminIO = {
    stdout: process.stdout,
    stderr: process.stderr,
    isTTY: Boolean(process.stderr.isTTY),
  },
  cwd: string = process.cwd(),
): Promise<number> {
  let config: Config;
  try {
    config = loadConfig({ ...env, DATA_DIR: path.resolve(cwd, env.DATA_DIR || './data') });
  } catch (err) {
    io.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_FAILURE;
  }
  const { dataDir } = config;

  const runtime = readRuntimeFile(dataDir);
  if (runtime && !runtime.stale && STREAMED_COMMANDS.has(argv[0] ?? '')) {
    // Backups and restores stream through the server instead of JSON with base64.
    return runStreamed(runtime.info, argv, io, cwd);
  }
  if (runtime && !runtime.stale) {
    try {
      const r = await runRemote(runtime.info, argv, { cwd, stdin: io.stdin });
      io.stdout.write(r.stdout);
      io.stderr.write(r.stderr);
      return r.exitCode;
    } catch (err) {
      io.stderr.write(
        `cannot reach the running server (pid ${runtime.info.pid}) at ${runtime.info.url}: ` +
          `${(err as Error).message}\n`,
      );
      return EXIT_FAILURE;
    }
  }

  try {
    return await runLocal(argv, io, { config, cwd });
  } catch (err) {
    io.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_FAILURE;
  }
}

/** Opens the database in this process (taking the PGlite folder lock) and runs the command. */
async function runLocal(
  argv: string[],
  io: AdminIO,
  opts: { config: Config; cwd: string },
): Promise<number> {
  const { config, cwd } = opts;
  const { dataDir, databaseUrl } = config;
  if (!databaseUrl) {
    try {
      acquireDataDirLock(dataDir);
    } catch (err) {
      if (err instanceof DataDirLockedError) {
        io.stderr.write(
          `the data folder ${dataDir} is held by process ${err.pid}, which published no ` +
            `runtime.json to reach it; stop it or wait until it has started.\n`,
        );
        return EXIT_FAILURE;
      }
      throw err;
    }
  }
  try {
    const db = await createDb({ databaseUrl, dataDir });
    try {
      await migrate(db);
      return await runCommand(argv, io, {
        db,
        config: {
          ...config,
          timezone: config.timeZone,
          inviteCodePepper: loadOrCreateSecret(
            dataDir,
            'invite-code-pepper',
            config.inviteCodePepper,
          ).value,
        },
        now: () => new Date(),
        who: `cli ${userInfo().username}`,
        readFile: (p) => readFile(path.resolve(cwd, p)),
        writeFile: (p, data) => writeFile(path.resolve(cwd, p), data),
      });
    } finally {
      await db.close();
    }
  } finally {
    if (!databaseUrl) releaseDataDirLock(dataDir);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 1;
    },
  );
}
