/**
 * Default Hà Tĩnh data (prisma/seed/, copies of the shared data so a deployment has them):
 * province 42 + 69 communes in force since 2025-07-01, the 210 pre-2025 communes and their
 * 12 districts as history (aliases of the new units), 17 indicators with targets, 201
 * procedures, and the default reporting schedule when a `schedule` importer and
 * config/schedule.json exist. All in one transaction; idempotent.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Db, Prisma } from '../db/client.js';
import { PROJECT_ROOT } from '../db/schema-engine.js';
import { UNKNOWN_START } from '../domain/units/units.js';
import { bumpVersion } from '../domain/versions.js';
import { IMPORT_TX_OPTIONS, ImportRowsError, loadImporters } from './importers.js';
import type { ApplyContext, ImportSummary, Importer } from './importers.js';
import type { UnitsImport } from './importers/units.js';

export const SEED_DIR = path.join(PROJECT_ROOT, 'prisma', 'seed');
export const DEFAULT_SCHEDULE_FILE = path.join(PROJECT_ROOT, 'config', 'schedule.json');

export const SEED_PROVINCE = { code: '42', name: 'Tỉnh Hà Tĩnh', nameEn: 'Ha Tinh Province' };

export interface SeedOptions {
  /** Seed only when units, indicators and procedures are all empty (checked under the lock). */
  onlyIfEmpty?: boolean;
  now?: Date;
  actor?: string;
  progress?: (step: string, done: number, total: number) => void;
}

export type SeedResult = Record<string, ImportSummary>;

/** Advisory lock key: several instances starting together on one PostgreSQL seed only once. */
const SEED_LOCK_KEY = 4_242_001;

async function exists(p: string): Promise<boolean> {
  return stat(p).then(
    () => true,
    () => false,
  );
}

/** Loads the default data (creating or updating, never duplicating). */
export async function seed(db: Db, opts: SeedOptions = {}): Promise<SeedResult> {
  const importers = await loadImporters();
  const get = (kind: string): Importer => {
    const imp = importers.get(kind);
    if (!imp) throw new Error(`importer "${kind}" is missing`);
    return imp;
  };
  const steps: { kind: string; file: string; importer: Importer; prepend?: boolean }[] = [
    {
      kind: 'units',
      file: path.join(SEED_DIR, 'ha_tinh_communes_2025.csv'),
      importer: get('units'),
      prepend: true,
    },
    {
      kind: 'history',
      file: path.join(SEED_DIR, 'ha_tinh_units_before_2025-07-01.csv'),
      importer: get('units'),
    },
    {
      kind: 'indicators',
      file: path.join(SEED_DIR, 'indicators.csv'),
      importer: get('indicators'),
    },
    { kind: 'services', file: path.join(SEED_DIR, 'procedures.csv'), importer: get('services') },
  ];
  const schedule = importers.get('schedule');
  if (schedule && (await exists(DEFAULT_SCHEDULE_FILE))) {
    steps.push({ kind: 'schedule', file: DEFAULT_SCHEDULE_FILE, importer: schedule });
  }
  // Parse everything first: a broken seed file changes nothing.
  const parsed: { kind: string; file: string; importer: Importer; value: unknown }[] = [];
  for (const s of steps) {
    const content = await readFile(s.file);
    const p = s.importer.parse(content, s.file);
    if (!p.ok) {
      throw new ImportRowsError(
        p.errors.map((e) => ({ ...e, message: `${path.basename(s.file)}: ${e.message}` })),
      );
    }
    let value = p.value;
    if (s.prepend) {
      const units = value as UnitsImport;
      if (units.format === 'current') {
        units.rows.unshift({
          line: 0,
          code: SEED_PROVINCE.code,
          name: SEED_PROVINCE.name,
          type: 'tỉnh',
          level: 'province',
          nameEn: SEED_PROVINCE.nameEn,
          parentCode: null,
          effectiveFrom: UNKNOWN_START,
        });
      }
      value = units;
    }
    parsed.push({ ...s, value });
  }
  const now = opts.now ?? new Date();
  return db.prisma.$transaction(async (tx) => {
    await tx.$executeRawUnsafe(`SELECT pg_advisory_xact_lock(${SEED_LOCK_KEY})`);
    const result: SeedResult = {};
    if (opts.onlyIfEmpty) {
      const [u, i, p] = await Promise.all([
        tx.unit.count(),
        tx.indicator.count(),
        tx.procedure.count(),
      ]);
      if (u || i || p) return result;
    }
    for (const s of parsed) {
      // The default schedule never replaces one an operator imported.
      if (s.kind === 'schedule' && (await operatorSchedule(tx))) continue;
      const ctx: ApplyContext = {
        now,
        // The schedule is marked as the seed's, so a later seed can tell an operator's import.
        actor: s.kind === 'schedule' ? 'seed' : (opts.actor ?? 'seed'),
        fileName: s.file,
        progress: (done, total) => opts.progress?.(s.kind, done, total),
      };
      result[s.kind] = await s.importer.apply(tx, s.value, ctx);
      await bumpVersion(tx, s.importer.kind);
    }
    return result;
  }, IMPORT_TX_OPTIONS);
}

/** Actors the seed imports as; a schedule imported by anyone else is the operator's. */
const SEED_ACTORS = ['seed', 'first-start'] as const;

/** Whether the schedule in force was imported by an operator (not by a seed). */
async function operatorSchedule(tx: Prisma.TransactionClient): Promise<boolean> {
  const latest = await tx.scheduleConfig.findFirst({
    orderBy: { importedAt: 'desc' },
    select: { importedBy: true },
  });
  return latest !== null && !(SEED_ACTORS as readonly string[]).includes(latest.importedBy ?? '');
}

/**
 * Seeds a database that holds no units, indicators and procedures at all (first start).
 * Returns true when it seeded. Leaves any database with data alone.
 */
export async function seedIfEmpty(db: Db, opts: SeedOptions = {}): Promise<boolean> {
  const [units, indicators, procedures] = await Promise.all([
    db.prisma.unit.count(),
    db.prisma.indicator.count(),
    db.prisma.procedure.count(),
  ]);
  if (units || indicators || procedures) return false;
  const result = await seed(db, { ...opts, onlyIfEmpty: true });
  return Object.keys(result).length > 0;
}
