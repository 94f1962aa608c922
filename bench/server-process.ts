/**
 * Bench helpers: run the real server as a child process (so its RSS and CPU are its own),
 * on the embedded defaults or on a fresh PostgreSQL database + Redis key prefix.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export const PG_ADMIN_URL =
  process.env.BENCH_PG_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface ServerProcess {
  url: string;
  pid: number;
  /** Milliseconds from spawn to the first /readyz 200. */
  readyMs: number;
  rssMb(): number;
  /** Peak RSS of the process so far (VmHWM), MiB. */
  peakRssMb(): number;
  /** Where its data lives, to start another server on the same data (`reuse`). */
  data: ServerData;
  /** SIGTERM; `keepData` leaves the data folder/database for a next start. */
  stop(opts?: { keepData?: boolean }): Promise<void>;
}

export interface ServerData {
  dataDir: string;
  dbName?: string;
  redisPrefix?: string;
}

export interface StartOptions {
  /** Run the compiled build (`node dist/src/main.js`, what production runs) instead of tsx. */
  dist?: boolean;
  /** Start on the data of a stopped server (a restart) instead of fresh data. */
  reuse?: ServerData;
}

export type Backend = 'embedded' | 'postgres+redis';

/** Resident set size of a process in MiB, from /proc (`VmHWM`: its peak so far). */
export function rssOf(pid: number, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}

export async function startServer(
  backend: Backend,
  extraEnv: Record<string, string> = {},
  opts: StartOptions = {},
): Promise<ServerProcess> {
  const dataDir = opts.reuse?.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'cds-bench-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const env: Record<string, string> = {
    ...(process.env as Record<string, string>),
    PORT: String(port),
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    NODE_ENV: 'development',
    SIMULATOR: 'on',
    ...extraEnv,
  };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  let dbName: string | undefined;
  let redisPrefix: string | undefined;
  if (backend === 'postgres+redis') {
    dbName = opts.reuse?.dbName;
    if (!dbName) {
      dbName = `cds_bench_${randomBytes(4).toString('hex')}`;
      const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
      await admin.connect();
      await admin.query(`CREATE DATABASE ${dbName}`);
      await admin.end();
    }
    const u = new URL(PG_ADMIN_URL);
    u.pathname = `/${dbName}`;
    env.DATABASE_URL = u.toString();
    // With DATABASE_URL the secrets come from configuration (a bench run makes its own).
    env.INVITE_CODE_PEPPER ??= randomBytes(32).toString('hex');
    env.TOKEN_ENCRYPTION_KEY ??= randomBytes(32).toString('hex');
    env.REDIS_URL = REDIS_URL;
    redisPrefix = opts.reuse?.redisPrefix ?? `cds-bench:${randomBytes(4).toString('hex')}:`;
    env.REDIS_KEY_PREFIX = redisPrefix;
  }
  const started = Date.now();
  // The compiled build runs as production runs it (Dockerfile CMD, `npm start`): glibc's malloc
  // arenas capped and V8's young generation kept small, which keeps idle memory down.
  if (opts.dist) env.MALLOC_ARENA_MAX ??= '2';
  const args = opts.dist
    ? ['--max-semi-space-size=4', 'dist/src/main.js']
    : ['--import', 'tsx', 'src/main.ts'];
  const child: ChildProcess = spawn(process.execPath, args, {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited early:\n${output}`);
    try {
      const r = await fetch(`${url}/readyz`);
      if (r.ok) break;
    } catch {
      /* not up yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server did not become ready:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const readyMs = Date.now() - started;
  return {
    url,
    pid: child.pid!,
    readyMs,
    rssMb: () => rssOf(child.pid!),
    peakRssMb: () => rssOf(child.pid!, 'VmHWM'),
    data: { dataDir, dbName, redisPrefix },
    async stop(stopOpts = {}) {
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      if (stopOpts.keepData) return;
      rmSync(dataDir, { recursive: true, force: true });
      if (dbName) {
        const admin = new pg.Client({ connectionString: PG_ADMIN_URL });
        await admin.connect();
        await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
        await admin.end();
      }
    },
  };
}
