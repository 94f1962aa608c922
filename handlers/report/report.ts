/**
 * The report handler: one-line reports (`bc HSCV 65%`, `HSTT=120/150; TTTT 30/100`), guided
 * entry (`/baocao` alone), the confirmation buttons, and every step of the report flow.
 * Nothing is saved before "Xác nhận"; a message with any error saves nothing and says
 * precisely what was not understood.
 */
import { commandArgs, commandOf, startsWithPhrase } from '../../src/core/router.js';
import { parsePeriodId } from '../../src/domain/periods.js';
import { fold } from '../../src/text/vietnamese.js';
import { answerCitizenText } from '../citizens.js';
import { commitDraft, confirmButtons, draftAsLine, newNonce, renderConfirmation } from './draft.js';
import { answerReading, onOfferButton, readAndAnswer, readFor } from './free-text.js';
import type { ReporterUnit } from './env.js';
import { askUnit, cancel, explainNotReporter, unitOf, type Ctx, type Env } from './flow.js';
import {
  askValue,
  choosePeriod,
  controlWord,
  guidedAction,
  guidedText,
  startGuided,
  typedPeriod,
} from './guided.js';
import { endFlow, readStep, writeStep, type Pending, type ReportStep } from './state.js';
import { confirmWithdraw, withdrawFor } from './withdraw.js';

/** Folded phrases a report may start with (and that alone start guided entry). */
export const REPORT_KEYWORDS = ['bao cao', 'baocao', 'bc'];
export const REPORT_COMMANDS = ['/baocao', '/report', '/bc'];

const CONFIRM_WORDS = new Set(['xac nhan', 'dong y', 'ok', 'luu', 'confirm', 'yes']);
const EDIT_WORDS = new Set(['sua', 'edit', 'sua lai']);
const WITHDRAW_WORDS = new Set(['rut', 'rut so lieu', 'xac nhan', 'dong y', 'ok', 'withdraw']);

/** Is this text only a report keyword or command, with nothing after it? */
function isBareReportRequest(text: string): boolean {
  if (commandOf(text)) return commandArgs(text) === '';
  const f = fold(text)
    .replace(/[.!?]+$/, '')
    .trim();
  return REPORT_KEYWORDS.includes(f);
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

/** Free text typed inside the flow: a report or status question, else the citizens' search. */
async function otherText(ctx: Ctx, env: Env, text: string, unit?: ReporterUnit): Promise<boolean> {
  const reading = await readFor(ctx, env, text);
  if (reading.kind === 'notReport') return false;
  await answerReading(ctx, env, text, reading, unit);
  return true;
}

/** `/baocao` alone: resume a report in progress, else start guided entry. */
async function guided(ctx: Ctx, env: Env): Promise<void> {
  const units = env.sender.reporterUnits;
  if (units.length === 0) return explainNotReporter(ctx, env);
  const step = readStep(ctx.state);
  if (step && step.step !== 'withdraw' && (await resume(ctx, env, step))) return;
  const [only] = units;
  if (units.length === 1 && only) return startGuided(ctx, env, only);
  askUnit(ctx, env, { kind: 'guided' });
}

/** Ask the current step again after an interruption; false when it cannot be resumed. */
async function resume(ctx: Ctx, env: Env, step: ReportStep): Promise<boolean> {
  const note = ctx.t('report.resume');
  switch (step.step) {
    case 'pickUnit':
      return false;
    case 'confirm': {
      const unit = unitOf(env, step.draft.unitId);
      if (!unit) return false;
      ctx.reply({ text: note });
      ctx.reply(
        await renderConfirmation(
          ctx,
          step.draft,
          unit,
          env.catalogue,
          step.nonce,
          env.options.jumps,
        ),
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

/** Continue whatever the picked unit was for. */
async function afterUnit(ctx: Ctx, env: Env, unit: ReporterUnit, pending: Pending): Promise<void> {
  if (pending.kind === 'line') return oneLine(ctx, env, pending.text, unit);
  if (pending.kind === 'guided') return startGuided(ctx, env, unit);
  const period = parsePeriodId(pending.period);
  if (period) return withdrawFor(ctx, env, unit, pending.code, period);
  endFlow(ctx);
}

/** A button of the report flow: `rep:<action>:<nonce>[:<arg>]`, `rep:g:<action>:<nonce>`. */
async function onButton(ctx: Ctx, env: Env, data: string): Promise<void> {
  const parts = data.split(':');
  const guidedSub = parts[1] === 'g';
  const action = guidedSub ? `g:${parts[2] ?? ''}` : (parts[1] ?? '');
  const nonce = guidedSub ? parts[3] : parts[2];
  const arg = guidedSub ? undefined : parts[3];
  const step = readStep(ctx.state);
  if (!step || step.nonce !== nonce) {
    ctx.reply({ text: ctx.t('report.stale') });
    return;
  }
  if (action === 'no') return cancel(ctx);
  if (env.sender.reporterUnits.length === 0) {
    endFlow(ctx);
    return explainNotReporter(ctx, env);
  }
  if (step.step === 'offer' && (action === 'sg' || action === 'c' || action === 'q')) {
    if (await onOfferButton(ctx, env, action, arg)) return;
  }
  if (step.step === 'pickUnit' && action === 'u') {
    const unitId = step.unitIds[Number(arg)];
    const unit = unitId ? unitOf(env, unitId) : undefined;
    if (!unit) {
      ctx.reply({ text: ctx.t('report.stale') });
      return;
    }
    return afterUnit(ctx, env, unit, step.pending);
  }
  if (step.step === 'confirm' && (action === 'ok' || action === 'edit')) {
    const unit = unitOf(env, step.draft.unitId);
    if (!unit) {
      endFlow(ctx);
      return explainNotReporter(ctx, env);
    }
    if (action === 'edit') {
      writeStep(ctx, { step: 'edit', nonce: newNonce(), unitId: unit.id });
      ctx.reply({
        text: ctx.t('report.edit', { line: draftAsLine(ctx.locale, step.draft, env.catalogue) }),
      });
      return;
    }
    return commit(ctx, env, unit, step);
  }
  if (step.step === 'period' && action === 'p') {
    const unit = unitOf(env, step.unitId);
    const period = arg ? parsePeriodId(arg) : undefined;
    if (unit && period) return choosePeriod(ctx, env, unit, period);
  }
  if (step.step === 'value' && action.startsWith('g:')) {
    const unit = unitOf(env, step.unitId);
    const sub = action.slice(2);
    if (unit && (sub === 'skip' || sub === 'back' || sub === 'yes' || sub === 'no')) {
      return guidedAction(ctx, env, unit, step, sub);
    }
  }
  if (step.step === 'withdraw' && action === 'wok') {
    const unit = unitOf(env, step.unitId);
    if (unit) return confirmWithdraw(ctx, env, unit, step);
  }
  ctx.reply({ text: ctx.t('report.stale') });
}

async function commit(
  ctx: Ctx,
  env: Env,
  unit: ReporterUnit,
  step: Extract<ReportStep, { step: 'confirm' }>,
): Promise<void> {
  const personId = env.sender.identity?.person.id;
  endFlow(ctx);
  if (!personId) return explainNotReporter(ctx, env);
  const r = await commitDraft(ctx, step.draft, unit, personId, env.catalogue, env.schedule);
  if (!r.ok) {
    ctx.reply({ text: [...r.problems, ctx.t('report.nothingSaved')].join('\n') });
    return;
  }
  ctx.reply({ text: r.text });
}

/** Text typed while the chat is in the report flow. */
async function onFlowText(ctx: Ctx, env: Env, step: ReportStep, text: string): Promise<void> {
  const f = fold(text)
    .replace(/[.!]+$/, '')
    .trim();
  if (controlWord(text) === 'cancel') return cancel(ctx);
  if (env.sender.reporterUnits.length === 0) {
    endFlow(ctx);
    return explainNotReporter(ctx, env);
  }
  switch (step.step) {
    case 'value': {
      const unit = unitOf(env, step.unitId);
      if (unit) return guidedText(ctx, env, unit, step, text);
      break;
    }
    case 'edit': {
      const unit = unitOf(env, step.unitId);
      if (unit) return oneLine(ctx, env, text, unit);
      break;
    }
    case 'period': {
      const unit = unitOf(env, step.unitId);
      const period = typedPeriod(text, ctx.now());
      if (unit && period) return choosePeriod(ctx, env, unit, period);
      if (await otherText(ctx, env, text, unit)) return;
      ctx.reply({ text: ctx.t('report.guided.periodHint') });
      return;
    }
    case 'confirm': {
      const unit = unitOf(env, step.draft.unitId);
      if (unit && CONFIRM_WORDS.has(f)) return commit(ctx, env, unit, step);
      if (unit && EDIT_WORDS.has(f)) {
        writeStep(ctx, { step: 'edit', nonce: newNonce(), unitId: unit.id });
        ctx.reply({
          text: ctx.t('report.edit', { line: draftAsLine(ctx.locale, step.draft, env.catalogue) }),
        });
        return;
      }
      if (await otherText(ctx, env, text, unit)) return;
      ctx.reply({
        text: ctx.t('report.confirmHint'),
        buttons: [confirmButtons(ctx.t, step.nonce)],
      });
      return;
    }
    case 'withdraw': {
      const unit = unitOf(env, step.unitId);
      if (unit && WITHDRAW_WORDS.has(f)) return confirmWithdraw(ctx, env, unit, step);
      ctx.reply({
        text: ctx.t('report.withdraw.hint'),
        buttons: [
          [
            { label: ctx.t('report.button.withdraw'), data: `rep:wok:${step.nonce}` },
            { label: ctx.t('report.button.cancel'), data: `rep:no:${step.nonce}` },
          ],
        ],
      });
      return;
    }
    case 'pickUnit': {
      if (await otherText(ctx, env, text)) return;
      ctx.reply({ text: ctx.t('report.pickUnitHint') });
      return;
    }
    case 'offer': {
      // A new message instead of a button: read it afresh; a citizen's question is searched.
      const unit = step.unitId ? unitOf(env, step.unitId) : undefined;
      endFlow(ctx);
      if (await otherText(ctx, env, text, unit)) return;
      return answerCitizenText(ctx, text);
    }
  }
  endFlow(ctx);
  explainNotReporter(ctx, env);
}

/** Route one update of the report handler. */
export async function handleReport(ctx: Ctx, env: Env): Promise<void> {
  const { msg } = ctx;
  if (msg.button !== undefined) return onButton(ctx, env, msg.button);
  const text = msg.text ?? '';
  const command = commandOf(text);
  const step = readStep(ctx.state);
  if (step && !command && !REPORT_KEYWORDS.some((k) => startsWithPhrase(fold(text), k))) {
    return onFlowText(ctx, env, step, text);
  }
  if (isBareReportRequest(text)) return guided(ctx, env);
  // In the edit step a line with a prefix keeps the unit being edited.
  if (step?.step === 'edit') {
    const unit = unitOf(env, step.unitId);
    if (unit) return oneLine(ctx, env, text, unit);
  }
  return oneLine(ctx, env, text);
}
