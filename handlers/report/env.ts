/**
 * What the report handlers need from the database on each update: the indicator catalogue
 * (as the parser sees it, plus names, labels and targets), the reporting schedule in force,
 * and who the sender is. Built from `ctx.services.db` (the update's transaction) until the
 * composition root provides `catalogue`/`schedule` services of its own.
 */
import type { DbClient } from '../../src/db/client.js';
import type { Periodicity } from '../../src/domain/periods.js';
import { resolveIdentity, type ResolvedIdentity } from '../../src/domain/people/index.js';
import { currentSchedule } from '../../src/domain/reports/schedule-source.js';
import type { Schedule } from '../../src/domain/schedule.js';
import type { TargetRow } from '../../src/domain/submissions/index.js';
import type { IndicatorDef, IndicatorUnit } from '../../src/report-parser/types.js';

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

/**
 * Catalogues by content signature. The parser compiles its matcher once per array instance, so
 * handing it a fresh array per update would recompile each time; keying by content keeps one
 * instance per distinct catalogue and still picks up an import at once.
 */
const catalogues = new Map<string, Catalogue>();
const MAX_CACHED = 8;

/** The indicator catalogue as stored (17 rows in the seed: one cheap query per update). */
export async function loadCatalogue(db: DbClient): Promise<Catalogue> {
  const rows = await db.indicator.findMany({
    include: { targets: true },
    orderBy: { code: 'asc' },
  });
  const signature = JSON.stringify(rows);
  const cached = catalogues.get(signature);
  if (cached) return cached;
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
  const catalogue: Catalogue = { defs, byCode: new Map(defs.map((d) => [d.code, d])) };
  if (catalogues.size >= MAX_CACHED) catalogues.clear();
  catalogues.set(signature, catalogue);
  return catalogue;
}

/** The schedule in force (imported one, else the default file's). */
export function loadSchedule(db: DbClient): Promise<Schedule> {
  return currentSchedule(db);
}

/** A reporting unit of the sender. */
export interface ReporterUnit {
  id: string;
  code: string;
  name: string;
  level: string;
}

export interface Sender {
  identity: ResolvedIdentity | null;
  /** Units the sender reports for (active reporter memberships), in membership order. */
  reporterUnits: ReporterUnit[];
}

/** Who sent the message: a linked person with their reporter units, or nobody (a citizen). */
export async function loadSender(
  db: DbClient,
  channel: string,
  externalId: string,
): Promise<Sender> {
  const identity = await resolveIdentity(db, channel, externalId);
  const seen = new Set<string>();
  const reporterUnits: ReporterUnit[] = [];
  for (const m of identity?.memberships ?? []) {
    if (m.role !== 'reporter' || seen.has(m.unit.id)) continue;
    seen.add(m.unit.id);
    reporterUnits.push({
      id: m.unit.id,
      code: m.unit.code,
      name: m.unit.name,
      level: m.unit.level,
    });
  }
  return { identity, reporterUnits };
}
