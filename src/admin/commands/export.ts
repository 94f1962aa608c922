/**
 * `export --period <period> [--indicator <code>]... [--unit <code>] [--format csv|xlsx]
 *  [--out <file>]`: one row per unit and indicator due in the period, reported or not.
 * Without --out the document goes to stdout; XLSX is written as bytes (the CLI's stdout and
 * the server endpoint both carry bytes; prefer --out for XLSX in scripts).
 */
import { parseArgs } from 'node:util';
import { parsePeriod } from '../../domain/periods.js';
import { currentSchedule, periodRows, toCsv, toXlsx } from '../../domain/reports/index.js';
import { EXIT_OK, UsageError, type AdminCommand } from '../types.js';
import { reportError } from './invite.js';

const USAGE =
  'export --period <period> [--indicator <code>]... [--unit <code>] [--format csv|xlsx] [--out <file>]';

export const command: AdminCommand = {
  name: 'export',
  usage: USAGE,
  summary: 'export one period (CSV or XLSX), one row per unit and indicator due',
  async run(args, io, deps) {
    try {
      const { values, positionals } = parseArgs({
        args,
        options: {
          period: { type: 'string' },
          indicator: { type: 'string', multiple: true },
          unit: { type: 'string' },
          format: { type: 'string' },
          out: { type: 'string' },
        },
        strict: true,
        allowPositionals: true,
      });
      if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
      if (!values.period)
        throw new UsageError('--period <period> is required (e.g. T10/2025, Q3/2025)');
      const format =
        values.format ?? (values.out?.toLowerCase().endsWith('.xlsx') ? 'xlsx' : 'csv');
      if (format !== 'csv' && format !== 'xlsx')
        throw new UsageError(`bad --format '${format}' (csv or xlsx)`);
      const period = parsePeriod(values.period, deps.now());
      if (!period)
        throw new UsageError(`bad period '${values.period}' (e.g. T10/2025, Q3/2025, năm 2025)`);
      const schedule = await currentSchedule(deps.db.prisma);
      const rows = await periodRows(deps.db.prisma, {
        period,
        schedule,
        ...(values.indicator ? { indicatorCodes: values.indicator } : {}),
        ...(values.unit ? { rootUnitCode: values.unit } : {}),
      });
      const data =
        format === 'csv' ? toCsv(rows) : await toXlsx(rows, rows[0]?.period ?? values.period);
      if (values.out) {
        await deps.writeFile(values.out, data);
        io.stderr.write(`${rows.length} row(s) written to ${values.out}\n`);
      } else {
        io.stdout.write(data);
      }
      return EXIT_OK;
    } catch (err) {
      return reportError(err, io, USAGE);
    }
  },
};

export default command;
