/**
 * `reopen --unit <code> --period <period> [--until <dd/mm/yyyy | yyyy-mm-dd | ISO time>]`:
 * lifts the lock of one unit's period (default: for the schedule's reopen grace).
 */
import { reopenNotices } from '../../services/manager-actions.js';
import { findUnitByCode } from '../../domain/access.js';
import { vnInstant } from '../../domain/periods.js';
import { managersTools, withQueue } from '../managers-tools.js';
import { currentSchedule, isoVn } from '../../domain/reports/index.js';
import { reopenPeriod } from '../../domain/submissions/index.js';
import { parseOptions, requirePeriod } from '../options.js';
import { EXIT_OK, UsageError, type AdminCommand } from '../types.js';
import { reportError } from './invite.js';

const USAGE =
  'reopen --unit <code> --period <period> [--until <dd/mm/yyyy | yyyy-mm-dd | ISO time>]';

/**
 * Parse `--until`. A bare date means "through that day" (until 00:00 of the next day in
 * Asia/Ho_Chi_Minh); an ISO time without an offset is read as Asia/Ho_Chi_Minh wall time.
 */
export function parseUntil(text: string): Date | undefined {
  const t = text.trim();
  let m = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(t);
  if (m) return validDay(Number(m[3]), Number(m[2]), Number(m[1]));
  m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t);
  if (m) return validDay(Number(m[1]), Number(m[2]), Number(m[3]));
  m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/.exec(t);
  if (m) {
    const d = vnInstant(Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
    return new Date(d.getTime() + Number(m[6] ?? 0) * 1000);
  }
  if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(t)) {
    const d = new Date(t);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return undefined;
}

function validDay(y: number, mo: number, d: number): Date | undefined {
  const probe = new Date(Date.UTC(y, mo - 1, d));
  if (probe.getUTCFullYear() !== y || probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== d)
    return undefined;
  return vnInstant(y, mo, d + 1);
}

export const command: AdminCommand = {
  name: 'reopen',
  usage: USAGE,
  summary: "reopen one unit's locked period",
  async run(args, io, deps) {
    try {
      const values = parseOptions(args, {
        unit: { type: 'string' },
        period: { type: 'string' },
        until: { type: 'string' },
      });
      if (!values.unit) throw new UsageError('--unit <code> is required');
      const now = deps.now();
      const period = requirePeriod(values.period, now);
      const until = values.until !== undefined ? parseUntil(values.until) : undefined;
      if (values.until !== undefined && !until) {
        throw new UsageError(`bad --until '${values.until}' (dd/mm/yyyy or ISO 8601)`);
      }
      const schedule = await currentSchedule(deps.db.prisma);
      const row = await reopenPeriod(deps.db.prisma, {
        unitCode: values.unit,
        period,
        by: 'cli',
        now,
        schedule,
        ...(until ? { until } : {}),
      });
      io.stdout.write(`Reopened ${values.unit} ${row.period} until ${isoVn(row.until)}\n`);
      // The unit's reporters are told, as when a manager reopens in chat. The reopen stands
      // even when telling them fails (said on stderr).
      try {
        const unit = await findUnitByCode(deps.db.prisma, values.unit, now);
        const tools = managersTools(deps);
        const notices = await reopenNotices(tools.services, tools.texts, {
          unit,
          period,
          until: row.until,
          at: now,
        });
        const told =
          notices.length === 0
            ? 0
            : await withQueue(deps, ({ services }) => services.managers.enqueue(notices));
        io.stdout.write(`${told} reporter(s) notified\n`);
      } catch (err) {
        io.stderr.write(`reporters not notified: ${(err as Error).message}\n`);
      }
      return EXIT_OK;
    } catch (err) {
      return reportError(err, io, USAGE);
    }
  },
};

export default command;
