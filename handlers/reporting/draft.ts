/**
 * A report waiting for the reporter's confirmation: figures grouped by period for one unit.
 * It lives in the conversation state (plain JSON) between "here is what I understood" and
 * "Xác nhận"; nothing is written before that. This module checks a draft (due from this unit,
 * period not locked), renders the confirmation with its soft warnings (jumps from the last
 * period, values it would replace), and commits it in the update's transaction.
 */
import type { Locale, Translate } from '../../src/core/handler.js';
import type { Button, OutboundReply } from '../../src/core/message.js';
import {
  formatPeriod,
  parsePeriodId,
  periodId,
  previousPeriod,
  type Period,
} from '../../src/domain/periods.js';
import { dueIndicators, effectivePeriodicity, type Schedule } from '../../src/domain/schedule.js';
import { LockedError } from '../../src/domain/submissions/index.js';
import { formatDateTimeVi } from '../../src/text/numbers.js';
import type { ParsedItem } from '../../src/report-parser/types.js';
import type { Catalogue, ReportIndicator, ReporterUnit } from './env.js';
import type { Ctx } from './flow.js';
import { formatFigure, formatLine, formatNumber, periodText } from './format.js';
import { reportFlow } from './state.js';

/** One figure of a draft (a parsed item without its period and span). */
export interface DraftItem {
  code: string;
  numerator?: number;
  denominator?: number;
  value?: number;
  barePercent?: boolean;
}

export interface DraftGroup {
  /** periodId (`2025-M10`), JSON-safe. */
  period: string;
  items: DraftItem[];
}

export interface Draft {
  unitId: string;
  groups: DraftGroup[];
}

/** Soft-warning thresholds: how far a value may move from the last period unflagged. */
export interface JumpThresholds {
  /** Percentage points for percent indicators (default 30). */
  percentPoints: number;
  /** Relative change for counts (default 0.5 = 50%). */
  countRatio: number;
}

export const DEFAULT_JUMPS: JumpThresholds = { percentPoints: 30, countRatio: 0.5 };

/** Group parsed items by period, keeping the order they were written in. */
export function draftFromItems(unitId: string, items: readonly ParsedItem[]): Draft {
  const groups: DraftGroup[] = [];
  for (const it of items) {
    const id = periodId(it.period);
    let g = groups.find((x) => x.period === id);
    if (!g) {
      g = { period: id, items: [] };
      groups.push(g);
    }
    g.items.push(toDraftItem(it));
  }
  return { unitId, groups };
}

/** The JSON-safe figure of a parsed item. */
export function toDraftItem(it: ParsedItem): DraftItem {
  const d: DraftItem = { code: it.code };
  if (it.numerator !== undefined) d.numerator = it.numerator;
  if (it.denominator !== undefined) d.denominator = it.denominator;
  if (it.value !== undefined) d.value = it.value;
  if (it.barePercent) d.barePercent = true;
  return d;
}

/** The period of a stored group (ids are written by us, so a bad one is a bug). */
export function groupPeriod(g: DraftGroup): Period {
  const p = parsePeriodId(g.period);
  if (!p) throw new Error(`bad period id in draft: ${g.period}`);
  return p;
}

/**
 * Type and range of one figure (the parser checks too; this is the handler's own guard, so a
 * figure that cannot be stored never reaches a confirmation): a percentage 0–100, numerator
 * <= denominator with a positive denominator, a non-negative whole count, yes/no as 1/0.
 * @returns the reason (a key under `report.invalid`), or undefined when the figure is fine.
 */
export function invalidFigure(
  ind: Pick<ReportIndicator, 'unit'>,
  it: DraftItem,
): 'fraction' | 'percent' | 'count' | 'boolean' | undefined {
  const finite = (n: number | undefined): n is number =>
    typeof n === 'number' && Number.isFinite(n);
  if (ind.unit === 'percent') {
    if (it.numerator !== undefined || it.denominator !== undefined) {
      const { numerator: n, denominator: d } = it;
      if (n === 0 && d === 0) return undefined; // không phát sinh
      return finite(n) && finite(d) && d > 0 && n >= 0 && n <= d ? undefined : 'fraction';
    }
    return finite(it.value) && it.value >= 0 && it.value <= 100 ? undefined : 'percent';
  }
  if (it.numerator !== undefined || it.denominator !== undefined) return ind.unit;
  if (ind.unit === 'count') {
    return finite(it.value) && it.value >= 0 && Number.isInteger(it.value) ? undefined : 'count';
  }
  return it.value === 0 || it.value === 1 ? undefined : 'boolean';
}

/** The sentence naming who can reopen a locked period. */
export function lockedMessage(t: Translate, err: LockedError): string {
  const names = err.reopeners
    .map((r) => r.displayName ?? '')
    .filter((n) => n.trim() !== '')
    .slice(0, 3)
    .join(', ');
  return t('report.locked', {
    period: err.period,
    unit: (err.vars.unit as string | undefined) ?? '',
    at: formatDateTimeVi(err.lockedAt),
    who: names ? t('report.lockedWho', { names }) : t('report.lockedWhoDefault'),
  });
}

/**
 * Problems that stop a draft before confirmation, each as a reply line: an indicator this
 * unit does not report, or a (unit, period) already locked.
 */
/** Why a draft cannot be saved; a locked period is not something the reporter can fix. */
export interface Problem {
  text: string;
  locked: boolean;
}

/**
 * The refusal of a draft: its problems, then "nothing saved" — with "correct and send again"
 * only when the reporter can correct something (not for a locked period, which a manager
 * reopens).
 */
export function refusalText(t: Translate, problems: readonly Problem[]): string {
  const fixable = problems.some((p) => !p.locked);
  return [
    ...problems.map((p) => p.text),
    t(fixable ? 'report.nothingSaved' : 'report.notSavedYet'),
  ].join('\n');
}

export async function draftProblems(
  ctx: Ctx,
  draft: Draft,
  unit: ReporterUnit,
  catalogue: Catalogue,
  schedule: Schedule,
): Promise<Problem[]> {
  const { t } = ctx;
  const problems: Problem[] = [];
  const fix = (text: string) => problems.push({ text, locked: false });
  for (const g of draft.groups) {
    const period = groupPeriod(g);
    for (const it of g.items) {
      const ind = catalogue.byCode.get(it.code);
      if (!ind) {
        fix(t('report.unknownCode', { code: it.code }));
        continue;
      }
      const invalid = invalidFigure(ind, it);
      if (invalid) fix(t(`report.invalid.${invalid}`, { code: it.code }));
      if (effectivePeriodicity(ind, schedule) !== period.kind) {
        fix(t('report.wrongPeriodKind', { code: it.code, period: formatPeriod(period) }));
      } else if (dueIndicators(unit.level, period, schedule, [ind]).length === 0) {
        fix(t('report.notDue', { code: it.code, unit: unit.name }));
      }
    }
    try {
      await ctx.services.submissions.assertOpen(unit, period, ctx.now(), schedule);
    } catch (err) {
      if (err instanceof LockedError) problems.push({ text: lockedMessage(t, err), locked: true });
      else throw err;
    }
  }
  return problems;
}

/** The one-line form of a draft, for the reporter to copy and correct ("Sửa"). */
export function draftAsLine(locale: Locale, draft: Draft, catalogue: Catalogue): string {
  return draft.groups
    .map((g) => {
      const p = groupPeriod(g);
      const figures = g.items.map((it) => {
        const ind = catalogue.byCode.get(it.code);
        let v: string;
        if (ind?.unit === 'boolean')
          v = it.value === 1 ? (locale === 'vi' ? 'có' : 'yes') : locale === 'vi' ? 'không' : 'no';
        else if (it.numerator !== undefined && it.denominator !== undefined)
          v = `${formatNumber('vi', it.numerator, 4)}/${formatNumber('vi', it.denominator, 4)}`;
        else v = `${formatNumber('vi', it.value ?? 0, 4)}${ind?.unit === 'percent' ? '%' : ''}`;
        return `${it.code} ${v}`;
      });
      return `bc ${formatPeriod(p)} ${figures.join(' ')}`;
    })
    .join('\n');
}

function jumped(ind: ReportIndicator, now: number, before: number, th: JumpThresholds): boolean {
  if (ind.unit === 'percent') return Math.abs(now - before) > th.percentPoints;
  if (ind.unit === 'count') {
    if (before === 0) return now > 0 && now >= 10;
    return Math.abs(now - before) / before > th.countRatio;
  }
  return false;
}

/**
 * The confirmation message: unit, then per period its canonical form and one line per
 * indicator starting with its code, the values it would replace, soft warnings, and the
 * Xác nhận / Sửa / Hủy buttons tied to `nonce`.
 */
export async function renderConfirmation(
  ctx: Ctx,
  draft: Draft,
  unit: ReporterUnit,
  catalogue: Catalogue,
  token: string,
  jumps: JumpThresholds,
): Promise<OutboundReply> {
  const { t, locale } = ctx;
  const figures = ctx.services.submissions;
  const lines: string[] = [t('report.confirm.title', { unit: unit.name })];
  const warnings: string[] = [];
  const bare: string[] = [];
  for (const g of draft.groups) {
    const period = groupPeriod(g);
    const codes = g.items.map((i) => i.code);
    const [existing = new Map(), last = new Map()] = await figures.activeFiguresIn(unit.id, codes, [
      period,
      previousPeriod(period),
    ]);
    lines.push(t('report.confirm.period', { period: periodText(locale, period) }));
    for (const it of g.items) {
      const ind = catalogue.byCode.get(it.code);
      if (!ind) continue;
      let line = formatLine(t, locale, ind, unit.level, period, it);
      const old = existing.get(it.code);
      if (old)
        line += `\n  ${t('report.confirm.replaces', { old: formatFigure(t, locale, ind, old) })}`;
      lines.push(line);
      if (it.barePercent) bare.push(it.code);
      const prev = last.get(it.code);
      if (
        prev?.value != null &&
        it.value !== undefined &&
        jumped(ind, it.value, prev.value, jumps)
      ) {
        warnings.push(
          t('report.confirm.jump', {
            code: it.code,
            now: formatFigure(t, locale, ind, it),
            before: formatFigure(t, locale, ind, prev),
            period: periodText(locale, previousPeriod(period)),
          }),
        );
      }
    }
  }
  if (bare.length > 0) lines.push('', t('report.confirm.bare', { codes: bare.join(', ') }));
  if (warnings.length > 0) lines.push('', ...warnings, t('report.confirm.jumpHint'));
  lines.push('', t('report.confirm.question'));
  return { text: lines.join('\n'), buttons: [confirmButtons(t, token)] };
}

/** Xác nhận / Sửa / Hủy. */
export function confirmButtons(t: Translate, token: string): Button[] {
  return [
    reportFlow.button(t('report.button.confirm'), 'ok', token),
    reportFlow.button(t('report.button.edit'), 'edit', token),
    reportFlow.button(t('report.button.cancel'), 'x', token),
  ];
}

/**
 * Save a confirmed draft: one submitFigures per period, all inside the update's transaction
 * (so every figure is saved or none). Problems are checked again first, because time passed
 * since the confirmation was shown (the period may have locked meanwhile).
 * @returns the receipt text, or the problems (nothing saved).
 */
export async function commitDraft(
  ctx: Ctx,
  draft: Draft,
  unit: ReporterUnit,
  personId: string,
  catalogue: Catalogue,
  schedule: Schedule,
): Promise<{ ok: true; text: string } | { ok: false; problems: Problem[] }> {
  const problems = await draftProblems(ctx, draft, unit, catalogue, schedule);
  if (problems.length > 0) return { ok: false, problems };
  const { t, locale } = ctx;
  const lines: string[] = [];
  const refs: string[] = [];
  const bare: string[] = [];
  for (const g of draft.groups) {
    const period = groupPeriod(g);
    const result = await ctx.services.submissions.submit({
      personId,
      unitId: unit.id,
      channel: ctx.msg.channel,
      period,
      items: g.items.map((it) => ({
        indicatorCode: it.code,
        ...(it.numerator !== undefined && it.denominator !== undefined
          ? { numerator: it.numerator, denominator: it.denominator }
          : { value: it.value ?? null }),
      })),
      now: ctx.now(),
      schedule,
      indicators: catalogue.byCode,
    });
    refs.push(result.ref);
    lines.push(t('report.receipt.period', { period: periodText(locale, period) }));
    for (const r of result.items) {
      const ind = catalogue.byCode.get(r.code);
      if (!ind) continue;
      let line = formatLine(t, locale, ind, unit.level, period, r.current);
      if (r.previous) {
        line += `\n  ${t('report.receipt.updated', { old: formatFigure(t, locale, ind, r.previous) })}`;
      }
      lines.push(line);
      if (ind.unit === 'percent' && r.current.numerator === null) bare.push(r.code);
    }
  }
  const head = t('report.receipt.title', { unit: unit.name, ref: refs.join(', ') });
  const tail =
    bare.length > 0
      ? [
          '',
          t('report.receipt.askFraction', {
            codes: bare.join(', '),
            example: `${bare[0]} 650/1.000`,
          }),
        ]
      : [];
  return { ok: true, text: [head, ...lines, ...tail].join('\n') };
}
