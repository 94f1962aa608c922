/**
 * Guided entry (`/baocao` alone): pick the period (the current one of each periodicity, as
 * buttons), then one indicator at a time among those still missing for the unit, showing its
 * name, what to type, the target and last period's value. Bỏ qua / Quay lại / Hủy at every
 * step; the state survives interruptions (another command, a pause) until it expires.
 */
import type { Button } from '../../src/core/message.js';
import {
  PERIOD_KINDS,
  comparePeriods,
  formatPeriod,
  parsePeriod,
  periodId,
  periodStart,
  previousPeriod,
  samePeriod,
  type Period,
} from '../../src/domain/periods.js';
import {
  deadlineOf,
  defaultPeriodFor,
  dueIndicators,
  effectivePeriodicity,
} from '../../src/domain/schedule.js';
import { parseReport } from '../../src/report-parser/parser.js';
import { fold } from '../../src/text/vietnamese.js';
import { LockedError } from '../../src/domain/submissions/index.js';
import { groupPeriod, lockedMessage, toDraftItem, type Draft } from './draft.js';
import type { ReportIndicator, ReporterUnit } from './env.js';
import { formatFigure, formatTarget, indicatorName, periodText, targetOf } from './format.js';
import { cancel, proceedDraft, type Ctx, type Env } from './flow.js';
import { reportFlow, type ReportStep } from './state.js';

type ValueStep = Extract<ReportStep, { step: 'value' }>;

/** Typed answers that steer the flow, folded. */
const SKIP = new Set(['bo qua', 'bo', 'skip', 'qua']);
const BACK = new Set(['quay lai', 'lai', 'back', 'tro lai']);
const CANCEL = new Set(['huy', 'huy bo', 'cancel', 'thoi', 'dung']);

export type Control = 'skip' | 'back' | 'cancel';

/** Whether a typed answer is Bỏ qua / Quay lại / Hủy. */
export function controlWord(text: string): Control | undefined {
  const f = fold(text)
    .replace(/[.!]+$/, '')
    .trim();
  if (SKIP.has(f)) return 'skip';
  if (BACK.has(f)) return 'back';
  if (CANCEL.has(f)) return 'cancel';
  return undefined;
}

/** Indicators the unit reports at `period`, and those not yet reported (active) for it. */
async function dueAndMissing(
  ctx: Ctx,
  env: Env,
  unit: ReporterUnit,
  period: Period,
): Promise<{ due: ReportIndicator[]; missing: ReportIndicator[] }> {
  const due = dueIndicators(unit.level, period, env.schedule, env.catalogue.defs);
  const done = await ctx.services.submissions.reportedCodes(unit.id, period);
  return { due, missing: due.filter((d) => !done.has(d.code)) };
}

/** The default (current) period of each periodicity the unit reports, soonest first. */
function currentPeriods(env: Env, unit: ReporterUnit, now: Date): Period[] {
  const out: Period[] = [];
  for (const ind of env.catalogue.defs) {
    const p = defaultPeriodFor(effectivePeriodicity(ind, env.schedule), now, env.schedule);
    if (out.some((x) => samePeriod(x, p))) continue;
    if (dueIndicators(unit.level, p, env.schedule, [ind]).length > 0) out.push(p);
  }
  // Soonest deadline first; on a tie the shorter period (Q4 before the year).
  return out.sort(
    (a, b) =>
      deadlineOf(a, env.schedule).getTime() - deadlineOf(b, env.schedule).getTime() ||
      PERIOD_KINDS.indexOf(a.kind) - PERIOD_KINDS.indexOf(b.kind) ||
      comparePeriods(a, b),
  );
}

/** Start (or restart) guided entry for a unit: ask the period. */
export async function startGuided(ctx: Ctx, env: Env, unit: ReporterUnit): Promise<void> {
  const token = reportFlow.go(ctx, { step: 'period', unitId: unit.id });
  const periods = currentPeriods(env, unit, ctx.now());
  const buttons: Button[][] = [];
  for (const p of periods) {
    const { missing } = await dueAndMissing(ctx, env, unit, p);
    buttons.push([
      reportFlow.button(
        ctx.t('report.guided.periodOption', {
          period: periodText(ctx.locale, p),
          count: missing.length,
        }),
        'p',
        token,
        periodId(p),
      ),
    ]);
  }
  buttons.push([reportFlow.button(ctx.t('report.button.cancel'), 'x', token)]);
  ctx.reply({
    text: ctx.t('report.guided.askPeriod', {
      unit: unit.name,
      example: periods[0] ? formatPeriod(periods[0]) : env.examples.month,
    }),
    buttons,
  });
}

/** The period was chosen (button or typed): list what is missing and ask the first one. */
export async function choosePeriod(
  ctx: Ctx,
  env: Env,
  unit: ReporterUnit,
  period: Period,
): Promise<void> {
  if (periodStart(period).getTime() > ctx.now().getTime()) {
    ctx.reply({ text: ctx.t('report.guided.futurePeriod', { period: formatPeriod(period) }) });
    return;
  }
  try {
    await ctx.services.submissions.assertOpen(unit, period, ctx.now(), env.schedule);
  } catch (err) {
    if (!(err instanceof LockedError)) throw err;
    reportFlow.end(ctx);
    ctx.reply({ text: lockedMessage(ctx.t, err) });
    return;
  }
  const { due, missing } = await dueAndMissing(ctx, env, unit, period);
  if (due.length === 0) {
    ctx.reply({
      text: ctx.t('report.guided.nothingDue', {
        period: periodText(ctx.locale, period),
        unit: unit.name,
      }),
    });
    return;
  }
  if (missing.length === 0) {
    reportFlow.end(ctx);
    ctx.reply({
      text: ctx.t('report.guided.complete', {
        period: periodText(ctx.locale, period),
        unit: unit.name,
        example: `bc ${formatPeriod(period)} ${due[0]?.code ?? 'HSTT'} 120/150`,
      }),
    });
    return;
  }
  const step: ValueStep = {
    step: 'value',
    unitId: unit.id,
    period: periodId(period),
    codes: missing.map((m) => m.code),
    index: 0,
    values: {},
  };
  await askValue(
    ctx,
    env,
    unit,
    step,
    ctx.t('report.guided.intro', { count: missing.length, period: periodText(ctx.locale, period) }),
  );
}

function example(ind: ReportIndicator): string {
  if (ind.unit === 'percent') return '120/150';
  if (ind.unit === 'count') return '25';
  return 'có';
}

/** Ask the current indicator of a value step (and make it the step in progress). */
export async function askValue(
  ctx: Ctx,
  env: Env,
  unit: ReporterUnit,
  step: ValueStep,
  intro?: string,
): Promise<void> {
  const { t, locale } = ctx;
  const code = step.codes[step.index];
  const ind = code ? env.catalogue.byCode.get(code) : undefined;
  if (!ind) {
    await finish(ctx, env, unit, step);
    return;
  }
  const period = groupPeriod({ period: step.period, items: [] });
  const lines: string[] = [];
  if (intro) lines.push(intro);
  lines.push(
    `(${step.index + 1}/${step.codes.length}) ${ind.code} — ${indicatorName(locale, ind)}`,
  );
  if (ind.unit === 'percent') {
    lines.push(
      t('report.guided.howPercent', {
        numerator: ind.numeratorLabel ?? t('report.guided.numerator'),
        denominator: ind.denominatorLabel ?? t('report.guided.denominator'),
      }),
    );
    lines.push(t('report.guided.howNone'));
  } else if (ind.unit === 'count') lines.push(t('report.guided.howCount'));
  else lines.push(t('report.guided.howBoolean'));
  const ev = targetOf(ind, unit.level, period, null);
  lines.push(
    ev
      ? t('report.guided.target', {
          target:
            ind.unit === 'boolean' ? t('report.yes') : formatTarget(locale, ind, ev.op, ev.target),
        })
      : t('report.target.none'),
  );
  const prev = previousPeriod(period);
  const last = (await ctx.services.submissions.activeFigures(unit.id, [ind.code], prev)).get(
    ind.code,
  );
  lines.push(
    last
      ? t('report.guided.last', {
          period: periodText(locale, prev),
          value: formatFigure(t, locale, ind, last),
        })
      : t('report.guided.noLast', { period: periodText(locale, prev) }),
  );
  const current = step.values[ind.code];
  if (current)
    lines.push(t('report.guided.entered', { value: formatFigure(t, locale, ind, current) }));
  lines.push(t('report.guided.typeValue', { example: example(ind) }));
  const n = reportFlow.go(ctx, step);
  const buttons: Button[][] = [];
  if (ind.unit === 'boolean') {
    buttons.push([
      reportFlow.button(t('report.yesButton'), 'yes', n),
      reportFlow.button(t('report.noButton'), 'no', n),
    ]);
  }
  buttons.push([
    reportFlow.button(t('report.button.skip'), 'skip', n),
    reportFlow.button(t('report.button.back'), 'back', n),
    reportFlow.button(t('report.button.cancel'), 'x', n),
  ]);
  // A typed figure is the answer here: Zalo must not read "2" as option 2.
  ctx.reply({ text: lines.join('\n'), buttons, freeText: true });
}

/** Move to another index (or past the end) and ask; the new step retires the old buttons. */
async function moveTo(
  ctx: Ctx,
  env: Env,
  unit: ReporterUnit,
  step: ValueStep,
  index: number,
): Promise<void> {
  if (index < 0) {
    await startGuided(ctx, env, unit);
    return;
  }
  const next: ValueStep = { ...step, index };
  if (index >= step.codes.length) {
    await finish(ctx, env, unit, next);
    return;
  }
  await askValue(ctx, env, unit, next);
}

/** Bỏ qua / Quay lại / Hủy / Có / Không on a value step. */
export async function guidedAction(
  ctx: Ctx,
  env: Env,
  unit: ReporterUnit,
  step: ValueStep,
  action: Control | 'yes' | 'no',
): Promise<void> {
  const code = step.codes[step.index] ?? '';
  if (action === 'cancel') return cancel(ctx);
  if (action === 'back') return moveTo(ctx, env, unit, step, step.index - 1);
  if (action === 'skip') {
    const values = { ...step.values };
    delete values[code];
    return moveTo(ctx, env, unit, { ...step, values }, step.index + 1);
  }
  const ind = env.catalogue.byCode.get(code);
  if (ind?.unit !== 'boolean') {
    await askValue(ctx, env, unit, step, ctx.t('report.guided.notBoolean', { code }));
    return;
  }
  const values = { ...step.values, [code]: { code, value: action === 'yes' ? 1 : 0 } };
  return moveTo(ctx, env, unit, { ...step, values }, step.index + 1);
}

/**
 * A typed answer on a value step: a control word, or the figure of the current indicator
 * (read by the report parser as `kỳ <period> <CODE> <answer>`, so every number form and
 * every precise error message of one-line reports applies here too).
 */
export async function guidedText(
  ctx: Ctx,
  env: Env,
  unit: ReporterUnit,
  step: ValueStep,
  text: string,
): Promise<void> {
  const control = controlWord(text);
  if (control) return guidedAction(ctx, env, unit, step, control);
  const code = step.codes[step.index];
  if (!code) return finish(ctx, env, unit, step);
  const period = groupPeriod({ period: step.period, items: [] });
  const r = parseReport(
    `kỳ ${formatPeriod(period)} ${code} ${text}`,
    env.catalogue.defs,
    ctx.now(),
    env.schedule,
  );
  const item = r.ok ? r.items.find((i) => i.code === code) : undefined;
  if (!r.ok || !item || r.items.length !== 1) {
    ctx.reply({ text: retryText(ctx, env, code, text, r.ok ? [] : r.errors) });
    return;
  }
  const values = { ...step.values, [code]: toDraftItem(item) };
  return moveTo(ctx, env, unit, { ...step, values }, step.index + 1);
}

/** Errors that only say the answer was not a figure: in a guided step, one plain sentence. */
const NOT_A_FIGURE = new Set([
  'parse.error.unknown',
  'parse.error.unknownSuggest',
  'parse.error.missingValue',
  'parse.error.valueWithoutIndicator',
  'parse.error.noItems',
  'parse.error.sharedName',
  'parse.error.question',
]);

/**
 * What to say when a typed answer is not a valid figure of the indicator asked: the first
 * precise fault, and one example — in the indicator's own form (`120/150`, `25`, `có`).
 */
function retryText(
  ctx: Ctx,
  env: Env,
  code: string,
  text: string,
  errors: readonly { key: string; vars?: Record<string, unknown> }[],
): string {
  const ind = env.catalogue.byCode.get(code);
  const ex = ind ? example(ind) : '120/150';
  const fault = errors.find((e) => !NOT_A_FIGURE.has(e.key));
  if (!fault) {
    return [
      ctx.t('report.guided.notFigure', { part: text.trim().slice(0, 40), code }),
      ctx.t('report.guided.retry', { code, example: ex }),
    ].join('\n');
  }
  const vars = { ...env.examples, ...fault.vars };
  const withExample = ctx.t(fault.key, { ...vars, example: ex });
  // Does the fault's own text carry the example? Then the retry line does not repeat it.
  const hasExample = withExample !== ctx.t(fault.key, { ...vars, example: '' });
  return [
    withExample,
    hasExample
      ? ctx.t('report.guided.retryNoExample', { code })
      : ctx.t('report.guided.retry', { code, example: ex }),
  ].join('\n');
}

/** Past the last indicator: confirm what was entered, or end when nothing was. */
async function finish(ctx: Ctx, env: Env, unit: ReporterUnit, step: ValueStep): Promise<void> {
  const items = step.codes.flatMap((c) => (step.values[c] ? [step.values[c]] : []));
  if (items.length === 0) {
    reportFlow.end(ctx);
    ctx.reply({ text: ctx.t('report.guided.empty') });
    return;
  }
  const draft: Draft = { unitId: unit.id, groups: [{ period: step.period, items }] };
  await proceedDraft(ctx, env, draft, unit);
}

/** A period typed on the period step (`T10/2025`, `quý 3`, …). */
export function typedPeriod(text: string, now: Date): Period | undefined {
  return parsePeriod(text, now);
}
