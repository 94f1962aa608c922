/**
 * `import indicators <file.csv>` (format of prisma/seed/indicators.csv):
 * code,name_vi,name_en,unit,numerator_vi,denominator_vi,periodicity,applies_to,target_op,
 * target_<year>_<level>…,target_source,aliases. Any number of `target_<yyyy>_<level>` columns;
 * an empty cell means no target (never invented). Upserts by code; an indicator's targets are
 * replaced by the file's.
 */
import { z } from 'zod';
import type { Prisma } from '../../db/client.js';
import { fold } from '../../text/vietnamese.js';
import { readCsv } from '../csv.js';
import { zodReason } from '../importers.js';
import type { ApplyContext, ImportSummary, Importer, ParseResult, RowError } from '../importers.js';

export interface IndicatorRow {
  line: number;
  code: string;
  nameVi: string;
  nameEn: string;
  unit: 'percent' | 'count' | 'boolean';
  numeratorLabel: string | null;
  denominatorLabel: string | null;
  periodicity: 'month' | 'quarter' | 'half' | 'year';
  appliesTo: string[];
  targetSource: string | null;
  aliases: string[];
  targets: {
    year: number;
    level: 'province' | 'district' | 'commune';
    op: string;
    value: string;
  }[];
}

const LEVELS = ['province', 'district', 'commune'] as const;
const TARGET_COL = /^target_(\d{4})_(province|district|commune)$/;

const rowSchema = z.object({
  code: z.string().regex(/^[A-Z][A-Z0-9_]{1,19}$/, 'code must be 2-20 capital letters/digits'),
  name_vi: z.string().min(1, 'name_vi is empty'),
  name_en: z.string().min(1, 'name_en is empty'),
  unit: z.enum(['percent', 'count', 'boolean'], {
    message: 'unit must be percent, count or boolean',
  }),
  numerator_vi: z.string(),
  denominator_vi: z.string(),
  periodicity: z.enum(['month', 'quarter', 'half', 'year'], {
    message: 'periodicity must be month, quarter, half or year',
  }),
  applies_to: z
    .string()
    .transform((s) =>
      s
        .split(';')
        .map((x) => x.trim())
        .filter(Boolean),
    )
    .pipe(
      z
        .array(z.enum(LEVELS, { message: 'applies_to levels are province, district, commune' }))
        .min(1, 'applies_to is empty'),
    ),
  target_op: z.union([z.literal(''), z.literal('>'), z.literal('>=')], {
    message: "target_op must be '>' or '>='",
  }),
  target_source: z.string().optional(),
  aliases: z.string().optional(),
});

/** '65,5' or '65.5' -> '65.5' (string, exact for Decimal); undefined when not a number. */
function decimal(raw: string): string | undefined {
  const s = raw.replace(',', '.');
  return /^-?\d{1,14}(\.\d{1,4})?$/.test(s) ? s : undefined;
}

function parseIndicators(content: Buffer): ParseResult<IndicatorRow[]> {
  const { header, rows } = readCsv(content.toString('utf8'), [
    'code',
    'name_vi',
    'name_en',
    'unit',
    'numerator_vi',
    'denominator_vi',
    'periodicity',
    'applies_to',
    'target_op',
  ]);
  const targetCols = header.filter((h) => TARGET_COL.test(h));
  const errors: RowError[] = [];
  const out: IndicatorRow[] = [];
  const seen = new Map<string, number>();
  for (const r of rows) {
    const p = rowSchema.safeParse(r.values);
    if (!p.success) {
      errors.push({ line: r.line, message: zodReason(p.error.issues) });
      continue;
    }
    const v = p.data;
    const problems: string[] = [];
    const prev = seen.get(v.code);
    if (prev !== undefined) problems.push(`code ${v.code} already on line ${prev}`);
    seen.set(v.code, r.line);
    if (v.unit === 'percent' && (!v.numerator_vi || !v.denominator_vi)) {
      problems.push('a percent indicator needs numerator_vi and denominator_vi');
    }
    const targets: IndicatorRow['targets'] = [];
    for (const col of targetCols) {
      const cell = r.values[col] ?? '';
      if (!cell) continue;
      const m = TARGET_COL.exec(col);
      const value = decimal(cell);
      if (!m?.[1] || !m[2]) continue;
      if (value === undefined) {
        problems.push(`${col}: "${cell}" is not a number`);
        continue;
      }
      if (v.unit === 'percent' && (Number(value) < 0 || Number(value) > 100)) {
        problems.push(`${col}: a percentage must be between 0 and 100`);
      }
      if (v.unit === 'boolean' && value !== '0' && value !== '1') {
        problems.push(`${col}: a yes/no target must be 0 or 1`);
      }
      if (!v.target_op) problems.push(`${col} is set but target_op is empty`);
      targets.push({
        year: Number(m[1]),
        level: m[2] as IndicatorRow['targets'][number]['level'],
        op: v.target_op,
        value,
      });
    }
    if (problems.length) {
      errors.push({ line: r.line, message: problems.join('; ') });
      continue;
    }
    out.push({
      line: r.line,
      code: v.code,
      nameVi: v.name_vi,
      nameEn: v.name_en,
      unit: v.unit,
      numeratorLabel: v.numerator_vi || null,
      denominatorLabel: v.denominator_vi || null,
      periodicity: v.periodicity,
      appliesTo: v.applies_to,
      targetSource: v.target_source || null,
      aliases: [
        ...new Set(
          (v.aliases ?? '')
            .split('|')
            .map((a) => fold(a))
            .filter(Boolean),
        ),
      ],
      targets,
    });
  }
  if (!errors.length && !out.length) errors.push({ line: 0, message: 'no rows' });
  return errors.length ? { ok: false, errors } : { ok: true, value: out, rows: out.length };
}

async function applyIndicators(
  tx: Prisma.TransactionClient,
  rows: IndicatorRow[],
  ctx: ApplyContext,
): Promise<ImportSummary> {
  const counts = { created: 0, updated: 0, unchanged: 0 };
  const existing = new Map(
    (await tx.indicator.findMany({ include: { targets: true } })).map((i) => [i.code, i]),
  );
  let done = 0;
  for (const r of rows) {
    const data = {
      nameVi: r.nameVi,
      nameEn: r.nameEn,
      unit: r.unit,
      numeratorLabel: r.numeratorLabel,
      denominatorLabel: r.denominatorLabel,
      periodicity: r.periodicity,
      appliesTo: r.appliesTo,
      aliases: r.aliases,
      targetSource: r.targetSource,
    };
    const old = existing.get(r.code);
    const targetKey = (t: { year: number; level: string; op: string; value: string }) =>
      `${t.year}|${t.level}|${t.op}|${Number(t.value)}`;
    const newTargets = r.targets.map(targetKey).sort().join(',');
    if (!old) {
      await tx.indicator.create({ data: { code: r.code, ...data } });
      counts.created++;
    } else {
      const oldTargets = old.targets
        .map((t) => targetKey({ ...t, value: t.value.toString() }))
        .sort()
        .join(',');
      const same =
        JSON.stringify({ ...data }) ===
          JSON.stringify({
            nameVi: old.nameVi,
            nameEn: old.nameEn,
            unit: old.unit,
            numeratorLabel: old.numeratorLabel,
            denominatorLabel: old.denominatorLabel,
            periodicity: old.periodicity,
            appliesTo: old.appliesTo,
            aliases: old.aliases,
            targetSource: old.targetSource,
          }) && oldTargets === newTargets;
      if (same) {
        counts.unchanged++;
        ctx.progress(++done, rows.length);
        continue;
      }
      await tx.indicator.update({ where: { code: r.code }, data });
      await tx.indicatorTarget.deleteMany({ where: { indicatorCode: r.code } });
      counts.updated++;
    }
    if (r.targets.length) {
      await tx.indicatorTarget.createMany({
        data: r.targets.map((t) => ({ indicatorCode: r.code, ...t })),
      });
    }
    ctx.progress(++done, rows.length);
  }
  return { counts };
}

export const importer: Importer<IndicatorRow[]> = {
  kind: 'indicators',
  usage: 'import indicators <file.csv>',
  description:
    'code,name_vi,name_en,unit,numerator_vi,denominator_vi,periodicity,applies_to,target_op,' +
    'target_<year>_<level>...,target_source,aliases',
  parse: (content) => parseIndicators(content),
  apply: (tx, rows, ctx) => applyIndicators(tx, rows, ctx),
};
