import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DataDirLockedError,
  acquireDataDirLock,
  dataDirLockOwner,
  releaseDataDirLock,
} from '../../src/db/datadir-lock.js';

describe('data folder lock', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'cds-lock-'));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it('is taken with our pid and released', async () => {
    acquireDataDirLock(dir);
    expect(JSON.parse(await readFile(path.join(dir, 'pglite.lock'), 'utf8'))).toMatchObject({
      pid: process.pid,
    });
    expect(dataDirLockOwner(dir)).toBe(process.pid);
    acquireDataDirLock(dir); // re-entrant for the same process
    releaseDataDirLock(dir);
    expect(dataDirLockOwner(dir)).toBeUndefined();
  });

  it('refuses when another live process holds it', async () => {
    await writeFile(path.join(dir, 'pglite.lock'), JSON.stringify({ pid: process.ppid }));
    expect(() => acquireDataDirLock(dir)).toThrow(DataDirLockedError);
    releaseDataDirLock(dir); // not ours: left in place
    expect(dataDirLockOwner(dir)).toBe(process.ppid);
  });

  it('takes over a lock whose process is gone', async () => {
    await writeFile(path.join(dir, 'pglite.lock'), JSON.stringify({ pid: 2 ** 22 + 12345 }));
    acquireDataDirLock(dir);
    expect(dataDirLockOwner(dir)).toBe(process.pid);
    releaseDataDirLock(dir);
  });
});
