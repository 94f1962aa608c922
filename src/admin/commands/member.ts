/**
 * `member list [--unit <code>]` and `member remove <personId> [--unit <code>]`.
 */
import { parseArgs } from 'node:util';
import { listMembers, removeMember } from '../../domain/people/index.js';
import { EXIT_OK, UsageError, type AdminCommand, type AdminDeps, type AdminIO } from '../types.js';
import { reportError } from './invite.js';

const USAGE = ['member list [--unit <code>]', 'member remove <personId> [--unit <code>]'].join(
  '\n',
);

async function list(args: string[], io: AdminIO, deps: AdminDeps): Promise<number> {
  const { values } = parseArgs({ args, options: { unit: { type: 'string' } }, strict: true });
  const rows = await listMembers(deps.db.prisma, {
    now: deps.now(),
    ...(values.unit ? { unitCode: values.unit } : {}),
  });
  io.stdout.write('person_id\tname\tunit\trole\tidentities\n');
  for (const m of rows) {
    const ids = m.identities.map((i) => `${i.channel}:${i.externalId}`).join(' ');
    io.stdout.write(
      `${m.personId}\t${m.displayName ?? ''}\t${m.unitCode} ${m.unitName}\t${m.role}\t${ids}\n`,
    );
  }
  io.stderr.write(`${rows.length} membership(s)\n`);
  return EXIT_OK;
}

async function remove(args: string[], io: AdminIO, deps: AdminDeps): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { unit: { type: 'string' } },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError('member remove takes one person id');
  const n = await removeMember(deps.db.prisma, {
    personId: positionals[0] ?? '',
    by: 'cli',
    now: deps.now(),
    ...(values.unit ? { unitCode: values.unit } : {}),
  });
  io.stdout.write(`Removed ${n} membership(s) of ${positionals[0]}\n`);
  return EXIT_OK;
}

export const command: AdminCommand = {
  name: 'member',
  usage: USAGE,
  summary: 'list staff memberships and remove a person',
  async run(args, io, deps) {
    const [sub, ...rest] = args;
    try {
      if (sub === 'list') return await list(rest, io, deps);
      if (sub === 'remove') return await remove(rest, io, deps);
      throw new UsageError(sub ? `unknown subcommand 'member ${sub}'` : 'missing subcommand');
    } catch (err) {
      return reportError(err, io, USAGE);
    }
  },
};

export default command;
