/**
 * `services unanswered [--limit <n>] [--format table|csv|json]`: citizens' questions that found
 * no procedure, most frequent first, so the catalogue and src/citizens/synonyms.txt can be
 * improved. The rows are anonymous (folded text, count, first and last time asked).
 *
 * `services misses [--limit <n>] [--kind not_mine|not_found] [--format table|csv|json]`: the
 * search's misses, latest first: question (masked) → what was shown → what the person opened
 * next, if anything. Feeds `import synonyms`.
 */
import { parseArgs } from 'node:util';
import { toSafeCsv } from '../../text/csv-safe.js';
import { EXIT_OK, UsageError, type AdminCommand, type AdminDeps, type AdminIO } from '../types.js';
import { reportError } from './invite.js';

const USAGE =
  'services unanswered [--limit <n>] [--format table|csv|json]\n' +
  '       services misses [--limit <n>] [--kind not_mine|not_found] [--format table|csv|json]';

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

/**
 * The misses, latest first: question → shown → picked next. Codes are shown with the
 * procedure's name (as the catalogue has it now) so a province can write synonym rules.
 */
async function listMisses(
  db: AdminDeps['db']['prisma'],
  io: AdminIO,
  opts: { limit: number; format: 'table' | 'csv' | 'json'; tz: string; kind?: string },
): Promise<void> {
  const rows = await db.searchMiss.findMany({
    ...(opts.kind ? { where: { kind: opts.kind } } : {}),
    orderBy: { at: 'desc' },
    take: opts.limit,
  });
  if (opts.format === 'json') {
    io.stdout.write(
      `${JSON.stringify(
        rows.map((r) => ({
          at: r.at.toISOString(),
          kind: r.kind,
          question: r.question,
          shown: r.shown,
          picked: r.pickedCode,
          pickedAt: r.pickedAt?.toISOString() ?? null,
        })),
        null,
        2,
      )}\n`,
    );
    return;
  }
  if (opts.format === 'csv') {
    io.stdout.write(
      // Questions are typed by the public: text cells are neutralised against formulas.
      toSafeCsv(
        rows.map((r) => [
          r.at.toISOString(),
          r.kind,
          r.question,
          r.shown.join(' '),
          r.pickedCode ?? '',
        ]),
        ['at', 'kind', 'question', 'shown', 'picked'],
      ),
    );
    return;
  }
  if (rows.length === 0) {
    io.stdout.write('No misses yet.\n');
    return;
  }
  const codes = new Set(rows.flatMap((r) => [...r.shown, ...(r.pickedCode ? [r.pickedCode] : [])]));
  const names = new Map(
    (
      await db.procedure.findMany({
        where: { code: { in: [...codes] } },
        select: { code: true, name: true },
      })
    ).map((p) => [p.code, p.name]),
  );
  const label = (code: string): string => {
    const name = names.get(code);
    return name ? `${code} ${name.length > 50 ? `${name.slice(0, 49)}…` : name}` : code;
  };
  for (const r of rows) {
    io.stdout.write(`${when(r.at, opts.tz)}  ${r.kind.padEnd(9)}  ${r.question}\n`);
    io.stdout.write(
      `    shown:  ${r.shown.length ? r.shown.map(label).join('; ') : '(nothing found)'}\n`,
    );
    io.stdout.write(`    picked: ${r.pickedCode ? label(r.pickedCode) : '-'}\n`);
  }
}

export const command: AdminCommand = {
  name: 'services',
  usage: USAGE,
  summary: "citizens' questions that found nothing, and the search's misses (anonymous)",
  async run(args, io, deps) {
    try {
      const { values, positionals } = parseArgs({
        args,
        options: {
          limit: { type: 'string' },
          format: { type: 'string' },
          kind: { type: 'string' },
        },
        strict: true,
        allowPositionals: true,
      });
      const [sub, extra] = positionals;
      if (sub !== 'unanswered' && sub !== 'misses')
        throw new UsageError(sub ? `unknown subcommand '${sub}'` : 'missing subcommand');
      if (extra !== undefined) throw new UsageError(`unexpected argument '${extra}'`);
      const limit = values.limit === undefined ? 50 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
        throw new UsageError(`bad --limit '${values.limit}' (a whole number from 1 to 10000)`);
      const format = values.format ?? 'table';
      if (format !== 'table' && format !== 'csv' && format !== 'json')
        throw new UsageError(`bad --format '${format}' (table, csv or json)`);
      const tz = deps.config.timezone || 'Asia/Ho_Chi_Minh';
      if (sub === 'misses') {
        const kind = values.kind;
        if (kind !== undefined && kind !== 'not_mine' && kind !== 'not_found')
          throw new UsageError(`bad --kind '${kind}' (not_mine or not_found)`);
        await listMisses(deps.db.prisma, io, { limit, format, tz, ...(kind ? { kind } : {}) });
        return EXIT_OK;
      }
      if (values.kind !== undefined) throw new UsageError('--kind is for services misses');

      const rows = await deps.db.prisma.unansweredQuery.findMany({
        orderBy: [{ count: 'desc' }, { lastAt: 'desc' }],
        take: limit,
      });
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
