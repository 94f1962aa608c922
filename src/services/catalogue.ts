/**
 * The indicator catalogue and the reporting schedule as handlers see them, cached per instance
 * and refreshed when their data version changes (an import on any instance).
 */
import type { DbClient } from '../db/client.js';
import type { Periodicity } from '../domain/periods.js';
import { currentScheduleReport } from '../domain/reports/schedule-source.js';
import type { Schedule } from '../domain/schedule.js';
import type { TargetRow } from '../domain/submissions/index.js';
import type { UnitName } from '../report-parser/canonical.js';
import type { IndicatorDef, IndicatorUnit } from '../report-parser/types.js';

/** One catalogue indicator with everything the replies show. */
export interface ReportIndicator extends IndicatorDef {
  nameEn: string;
  appliesTo: string[];
  numeratorLabel: string | null;
  denominatorLabel: string | null;
  targets: TargetRow[];
}

export interface Catalogue {
  /** The parser's input; the same array instance while the catalogue is unchanged. */
  defs: readonly ReportIndicator[];
  byCode: ReadonlyMap<string, ReportIndicator>;
}

/** Read the catalogue from the database (17 rows in the seed). */
export async function readCatalogue(db: DbClient): Promise<Catalogue> {
  const rows = await db.indicator.findMany({
    include: { targets: true },
    orderBy: { code: 'asc' },
  });
  const defs: ReportIndicator[] = rows.map((r) => ({
    code: r.code,
    nameVi: r.nameVi,
    nameEn: r.nameEn,
    unit: r.unit as IndicatorUnit,
    periodicity: r.periodicity as Periodicity,
    aliases: r.aliases,
    appliesTo: r.appliesTo,
    numeratorLabel: r.numeratorLabel,
    denominatorLabel: r.denominatorLabel,
    targets: r.targets.map((t) => ({ year: t.year, level: t.level, op: t.op, value: t.value })),
  }));
  return { defs, byCode: new Map(defs.map((d) => [d.code, d])) };
}

/**
 * A value loaded from the database and kept until its data version changes. Concurrent
 * updates share one load.
 */
export class VersionedCache<T> {
  private entry: { version: string; value: Promise<T> } | undefined;

  constructor(private readonly load: (db: DbClient) => Promise<T>) {}

  get(db: DbClient, version: string): Promise<T> {
    if (this.entry?.version !== version) {
      const value = this.load(db);
      const entry = { version, value };
      this.entry = entry;
      // A failed load is not kept: the next update tries again.
      value.catch(() => {
        if (this.entry === entry) this.entry = undefined;
      });
    }
    return this.entry.value;
  }

  /** Forget the value (tests, or a same-instance change that wants a fresh load now). */
  clear(): void {
    this.entry = undefined;
  }
}

/** The schedule in force, with a problem when the stored one no longer validates. */
export interface ScheduleInForce {
  schedule: Schedule;
  /** Set when the imported schedule is invalid and the default is used instead. */
  problem?: string;
}

export const readSchedule = (db: DbClient): Promise<ScheduleInForce> => currentScheduleReport(db);

/** The units in force (code and official name), in code order. */
export async function readUnitNames(db: DbClient): Promise<UnitName[]> {
  const rows = await db.unit.findMany({
    where: { effectiveTo: null },
    select: { code: true, name: true, aliases: { select: { alias: true } } },
    orderBy: { code: 'asc' },
  });
  // Old names (the communes merged in 2025) and manual aliases: officers still sign with them.
  return rows.map((r) => ({ code: r.code, name: r.name, aliases: r.aliases.map((a) => a.alias) }));
}
