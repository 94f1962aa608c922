/**
 * Administrative units: types, levels and effective dates.
 *
 * A unit's identity is (code, effectiveFrom): the 69 codes in force since 2025-07-01 were also
 * codes of older units. Dates are calendar dates (PostgreSQL `date`), represented as JS Dates at
 * 00:00 UTC; "today" is always the calendar date in Asia/Ho_Chi_Minh, never the process TZ.
 */
import type { Prisma, PrismaClient, Unit } from '../../db/generated/client.js';
import { fold } from '../../text/vietnamese.js';

export type UnitLevelName = 'province' | 'district' | 'commune';

/** Lower-case Vietnamese unit types, current and historical. */
export const UNIT_TYPES = [
  'tỉnh',
  'thành phố',
  'xã',
  'phường',
  'đặc khu',
  'huyện',
  'thị xã',
  'thị trấn',
] as const;
export type UnitType = (typeof UNIT_TYPES)[number];

/** First day of the two-level local government (Resolution 1665/NQ-UBTVQH15). */
export const REFORM_DATE = '2025-07-01';
/** Last day the pre-2025 units were in force. */
export const HISTORY_END = '2025-06-30';
/**
 * Start date used when a unit's real start is not in our sources (provinces, pre-2025 units).
 * A sentinel, not a claim: it only says "in force since before anything we track".
 */
export const UNKNOWN_START = '1900-01-01';

export const DEFAULT_TIMEZONE = 'Asia/Ho_Chi_Minh';

/** Parses a type as written in the sources ('Xã', 'Thị trấn', 'Đặc khu'…); undefined if unknown. */
export function parseUnitType(raw: string): UnitType | undefined {
  const t = raw.normalize('NFC').trim().toLowerCase().replace(/\s+/g, ' ');
  return (UNIT_TYPES as readonly string[]).includes(t) ? (t as UnitType) : undefined;
}

/** The type prefix of a full unit name ('Huyện Thạch Hà' -> 'huyện'), longest match first. */
export function typeFromName(name: string): UnitType | undefined {
  const lower = name.normalize('NFC').trim().toLowerCase();
  return [...UNIT_TYPES].sort((a, b) => b.length - a.length).find((t) => lower.startsWith(`${t} `));
}

/** The name without its type prefix ('Phường Nam Hà' -> 'Nam Hà'). */
export function bareName(name: string): string {
  const t = typeFromName(name);
  return t ? name.trim().slice(t.length).trim() : name.trim();
}

/** 'yyyy-mm-dd' -> Date at 00:00 UTC (how Prisma maps PostgreSQL `date`). */
export function dateOnly(iso: string): Date {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso)) throw new Error(`not a date: ${iso}`);
  const d = new Date(`${iso}T00:00:00Z`);
  if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== iso) {
    throw new Error(`not a date: ${iso}`);
  }
  return d;
}

/** The calendar date of `at` in `timeZone`, as a `dateOnly` Date. */
export function localDate(at: Date, timeZone: string = DEFAULT_TIMEZONE): Date {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
  return dateOnly(parts);
}

/** Prisma filter: units in force on the calendar date `day` (a `dateOnly` Date). */
export function inForceOn(day: Date): Prisma.UnitWhereInput {
  return {
    effectiveFrom: { lte: day },
    OR: [{ effectiveTo: null }, { effectiveTo: { gte: day } }],
  };
}

type Db = PrismaClient | Prisma.TransactionClient;

/** The unit a code means at instant `at` (Asia/Ho_Chi_Minh date), or null. */
export async function findUnitByCode(
  db: Db,
  code: string,
  at: Date,
  timeZone: string = DEFAULT_TIMEZONE,
): Promise<Unit | null> {
  return db.unit.findFirst({
    where: { code: code.trim(), ...inForceOn(localDate(at, timeZone)) },
    orderBy: { effectiveFrom: 'desc' },
  });
}

/** Ids of a unit and all its descendants (any date), for manager scopes. */
export async function subtreeIds(db: Db, rootId: string): Promise<string[]> {
  const ids = [rootId];
  let frontier = [rootId];
  while (frontier.length) {
    const children = await db.unit.findMany({
      where: { parentId: { in: frontier } },
      select: { id: true },
    });
    frontier = children.map((c) => c.id).filter((id) => !ids.includes(id));
    ids.push(...frontier);
  }
  return ids;
}

/**
 * Units in force at `at` whose name or alias contains the folded query, best first
 * (exact folded name, then name prefix, then alias, then substring).
 */
export async function searchUnits(
  db: Db,
  query: string,
  at: Date,
  limit = 5,
  timeZone: string = DEFAULT_TIMEZONE,
): Promise<Unit[]> {
  const q = fold(query);
  if (!q) return [];
  const day = localDate(at, timeZone);
  const units = await db.unit.findMany({
    where: {
      AND: [
        inForceOn(day),
        {
          OR: [
            { nameFolded: { contains: q } },
            { aliases: { some: { aliasFolded: { contains: q } } } },
          ],
        },
      ],
    },
    include: { aliases: true },
    take: 200,
  });
  const score = (u: (typeof units)[number]): number => {
    const bare = fold(bareName(u.name));
    if (u.nameFolded === q || bare === q) return 0;
    if (u.nameFolded.startsWith(q) || bare.startsWith(q)) return 1;
    if (u.nameFolded.includes(q)) return 2;
    if (u.aliases.some((a) => a.aliasFolded === q)) return 3;
    return 4;
  };
  return units
    .map((u) => ({ u, s: score(u) }))
    .sort((a, b) => a.s - b.s || a.u.code.localeCompare(b.u.code))
    .slice(0, limit)
    .map(({ u }) => {
      const { aliases: _aliases, ...unit } = u;
      void _aliases;
      return unit;
    });
}

/**
 * A unit as raw SQL reads it, for queries that join it (one round trip instead of Prisma's
 * query per relation): select `u.id AS unit_id, u.code, u.name, u.type, u.level::text AS level,
 * u.name_en, u.parent_id, u.effective_from, u.effective_to, u.name_folded`.
 */
export interface UnitRow {
  unit_id: string;
  code: string;
  name: string;
  type: string;
  level: string;
  name_en: string | null;
  parent_id: string | null;
  effective_from: Date;
  effective_to: Date | null;
  name_folded: string;
}

/** The model of a raw unit row (see UnitRow). */
export function unitOfRow(r: UnitRow): Unit {
  return {
    id: r.unit_id,
    code: r.code,
    name: r.name,
    type: r.type,
    level: r.level as Unit['level'],
    nameEn: r.name_en,
    parentId: r.parent_id,
    effectiveFrom: r.effective_from,
    effectiveTo: r.effective_to,
    nameFolded: r.name_folded,
  };
}
