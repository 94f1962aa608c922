/**
 * `status --period <period> [--unit <code>] [--format table|csv|json]`: completeness and
 * timeliness per unit for one period.
 */
import { parseArgs } from 'node:util';
import { parsePeriod } from '../../domain/periods.js';
import { currentSchedule, formatStatus, periodCompleteness } from '../../domain/reports/index.js';
import { EXIT_OK, UsageError, type AdminCommand } from '../types.js';
import { reportError } from './invite.js';

const USAGE = 'status --period <period> [--unit <code>] [--format table|csv|json]';

export const command: AdminCommand = {
  name: 'status',
  usage: USAGE,
  summary: 'completeness and timeliness per unit for one period',
  async run(args, io, deps) {
    try {
      const { values, positionals } = parseArgs({
        args,
        options: {
          period: { type: 'string' },
          unit: { type: 'string' },
          format: { type: 'string' },
        },
        strict: true,
        allowPositionals: true,
      });
      if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
      if (!values.period)
        throw new UsageError('--period <period> is required (e.g. T10/2025, Q3/2025)');
      const format = values.format ?? 'table';
      if (format !== 'table' && format !== 'csv' && format !== 'json') {
        throw new UsageError(`bad --format '${format}' (table, csv or json)`);
      }
      const period = parsePeriod(values.period, deps.now());
      if (!period)
        throw new UsageError(`bad period '${values.period}' (e.g. T10/2025, Q3/2025, năm 2025)`);
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
