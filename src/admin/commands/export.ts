/**
 * `export --period <period> [--indicator <code>]... [--unit <code>] [--format csv|xlsx]
 *  [--layout long|wide] [--dialect standard|excel] [--out <file>]`: one row per unit and
 * indicator due in the period, reported or not (`wide`: one row per unit, one column group per
 * indicator, totals; `excel`: CSV with BOM, `;` and decimal comma). The dashboard's download
 * links go through the same exportDocument.
 * Without --out the document goes to stdout; XLSX is written as bytes (the CLI's stdout and
 * the server endpoint both carry bytes; prefer --out for XLSX in scripts).
 */
import { currentSchedule, exportDocument } from '../../domain/reports/index.js';
import { oneOf, parseOptions, requirePeriod } from '../options.js';
import { EXIT_OK, type AdminCommand } from '../types.js';
import { reportError } from './invite.js';

const USAGE =
  'export --period <period> [--indicator <code>]... [--unit <code>] [--format csv|xlsx] [--layout long|wide] [--dialect standard|excel] [--out <file>]';

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
        layout: { type: 'string' },
        dialect: { type: 'string' },
        out: { type: 'string' },
      });
      const period = requirePeriod(values.period, deps.now());
      const format = oneOf(
        'format',
        values.format,
        ['csv', 'xlsx'],
        values.out?.toLowerCase().endsWith('.xlsx') ? 'xlsx' : 'csv',
      );
      const layout = oneOf('layout', values.layout, ['long', 'wide'], 'long');
      const dialect = oneOf('dialect', values.dialect, ['standard', 'excel'], 'standard');
      const schedule = await currentSchedule(deps.db.prisma);
      const doc = await exportDocument(deps.db.prisma, {
        period,
        schedule,
        format,
        layout,
        dialect,
        exportedAt: deps.now(),
        ...(values.indicator ? { indicatorCodes: values.indicator } : {}),
        ...(values.unit ? { rootUnitCode: values.unit } : {}),
      });
      const data = doc.data;
      if (values.out) {
        await deps.writeFile(values.out, data);
        io.stderr.write(`${doc.rows} row(s) written to ${values.out}\n`);
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
