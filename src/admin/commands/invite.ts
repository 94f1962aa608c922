/**
 * `invite create --unit <code> --role reporter|manager|admin [--expires 7d] [--label text]
 *  [--person <personId>]` prints the code alone on the last line of stdout;
 * `invite list [--unit <code>] [--active]`; `invite revoke <code|id>`.
 * The CLI operator acts as an admin ('cli' in the audit log).
 */
import { parseArgs } from 'node:util';
import { isBadInput, type RoleName } from '../../domain/access.js';
import { createInvitation, listInvitations, revokeInvitation } from '../../domain/people/index.js';
import { isoVn } from '../../domain/reports/export.js';
import {
  EXIT_FAILURE,
  EXIT_OK,
  EXIT_USAGE,
  UsageError,
  type AdminCommand,
  type AdminDeps,
  type AdminIO,
} from '../types.js';

const USAGE = [
  'invite create --unit <code> --role reporter|manager|admin [--expires 7d] [--label <text>] [--person <personId>]',
  'invite list [--unit <code>] [--active]',
  'invite revoke <code|invitation id>',
].join('\n');

function pepperOf(deps: AdminDeps): string | undefined {
  const p = deps.config.inviteCodePepper;
  return typeof p === 'string' && p.length > 0 ? p : undefined;
}

async function create(args: string[], io: AdminIO, deps: AdminDeps): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: {
      unit: { type: 'string' },
      role: { type: 'string' },
      expires: { type: 'string' },
      label: { type: 'string' },
      person: { type: 'string' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
  if (!values.unit) throw new UsageError('--unit <code> is required');
  const role = values.role as RoleName | undefined;
  if (!role || !['reporter', 'manager', 'admin'].includes(role)) {
    throw new UsageError('--role must be reporter, manager or admin');
  }
  const pepper = pepperOf(deps);
  const { code, invitation, unit } = await createInvitation(deps.db.prisma, {
    unitCode: values.unit,
    role,
    createdBy: 'cli',
    now: deps.now(),
    ...(values.expires ? { expiresIn: values.expires } : {}),
    ...(values.label ? { label: values.label } : {}),
    ...(values.person ? { forPersonId: values.person } : {}),
    ...(pepper ? { pepper } : {}),
  });
  io.stdout.write(
    `Invitation ${invitation.id}: ${role} of ${unit.name} (${unit.code}), expires ${isoVn(invitation.expiresAt)}\n`,
  );
  io.stdout.write(
    `Send it to the person: /start ${code} (Telegram) or "lien ket ${code}" (Zalo).\n`,
  );
  io.stdout.write(`${code}\n`);
  return EXIT_OK;
}

async function list(args: string[], io: AdminIO, deps: AdminDeps): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { unit: { type: 'string' }, active: { type: 'boolean' } },
    strict: true,
  });
  const rows = await listInvitations(deps.db.prisma, {
    now: deps.now(),
    ...(values.unit ? { unitCode: values.unit } : {}),
    activeOnly: values.active ?? false,
  });
  io.stdout.write('id\tunit\trole\tstatus\texpires_at\tused_by\n');
  for (const r of rows) {
    io.stdout.write(
      `${r.id}\t${r.unitCode} ${r.unitName}\t${r.role}\t${r.status}\t${isoVn(r.expiresAt)}\t${r.usedByPersonId ?? ''}\n`,
    );
  }
  io.stderr.write(`${rows.length} invitation(s)\n`);
  return EXIT_OK;
}

async function revoke(args: string[], io: AdminIO, deps: AdminDeps): Promise<number> {
  const { positionals } = parseArgs({ args, options: {}, strict: true, allowPositionals: true });
  if (positionals.length !== 1)
    throw new UsageError('invite revoke takes one code or invitation id');
  const pepper = pepperOf(deps);
  const inv = await revokeInvitation(deps.db.prisma, {
    codeOrId: positionals[0] ?? '',
    by: 'cli',
    now: deps.now(),
    ...(pepper ? { pepper } : {}),
  });
  io.stdout.write(`Revoked invitation ${inv.id}\n`);
  return EXIT_OK;
}

export const command: AdminCommand = {
  name: 'invite',
  usage: USAGE,
  summary: 'create, list and revoke invitation codes for staff',
  async run(args, io, deps) {
    const [sub, ...rest] = args;
    try {
      if (sub === 'create') return await create(rest, io, deps);
      if (sub === 'list') return await list(rest, io, deps);
      if (sub === 'revoke') return await revoke(rest, io, deps);
      throw new UsageError(sub ? `unknown subcommand 'invite ${sub}'` : 'missing subcommand');
    } catch (err) {
      return reportError(err, io, USAGE);
    }
  },
};

/** Map an error to the CLI's exit code and message (shared by E's commands). */
export function reportError(err: unknown, io: AdminIO, usage: string): number {
  const message = err instanceof Error ? err.message : String(err);
  const parseError =
    err instanceof Error && (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') === true;
  if (err instanceof UsageError || parseError || isBadInput(err)) {
    io.stderr.write(`error: ${message}\nusage:\n  ${usage.split('\n').join('\n  ')}\n`);
    return EXIT_USAGE;
  }
  io.stderr.write(`error: ${message}\n`);
  return EXIT_FAILURE;
}

export default command;
