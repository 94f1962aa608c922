/**
 * CLI side of the admin endpoint: forwards a command line to the running server found in
 * `<DATA_DIR>/runtime.json`, shipping file arguments and writing back output files.
 * See src/admin/endpoint.ts for the wire format.
 */
import { Buffer } from 'node:buffer';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { AdminWireResult } from './endpoint.js';

export interface RemoteTarget {
  url: string;
  adminToken: string;
}

/** Upper bound for shipped files; the endpoint accepts 20 MB of JSON (base64 adds a third). */
const MAX_FILES_BYTES = 14 * 1024 * 1024;

/**
 * Every argument naming an existing regular file (relative to `cwd`) is sent with its content:
 * the server cannot be assumed to see this machine's working directory.
 */
export async function collectFileArgs(
  argv: string[],
  cwd: string,
): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  let total = 0;
  for (const a of argv) {
    if (!a || a.startsWith('-') || files[a]) continue;
    const full = path.resolve(cwd, a);
    const s = await stat(full).catch(() => undefined);
    if (!s?.isFile()) continue;
    total += s.size;
    if (total > MAX_FILES_BYTES) throw new Error(`files too large to send to the server (${a})`);
    files[a] = (await readFile(full)).toString('base64');
  }
  return files;
}

export interface RemoteRunResult {
  exitCode: number;
  stdout: Buffer;
  stderr: string;
}

/**
 * Runs argv on the server and writes the output files it returns under `cwd`.
 * Throws when the server cannot be reached or refuses the token (the caller exits 1).
 */
export async function runRemote(
  target: RemoteTarget,
  argv: string[],
  opts: { cwd: string; stdin?: string; timeoutMs?: number },
): Promise<RemoteRunResult> {
  const files = await collectFileArgs(argv, opts.cwd);
  const res = await fetch(new URL('/admin/api/run', target.url), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${target.adminToken}`,
    },
    body: JSON.stringify({
      argv,
      files,
      ...(opts.stdin !== undefined ? { stdin: opts.stdin } : {}),
    }),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 30 * 60_000),
  });
  if (!res.ok) {
    const text = await res.text().catch(() => '');
    throw new Error(`server answered ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}`);
  }
  const body = (await res.json()) as Partial<AdminWireResult>;
  if (typeof body.exitCode !== 'number') throw new Error('server answered without an exit code');
  for (const [p, b64] of Object.entries(body.files ?? {})) {
    await writeFile(path.resolve(opts.cwd, p), Buffer.from(b64, 'base64'));
  }
  const stdout =
    typeof body.stdoutBase64 === 'string'
      ? Buffer.from(body.stdoutBase64, 'base64')
      : Buffer.from(body.stdout ?? '', 'utf8');
  return { exitCode: body.exitCode, stdout, stderr: body.stderr ?? '' };
}
