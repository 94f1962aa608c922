/**
 * Pieces shared by the report handlers: loading what an update needs, telling non-reporters
 * how to get an invitation, asking a reporter with several units which one, and taking a
 * draft to its confirmation.
 */
import type { HandlerContext } from '../../src/core/handler.js';
import type { AppServices } from '../../src/services/index.js';
import {
  renderConfirmation,
  draftProblems,
  refusalText,
  DEFAULT_JUMPS,
  type Draft,
  type JumpThresholds,
} from './draft.js';
import type { Catalogue, ReporterUnit, Sender } from './env.js';
import { examplePeriods, type Schedule } from '../../src/domain/schedule.js';
import { reportFlow, type Pending } from './state.js';

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
  /**
   * The open period of each kind (`T11/2026`, `Q4/2026`, `năm 2026`), for the examples in
   * help and error texts: `{{month}}`, `{{quarter}}`, `{{year}}`.
   */
  examples: { month: string; quarter: string; year: string };
}

export async function loadEnv(
  ctx: Ctx,
  options: ReportOptions = DEFAULT_REPORT_OPTIONS,
): Promise<Env> {
  const [catalogue, schedule, sender] = await Promise.all([
    ctx.services.catalogue.get(),
    ctx.services.schedule.get(),
    ctx.services.people.sender(),
  ]);
  return {
    catalogue,
    schedule,
    sender,
    options,
    examples: examplePeriods(ctx.now(), schedule),
  };
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
  const units = env.sender.reporterUnits;
  const token = reportFlow.go(ctx, { step: 'pickUnit', unitIds: units.map((u) => u.id), pending });
  ctx.reply({
    text: ctx.t('report.pickUnit'),
    buttons: [
      ...units.map((u, i) => [reportFlow.button(u.name, 'u', token, String(i))]),
      [reportFlow.button(ctx.t('report.button.cancel'), 'x', token)],
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
    reportFlow.end(ctx);
    ctx.reply({ text: refusalText(ctx.t, problems) });
    return;
  }
  const token = reportFlow.go(ctx, { step: 'confirm', draft });
  ctx.reply(await renderConfirmation(ctx, draft, unit, env.catalogue, token, env.options.jumps));
}

/** Leave the flow with "Đã hủy, chưa lưu gì". */
export function cancel(ctx: Ctx): void {
  reportFlow.end(ctx);
  ctx.reply({ text: ctx.t('report.cancelled') });
}
