/**
 * One-line reports (`bc HSCV 65%`, `HSTT=120/150; TTTT 30/100`) and guided entry (`/baocao`
 * alone). Nothing is saved before "Xác nhận"; a message with any error saves nothing and says
 * precisely what was not understood. The steps after the first message live in steps.ts.
 */
import { commandArgs, commandOf } from '../../src/core/router.js';
import { parsePeriod, periodId, type Period } from '../../src/domain/periods.js';
import { fold } from '../../src/text/vietnamese.js';
import { renderConfirmation } from './draft.js';
import type { ReporterUnit } from './env.js';
import { askUnit, explainNotReporter, unitOf, type Ctx, type Env } from './flow.js';
import { readAndAnswer } from './free-text.js';
import { askValue, choosePeriod, startGuided } from './guided.js';
import { reportFlow, type ReportStep } from './state.js';

/** Folded phrases a report may start with (and that alone start guided entry). */
export const REPORT_KEYWORDS = ['bao cao', 'baocao', 'bc'];

/** What follows the report command or keyword (`/baocao T11` → `T11`), or undefined. */
function afterReportWord(text: string): string | undefined {
  if (commandOf(text)) return commandArgs(text);
  const f = fold(text)
    .replace(/[.!?]+$/, '')
    .trim();
  const word = REPORT_KEYWORDS.find((k) => f === k || f.startsWith(`${k} `));
  return word === undefined ? undefined : f.slice(word.length).trim();
}

/**
 * `/baocao`, `báo cáo` alone (undefined period) or followed by nothing but a period
 * (`/baocao T11`, `bc quý 4`): a request for guided entry. False for a one-line report.
 */
function guidedRequest(text: string, now: Date): { period?: Period } | false {
  const rest = afterReportWord(text);
  if (rest === undefined) return false;
  if (rest === '') return {};
  const period = parsePeriod(rest.replace(/^ky\s+/, ''), now);
  return period ? { period } : false;
}

/**
 * A one-line report. `fixedUnit` is set when the unit is already known (Sửa, a picked unit).
 * Parse errors are answered and leave any pending confirmation as it was.
 */
export async function oneLine(
  ctx: Ctx,
  env: Env,
  text: string,
  fixedUnit?: ReporterUnit,
): Promise<void> {
  const units = env.sender.reporterUnits;
  if (!fixedUnit && units.length === 0) return explainNotReporter(ctx, env);
  // Read the way officers write (issue 13): complete, partial, ambiguous or a status question.
  await readAndAnswer(ctx, env, text, fixedUnit);
}

/**
 * `/baocao` alone: resume a report in progress, else start guided entry. With a period
 * (`/baocao T11`, the "Báo cáo ngay" buttons of /trangthai and reminders): guided entry for
 * exactly the indicators still missing in that period.
 */
async function guided(ctx: Ctx, env: Env, period?: Period): Promise<void> {
  const units = env.sender.reporterUnits;
  if (units.length === 0) return explainNotReporter(ctx, env);
  const step = reportFlow.read(ctx.state);
  if (
    !period &&
    step &&
    step.step !== 'withdraw' &&
    (await resume(ctx, env, step, ctx.t('report.resume')))
  )
    return;
  const [only] = units;
  if (units.length === 1 && only)
    return period ? choosePeriod(ctx, env, only, period) : startGuided(ctx, env, only);
  askUnit(ctx, env, { kind: 'guided', ...(period ? { period: periodId(period) } : {}) });
}

/**
 * Ask the current step again after an interruption (`note` first, e.g. "continuing your
 * report"); false when it cannot be resumed.
 */
export async function resume(
  ctx: Ctx,
  env: Env,
  step: ReportStep,
  note?: string,
): Promise<boolean> {
  switch (step.step) {
    case 'confirm': {
      const unit = unitOf(env, step.draft.unitId);
      if (!unit) return false;
      if (note) ctx.reply({ text: note });
      const token = reportFlow.go(ctx, step);
      ctx.reply(
        await renderConfirmation(ctx, step.draft, unit, env.catalogue, token, env.options.jumps),
      );
      return true;
    }
    case 'value': {
      const unit = unitOf(env, step.unitId);
      if (!unit) return false;
      await askValue(ctx, env, unit, step, note);
      return true;
    }
    case 'period':
    case 'edit': {
      const unit = unitOf(env, step.unitId);
      if (!unit) return false;
      await startGuided(ctx, env, unit);
      return true;
    }
    default:
      return false;
  }
}

/** A report typed outside the flow, or a new one typed while a report is in progress. */
export async function reportText(ctx: Ctx, env: Env, text: string): Promise<void> {
  const request = guidedRequest(text, ctx.now());
  if (request) return guided(ctx, env, request.period);
  // In the edit step a line with a prefix keeps the unit being edited.
  const step = reportFlow.read(ctx.state);
  if (step?.step === 'edit') {
    const unit = unitOf(env, step.unitId);
    if (unit) return oneLine(ctx, env, text, unit);
  }
  return oneLine(ctx, env, text);
}
