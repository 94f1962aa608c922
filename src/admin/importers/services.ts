/**
 * `import services <file.csv>` (format of prisma/seed/procedures.csv):
 * code,name_vi,field,level_source,level_2025,online_level,online_level_detail,processing_time,
 * fee,portal_url,source. The file is the whole catalogue: procedures missing from it are
 * removed. Sets CatalogMeta 'services.updatedAt' when anything changed.
 */
import { z } from 'zod';
import type { Prisma } from '../../db/client.js';
import {
  ONLINE_LEVELS,
  SERVICES_AS_OF,
  SERVICES_UPDATED_AT,
} from '../../domain/catalog/catalog.js';
import { fold } from '../../text/vietnamese.js';
import { readCsv } from '../csv.js';
import { ImportRowsError, zodReason } from '../importers.js';
import type { ApplyContext, ImportSummary, Importer, ParseResult, RowError } from '../importers.js';

export interface ProcedureRow {
  line: number;
  code: string;
  name: string;
  field: string;
  levelSource: string | null;
  level: string | null;
  onlineLevel: string;
  onlineLevelDetail: string | null;
  processingTime: string | null;
  fee: string | null;
  portalUrl: string | null;
  source: string | null;
}

const opt = z
  .string()
  .optional()
  .transform((s) => (s ? s : null));
const rowSchema = z.object({
  code: z.string().regex(/^[0-9A-Za-z][0-9A-Za-z.\-_]{1,39}$/, 'code must look like 1.001193'),
  name_vi: z.string().min(1, 'name_vi is empty'),
  field: z.string().min(1, 'field is empty'),
  level_source: opt,
  level_2025: opt,
  online_level: z.enum(ONLINE_LEVELS, {
    message: `online_level must be one of: ${ONLINE_LEVELS.join(', ')}`,
  }),
  online_level_detail: opt,
  processing_time: opt,
  fee: opt,
  portal_url: z
    .string()
    .optional()
    .refine((s) => !s || /^https?:\/\/\S+$/.test(s), 'portal_url must be an http(s) link')
    .transform((s) => (s ? s : null)),
  source: opt,
});

function parseServices(content: Buffer): ParseResult<ProcedureRow[]> {
  const { rows } = readCsv(content.toString('utf8'), ['code', 'name_vi', 'field', 'online_level']);
  const errors: RowError[] = [];
  const out: ProcedureRow[] = [];
  const seen = new Map<string, number>();
  for (const r of rows) {
    const p = rowSchema.safeParse(r.values);
    if (!p.success) {
      errors.push({ line: r.line, message: zodReason(p.error.issues) });
      continue;
    }
    const v = p.data;
    const prev = seen.get(v.code);
    if (prev !== undefined) {
      errors.push({ line: r.line, message: `code ${v.code} already on line ${prev}` });
      continue;
    }
    seen.set(v.code, r.line);
    out.push({
      line: r.line,
      code: v.code,
      name: v.name_vi,
      field: v.field,
      levelSource: v.level_source,
      level: v.level_2025,
      onlineLevel: v.online_level,
      onlineLevelDetail: v.online_level_detail,
      processingTime: v.processing_time,
      fee: v.fee,
      portalUrl: v.portal_url,
      source: v.source,
    });
  }
  if (!errors.length && !out.length) errors.push({ line: 0, message: 'no rows' });
  return errors.length ? { ok: false, errors } : { ok: true, value: out, rows: out.length };
}

const FIELDS = [
  'name',
  'field',
  'levelSource',
  'level',
  'onlineLevel',
  'onlineLevelDetail',
  'processingTime',
  'fee',
  'portalUrl',
  'source',
] as const;

/** "2026-10-03" or "03/10/2026" -> "2026-10-03"; undefined when not a real date. */
export function parseAsOf(text: string): string | undefined {
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text.trim());
  const vi = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(text.trim());
  const [y, m, d] = iso
    ? [iso[1], iso[2], iso[3]]
    : vi
      ? [vi[3], vi[2]?.padStart(2, '0'), vi[1]?.padStart(2, '0')]
      : [];
  if (!y || !m || !d) return undefined;
  const date = new Date(`${y}-${m}-${d}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(`${y}-${m}-${d}`)
    ? `${y}-${m}-${d}`
    : undefined;
}

/**
 * The catalogue's as-of date belongs to the file: `--as-of` sets it; without it the stored one
 * is dropped (the search then uses the latest date the rows' sources cite).
 */
async function applyAsOf(tx: Prisma.TransactionClient, given: string | undefined): Promise<void> {
  if (given === undefined) {
    await tx.catalogMeta.deleteMany({ where: { key: SERVICES_AS_OF } });
    return;
  }
  const value = parseAsOf(given);
  if (!value)
    throw new ImportRowsError([
      { line: 0, message: `--as-of '${given}' is not a date (yyyy-mm-dd or dd/mm/yyyy)` },
    ]);
  await tx.catalogMeta.upsert({
    where: { key: SERVICES_AS_OF },
    create: { key: SERVICES_AS_OF, value },
    update: { value },
  });
}

async function applyServices(
  tx: Prisma.TransactionClient,
  rows: ProcedureRow[],
  ctx: ApplyContext,
): Promise<ImportSummary> {
  await applyAsOf(tx, ctx.options?.['as-of']);
  const counts = { created: 0, updated: 0, unchanged: 0, removed: 0 };
  const existing = new Map((await tx.procedure.findMany()).map((p) => [p.code, p]));
  const creates: Prisma.ProcedureCreateManyInput[] = [];
  let done = 0;
  for (const r of rows) {
    const { line: _line, ...data } = r;
    void _line;
    const full = { ...data, nameFolded: fold(r.name) };
    const old = existing.get(r.code);
    if (!old) {
      creates.push(full);
      counts.created++;
    } else if (FIELDS.every((f) => old[f] === data[f])) {
      counts.unchanged++;
    } else {
      await tx.procedure.update({ where: { code: r.code }, data: full });
      counts.updated++;
    }
    ctx.progress(++done, rows.length);
  }
  if (creates.length) await tx.procedure.createMany({ data: creates });
  const keep = new Set(rows.map((r) => r.code));
  const gone = [...existing.keys()].filter((c) => !keep.has(c));
  if (gone.length) {
    counts.removed = (await tx.procedure.deleteMany({ where: { code: { in: gone } } })).count;
  }
  if (counts.created || counts.updated || counts.removed) {
    const value = ctx.now.toISOString();
    await tx.catalogMeta.upsert({
      where: { key: SERVICES_UPDATED_AT },
      create: { key: SERVICES_UPDATED_AT, value },
      update: { value },
    });
  }
  return { counts };
}

export const importer: Importer<ProcedureRow[]> = {
  kind: 'services',
  usage: 'import services <file.csv> [--as-of <yyyy-mm-dd|dd/mm/yyyy>]',
  options: ['as-of'],
  description:
    'code,name_vi,field,level_source,level_2025,online_level,online_level_detail,' +
    'processing_time,fee,portal_url,source (the whole catalogue)',
  parse: (content) => parseServices(content),
  apply: (tx, rows, ctx) => applyServices(tx, rows, ctx),
};
