/**
 * `broadcast send --unit <code> --role reporter|manager|all --text "..." [--yes]`: the same
 * broadcast as `/thongbao`, to the unit's subtree; without `--yes` it prints the preview
 * (recipients per channel) and exits. `broadcast report <id>`: sent, pending, failed with
 * reasons.
 */
import { broadcastItems, channelCounts, sendBroadcast } from '../../services/manager-actions.js';
import { findUnitByCode } from '../../domain/access.js';
import { managersTools, withQueue } from '../managers-tools.js';
import { oneOf, parseOptions } from '../options.js';
import { EXIT_OK, UsageError, type AdminCommand } from '../types.js';
import { reportError } from './invite.js';

const USAGE =
  'broadcast send --unit <code> --role reporter|manager|all --text "..." [--yes]\nbroadcast report <id>';

export const command: AdminCommand = {
  name: 'broadcast',
  usage: USAGE,
  summary: "send an announcement to a unit's staff, or show its delivery report",
  async run(args, io, deps) {
    try {
      const [sub, ...rest] = args;
      if (sub === 'report') {
        const [id, stray] = rest;
        if (!id || stray !== undefined) throw new UsageError('broadcast report <id>');
        const { services } = managersTools(deps);
        const b = await services.managers.findBroadcast({ id });
        if (!b) throw new UsageError(`unknown broadcast '${id}'`);
        const r = await services.managers.batchReport(id);
        io.stdout.write(
          `Broadcast ${id}: ${r.total} messages — sent ${r.sent}, pending ${r.queued}, failed ${r.total - r.sent - r.queued}\n`,
        );
        for (const f of r.failed) io.stdout.write(`  ${f.reason}: ${f.count}\n`);
        return EXIT_OK;
      }
      if (sub !== 'send')
        throw new UsageError(sub ? `unknown subcommand '${sub}'` : 'send or report?');
      const values = parseOptions(rest, {
        unit: { type: 'string' },
        role: { type: 'string' },
        text: { type: 'string' },
        yes: { type: 'boolean' },
      });
      if (!values.unit) throw new UsageError('--unit <code> is required');
      const text = values.text?.trim();
      if (!text) throw new UsageError('--text "..." is required');
      const audience = oneOf('role', values.role, ['reporter', 'manager', 'all'], 'reporter');
      const now = deps.now();
      const unit = await findUnitByCode(deps.db.prisma, values.unit, now);
      const plan = { scope: [unit.code], audience, text, at: now };
      if (!values.yes) {
        const { services } = managersTools(deps);
        const r = await broadcastItems(services, plan);
        io.stdout.write(
          `Preview — ${unit.name} (${unit.code}), ${audience}: ${r.items.length} recipients (${channelCounts(r.perChannel) || 'none'})\n${text}\nAdd --yes to send.\n`,
        );
        return EXIT_OK;
      }
      const sent = await withQueue(deps, async ({ services }) => {
        const r = await broadcastItems(services, plan);
        const { id, queued } = await sendBroadcast(services, {
          createdBy: null,
          unitId: unit.id,
          audience,
          text,
          items: r.items,
          at: now,
        });
        return { id, queued };
      });
      io.stdout.write(`Broadcast ${sent.id}: ${sent.queued} messages queued\n${sent.id}\n`);
      return EXIT_OK;
    } catch (err) {
      return reportError(err, io, USAGE);
    }
  },
};

export default command;
