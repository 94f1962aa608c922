import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import path from 'node:path';
import { isProcessAlive } from '../db/datadir-lock.js';

/** What a running server tells a CLI on the same machine: where it is and how to get in. */
export interface RuntimeInfo {
  url: string;
  pid: number;
  adminToken: string;
  startedAt: string;
}

export const RUNTIME_FILE = 'runtime.json';

export function runtimeFilePath(dataDir: string): string {
  return path.join(dataDir, RUNTIME_FILE);
}

/** A fresh admin token when ADMIN_TOKEN is unset: 32 random bytes, URL-safe. */
export function generateAdminToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Write the runtime file readable only by its owner (0600). */
export function writeRuntimeFile(dataDir: string, info: RuntimeInfo): string {
  mkdirSync(dataDir, { recursive: true });
  const file = runtimeFilePath(dataDir);
  writeFileSync(file, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600); // also when the file already existed with other bits
  return file;
}

/** Remove it on clean shutdown, but only if it is still ours. */
export function removeRuntimeFile(dataDir: string, pid = process.pid): void {
  const info = readRuntimeFileRaw(dataDir);
  if (info && info.pid !== pid) return;
  rmSync(runtimeFilePath(dataDir), { force: true });
}

function readRuntimeFileRaw(dataDir: string): RuntimeInfo | undefined {
  try {
    const parsed = JSON.parse(
      readFileSync(runtimeFilePath(dataDir), 'utf8'),
    ) as Partial<RuntimeInfo>;
    if (
      typeof parsed.url !== 'string' ||
      typeof parsed.pid !== 'number' ||
      typeof parsed.adminToken !== 'string'
    )
      return undefined;
    return parsed as RuntimeInfo;
  } catch {
    return undefined;
  }
}

/**
 * The running server's info, or undefined when there is none. A file whose process is gone
 * is stale (the server crashed): it is reported as such and ignored.
 */
export function readRuntimeFile(
  dataDir: string,
): { info: RuntimeInfo; stale: boolean } | undefined {
  const info = readRuntimeFileRaw(dataDir);
  if (!info) return undefined;
  return { info, stale: !isProcessAlive(info.pid) };
}
