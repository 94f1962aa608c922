/**
 * The staff reporting handlers of issue 5, in the order they must be registered (before the
 * built-in handlers, so `/start <code>` reaches the link handler):
 * link, status, withdraw, report.
 */
import type { Handler } from '../../src/core/handler.js';
import { commandOf } from '../../src/core/router.js';
import type { AppServices } from '../../src/services.js';
import { fold } from '../../src/text/vietnamese.js';
import { isReportText } from './detect.js';
import { loadCatalogue, loadSchedule, loadSender } from './env.js';
import { isReporterText } from './free-text.js';
import { DEFAULT_REPORT_OPTIONS, loadEnv, type ReportOptions } from './flow.js';
import { linkHandler } from './link.js';
import { REPORT_COMMANDS, REPORT_KEYWORDS, handleReport } from './report.js';
import { FLOW } from './state.js';
import { showStatus } from './status.js';
import { startWithdraw } from './withdraw.js';

const STATUS_PHRASE = /^(?:xem )?trang thai(?: bao cao)?[.!?]*$/;

export { DEFAULT_REPORT_OPTIONS, type ReportOptions } from './flow.js';
export { linkHandler } from './link.js';

/**
 * Build the report handlers.
 * @param options soft-warning thresholds (default: 30 percentage points, 50% for counts).
 */
export function createReportHandlers(options: Partial<ReportOptions> = {}): Handler<AppServices>[] {
  const opts: ReportOptions = { ...DEFAULT_REPORT_OPTIONS, ...options };
  const status: Handler<AppServices> = {
    name: 'report.status',
    commands: ['/trangthai', '/status'],
    // Only the bare phrase: "trạng thái hồ sơ của tôi" is a citizen's question, not ours.
    match: (ctx) => STATUS_PHRASE.test(fold(ctx.msg.text ?? '')),
    async handle(ctx) {
      await showStatus(ctx, await loadEnv(ctx, opts));
    },
  };
  const withdraw: Handler<AppServices> = {
    name: 'report.withdraw',
    commands: ['/rut', '/withdraw'],
    async handle(ctx) {
      await startWithdraw(ctx, await loadEnv(ctx, opts));
    },
  };
  const report: Handler<AppServices> = {
    name: 'report',
    commands: REPORT_COMMANDS,
    keywords: REPORT_KEYWORDS,
    buttons: ['rep:'],
    flows: [FLOW],
    // `CODE value` pairs (or a period, then pairs) without a prefix; any other free text is not ours (citizens' lookup).
    // A linked reporter's free text is read in full (issue 13): every report attempt and status
    // question is ours, citizens' questions go to the search. Others keep the plain check.
    async match(ctx) {
      const text = ctx.msg.text;
      if (!text || commandOf(text)) return false;
      const db = ctx.services.db;
      const [catalogue, sender] = await Promise.all([
        loadCatalogue(db),
        loadSender(db, ctx.msg.channel, ctx.msg.userId),
      ]);
      if (sender.reporterUnits.length === 0) return isReportText(text, catalogue.defs, ctx.now());
      const env = { catalogue, sender, schedule: await loadSchedule(db), options: opts };
      return isReporterText(ctx, env, text);
    },
    async handle(ctx) {
      await handleReport(ctx, await loadEnv(ctx, opts));
    },
  };
  return [linkHandler, status, withdraw, report];
}
