/**
 * `export --period <period> [--indicator <code>]... [--unit <code>] [--format csv|xlsx]
 *  [--out <file>]`: one row per unit and indicator due in the period, reported or not.
 * Without --out the document goes to stdout; XLSX is written as bytes (the CLI's stdout and
 * the server endpoint both carry bytes; prefer --out for XLSX in scripts).
 */
import { currentSchedule, periodRows, toCsv, toXlsx } from '../../domain/reports/index.js';
import { oneOf, parseOptions, requirePeriod } from '../options.js';
import { EXIT_OK, type AdminCommand } from '../types.js';
import { reportError } from './invite.js';

const USAGE =
  'export --period <period> [--indicator <code>]... [--unit <code>] [--format csv|xlsx] [--out <file>]';

export const command: AdminCommand = {
  name: 'export',
  usage: USAGE,
  summary: 'export one period (CSV or XLSX), one row per unit and indicator due',
  async run(args, io, deps) {
    try {
      const values = parseOptions(args, {
        period: { type: 'string' },
        indicator: { type: 'string', multiple: true },
        unit: { type: 'string' },
        format: { type: 'string' },
        out: { type: 'string' },
      });
      const period = requirePeriod(values.period, deps.now());
      const format = oneOf(
        'format',
        values.format,
        ['csv', 'xlsx'],
        values.out?.toLowerCase().endsWith('.xlsx') ? 'xlsx' : 'csv',
      );
      const schedule = await currentSchedule(deps.db.prisma);
      const rows = await periodRows(deps.db.prisma, {
        period,
        schedule,
        ...(values.indicator ? { indicatorCodes: values.indicator } : {}),
        ...(values.unit ? { rootUnitCode: values.unit } : {}),
      });
      const data =
        format === 'csv'
          ? toCsv(rows)
          : await toXlsx(rows, rows[0]?.period ?? String(values.period));
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
