/**
 * Server side of `POST /admin/api/run`: runs a command line in the server process (the only
 * process allowed to open an embedded PGlite folder) and returns its output.
 *
 * Wire format (JSON), shared with src/admin/remote.ts:
 *   request  { argv: string[], stdin?: string, files?: { [pathAsTyped]: base64 } }
 *   response { exitCode, stdout, stderr, stdoutBase64, files: { [pathAsTyped]: base64 } }
 * `files` in the request: the content of file arguments, read by the CLI on its own machine
 * (the server may not share its working directory). `files` in the response: output files the
 * command wrote (`--out`), for the CLI to write locally. `stdoutBase64`: stdout bytes, so a
 * binary export to stdout survives.
 */
import { Buffer } from 'node:buffer';
import { runAdminCommand } from './run.js';
import type { AdminDeps } from './types.js';

export interface AdminWireResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  stdoutBase64: string;
  files: Record<string, string>;
}

/**
 * Returns the runner the HTTP endpoint calls with (argv, files[base64], stdin?).
 * `deps` are the server's own (db, config, now, onChange); file access is replaced by the
 * request's files.
 */
export function createAdminRunner(
  deps: Omit<AdminDeps, 'readFile' | 'writeFile'>,
): (
  argv: string[],
  files?: Record<string, string>,
  stdin?: string,
  who?: string,
) => Promise<AdminWireResult> {
  return async (argv, files = {}, stdin, who = 'admin-api') => {
    const inputFiles: Record<string, Buffer> = {};
    for (const [p, b64] of Object.entries(files)) {
      if (typeof b64 === 'string') inputFiles[p] = Buffer.from(b64, 'base64');
    }
    const r = await runAdminCommand(
      argv,
      {
        ...deps,
        who,
        readFile: () => Promise.reject(new Error('no file access')),
        writeFile: () => Promise.reject(new Error('no file access')),
      },
      { inputFiles, collectOutputFiles: true, stdin },
    );
    return {
      exitCode: r.exitCode,
      stdout: r.stdout,
      stderr: r.stderr,
      stdoutBase64: r.stdoutBytes.toString('base64'),
      files: Object.fromEntries(Object.entries(r.files).map(([p, b]) => [p, b.toString('base64')])),
    };
  };
}
