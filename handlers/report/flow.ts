/**
 * Pieces shared by the report handlers: loading what an update needs, telling non-reporters
 * how to get an invitation, asking a reporter with several units which one, and taking a
 * draft to its confirmation.
 */
import type { HandlerContext } from '../../src/core/handler.js';
import type { AppServices } from '../../src/services.js';
import type { Schedule } from '../../src/domain/schedule.js';
import {
  DEFAULT_JUMPS,
  draftProblems,
  newNonce,
  renderConfirmation,
  type Draft,
  type JumpThresholds,
} from './draft.js';
import {
  loadCatalogue,
  loadSchedule,
  loadSender,
  type Catalogue,
  type ReporterUnit,
  type Sender,
} from './env.js';
import { endFlow, writeStep, type Pending } from './state.js';

export type Ctx = HandlerContext<AppServices>;

/** Options of the report handlers (the lead may read them from configuration). */
export interface ReportOptions {
  /** Soft-warning thresholds against the last period. */
  jumps: JumpThresholds;
}

export const DEFAULT_REPORT_OPTIONS: ReportOptions = { jumps: DEFAULT_JUMPS };

/** Everything one update of the report flow looks at, loaded once. */
export interface Env {
  catalogue: Catalogue;
  schedule: Schedule;
  sender: Sender;
  options: ReportOptions;
}

export async function loadEnv(ctx: Ctx, options: ReportOptions): Promise<Env> {
  const db = ctx.services.db;
  const [catalogue, schedule, sender] = await Promise.all([
    loadCatalogue(db),
    loadSchedule(db),
    loadSender(db, ctx.msg.channel, ctx.msg.userId),
  ]);
  return { catalogue, schedule, sender, options };
}

/** The sender's reporter unit with that id (a removed membership makes it undefined). */
export function unitOf(env: Env, unitId: string): ReporterUnit | undefined {
  return env.sender.reporterUnits.find((u) => u.id === unitId);
}

/**
 * Someone who is not a linked reporter sent a report: explain who can report and how to get
 * an invitation. Linked managers/admins are told reporting needs a reporter link.
 */
export function explainNotReporter(ctx: Ctx, env: Env): void {
  const linked = (env.sender.identity?.memberships.length ?? 0) > 0;
  ctx.reply({ text: ctx.t(linked ? 'report.notReporterLinked' : 'report.notReporter') });
}

/** Ask which unit (buttons), remembering what to do next. */
export function askUnit(ctx: Ctx, env: Env, pending: Pending): void {
  const nonce = newNonce();
  const units = env.sender.reporterUnits;
  writeStep(ctx, { step: 'pickUnit', nonce, unitIds: units.map((u) => u.id), pending });
  ctx.reply({
    text: ctx.t('report.pickUnit'),
    buttons: [
      ...units.map((u, i) => [{ label: u.name, data: `rep:u:${nonce}:${i}` }]),
      [{ label: ctx.t('report.button.cancel'), data: `rep:no:${nonce}` }],
    ],
  });
}

/**
 * Take a draft to its confirmation: refuse it with precise reasons (nothing saved) when an
 * indicator is not this unit's or the period is locked, otherwise echo it with Xác nhận /
 * Sửa / Hủy and wait in the `confirm` step.
 */
export async function proceedDraft(
  ctx: Ctx,
  env: Env,
  draft: Draft,
  unit: ReporterUnit,
): Promise<void> {
  const problems = await draftProblems(ctx, draft, unit, env.catalogue, env.schedule);
  if (problems.length > 0) {
    endFlow(ctx);
    ctx.reply({ text: [...problems, ctx.t('report.nothingSaved')].join('\n') });
    return;
  }
  const nonce = newNonce();
  writeStep(ctx, { step: 'confirm', nonce, draft });
  ctx.reply(await renderConfirmation(ctx, draft, unit, env.catalogue, nonce, env.options.jumps));
}

/** Leave the flow with "Đã hủy, chưa lưu gì". */
export function cancel(ctx: Ctx): void {
  endFlow(ctx);
  ctx.reply({ text: ctx.t('report.cancelled') });
}
