/**
 * The report flow's steps (declared in state.ts): what each button action and each typed
 * answer does on each step. Every step but cancelling re-checks that the sender is still a
 * reporter (a membership may have been removed meanwhile).
 */
import { startsWithPhrase } from '../../src/core/router.js';
import { parsePeriodId } from '../../src/domain/periods.js';
import { fold } from '../../src/text/vietnamese.js';
import { answerCitizenText } from '../citizens/index.js';
import { commitDraft, confirmButtons, draftAsLine, refusalText } from './draft.js';
import type { ReporterUnit } from './env.js';
import {
  askUnit,
  cancel,
  explainNotReporter,
  loadEnv,
  unitOf,
  type Ctx,
  type Env,
} from './flow.js';
import {
  choosePeriod,
  controlWord,
  guidedAction,
  guidedText,
  startGuided,
  typedPeriod,
} from './guided.js';
import { answerReading, onOfferButton, readFor } from './free-text.js';
import { REPORT_KEYWORDS, oneLine, reportText, resume } from './report.js';
import { reportFlow, type Pending, type ReportStep } from './state.js';
import { confirmWithdraw, withdrawButtons, withdrawFor } from './withdraw.js';

type Step<K extends ReportStep['step']> = Extract<ReportStep, { step: K }>;

const CONFIRM_WORDS = new Set(['xac nhan', 'dong y', 'ok', 'luu', 'confirm', 'yes']);
const EDIT_WORDS = new Set(['sua', 'edit', 'sua lai']);
const WITHDRAW_WORDS = new Set(['rut', 'rut so lieu', 'xac nhan', 'dong y', 'ok', 'withdraw']);

/** Load the update's environment; a sender who is no longer a reporter leaves the flow. */
async function asReporter(ctx: Ctx): Promise<Env | undefined> {
  const env = await loadEnv(ctx);
  if (env.sender.reporterUnits.length > 0) return env;
  reportFlow.end(ctx);
  explainNotReporter(ctx, env);
  return undefined;
}

/** The unit a step is about, or a stale answer when the sender no longer reports for it. */
function unitOrStale(ctx: Ctx, env: Env, unitId: string): ReporterUnit | undefined {
  const unit = unitOf(env, unitId);
  if (!unit) {
    reportFlow.end(ctx);
    explainNotReporter(ctx, env);
  }
  return unit;
}

export async function cancelButton(ctx: Ctx): Promise<void> {
  cancel(ctx);
}

/** Continue whatever the picked unit was for. */
async function afterUnit(ctx: Ctx, env: Env, unit: ReporterUnit, pending: Pending): Promise<void> {
  if (pending.kind === 'line') return oneLine(ctx, env, pending.text, unit);
  if (pending.kind === 'guided') {
    const chosen = pending.period ? parsePeriodId(pending.period) : undefined;
    return chosen ? choosePeriod(ctx, env, unit, chosen) : startGuided(ctx, env, unit);
  }
  const period = parsePeriodId(pending.period);
  if (period) return withdrawFor(ctx, env, unit, pending.code, period);
  reportFlow.end(ctx);
}

export async function pickUnit(ctx: Ctx, d: Step<'pickUnit'>, arg?: string): Promise<void> {
  const env = await asReporter(ctx);
  if (!env) return;
  const unitId = d.unitIds[Number(arg)];
  const unit = unitId ? unitOf(env, unitId) : undefined;
  if (!unit) {
    ctx.reply({ text: ctx.t('report.stale') });
    return;
  }
  return afterUnit(ctx, env, unit, d.pending);
}

async function commit(ctx: Ctx, env: Env, unit: ReporterUnit, d: Step<'confirm'>): Promise<void> {
  const personId = env.sender.identity?.person.id;
  // The draft's identity: the chat and the flow run and step it was confirmed in.
  const key = `${ctx.msg.channel}:${ctx.msg.chatId}:${reportFlow.token(ctx) ?? ''}`;
  reportFlow.end(ctx);
  if (!personId) return explainNotReporter(ctx, env);
  const figures = ctx.services.submissions;
  // Confirmed already (the end of the flow was not recorded, e.g. the state store failed after
  // the database commit): the original receipt, nothing saved again.
  const receipt = await figures.confirmedReceipt(key);
  if (receipt !== null) {
    ctx.reply({ text: `${ctx.t('report.alreadySaved')}\n${receipt}` });
    return;
  }
  const r = await commitDraft(ctx, d.draft, unit, personId, env.catalogue, env.schedule);
  if (!r.ok) {
    ctx.reply({ text: refusalText(ctx.t, r.problems) });
    return;
  }
  await figures.recordConfirmed(key, personId, r.text, ctx.now());
  ctx.reply({ text: r.text });
}

/** Show the draft as one line to copy and correct. */
function toEdit(ctx: Ctx, env: Env, unit: ReporterUnit, d: Step<'confirm'>): void {
  reportFlow.go(ctx, { step: 'edit', unitId: unit.id });
  ctx.reply({
    text: ctx.t('report.edit', { line: draftAsLine(ctx.locale, d.draft, env.catalogue) }),
  });
}

export async function confirm(ctx: Ctx, d: Step<'confirm'>): Promise<void> {
  const env = await asReporter(ctx);
  const unit = env && unitOrStale(ctx, env, d.draft.unitId);
  if (env && unit) return commit(ctx, env, unit, d);
}

export async function edit(ctx: Ctx, d: Step<'confirm'>): Promise<void> {
  const env = await asReporter(ctx);
  const unit = env && unitOrStale(ctx, env, d.draft.unitId);
  if (env && unit) toEdit(ctx, env, unit, d);
}

export async function period(ctx: Ctx, d: Step<'period'>, arg?: string): Promise<void> {
  const env = await asReporter(ctx);
  if (!env) return;
  const unit = unitOf(env, d.unitId);
  const p = arg ? parsePeriodId(arg) : undefined;
  if (unit && p) return choosePeriod(ctx, env, unit, p);
  ctx.reply({ text: ctx.t('report.stale') });
}

export async function guidedButton(
  ctx: Ctx,
  d: Step<'value'>,
  action: 'skip' | 'back' | 'yes' | 'no',
): Promise<void> {
  const env = await asReporter(ctx);
  const unit = env && unitOrStale(ctx, env, d.unitId);
  if (env && unit) return guidedAction(ctx, env, unit, d, action);
}

/** A button under a partial or ambiguous reading (see free-text.ts). */
export async function offer(
  ctx: Ctx,
  d: Step<'offer'>,
  action: 'sg' | 'c' | 'q',
  arg?: string,
): Promise<void> {
  const env = await asReporter(ctx);
  if (env) return onOfferButton(ctx, env, d, action, arg);
}

/** Free text typed inside the flow: a report or status question, else false. */
async function otherText(ctx: Ctx, env: Env, text: string, unit?: ReporterUnit): Promise<boolean> {
  const reading = await readFor(ctx, env, text);
  if (reading.kind === 'notReport') return false;
  await answerReading(ctx, env, text, reading, unit);
  return true;
}

export async function withdrawOk(ctx: Ctx, d: Step<'withdraw'>): Promise<void> {
  const env = await asReporter(ctx);
  const unit = env && unitOrStale(ctx, env, d.unitId);
  if (env && unit) return confirmWithdraw(ctx, env, unit, d);
}

/** Ask the step in progress again (after a button of an earlier step). */
export async function reprompt(ctx: Ctx, d: ReportStep): Promise<boolean> {
  const env = await loadEnv(ctx);
  if (d.step === 'pickUnit') {
    const units = env.sender.reporterUnits.filter((u) => d.unitIds.includes(u.id));
    if (units.length < 2) return false;
    askUnit(ctx, { ...env, sender: { ...env.sender, reporterUnits: units } }, d.pending);
    return true;
  }
  if (d.step === 'withdraw') {
    const unit = unitOf(env, d.unitId);
    const p = parsePeriodId(d.period);
    if (!unit || !p) return false;
    await withdrawFor(ctx, env, unit, d.code, p);
    return true;
  }
  return resume(ctx, env, d);
}

/** Text typed while the chat is in the report flow. */
export async function flowText(ctx: Ctx, d: ReportStep, text: string): Promise<void> {
  const env = await loadEnv(ctx);
  // A new report ("bc …", "báo cáo") replaces whatever step was in progress.
  if (REPORT_KEYWORDS.some((k) => startsWithPhrase(fold(text), k)))
    return reportText(ctx, env, text);
  const f = fold(text)
    .replace(/[.!]+$/, '')
    .trim();
  if (controlWord(text) === 'cancel') return cancel(ctx);
  if (env.sender.reporterUnits.length === 0) {
    reportFlow.end(ctx);
    return explainNotReporter(ctx, env);
  }
  switch (d.step) {
    case 'value': {
      const unit = unitOf(env, d.unitId);
      if (unit) return guidedText(ctx, env, unit, d, text);
      break;
    }
    case 'edit': {
      const unit = unitOf(env, d.unitId);
      if (unit) return oneLine(ctx, env, text, unit);
      break;
    }
    case 'period': {
      const unit = unitOf(env, d.unitId);
      const p = typedPeriod(text, ctx.now());
      if (unit && p) return choosePeriod(ctx, env, unit, p);
      if (await otherText(ctx, env, text, unit)) return;
      ctx.reply({ text: ctx.t('report.guided.periodHint', env.examples) });
      return;
    }
    case 'confirm': {
      const unit = unitOf(env, d.draft.unitId);
      if (unit && CONFIRM_WORDS.has(f)) return commit(ctx, env, unit, d);
      if (unit && EDIT_WORDS.has(f)) return toEdit(ctx, env, unit, d);
      if (await otherText(ctx, env, text, unit)) return;
      const token = reportFlow.token(ctx) ?? reportFlow.go(ctx, d);
      ctx.reply({ text: ctx.t('report.confirmHint'), buttons: [confirmButtons(ctx.t, token)] });
      return;
    }
    case 'withdraw': {
      const unit = unitOf(env, d.unitId);
      if (unit && WITHDRAW_WORDS.has(f)) return confirmWithdraw(ctx, env, unit, d);
      const token = reportFlow.token(ctx) ?? reportFlow.go(ctx, d);
      ctx.reply({ text: ctx.t('report.withdraw.hint'), buttons: [withdrawButtons(ctx.t, token)] });
      return;
    }
    case 'pickUnit': {
      if (await otherText(ctx, env, text)) return;
      ctx.reply({ text: ctx.t('report.pickUnitHint') });
      return;
    }
    case 'offer': {
      // A new message instead of a button: read it afresh; a citizen's question is searched.
      const unit = d.unitId ? unitOf(env, d.unitId) : undefined;
      reportFlow.end(ctx);
      if (await otherText(ctx, env, text, unit)) return;
      return answerCitizenText(ctx, text);
    }
  }
  reportFlow.end(ctx);
  explainNotReporter(ctx, env);
}
