/**
 * Exclusive ownership of an embedded PGlite data folder by one process.
 *
 * Why: PGlite is a single session inside one process; two processes opening the same folder
 * corrupt it. The server and the admin CLI both take `<DATA_DIR>/pglite.lock` (created with
 * O_EXCL, holding the owner's pid) before opening the folder. A lock whose pid is gone is stale
 * and is taken over.
 */
import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';

export const LOCK_FILE = 'pglite.lock';

export class DataDirLockedError extends Error {
  constructor(
    readonly lockPath: string,
    readonly pid: number,
  ) {
    super(`data folder is in use by process ${pid} (${lockPath})`);
    this.name = 'DataDirLockedError';
  }
}

/** True when a process with this pid exists (EPERM: exists but not ours). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function lockPath(dataDir: string): string {
  return path.resolve(dataDir, LOCK_FILE);
}

function readPid(file: string): number | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown };
    return typeof parsed.pid === 'number' ? parsed.pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Takes the lock for this process or throws DataDirLockedError naming the live owner.
 * Re-entrant for the same pid. Synchronous so it can run before anything else opens the folder.
 */
export function acquireDataDirLock(dataDir: string): void {
  mkdirSync(path.resolve(dataDir), { recursive: true });
  const file = lockPath(dataDir);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, JSON.stringify({ pid: process.pid, at: new Date().toISOString() }));
      } finally {
        closeSync(fd);
      }
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = readPid(file);
    if (owner === process.pid) return;
    if (owner !== undefined && isProcessAlive(owner)) throw new DataDirLockedError(file, owner);
    if (owner === undefined) {
      // Being written right now by another process, or garbage: give it a moment once.
      if (attempt === 0) {
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
        continue;
      }
    }
    rmSync(file, { force: true }); // stale
  }
  const owner = readPid(file) ?? -1;
  throw new DataDirLockedError(file, owner);
}

/** Removes the lock if this process holds it. Safe to call twice. */
export function releaseDataDirLock(dataDir: string): void {
  const file = lockPath(dataDir);
  if (readPid(file) === process.pid) rmSync(file, { force: true });
}

/** The pid holding the lock, when it is alive; undefined when free or stale. */
export function dataDirLockOwner(dataDir: string): number | undefined {
  const pid = readPid(lockPath(dataDir));
  return pid !== undefined && isProcessAlive(pid) ? pid : undefined;
}
