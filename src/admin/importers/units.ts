/**
 * `import units <file.csv>`, two formats recognised by their header:
 *
 * - current units: `code,name_vi,type[,name_en][,parent_code][,effective_from]` (e.g.
 *   ha_tinh_communes_2025.csv). Tỉnh/Thành phố rows are provinces; xã/phường/đặc khu rows are
 *   communes whose parent is `parent_code`, or the only province in the file/database.
 *   effective_from defaults to 2025-07-01 for communes (unknown-start sentinel for provinces).
 * - pre-2025 history: `old_code,old_name,old_type,old_district_code,old_district_name,
 *   new_units_2025-07-01` (ha_tinh_units_before_2025-07-01.csv). Each old commune and its old
 *   district become history units ending 2025-06-30; the old name becomes a search alias of
 *   every new unit it went into (full name and bare name).
 *
 * Upserts by (code, effectiveFrom): re-importing the same file changes nothing.
 */
import { z } from 'zod';
import type { Prisma } from '../../db/client.js';
import { fold } from '../../text/vietnamese.js';
import {
  HISTORY_END,
  REFORM_DATE,
  UNKNOWN_START,
  bareName,
  dateOnly,
  inForceOn,
  parseUnitType,
  typeFromName,
} from '../../domain/units/units.js';
import type { UnitLevelName, UnitType } from '../../domain/units/units.js';
import { readCsv } from '../csv.js';
import { ImportRowsError, zodReason } from '../importers.js';
import type { ApplyContext, ImportSummary, Importer, ParseResult, RowError } from '../importers.js';

export interface CurrentUnitRow {
  line: number;
  code: string;
  name: string;
  type: UnitType;
  level: UnitLevelName;
  nameEn: string | null;
  parentCode: string | null;
  effectiveFrom: string;
}

export interface HistoryUnitRow {
  line: number;
  code: string;
  name: string;
  type: UnitType;
  districtCode: string;
  districtName: string;
  districtType: UnitType;
  newUnits: { code: string; name: string }[];
}

export type UnitsImport =
  { format: 'current'; rows: CurrentUnitRow[] } | { format: 'history'; rows: HistoryUnitRow[] };

const code = z.string().regex(/^[0-9A-Za-z]{1,12}$/, 'code must be 1-12 letters or digits');
const name = z.string().min(1, 'name is empty').max(200, 'name longer than 200 characters');
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'date must be yyyy-mm-dd')
  .refine((s) => {
    try {
      dateOnly(s);
      return true;
    } catch {
      return false;
    }
  }, 'not a real date');

const currentSchema = z.object({
  code,
  name_vi: name,
  type: z.string().transform((t, ctx) => {
    const parsed = parseUnitType(t);
    if (!parsed || !['tỉnh', 'thành phố', 'xã', 'phường', 'đặc khu'].includes(parsed)) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown type "${t}" (expected Tỉnh, Thành phố, Xã, Phường or Đặc khu)`,
      });
      return z.NEVER;
    }
    return parsed;
  }),
  name_en: z.string().optional(),
  parent_code: z.union([z.literal(''), code]).optional(),
  effective_from: z.union([z.literal(''), isoDate]).optional(),
});

const historySchema = z.object({
  old_code: code,
  old_name: name,
  old_type: z.string().transform((t, ctx) => {
    const parsed = parseUnitType(t);
    if (!parsed || !['xã', 'phường', 'thị trấn'].includes(parsed)) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown type "${t}" (expected Xã, Phường or Thị trấn)`,
      });
      return z.NEVER;
    }
    return parsed;
  }),
  old_district_code: code,
  old_district_name: name.refine(
    (n) => ['huyện', 'thị xã', 'thành phố'].includes(typeFromName(n) ?? ''),
    'district name must start with Huyện, Thị xã or Thành phố',
  ),
  'new_units_2025-07-01': z.string().transform((s, ctx) => {
    const parts = s
      .split(';')
      .map((p) => p.trim())
      .filter(Boolean);
    if (!parts.length) {
      ctx.addIssue({ code: 'custom', message: 'no new unit given' });
      return z.NEVER;
    }
    const out: { code: string; name: string }[] = [];
    for (const p of parts) {
      const m = /^([0-9A-Za-z]{1,12})\s+(.+)$/.exec(p);
      if (!m?.[1] || !m[2]) {
        ctx.addIssue({ code: 'custom', message: `"${p}" is not "<code> <name>"` });
        return z.NEVER;
      }
      out.push({ code: m[1], name: m[2] });
    }
    return out;
  }),
});

function parseUnits(content: Buffer): ParseResult<UnitsImport> {
  const text = content.toString('utf8');
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const errors: RowError[] = [];
  if (/(^|,)old_code(,|$)/.test(firstLine)) {
    const { rows } = readCsv(text, Object.keys(historySchema.shape));
    const out: HistoryUnitRow[] = [];
    const seen = new Map<string, number>();
    for (const r of rows) {
      const p = historySchema.safeParse(r.values);
      if (!p.success) {
        errors.push({ line: r.line, message: zodReason(p.error.issues) });
        continue;
      }
      const v = p.data;
      const prev = seen.get(v.old_code);
      if (prev !== undefined) {
        errors.push({ line: r.line, message: `code ${v.old_code} already on line ${prev}` });
        continue;
      }
      seen.set(v.old_code, r.line);
      out.push({
        line: r.line,
        code: v.old_code,
        name: v.old_name,
        type: v.old_type,
        districtCode: v.old_district_code,
        districtName: v.old_district_name,
        districtType: typeFromName(v.old_district_name) as UnitType,
        newUnits: v['new_units_2025-07-01'],
      });
    }
    if (!errors.length && !out.length) errors.push({ line: 0, message: 'no rows' });
    return errors.length
      ? { ok: false, errors }
      : { ok: true, value: { format: 'history', rows: out }, rows: out.length };
  }

  const { rows } = readCsv(text, ['code', 'name_vi', 'type']);
  const out: CurrentUnitRow[] = [];
  const seen = new Map<string, number>();
  for (const r of rows) {
    const p = currentSchema.safeParse(r.values);
    if (!p.success) {
      errors.push({ line: r.line, message: zodReason(p.error.issues) });
      continue;
    }
    const v = p.data;
    const level: UnitLevelName =
      v.type === 'tỉnh' || v.type === 'thành phố' ? 'province' : 'commune';
    const effectiveFrom = v.effective_from || (level === 'province' ? UNKNOWN_START : REFORM_DATE);
    const key = `${v.code}|${effectiveFrom}`;
    const prev = seen.get(key);
    if (prev !== undefined) {
      errors.push({ line: r.line, message: `code ${v.code} already on line ${prev}` });
      continue;
    }
    seen.set(key, r.line);
    if (level === 'province' && v.parent_code) {
      errors.push({ line: r.line, message: 'a province has no parent_code' });
      continue;
    }
    out.push({
      line: r.line,
      code: v.code,
      name: v.name_vi,
      type: v.type,
      level,
      nameEn: v.name_en || null,
      parentCode: v.parent_code || null,
      effectiveFrom,
    });
  }
  if (!errors.length && !out.length) errors.push({ line: 0, message: 'no rows' });
  return errors.length
    ? { ok: false, errors }
    : { ok: true, value: { format: 'current', rows: out }, rows: out.length };
}

interface UnitData {
  code: string;
  name: string;
  type: string;
  level: UnitLevelName;
  nameEn: string | null;
  parentId: string | null;
  effectiveFrom: Date;
  effectiveTo: Date | null;
}

type Counts = { created: number; updated: number; unchanged: number };

const keyOf = (code: string, from: Date): string => `${code}|${from.toISOString().slice(0, 10)}`;

/**
 * Creates or updates units by (code, effectiveFrom) in a few round trips (one read, one bulk
 * insert, one update per changed unit); returns ids by key. Bulk matters: a national import
 * has thousands of units and PGlite runs every statement on one thread.
 */
async function syncUnits(
  tx: Prisma.TransactionClient,
  items: UnitData[],
  counts: Counts,
): Promise<Map<string, string>> {
  const ids = new Map<string, string>();
  if (!items.length) return ids;
  const existing = await tx.unit.findMany({
    where: { code: { in: [...new Set(items.map((i) => i.code))] } },
  });
  const byKey = new Map(existing.map((u) => [keyOf(u.code, u.effectiveFrom), u]));
  const creates: (UnitData & { nameFolded: string })[] = [];
  for (const d of items) {
    const data = { ...d, nameFolded: fold(d.name) };
    const old = byKey.get(keyOf(d.code, d.effectiveFrom));
    if (!old) {
      creates.push(data);
      continue;
    }
    ids.set(keyOf(d.code, d.effectiveFrom), old.id);
    const same =
      old.name === data.name &&
      old.type === data.type &&
      old.level === data.level &&
      old.nameEn === data.nameEn &&
      old.parentId === data.parentId &&
      old.nameFolded === data.nameFolded &&
      (old.effectiveTo?.getTime() ?? null) === (data.effectiveTo?.getTime() ?? null);
    if (same) {
      counts.unchanged++;
    } else {
      await tx.unit.update({ where: { id: old.id }, data });
      counts.updated++;
    }
  }
  if (creates.length) {
    const created = await tx.unit.createManyAndReturn({
      data: creates,
      select: { id: true, code: true, effectiveFrom: true },
    });
    for (const u of created) ids.set(keyOf(u.code, u.effectiveFrom), u.id);
    counts.created += created.length;
  }
  return ids;
}

async function applyCurrent(
  tx: Prisma.TransactionClient,
  rows: CurrentUnitRow[],
  ctx: ApplyContext,
): Promise<ImportSummary> {
  const counts: Counts = { created: 0, updated: 0, unchanged: 0 };
  const errors: RowError[] = [];
  const fileProvinces = rows.filter((r) => r.level === 'province');
  const toData = (r: CurrentUnitRow, parentId: string | null): UnitData => ({
    code: r.code,
    name: r.name,
    type: r.type,
    level: r.level,
    nameEn: r.nameEn,
    parentId,
    effectiveFrom: dateOnly(r.effectiveFrom),
    effectiveTo: null,
  });
  const provinceIds = await syncUnits(
    tx,
    fileProvinces.map((r) => toData(r, null)),
    counts,
  );
  ctx.progress(fileProvinces.length, rows.length);

  // Parent lookup: units in this file first, then the database (in force on the row's date).
  const cache = new Map<string, string | null>();
  const inForce = async (c: string, day: string): Promise<string | null> => {
    const own = fileProvinces.find((p) => p.code === c && p.effectiveFrom <= day);
    if (own) return provinceIds.get(keyOf(own.code, dateOnly(own.effectiveFrom))) ?? null;
    const key = `${c}|${day}`;
    if (!cache.has(key)) {
      const u = await tx.unit.findFirst({
        where: { code: c, ...inForceOn(dateOnly(day)) },
        orderBy: { effectiveFrom: 'desc' },
        select: { id: true },
      });
      cache.set(key, u?.id ?? null);
    }
    return cache.get(key) ?? null;
  };
  const onlyProvince = new Map<string, string[]>();
  const provincesOn = async (day: string): Promise<string[]> => {
    if (!onlyProvince.has(day)) {
      const ps = await tx.unit.findMany({
        where: { level: 'province', ...inForceOn(dateOnly(day)) },
        select: { id: true },
        take: 2,
      });
      onlyProvince.set(
        day,
        ps.map((p) => p.id),
      );
    }
    return onlyProvince.get(day) ?? [];
  };

  const children: UnitData[] = [];
  for (const r of rows) {
    if (r.level === 'province') continue;
    let parentCode = r.parentCode;
    if (!parentCode && fileProvinces.length === 1) parentCode = fileProvinces[0]?.code ?? null;
    let parentId: string | null;
    if (parentCode) {
      parentId = await inForce(parentCode, r.effectiveFrom);
      if (!parentId) {
        errors.push({
          line: r.line,
          message: `parent ${parentCode} is not a unit in force on ${r.effectiveFrom}`,
        });
        continue;
      }
    } else {
      const ps = await provincesOn(r.effectiveFrom);
      if (ps.length !== 1 || !ps[0]) {
        errors.push({
          line: r.line,
          message: ps.length
            ? 'several provinces exist: add a parent_code column'
            : 'no province to attach to: import the province first or add a parent_code column',
        });
        continue;
      }
      parentId = ps[0];
    }
    children.push(toData(r, parentId));
  }
  if (errors.length) throw new ImportRowsError(errors);
  await syncUnits(tx, children, counts);
  ctx.progress(rows.length, rows.length);
  return { counts };
}

async function applyHistory(
  tx: Prisma.TransactionClient,
  rows: HistoryUnitRow[],
  ctx: ApplyContext,
): Promise<ImportSummary> {
  const counts: Counts = { created: 0, updated: 0, unchanged: 0 };
  const errors: RowError[] = [];
  const start = dateOnly(UNKNOWN_START);
  const end = dateOnly(HISTORY_END);
  const newCodes = [...new Set(rows.flatMap((r) => r.newUnits.map((u) => u.code)))];
  const newUnits = new Map(
    (
      await tx.unit.findMany({
        where: { code: { in: newCodes }, ...inForceOn(dateOnly(REFORM_DATE)) },
        select: { id: true, code: true, parentId: true },
      })
    ).map((u) => [u.code, u]),
  );
  const districts = new Map<string, UnitData>();
  for (const r of rows) {
    const missing = r.newUnits.filter((u) => !newUnits.has(u.code));
    for (const m of missing)
      errors.push({ line: r.line, message: `unknown new unit code ${m.code}` });
    if (missing.length) continue;
    const provinceId = newUnits.get(r.newUnits[0]?.code ?? '')?.parentId ?? null;
    if (!provinceId) {
      errors.push({ line: r.line, message: `new unit ${r.newUnits[0]?.code} has no province` });
      continue;
    }
    const prev = districts.get(r.districtCode);
    if (prev && prev.name !== r.districtName) {
      errors.push({
        line: r.line,
        message: `district ${r.districtCode} named "${r.districtName}" here but "${prev.name}" before`,
      });
      continue;
    }
    districts.set(r.districtCode, {
      code: r.districtCode,
      name: r.districtName,
      type: r.districtType,
      level: 'district',
      nameEn: null,
      parentId: provinceId,
      effectiveFrom: start,
      effectiveTo: end,
    });
  }
  if (errors.length) throw new ImportRowsError(errors);
  const districtIds = await syncUnits(tx, [...districts.values()], counts);
  ctx.progress(Math.floor(rows.length / 3), rows.length);
  await syncUnits(
    tx,
    rows.map((r) => ({
      code: r.code,
      name: r.name,
      type: r.type,
      level: 'commune' as const,
      nameEn: null,
      parentId: districtIds.get(keyOf(r.districtCode, start)) ?? null,
      effectiveFrom: start,
      effectiveTo: end,
    })),
    counts,
  );
  ctx.progress(Math.floor((rows.length * 2) / 3), rows.length);
  const aliases = rows.flatMap((r) => {
    const texts = [...new Set([r.name, bareName(r.name)])];
    return r.newUnits.flatMap((nu) =>
      texts.map((a) => ({
        unitId: newUnits.get(nu.code)?.id ?? '',
        alias: a,
        aliasFolded: fold(a),
        source: 'pre-2025',
      })),
    );
  });
  const res = await tx.unitAlias.createMany({ data: aliases, skipDuplicates: true });
  ctx.progress(rows.length, rows.length);
  return { counts: { ...counts, aliasesCreated: res.count } };
}

export const importer: Importer<UnitsImport> = {
  kind: 'units',
  usage: 'import units <file.csv>',
  description:
    'current units (code,name_vi,type[,name_en,parent_code,effective_from]) or pre-2025 history ' +
    '(old_code,old_name,old_type,old_district_code,old_district_name,new_units_2025-07-01)',
  parse: (content) => parseUnits(content),
  apply: (tx, value, ctx) =>
    value.format === 'current'
      ? applyCurrent(tx, value.rows, ctx)
      : applyHistory(tx, value.rows, ctx),
};
