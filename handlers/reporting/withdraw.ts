/**
 * `/rut <CODE> [kỳ]`: withdraw a figure before the lock, after a confirmation. The row and its
 * history stay (status withdrawn), so a later report keeps the first submission time.
 */
import { commandButton } from '../../src/core/conversation.js';
import { commandArgs } from '../../src/core/router.js';
import {
  formatPeriod,
  parsePeriod,
  parsePeriodId,
  periodId,
  type Period,
} from '../../src/domain/periods.js';
import { defaultPeriodFor, effectivePeriodicity } from '../../src/domain/schedule.js';
import { LockedError } from '../../src/domain/submissions/index.js';
import { suggestCode } from '../../src/report-parser/suggest.js';
import { fold } from '../../src/text/vietnamese.js';
import { lockedMessage } from './draft.js';
import type { ReporterUnit } from './env.js';
import { askUnit, explainNotReporter, type Ctx, type Env } from './flow.js';
import { formatFigure, periodText } from './format.js';
import { reportFlow, type ReportStep } from './state.js';

type WithdrawStep = Extract<ReportStep, { step: 'withdraw' }>;

/** `/rut HSTT T10/2025` → the indicator code and period, or a reply saying what is wrong. */
function readArgs(ctx: Ctx, env: Env): { code: string; period: Period } | undefined {
  const args = commandArgs(ctx.msg.text);
  const [first = '', ...rest] = args.split(/\s+/).filter(Boolean);
  if (!first) {
    ctx.reply({ text: ctx.t('report.withdraw.usage', env.examples) });
    return undefined;
  }
  const ind = env.catalogue.byCode.get(first.toUpperCase());
  if (!ind) {
    const suggestion = suggestCode(
      fold(first),
      env.catalogue.defs.map((d) => ({ key: d.code.toLowerCase(), code: d.code })),
    );
    if (!suggestion) {
      ctx.reply({ text: ctx.t('report.withdraw.unknown', { ...env.examples, part: first }) });
      return undefined;
    }
    // "có phải HSCV?" with a button that accepts it: the same command with the code corrected.
    const corrected = ['/rut', suggestion, ...rest].join(' ');
    ctx.reply({
      text: ctx.t('report.withdraw.unknownSuggest', { part: first, suggestion }),
      buttons: [[commandButton(corrected, corrected)]],
    });
    return undefined;
  }
  const kind = effectivePeriodicity(ind, env.schedule);
  const restText = rest.join(' ').replace(/^(ky|kỳ)\s+/i, '');
  let period: Period | undefined;
  if (restText) {
    period = parsePeriod(restText, ctx.now());
    if (!period) {
      ctx.reply({ text: ctx.t('report.withdraw.badPeriod', { ...env.examples, part: restText }) });
      return undefined;
    }
    if (period.kind !== kind) {
      ctx.reply({
        text: ctx.t('report.wrongPeriodKind', { code: ind.code, period: formatPeriod(period) }),
      });
      return undefined;
    }
  } else {
    period = defaultPeriodFor(kind, ctx.now(), env.schedule);
  }
  return { code: ind.code, period };
}

/** At most this many withdrawable figures are offered as buttons (the newest first). */
const MAX_CHOICES = 8;

/**
 * `/rut` alone: the figures that can still be withdrawn, one button each (`/rut HSTT T11/2026`,
 * unit named when the sender reports for several), or a note that there is none.
 */
async function offerWithdrawable(ctx: Ctx, env: Env): Promise<void> {
  const units = env.sender.reporterUnits;
  const open = await ctx.services.submissions.openFigures(
    units.map((u) => u.id),
    ctx.now(),
    env.schedule,
  );
  if (open.length === 0) {
    ctx.reply({ text: ctx.t('report.withdraw.nothingOpen') });
    return;
  }
  const several = units.length > 1;
  const buttons = open.slice(0, MAX_CHOICES).map((f) => {
    const unit = units.find((u) => u.id === f.unitId);
    const label = `${f.indicatorCode} ${formatPeriod(f.period)}${several && unit ? ` · ${unit.name}` : ''}`;
    return [commandButton(label, `/rut ${f.indicatorCode} ${formatPeriod(f.period)}`)];
  });
  ctx.reply({
    text: ctx.t(open.length > MAX_CHOICES ? 'report.withdraw.pickMore' : 'report.withdraw.pick', {
      shown: MAX_CHOICES,
      count: open.length,
    }),
    buttons,
  });
}

/** The `/rut` command. */
export async function startWithdraw(ctx: Ctx, env: Env): Promise<void> {
  if (env.sender.reporterUnits.length === 0) return explainNotReporter(ctx, env);
  if (commandArgs(ctx.msg.text) === '') return offerWithdrawable(ctx, env);
  const args = readArgs(ctx, env);
  if (!args) return;
  const units = env.sender.reporterUnits;
  if (units.length > 1) {
    // Only units that have that figure are worth asking about.
    const withFigure = await ctx.services.submissions.unitsWithFigure(
      units.map((u) => u.id),
      args.code,
      args.period,
    );
    const having = units.filter((u) => withFigure.includes(u.id));
    if (having.length > 1) {
      askUnit(
        ctx,
        { ...env, sender: { ...env.sender, reporterUnits: having } },
        {
          kind: 'withdraw',
          code: args.code,
          period: periodId(args.period),
        },
      );
      return;
    }
    const [only] = having;
    if (only) return withdrawFor(ctx, env, only, args.code, args.period);
  }
  const [unit] = units;
  if (unit) await withdrawFor(ctx, env, unit, args.code, args.period);
}

/** Check the figure can be withdrawn and ask for confirmation. */
export async function withdrawFor(
  ctx: Ctx,
  env: Env,
  unit: ReporterUnit,
  code: string,
  period: Period,
): Promise<void> {
  const { t, locale } = ctx;
  const ind = env.catalogue.byCode.get(code);
  const row = (await ctx.services.submissions.activeFigures(unit.id, [code], period)).get(code);
  if (!ind || !row) {
    reportFlow.end(ctx);
    ctx.reply({
      text: t('report.withdraw.none', {
        code,
        period: periodText(locale, period),
        unit: unit.name,
      }),
    });
    return;
  }
  try {
    await ctx.services.submissions.assertOpen(unit, period, ctx.now(), env.schedule);
  } catch (err) {
    if (!(err instanceof LockedError)) throw err;
    reportFlow.end(ctx);
    ctx.reply({ text: lockedMessage(t, err) });
    return;
  }
  const token = reportFlow.go(ctx, {
    step: 'withdraw',
    unitId: unit.id,
    code,
    period: periodId(period),
  });
  ctx.reply({
    text: t('report.withdraw.confirm', {
      code,
      value: formatFigure(t, locale, ind, row),
      period: periodText(locale, period),
      unit: unit.name,
    }),
    buttons: [withdrawButtons(t, token)],
  });
}

/** Rút / Hủy. */
export function withdrawButtons(t: Ctx['t'], token: string) {
  return [
    reportFlow.button(t('report.button.withdraw'), 'wok', token),
    reportFlow.button(t('report.button.cancel'), 'x', token),
  ];
}

/** "Rút" pressed: withdraw (re-checking the lock inside withdrawFigure). */
export async function confirmWithdraw(
  ctx: Ctx,
  env: Env,
  unit: ReporterUnit,
  step: WithdrawStep,
): Promise<void> {
  const { t, locale } = ctx;
  const period = parsePeriodId(step.period);
  const personId = env.sender.identity?.person.id;
  reportFlow.end(ctx);
  if (!period || !personId) return;
  try {
    const r = await ctx.services.submissions.withdraw({
      personId,
      unitId: unit.id,
      indicatorCode: step.code,
      period,
      channel: ctx.msg.channel,
      now: ctx.now(),
      schedule: env.schedule,
    });
    const ind = env.catalogue.byCode.get(step.code);
    ctx.reply({
      text: t('report.withdraw.done', {
        code: step.code,
        period: periodText(locale, period),
        old: ind ? formatFigure(t, locale, ind, r.previous) : '',
      }),
    });
  } catch (err) {
    if (err instanceof LockedError) {
      ctx.reply({ text: lockedMessage(t, err) });
      return;
    }
    if (err instanceof Error && err.name === 'NotFoundError') {
      ctx.reply({
        text: t('report.withdraw.none', {
          code: step.code,
          period: periodText(locale, period),
          unit: unit.name,
        }),
      });
      return;
    }
    throw err;
  }
}
