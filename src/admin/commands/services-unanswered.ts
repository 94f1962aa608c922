/**
 * `services unanswered [--limit <n>] [--format table|csv|json]`: citizens' questions that found
 * no procedure, most frequent first, so the catalogue and src/citizens/synonyms.txt can be
 * improved. The rows are anonymous (folded text, count, first and last time asked).
 */
import { parseArgs } from 'node:util';
import { toSafeCsv } from '../../text/csv-safe.js';
import { EXIT_OK, UsageError, type AdminCommand } from '../types.js';
import { reportError } from './invite.js';

const USAGE = 'services unanswered [--limit <n>] [--format table|csv|json]';

/** dd/mm/yyyy HH:mm in the configured time zone (Asia/Ho_Chi_Minh). */
function when(d: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    day: '2-digit',
    month: '2-digit',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(d);
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
  return `${get('day')}/${get('month')}/${get('year')} ${get('hour')}:${get('minute')}`;
}

export const command: AdminCommand = {
  name: 'services',
  usage: USAGE,
  summary: "citizens' questions that found nothing (anonymous), most frequent first",
  async run(args, io, deps) {
    try {
      const { values, positionals } = parseArgs({
        args,
        options: { limit: { type: 'string' }, format: { type: 'string' } },
        strict: true,
        allowPositionals: true,
      });
      const [sub, extra] = positionals;
      if (sub !== 'unanswered')
        throw new UsageError(sub ? `unknown subcommand '${sub}'` : 'missing subcommand');
      if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`);
      const limit = values.limit === undefined ? 50 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
        throw new UsageError(`bad --limit '${values.limit}' (a whole number from 1 to 10000)`);
      const format = values.format ?? 'table';
      if (format !== 'table' && format !== 'csv' && format !== 'json')
        throw new UsageError(`bad --format '${format}' (table, csv or json)`);

      const rows = await deps.db.prisma.unansweredQuery.findMany({
        orderBy: [{ count: 'desc' }, { lastAt: 'desc' }],
        take: limit,
      });
      const tz = deps.config.timezone || 'Asia/Ho_Chi_Minh';
      if (format === 'json') {
        io.stdout.write(
          `${JSON.stringify(
            rows.map((r) => ({
              query: r.queryFolded,
              count: r.count,
              firstAt: r.firstAt.toISOString(),
              lastAt: r.lastAt.toISOString(),
            })),
            null,
            2,
          )}\n`,
        );
      } else if (format === 'csv') {
        io.stdout.write(
          toSafeCsv(
            rows.map((r) => [
              r.count,
              r.firstAt.toISOString(),
              r.lastAt.toISOString(),
              r.queryFolded,
            ]),
            ['count', 'first_at', 'last_at', 'query'],
          ),
        );
      } else if (rows.length === 0) {
        io.stdout.write('No unanswered questions yet.\n');
      } else {
        io.stdout.write(
          `${'count'.padStart(5)}  ${'last asked'.padEnd(16)}  ${'first asked'.padEnd(16)}  question\n`,
        );
        for (const r of rows)
          io.stdout.write(
            `${String(r.count).padStart(5)}  ${when(r.lastAt, tz)}  ${when(r.firstAt, tz)}  ${r.queryFolded}\n`,
          );
      }
      return EXIT_OK;
    } catch (err) {
      return reportError(err, io, USAGE);
    }
  },
};

export default command;
