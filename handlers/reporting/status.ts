/**
 * `/trangthai` (`trạng thái`, `/status`): for each of the reporter's units, the current
 * period of every indicator it reports — what is in (value against target), what is missing,
 * the deadline and the days left.
 */
import type { UnitStatusItem } from '../../src/domain/submissions/index.js';
import type { ReporterUnit } from './env.js';
import { explainNotReporter, type Ctx, type Env } from './flow.js';
import { formatDeadline, formatLine, periodText } from './format.js';

/** One unit's status as a short message. */
async function unitStatusText(ctx: Ctx, env: Env, unit: ReporterUnit): Promise<string> {
  const { t, locale } = ctx;
  const status = await ctx.services.submissions.unitStatus(unit.id, ctx.now(), env.schedule);
  const lines = [
    t('report.status.title', {
      unit: unit.name,
      submitted: status.submitted,
      total: status.items.length,
    }),
  ];
  const groups = new Map<string, UnitStatusItem[]>();
  for (const it of status.items) {
    const list = groups.get(it.periodText) ?? [];
    list.push(it);
    groups.set(it.periodText, list);
  }
  for (const items of groups.values()) {
    const first = items[0];
    if (!first) continue;
    const when = first.locked
      ? t('report.status.locked')
      : formatDeadline(t, first.deadline, first.daysLeft);
    lines.push('', `${periodText(locale, first.period)} · ${when}`);
    for (const it of items.filter((i) => i.submitted && i.figure)) {
      const ind = env.catalogue.byCode.get(it.indicator.code);
      if (ind && it.figure)
        lines.push(`✓ ${formatLine(t, locale, ind, unit.level, it.period, it.figure)}`);
    }
    const missing = items.filter((i) => !i.submitted).map((i) => i.indicator.code);
    if (missing.length > 0) lines.push(t('report.status.missing', { codes: missing.join(', ') }));
  }
  lines.push('', t(status.missing > 0 ? 'report.status.hintMissing' : 'report.status.hintDone'));
  return lines.join('\n');
}

/** The status command. */
export async function showStatus(ctx: Ctx, env: Env): Promise<void> {
  if (env.sender.reporterUnits.length === 0) return explainNotReporter(ctx, env);
  for (const unit of env.sender.reporterUnits) {
    ctx.reply({ text: await unitStatusText(ctx, env, unit) });
  }
}
