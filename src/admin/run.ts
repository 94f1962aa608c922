/**
 * Runs one admin command line: the same path for the terminal CLI and the server's
 * `POST /admin/api/run` endpoint. Maps errors to exit codes: UsageError / bad rows -> 2,
 * anything else -> 1.
 */
import { Buffer } from 'node:buffer';
import { NotFoundError, ValidationError } from '../domain/access.js';
import { loadCommands } from './registry.js';
import { ImportRowsError } from './importers.js';
import { audit } from '../domain/audit.js';
import { normalizeInviteCode } from '../domain/people/index.js';
import { EXIT_FAILURE, EXIT_USAGE, UsageError } from './types.js';
import type { AdminCommand, AdminDeps, AdminIO, AdminOutput } from './types.js';

/** Text of `help`: every command's usage line. */
export async function helpText(): Promise<string> {
  const commands = [...(await loadCommands()).values()].sort((a, b) =>
    a.name.localeCompare(b.name),
  );
  const lines = ['usage: npm run admin -- <command> [arguments]', '', 'commands:'];
  for (const c of commands) {
    lines.push(`  ${c.usage.split('\n').join('\n  ')}`);
    lines.push(`      ${c.summary}`);
  }
  lines.push('  help', '      this list', '');
  lines.push('exit codes: 0 ok, 2 bad arguments or bad file, 1 other failure');
  return `${lines.join('\n')}\n`;
}

/** Is this error the user's fault (exit 2)? Domain "not found"/validation errors count too. */
function isUsage(err: unknown): boolean {
  if (err instanceof UsageError || err instanceof ImportRowsError) return true;
  return err instanceof NotFoundError || err instanceof ValidationError;
}

/** Runs argv against the registry, writing to io; returns the exit code (never throws). */
export async function runCommand(argv: string[], io: AdminIO, deps: AdminDeps): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    (name ? io.stdout : io.stderr).write(await helpText());
    return name ? 0 : EXIT_USAGE;
  }
  const command = (await loadCommands()).get(name);
  if (!command) {
    io.stderr.write(`unknown command "${name}"\n\n${await helpText()}`);
    return EXIT_USAGE;
  }
  // Every command is audited: who ran it, what it was, how it ended and what it changed.
  const changed: string[] = [];
  const runDeps: AdminDeps = {
    ...deps,
    onChange: async (what) => {
      changed.push(what);
      await deps.onChange?.(what);
    },
  };
  const exitCode = await runOrReport(command, args, io, runDeps);
  const entry = {
    who: deps.who ?? 'cli',
    command: name,
    argv: redactArgv(argv),
    exitCode,
    changed,
  };
  deps.logger?.info(entry, 'admin command');
  await audit(deps.db.prisma, {
    actor: entry.who,
    action: 'admin.command',
    entity: 'admin',
    entityId: name,
    data: entry,
  }).catch((err: unknown) => {
    io.stderr.write(`warning: the command was not audited: ${(err as Error).message}\n`);
  });
  return exitCode;
}

/** Invitation codes typed on the command line (invite revoke) are not kept in the log. */
function redactArgv(argv: string[]): string[] {
  const revoking = argv[0] === 'invite' && argv[1] === 'revoke';
  return argv.map((a, i) =>
    revoking && i >= 2 && normalizeInviteCode(a) !== null ? '<code>' : a.slice(0, 200),
  );
}

async function runOrReport(
  command: AdminCommand,
  args: string[],
  io: AdminIO,
  deps: AdminDeps,
): Promise<number> {
  const name = command.name;
  try {
    return await command.run(args, io, deps);
  } catch (err) {
    if (err instanceof ImportRowsError) {
      for (const e of err.errors)
        io.stderr.write(`${e.line ? `line ${e.line}: ` : ''}${e.message}\n`);
      io.stderr.write(`${err.errors.length} bad row(s): nothing imported\n`);
      return EXIT_USAGE;
    }
    if (isUsage(err)) {
      io.stderr.write(`${(err as Error).message}\nusage: ${command.usage}\n`);
      return EXIT_USAGE;
    }
    io.stderr.write(`${name} failed: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_FAILURE;
  }
}

/** An AdminOutput collecting chunks in memory. */
export function collector(): AdminOutput & { buffer(): Buffer } {
  const chunks: Buffer[] = [];
  return {
    write(chunk) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.from(chunk));
    },
    buffer: () => Buffer.concat(chunks),
  };
}

export interface AdminRunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** stdout as bytes (binary-safe, e.g. an XLSX export written to stdout). */
  stdoutBytes: Buffer;
  /** Files the command wrote with deps.writeFile, by the path it was given. */
  files: Record<string, Buffer>;
}

export interface RunAdminOptions {
  stdin?: string;
  /** Content of files named on the command line, by the path as typed (sent by a remote CLI). */
  inputFiles?: Record<string, Buffer>;
  /** When true, output files are collected in the result instead of written to disk. */
  collectOutputFiles?: boolean;
}

/**
 * Runs a command in-process and captures its output: what the server's admin endpoint calls.
 * With `inputFiles`, deps.readFile serves those contents (and only those); with
 * `collectOutputFiles`, deps.writeFile stores into the result for the caller to write.
 */
export async function runAdminCommand(
  argv: string[],
  deps: AdminDeps,
  opts: RunAdminOptions = {},
): Promise<AdminRunResult> {
  const out = collector();
  const err = collector();
  const files: Record<string, Buffer> = {};
  const runDeps: AdminDeps = { ...deps };
  if (opts.inputFiles) {
    const given = opts.inputFiles;
    runDeps.readFile = async (p) => {
      const content = given[p];
      if (!content) throw new UsageError(`file not found: ${p}`);
      return content;
    };
  }
  if (opts.collectOutputFiles) {
    runDeps.writeFile = async (p, data) => {
      files[p] = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
    };
  }
  const io: AdminIO = { stdout: out, stderr: err, isTTY: false, stdin: opts.stdin };
  const exitCode = await runCommand(argv, io, runDeps);
  const stdoutBytes = out.buffer();
  return {
    exitCode,
    stdout: stdoutBytes.toString('utf8'),
    stderr: err.buffer().toString('utf8'),
    stdoutBytes,
    files,
  };
}
