/**
 * `reminders plan --period <p>`: what the scheduled reminders and escalation digests of one
 * period would send, per offset (when, recipients, units), computed now.
 * `reminders run --at <ISO time>`: compute and queue what is due at that instant through the
 * same code as the quarter-hourly cron (handlers/managers/jobs.ts) — to test or backfill; the
 * queue's idempotency keys keep it from sending anything the cron already sent.
 */
import { periodSlots, runReminders } from '../../../handlers/managers/jobs.js';
import { formatPeriod } from '../../domain/periods.js';
import { currentSchedule, isoVn } from '../../domain/reports/index.js';
import { managersTools, withQueue } from '../managers-tools.js';
import { parseOptions, requirePeriod } from '../options.js';
import { EXIT_OK, UsageError, type AdminCommand } from '../types.js';
import { reportError } from './invite.js';
import { parseUntil } from './reopen.js';

const USAGE = 'reminders plan --period <period>\nreminders run --at <ISO time | yyyy-mm-ddTHH:mm>';

export const command: AdminCommand = {
  name: 'reminders',
  usage: USAGE,
  summary: 'plan or run the scheduled reminders and escalation digests',
  async run(args, io, deps) {
    try {
      const [sub, ...rest] = args;
      if (sub === 'plan') {
        const values = parseOptions(rest, { period: { type: 'string' } });
        const period = requirePeriod(values.period, deps.now());
        const schedule = await currentSchedule(deps.db.prisma);
        const { services, texts } = managersTools(deps);
        io.stdout.write(
          `Reminders of ${formatPeriod(period)} (computed at ${isoVn(deps.now())})\n`,
        );
        for (const slot of periodSlots(period, schedule)) {
          const [r] = await runReminders(services, texts, slot.at, {
            dryRun: true,
            slots: [slot],
          });
          io.stdout.write(
            `${slot.offset.padEnd(5)} ${isoVn(slot.at)}  ${slot.kind === 'remind' ? 'reminders' : `escalation step ${slot.step + 1}`}: ${r?.planned ?? 0} recipients, ${r?.owing ?? 0} units\n`,
          );
        }
        return EXIT_OK;
      }
      if (sub === 'run') {
        const values = parseOptions(rest, { at: { type: 'string' } });
        if (!values.at) throw new UsageError('--at <ISO time> is required');
        const at = parseUntil(values.at);
        if (!at || /^\d{1,2}\/|^\d{4}-\d{2}-\d{2}$/.test(values.at.trim()))
          throw new UsageError(`bad --at '${values.at}' (ISO 8601, e.g. 2026-12-02T08:00)`);
        const results = await withQueue(deps, ({ services, texts }) =>
          runReminders(services, texts, at),
        );
        if (results.length === 0) io.stdout.write(`Nothing due at ${isoVn(at)}\n`);
        for (const r of results)
          io.stdout.write(
            `${r.slot.period ? formatPeriod(r.slot.period) : 'weekly digest'} ${r.slot.offset} ${r.slot.kind}: ${r.queued} queued of ${r.planned} (${r.owing} units)\n`,
          );
        return EXIT_OK;
      }
      throw new UsageError(sub ? `unknown subcommand '${sub}'` : 'plan or run?');
    } catch (err) {
      return reportError(err, io, USAGE);
    }
  },
};

export default command;
