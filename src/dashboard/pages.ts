/**
 * The unit page's history charts and audit trail, and the province page: aggregates per
 * indicator over time against the 2025 and 2030 targets, and completeness over time. Data
 * through the domain (aggregatesOver, evaluateTarget); charts through ./charts.ts; texts in the
 * viewer's language (./format.ts).
 */
import type { DbClient } from '../db/client.js';
import {
  comparePeriods,
  formatPeriod,
  previousPeriod,
  type Period,
  type PeriodKind,
} from '../domain/periods.js';
import { aggregatesOver, rowsCatalogue, type IndicatorAggregate } from '../domain/reports/index.js';
import { defaultPeriodFor, type Schedule } from '../domain/schedule.js';
import { figureOf, type IndicatorUnitKind } from '../domain/submissions/figures.js';
import { evaluateTarget, type TargetRow } from '../domain/submissions/targets.js';
import { chart } from './charts.js';
import type { PageTexts } from './format.js';
import { html, raw, type Html } from './html.js';

const TARGET_COLOR = '#1e7a46';
const TARGET_2030_COLOR = '#8a5a00';

/** Percentages and yes/no answers are drawn on a 0–100 axis. */
const percentish = (kind: IndicatorUnitKind) => kind === 'percent' || kind === 'boolean';

async function targetsOf(
  db: DbClient,
  codes: readonly string[],
): Promise<Map<string, TargetRow[]>> {
  const rows = await db.indicatorTarget.findMany({ where: { indicatorCode: { in: [...codes] } } });
  const out = new Map<string, TargetRow[]>();
  for (const t of rows) out.set(t.indicatorCode, [...(out.get(t.indicatorCode) ?? []), t]);
  return out;
}

/** A submitted row as the unit page reads it. */
export interface UnitSubmission {
  indicatorCode: string;
  period: string;
  periodStart: Date;
  numerator: { toString(): string } | null;
  denominator: { toString(): string } | null;
  value: { toString(): string } | null;
  note: string | null;
  indicator: { nameVi: string; nameEn: string; unit: string };
}

/** One chart per indicator the unit reported: its figures over the periods, and its target. */
export async function unitHistoryCharts(
  db: DbClient,
  unit: { level: string },
  subs: readonly UnitSubmission[],
  x: PageTexts,
): Promise<Html[]> {
  const { t } = x;
  const by = new Map<string, UnitSubmission[]>();
  for (const s of subs) by.set(s.indicatorCode, [...(by.get(s.indicatorCode) ?? []), s]);
  const targets = await targetsOf(db, [...by.keys()]);
  const out: Html[] = [];
  for (const [code, list] of [...by].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const points = [...list]
      .sort((a, b) => a.periodStart.getTime() - b.periodStart.getTime())
      .slice(-24);
    const kind = points[0]!.indicator.unit as IndicatorUnitKind;
    const values = points.map((s) => {
      const v = figureOf(s).value;
      return v === null ? null : kind === 'boolean' ? v * 100 : v;
    });
    const target = points.map(
      (s) =>
        evaluateTarget(
          { targets: targets.get(code) ?? [] },
          unit.level,
          s.periodStart.getUTCFullYear(),
          null,
        )?.target ?? null,
    );
    const name = x.name(points[0]!.indicator);
    out.push(
      html`<figure>
        <figcaption><b>${code}</b> ${name}</figcaption>
        ${await chart({
          label: t('unit.chartLabel', { code, name }),
          categories: points.map((s) => s.period),
          percent: percentish(kind),
          series: [
            { name: t('unit.seriesFigures'), data: values },
            ...(target.some((x) => x !== null)
              ? [{ name: t('unit.seriesTarget'), data: target, dashed: true, color: TARGET_COLOR }]
              : []),
          ],
        })}
      </figure>`,
    );
  }
  return out;
}

/** The audit actions the trail names (locales: dashboard.web.audit.<action>). */
const AUDIT_ACTIONS = new Set([
  'submission.create',
  'submission.update',
  'submission.withdraw',
  'period.reopen',
  'membership.create',
  'membership.remove',
  'invitation.create',
  'invitation.redeem',
  'invitation.revoke',
]);

export interface AuditLine {
  at: Date;
  who: string;
  action: string;
  detail: string;
}

/**
 * The audit trail of a unit, newest first: its submissions, reopened periods, memberships
 * and invitations (looked up through the audit log's (entity, entity_id) index).
 */
export async function unitAuditTrail(
  db: DbClient,
  unitId: string,
  { t }: PageTexts,
  take = 40,
): Promise<AuditLine[]> {
  const [subs, reopens, members, invites] = await Promise.all([
    db.submission.findMany({ where: { unitId }, select: { id: true } }),
    db.periodReopen.findMany({ where: { unitId }, select: { id: true } }),
    db.membership.findMany({ where: { unitId }, select: { id: true } }),
    db.invitation.findMany({ where: { unitId }, select: { id: true } }),
  ]);
  const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
  const rows = await db.auditLog.findMany({
    where: {
      OR: [
        { entity: 'submission', entityId: { in: ids(subs) } },
        { entity: 'period_reopen', entityId: { in: ids(reopens) } },
        { entity: 'membership', entityId: { in: ids(members) } },
        { entity: 'invitation', entityId: { in: ids(invites) } },
      ],
    },
    orderBy: { at: 'desc' },
    take,
  });
  const personIds = [
    ...new Set(rows.flatMap((r) => (r.actor?.startsWith('person:') ? [r.actor.slice(7)] : []))),
  ];
  const names = new Map(
    (await db.person.findMany({ where: { id: { in: personIds } } })).map((p) => [
      p.id,
      p.displayName ?? t('noName'),
    ]),
  );
  return rows.map((r) => {
    const d = (r.data ?? {}) as Record<string, unknown>;
    const detail = [
      d.indicatorCode,
      d.period,
      d.role,
      d.until ? t('unit.until', { until: String(d.until) }) : null,
    ]
      .filter((x) => typeof x === 'string' && x !== '')
      .join(' ');
    const who = !r.actor
      ? t('system')
      : r.actor === 'cli'
        ? t('operator')
        : r.actor.startsWith('person:')
          ? (names.get(r.actor.slice(7)) ?? t('noName'))
          : r.actor;
    const action = AUDIT_ACTIONS.has(r.action) ? t(`audit.${r.action}`) : r.action;
    return { at: r.at, who, action, detail };
  });
}

/** How many past periods of each kind the province page shows. */
const HISTORY: Record<PeriodKind, number> = { month: 12, quarter: 8, half: 4, year: 3 };

export interface ProvinceSeries {
  periods: string[];
  aggregates: Map<string, (IndicatorAggregate | undefined)[]>;
  completeness: { period: string; due: number; reported: number }[];
  /** The unit level each indicator is reported at (its targets are that level's). */
  levels: Map<string, string>;
  /** Each indicator's targets (all levels and years). */
  targets: Map<string, readonly TargetRow[]>;
}

/** The aggregates of the subtree of `rootCode` over the last periods of each kind in use. */
export async function provinceSeries(
  db: DbClient,
  rootCode: string,
  schedule: Schedule,
  now: Date,
): Promise<ProvinceSeries & { byKind: Map<PeriodKind, Period[]> }> {
  // The catalogue once for the whole page: the periodicities in use, the rows, the targets.
  const catalogue = await rowsCatalogue(db);
  const kinds = new Set(catalogue.map((i) => i.periodicity as PeriodKind));
  const byKind = new Map<PeriodKind, Period[]>();
  for (const kind of kinds) {
    const list: Period[] = [];
    let p = defaultPeriodFor(kind, now, schedule);
    for (let i = 0; i < HISTORY[kind]; i++) {
      list.unshift(p);
      p = previousPeriod(p);
    }
    byKind.set(kind, list);
  }
  const all = [...byKind.values()].flat().sort(comparePeriods);
  const aggregates = new Map<string, (IndicatorAggregate | undefined)[]>();
  const completeness: ProvinceSeries['completeness'] = [];
  const periods = all.map(formatPeriod);
  const levels = new Map<string, string>();
  // One grouped query for all the periods.
  const perPeriod = await aggregatesOver(db, {
    periods: all,
    schedule,
    rootUnitCode: rootCode,
    catalogue,
  });
  for (const [i, p] of perPeriod.entries()) {
    for (const [code, level] of p.levels) if (!levels.has(code)) levels.set(code, level);
    completeness.push({ period: periods[i]!, due: p.due, reported: p.reported });
    for (const a of p.aggregates) {
      const list = aggregates.get(a.code) ?? new Array<IndicatorAggregate | undefined>(all.length);
      list[i] = a;
      aggregates.set(a.code, list);
    }
  }
  const targets = new Map(catalogue.map((i) => [i.code, i.targets]));
  return { periods, aggregates, completeness, levels, targets, byKind };
}

/** Charts of the province page: completeness, then one per indicator with its targets. */
export async function provinceCharts(s: ProvinceSeries, x: PageTexts): Promise<Html[]> {
  const { t } = x;
  const out: Html[] = [];
  const withDue = s.completeness.filter((c) => c.due > 0);
  out.push(
    html`<figure>
      <figcaption>${raw(t('province.completenessCaption'))}</figcaption>
      ${await chart({
        label: t('province.completenessLabel'),
        categories: withDue.map((c) => c.period),
        percent: true,
        series: [
          {
            name: t('province.completenessSeries'),
            kind: 'bar',
            data: withDue.map((c) => Math.round((1000 * c.reported) / c.due) / 10),
          },
        ],
      })}
    </figure>`,
  );
  const codes = [...s.aggregates.keys()].sort();
  const targets = s.targets;
  for (const code of codes) {
    const list = s.aggregates.get(code)!;
    const idx = list.flatMap((a, i) => (a ? [i] : []));
    const first = list[idx[0]!]!;
    const level = s.levels.get(code) ?? 'commune';
    const milestone = (year: number) =>
      (targets.get(code) ?? []).find((t) => t.year === year && t.level === level);
    const lines = [2025, 2030].flatMap((year) => {
      const m = milestone(year);
      return m
        ? [
            {
              name: t('province.seriesTarget', {
                year,
                op: m.op === '>' ? '>' : '≥',
                value: Number(m.value.toString()),
              }),
              data: idx.map(() => Number(m.value.toString())),
              dashed: true,
              color: year === 2025 ? TARGET_COLOR : TARGET_2030_COLOR,
            },
          ]
        : [];
    });
    const round = (v: number | null) => (v === null ? null : Math.round(v * 10) / 10);
    out.push(
      html`<figure>
        <figcaption>
          <b>${code}</b> ${x.name(first)}
          ${t(
            first.unit === 'percent'
              ? 'province.sumOfRatios'
              : first.unit === 'count'
                ? 'province.sum'
                : 'province.shareYes',
          )}
        </figcaption>
        ${await chart({
          label: t('province.chartLabel', { code, name: x.name(first) }),
          categories: idx.map((i) => s.periods[i]!),
          percent: percentish(first.unit),
          series: [
            { name: t('province.seriesAggregate'), data: idx.map((i) => round(list[i]!.value)) },
            ...lines,
          ],
        })}
      </figure>`,
    );
  }
  return out;
}
