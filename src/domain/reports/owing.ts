/**
 * The managers' view of one period over a subtree: which units owe which indicators (due from
 * them in the period, no figure yet; late once the deadline has passed), completeness and
 * timeliness per indicator, the aggregate against the target, and who reports for each unit.
 * Every function takes an explicit scope: the subtrees of the given root units, or 'all'.
 */
import { subtreeIds, type DomainDb } from '../access.js';
import {
  PERIOD_KINDS,
  periodAt,
  previousPeriod,
  type Period,
  type PeriodKind,
} from '../periods.js';
import { effectivePeriodicity, lockAt, type Schedule } from '../schedule.js';
import { aggregateFigures, type Aggregate } from '../submissions/aggregate.js';
import type { IndicatorUnitKind } from '../submissions/figures.js';
import type { TargetEvaluation } from '../submissions/targets.js';
import { evaluateTarget, type TargetRow } from '../submissions/targets.js';
import { periodRows, type PeriodRow } from './period-rows.js';

/** Root unit codes of a manager's subtrees, or every unit (admins, the CLI). */
export type Scope = 'all' | readonly string[];

/**
 * The default periods of a status command at `now`: per periodicity the schedule uses, the
 * most recent period that has ended and is not locked (on 2 December: T11 for monthly
 * indicators; Q3 is locked by then, so quarterly ones have none). Month first.
 */
export function defaultStatusPeriods(
  now: Date,
  schedule: Schedule,
  indicators: readonly { code: string; periodicity: PeriodKind }[],
): Period[] {
  const kinds = new Set(indicators.map((i) => effectivePeriodicity(i, schedule)));
  const out: Period[] = [];
  for (const kind of PERIOD_KINDS) {
    if (!kinds.has(kind)) continue;
    const previous = previousPeriod(periodAt(kind, now));
    if (now.getTime() < lockAt(previous, schedule).getTime()) out.push(previous);
  }
  return out;
}

/**
 * The rows of one period (one per unit and due indicator) within the scope, each unit once
 * even when two roots overlap (a manager of the province and of one of its communes).
 * @throws NotFoundError for an unknown root or indicator code.
 */
export async function scopeRows(
  db: DomainDb,
  q: { scope: Scope; period: Period; schedule: Schedule; indicatorCodes?: readonly string[] },
): Promise<PeriodRow[]> {
  const base = {
    period: q.period,
    schedule: q.schedule,
    ...(q.indicatorCodes ? { indicatorCodes: q.indicatorCodes } : {}),
  };
  if (q.scope === 'all') return periodRows(db, base);
  const seen = new Set<string>();
  const out: PeriodRow[] = [];
  for (const root of q.scope) {
    for (const r of await periodRows(db, { ...base, rootUnitCode: root })) {
      const key = `${r.unit.id}|${r.indicator.code}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(r);
    }
  }
  return out;
}

/** A unit that owes figures for the period. */
export interface OwingUnit {
  unit: PeriodRow['unit'];
  /** Codes of the due indicators without a figure, in catalogue order. */
  missing: string[];
  /** Due indicators of the unit in the period. */
  due: number;
  /** The deadline has passed. */
  late: boolean;
}

/** The units of these rows that owe something, in the rows' order (pure). */
export function owingUnits(rows: readonly PeriodRow[], deadline: Date, now: Date): OwingUnit[] {
  const byUnit = new Map<string, OwingUnit>();
  for (const r of rows) {
    let u = byUnit.get(r.unit.id);
    if (!u) {
      u = { unit: r.unit, missing: [], due: 0, late: now.getTime() > deadline.getTime() };
      byUnit.set(r.unit.id, u);
    }
    u.due++;
    if (!r.figure) u.missing.push(r.indicator.code);
  }
  return [...byUnit.values()].filter((u) => u.missing.length > 0);
}

/** One indicator over the scope. */
export interface IndicatorSummary {
  code: string;
  nameVi: string;
  kind: IndicatorUnitKind;
  /** Units it is due from / that reported / that reported by the deadline. */
  due: number;
  reported: number;
  onTime: number;
  /** Sum of numerators over sum of denominators (percent), or the sum (count, boolean). */
  aggregate: Aggregate;
  /** The target in force for the level most units of the scope are at, against the aggregate. */
  target: TargetEvaluation | null;
}

/**
 * Completeness, timeliness and the aggregate per indicator (pure). `targets` gives each
 * indicator's milestones (the catalogue).
 */
export function indicatorSummaries(
  rows: readonly PeriodRow[],
  targets: ReadonlyMap<string, { targets: readonly TargetRow[] }>,
  period: Period,
): IndicatorSummary[] {
  const groups = new Map<string, PeriodRow[]>();
  for (const r of rows) {
    const list = groups.get(r.indicator.code) ?? [];
    list.push(r);
    groups.set(r.indicator.code, list);
  }
  const out: IndicatorSummary[] = [];
  for (const [code, list] of [...groups].sort((a, b) => a[0].localeCompare(b[0]))) {
    const first = list[0];
    if (!first) continue;
    const levels = new Map<string, number>();
    for (const r of list) levels.set(r.unit.level, (levels.get(r.unit.level) ?? 0) + 1);
    const level = [...levels].sort((a, b) => b[1] - a[1])[0]?.[0] ?? first.unit.level;
    const aggregate = aggregateFigures(
      first.indicator.unit,
      list.flatMap((r) => (r.figure ? [{ unitId: r.unit.id, figure: r.figure }] : [])),
    );
    out.push({
      code,
      nameVi: first.indicator.nameVi,
      kind: first.indicator.unit,
      due: list.length,
      reported: list.filter((r) => r.figure).length,
      onTime: list.filter((r) => r.onTime === true).length,
      aggregate,
      target: evaluateTarget(
        targets.get(code) ?? { targets: [] },
        level,
        period.year,
        aggregate.value,
      ),
    });
  }
  return out;
}

/** A channel account of a person, newest first. */
export interface StaffIdentity {
  channel: string;
  externalId: string;
  createdAt: Date;
}

/** A person holding a role in a unit. */
export interface StaffMember {
  personId: string;
  displayName: string | null;
  identities: StaffIdentity[];
}

/**
 * A person with their reachable identities, the most recently used first (then the newest):
 * proactive messages go to the first one, and a person who blocked the bot everywhere (or
 * unfollowed the OA) has none and is skipped.
 */
const PERSON_SELECT = {
  select: {
    id: true,
    displayName: true,
    identities: {
      where: { unreachableAt: null },
      select: { channel: true, externalId: true, createdAt: true },
      orderBy: [
        { lastSeenAt: { sort: 'desc' as const, nulls: 'last' as const } },
        { createdAt: 'desc' as const },
      ],
    },
  },
};

/**
 * Active members with these roles of the units under the given root units (all units when
 * `rootIds` is 'all'), each person once, in membership order.
 */
export async function membersUnder(
  db: DomainDb,
  rootIds: 'all' | readonly string[],
  roles: readonly ('reporter' | 'manager')[],
): Promise<StaffMember[]> {
  const unitIds = rootIds === 'all' ? undefined : await subtreeIds(db, rootIds);
  const rows = await db.membership.findMany({
    where: {
      removedAt: null,
      role: { in: [...roles] },
      ...(unitIds ? { unitId: { in: unitIds } } : {}),
    },
    select: { person: PERSON_SELECT },
    orderBy: { createdAt: 'asc' },
  });
  const seen = new Map<string, StaffMember>();
  for (const r of rows)
    if (!seen.has(r.person.id))
      seen.set(r.person.id, {
        personId: r.person.id,
        displayName: r.person.displayName,
        identities: r.person.identities,
      });
  return [...seen.values()];
}

/** The active members with `role` of each unit, with their identities (newest first). */
export async function staffOf(
  db: DomainDb,
  unitIds: readonly string[],
  role: 'reporter' | 'manager',
): Promise<Map<string, StaffMember[]>> {
  const out = new Map<string, StaffMember[]>();
  if (unitIds.length === 0) return out;
  const rows = await db.membership.findMany({
    where: { unitId: { in: [...unitIds] }, role, removedAt: null },
    select: { unitId: true, person: PERSON_SELECT },
    orderBy: { createdAt: 'asc' },
  });
  for (const r of rows) {
    const list = out.get(r.unitId) ?? [];
    if (list.some((m) => m.personId === r.person.id)) continue;
    list.push({
      personId: r.person.id,
      displayName: r.person.displayName,
      identities: r.person.identities,
    });
    out.set(r.unitId, list);
  }
  return out;
}

/** A manager or admin with the roots of their scope (codes) and identities. */
export interface ManagerRecipient extends StaffMember {
  /** Codes of the managed units, or 'all' for an admin. */
  scope: Scope;
  rootNames: string[];
}

/** Every person holding an active manager or admin membership, with their scope. */
export async function managersWithScope(db: DomainDb): Promise<ManagerRecipient[]> {
  const rows = await db.membership.findMany({
    where: { removedAt: null, role: { in: ['manager', 'admin'] } },
    select: {
      role: true,
      unit: { select: { code: true, name: true } },
      person: PERSON_SELECT,
    },
    orderBy: { createdAt: 'asc' },
  });
  const out = new Map<string, ManagerRecipient>();
  for (const r of rows) {
    const m = out.get(r.person.id) ?? {
      personId: r.person.id,
      displayName: r.person.displayName,
      identities: r.person.identities,
      scope: [] as string[],
      rootNames: [],
    };
    if (r.role === 'admin') m.scope = 'all';
    else if (m.scope !== 'all' && !m.scope.includes(r.unit.code)) {
      m.scope = [...m.scope, r.unit.code];
      m.rootNames.push(r.unit.name);
    }
    out.set(r.person.id, m);
  }
  return [...out.values()];
}
