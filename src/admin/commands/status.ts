/**
 * `status --period <period> [--unit <code>] [--format table|csv|json]`: completeness and
 * timeliness per unit for one period.
 */
import { currentSchedule, formatStatus, periodCompleteness } from '../../domain/reports/index.js';
import { oneOf, parseOptions, requirePeriod } from '../options.js';
import { EXIT_OK, type AdminCommand } from '../types.js';
import { reportError } from './invite.js';

const USAGE = 'status --period <period> [--unit <code>] [--format table|csv|json]';

export const command: AdminCommand = {
  name: 'status',
  usage: USAGE,
  summary: 'completeness and timeliness per unit for one period',
  async run(args, io, deps) {
    try {
      const values = parseOptions(args, {
        period: { type: 'string' },
        unit: { type: 'string' },
        format: { type: 'string' },
      });
      const period = requirePeriod(values.period, deps.now());
      const format = oneOf('format', values.format, ['table', 'csv', 'json'], 'table');
      const schedule = await currentSchedule(deps.db.prisma);
      const report = await periodCompleteness(deps.db.prisma, {
        period,
        schedule,
        ...(values.unit ? { rootUnitCode: values.unit } : {}),
      });
      io.stdout.write(formatStatus(report, format));
      return EXIT_OK;
    } catch (err) {
      return reportError(err, io, USAGE);
    }
  },
};

export default command;
