/**
 * `import schedule <file.json>`: validates a reporting schedule (format: config/schedule.json,
 * schema in src/domain/schedule.ts) and stores it as the newest ScheduleConfig row, which is
 * the schedule in force. Every indicator named under `due` must exist. Re-importing the
 * schedule already in force writes nothing. Each change is written to the audit log.
 */
import type { Prisma } from '../../db/client.js';
import { audit, toJson } from '../../domain/audit.js';
import { parseSchedule, type Schedule } from '../../domain/schedule.js';
import { ImportRowsError } from '../importers.js';
import type { ApplyContext, ImportSummary, Importer, ParseResult, RowError } from '../importers.js';

/** What `parse` hands to `apply`: the schedule and where each `due` rule sits in the file. */
export interface ScheduleImport {
  schedule: Schedule;
  /** Line of each `due[i]` in the file, for errors only the database can reveal. */
  dueLines: number[];
}

/**
 * The 1-based line where the value at `path` starts in JSON `text` (best effort: 0 when the
 * path cannot be followed). Lets schedule errors point at a line like CSV row errors do.
 */
export function lineOfPath(text: string, path: readonly (string | number)[]): number {
  let pos = skipSpace(text, 0);
  for (const seg of path) {
    const open = text[pos];
    if (typeof seg === 'number') {
      if (open !== '[') return 0;
      pos = skipSpace(text, pos + 1);
      for (let i = 0; i < seg; i++) {
        pos = skipValue(text, pos);
        if (text[pos] !== ',') return 0;
        pos = skipSpace(text, pos + 1);
      }
    } else {
      if (open !== '{') return 0;
      pos = skipSpace(text, pos + 1);
      for (;;) {
        if (text[pos] !== '"') return 0;
        const keyEnd = skipValue(text, pos);
        const key = JSON.parse(text.slice(pos, keyEnd)) as string;
        pos = skipSpace(text, keyEnd);
        if (text[pos] !== ':') return 0;
        pos = skipSpace(text, pos + 1);
        if (key === seg) break;
        pos = skipValue(text, pos);
        if (text[pos] !== ',') return 0;
        pos = skipSpace(text, pos + 1);
      }
    }
  }
  return lineAt(text, pos);
}

function lineAt(text: string, pos: number): number {
  let line = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text[i] === '\n') line++;
  return line;
}

function skipSpace(text: string, pos: number): number {
  while (pos < text.length && /\s/.test(text[pos] ?? '')) pos++;
  return pos;
}

/** Position right after the JSON value starting at `pos` (then past trailing spaces). */
function skipValue(text: string, pos: number): number {
  let depth = 0;
  let i = pos;
  do {
    const ch = text[i];
    if (ch === '"') {
      i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    } else if (ch === '{' || ch === '[') depth++;
    else if (ch === '}' || ch === ']') depth--;
    else if (depth === 0) {
      while (i + 1 < text.length && !/[\s,\]}]/.test(text[i + 1] ?? '')) i++;
    }
    i++;
  } while (depth > 0 && i < text.length);
  return skipSpace(text, i);
}

function parseScheduleFile(content: Buffer): ParseResult<ScheduleImport> {
  const text = content.toString('utf8').replace(/^\uFEFF/, '');
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    const m = /position (\d+)/.exec(String(e));
    const line = m ? lineAt(text, Number(m[1])) : 0;
    return { ok: false, errors: [{ line, message: `not valid JSON: ${(e as Error).message}` }] };
  }
  const r = parseSchedule(data);
  if (!r.ok) {
    const errors: RowError[] = r.errors.map((e) => {
      const path =
        e.path === '(root)' ? [] : e.path.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s));
      return { line: lineOfPath(text, path), message: `${e.path}: ${e.message}` };
    });
    return { ok: false, errors };
  }
  const dueLines = r.schedule.due.map((_, i) => lineOfPath(text, ['due', i, 'indicator']));
  return { ok: true, value: { schedule: r.schedule, dueLines }, rows: 1 };
}

async function applySchedule(
  tx: Prisma.TransactionClient,
  value: ScheduleImport,
  ctx: ApplyContext,
): Promise<ImportSummary> {
  const { schedule, dueLines } = value;
  const codes = schedule.due.map((d) => d.indicator);
  if (codes.length > 0) {
    const known = new Set(
      (await tx.indicator.findMany({ where: { code: { in: codes } }, select: { code: true } })).map(
        (i) => i.code,
      ),
    );
    const errors = schedule.due.flatMap((d, i): RowError[] =>
      known.has(d.indicator)
        ? []
        : [
            {
              line: dueLines[i] ?? 0,
              message: `due.${i}.indicator: unknown indicator code ${d.indicator}`,
            },
          ],
    );
    if (errors.length) throw new ImportRowsError(errors);
  }
  const latest = await tx.scheduleConfig.findFirst({ orderBy: { importedAt: 'desc' } });
  const previous = latest ? parseSchedule(latest.data) : undefined;
  if (previous?.ok && JSON.stringify(previous.schedule) === JSON.stringify(schedule)) {
    ctx.progress(1, 1);
    return { counts: { unchanged: 1 }, message: 'schedule already in force' };
  }
  const row = await tx.scheduleConfig.create({
    data: { data: toJson(schedule), importedAt: ctx.now, importedBy: ctx.actor },
  });
  await audit(tx, {
    actor: ctx.actor,
    action: 'schedule.import',
    entity: 'schedule',
    entityId: row.id,
    data: { file: ctx.fileName, schedule, previousId: latest?.id ?? null },
    at: ctx.now,
  });
  ctx.progress(1, 1);
  return { counts: { imported: 1 }, message: `schedule ${row.id} in force from now` };
}

export const importer: Importer<ScheduleImport> = {
  kind: 'schedule',
  usage: 'import schedule <file.json>',
  description:
    'Reporting schedule (JSON, see config/schedule.json): deadline rule, reminder offsets, lock and reopen grace, per-indicator exceptions.',
  parse: (content) => parseScheduleFile(content),
  apply: applySchedule,
};
