/**
 * Shared types of the admin CLI. A command is a plain function of (args, io, deps) so the same
 * code runs from a terminal and in-process behind the server's admin endpoint.
 */
import type { Db } from '../db/client.js';

/** Where a command writes. Bytes are allowed (e.g. an XLSX export on stdout). */
export interface AdminOutput {
  write(chunk: string | Uint8Array): void;
}

export interface AdminIO {
  stdout: AdminOutput;
  stderr: AdminOutput;
  /** True when stderr is an interactive terminal: progress lines are shown only then. */
  isTTY: boolean;
  /** Standard input, when the caller sent one. */
  stdin?: string;
}

export interface AdminConfig {
  dataDir: string;
  /** Always Asia/Ho_Chi_Minh in practice; passed explicitly so nothing reads process TZ. */
  timezone: string;
  [key: string]: unknown;
}

/** What changed, so the running server can refresh caches (search index, schedule…). */
export type AdminChange = 'units' | 'indicators' | 'services' | 'staff' | 'schedule' | string;

export interface AdminDeps {
  db: Db;
  config: AdminConfig;
  now: () => Date;
  /**
   * Reads a file named on the command line. Locally: the file system. Behind the server: the
   * content the CLI sent along (the server may not share the CLI's working directory).
   */
  readFile(path: string): Promise<Buffer>;
  /** Writes an output file (`--out`). Behind the server: collected and written by the CLI. */
  writeFile(path: string, data: string | Uint8Array): Promise<void>;
  /** Who runs the command, for the audit log (`admin-api <address>`, `cli <user>`). */
  who?: string;
  /** Where the one line per command goes (besides the audit log). */
  logger?: { info(obj: object, msg: string): void };
  /** Called after a successful change (e.g. reload the procedures search index). */
  onChange?: (what: AdminChange) => void | Promise<void>;
  /**
   * The running server's delivery queue (behind the admin endpoint). Without it, commands that
   * send open pg-boss on the database themselves: the server's workers deliver.
   */
  delivery?: () => import('../delivery/queue.js').DeliveryQueue | undefined;
}

export interface AdminCommand {
  /** First word of the command line, e.g. 'import'. */
  name: string;
  /** One or more usage lines shown by `help` and on bad arguments. */
  usage: string;
  summary: string;
  /** Returns the exit code: 0 ok, 2 bad arguments, 1 other failure. */
  run(args: string[], io: AdminIO, deps: AdminDeps): Promise<number>;
}

/** Thrown for bad arguments, unknown codes, unreadable or invalid files: exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
