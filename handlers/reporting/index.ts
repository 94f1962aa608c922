/**
 * Reporting: commune staff link their account, report figures (one line or step by step),
 * see what is still missing and withdraw a figure before the period locks.
 */
import type { Feature, FeatureHandler } from '../../src/core/feature.js';
import { commandOf } from '../../src/core/router.js';
import type { AppServices } from '../../src/services/index.js';
import { fold } from '../../src/text/vietnamese.js';
import { isReportText } from './detect.js';
import { loadEnv } from './flow.js';
import { isReporterText } from './free-text.js';
import { linkHandler } from './link.js';
import { REPORT_KEYWORDS, reportText } from './report.js';
import { reportFlow } from './state.js';
import { showStatus } from './status.js';
import { startWithdraw } from './withdraw.js';

const STATUS_PHRASE = /^(?:xem )?trang thai(?: bao cao)?[.!?]*$/;

const status: FeatureHandler<AppServices> = {
  name: 'report.status',
  priority: 60,
  // Reads only: no transaction (the state store records the update).
  transactional: false,
  commands: [
    {
      name: 'trangthai',
      aliases: ['status'],
      audience: ['reporter'],
      description: 'report.commands.trangthai',
    },
  ],
  // Only the bare phrase: "trạng thái hồ sơ của tôi" is a citizen's question, not ours.
  match: (ctx) => STATUS_PHRASE.test(fold(ctx.msg.text ?? '')),
  async handle(ctx) {
    await showStatus(ctx, await loadEnv(ctx));
  },
};

const withdraw: FeatureHandler<AppServices> = {
  name: 'report.withdraw',
  priority: 60,
  commands: [
    {
      name: 'rut',
      aliases: ['withdraw'],
      audience: ['reporter'],
      description: 'report.commands.rut',
    },
  ],
  async handle(ctx) {
    await startWithdraw(ctx, await loadEnv(ctx));
  },
};

const report: FeatureHandler<AppServices> = {
  name: 'report',
  priority: 50,
  // Reads only (the echo to confirm, guided entry's questions, a status answer): figures are
  // saved by the flow's Xác nhận, in its transaction.
  transactional: false,
  commands: [
    {
      name: 'baocao',
      aliases: ['report', 'bc'],
      audience: ['reporter'],
      description: 'report.commands.baocao',
    },
  ],
  keywords: REPORT_KEYWORDS,
  // A linked reporter's free text is read in full (issue 13): every report attempt and status
  // question is ours, citizens' questions go to the search. Others keep the plain check
  // (`CODE value` pairs, or a period then pairs, without a prefix).
  async match(ctx) {
    const text = ctx.msg.text;
    if (!text || commandOf(text)) return false;
    const [catalogue, sender] = await Promise.all([
      ctx.services.catalogue.get(),
      ctx.services.people.sender(),
    ]);
    if (sender.reporterUnits.length === 0) return isReportText(text, catalogue.defs, ctx.now());
    return isReporterText(ctx, await loadEnv(ctx), text);
  },
  async handle(ctx) {
    await reportText(ctx, await loadEnv(ctx), ctx.msg.text ?? '');
  },
};

export const reporting: Feature<AppServices> = {
  name: 'reporting',
  handlers: [linkHandler, status, withdraw, report, reportFlow.handler],
};
