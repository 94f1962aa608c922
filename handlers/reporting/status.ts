/**
 * `/trangthai` (`trạng thái`, `/status`): for each of the reporter's units, each current period
 * on its own — its deadline, how many of its indicators are in, the figures (value against
 * target) and the missing indicators by code and name — with a "Báo cáo ngay" button per
 * period that opens guided entry for exactly what is missing there.
 */
import { commandButton } from '../../src/core/conversation.js';
import type { Button } from '../../src/core/message.js';
import { formatPeriod, type Period } from '../../src/domain/periods.js';
import { dueIndicators } from '../../src/domain/schedule.js';
import type { UnitStatusItem } from '../../src/domain/submissions/index.js';
import type { ReporterUnit } from './env.js';
import { explainNotReporter, type Ctx, type Env } from './flow.js';
import { formatDeadline, formatLine, indicatorName, periodText } from './format.js';

/** Longest indicator name shown in a list line (a phone line and a half). */
const NAME_MAX = 48;

const short = (s: string): string => (s.length <= NAME_MAX ? s : `${s.slice(0, NAME_MAX - 1)}…`);

/** One unit's status as a short message, with one "Báo cáo ngay" button per open period. */
async function unitStatus(
  ctx: Ctx,
  env: Env,
  unit: ReporterUnit,
  many: boolean,
): Promise<{ text: string; buttons: Button[][] }> {
  const { t, locale } = ctx;
  const status = await ctx.services.submissions.unitStatus(unit.id, ctx.now(), env.schedule);
  const lines = [t('report.status.title', { unit: unit.name })];
  const buttons: Button[][] = [];
  const groups = new Map<string, UnitStatusItem[]>();
  for (const it of status.items) {
    const list = groups.get(it.periodText) ?? [];
    list.push(it);
    groups.set(it.periodText, list);
  }
  for (const items of groups.values()) {
    const first = items[0];
    if (!first) continue;
    const done = items.filter((i) => i.submitted);
    const missing = items.filter((i) => !i.submitted);
    const when = first.locked
      ? t('report.status.locked')
      : formatDeadline(t, first.deadline, first.daysLeft);
    lines.push(
      '',
      t('report.status.period', {
        period: periodText(locale, first.period),
        when,
        submitted: done.length,
        total: items.length,
      }),
    );
    for (const it of done) {
      const ind = env.catalogue.byCode.get(it.indicator.code);
      if (ind && it.figure)
        lines.push(`✓ ${formatLine(t, locale, ind, unit.level, it.period, it.figure)}`);
    }
    if (missing.length > 0) {
      lines.push(t('report.status.missingTitle'));
      for (const it of missing) {
        const ind = env.catalogue.byCode.get(it.indicator.code);
        lines.push(`• ${it.indicator.code} — ${short(ind ? indicatorName(locale, ind) : '')}`);
      }
      if (!first.locked) {
        const label = many
          ? t('report.status.reportNowUnit', { period: periodText(locale, first.period) })
          : t('report.status.reportNow', { period: periodText(locale, first.period) });
        buttons.push([commandButton(label, `/baocao ${formatPeriod(first.period)}`)]);
      }
    } else {
      lines.push(t('report.status.periodDone'));
    }
  }
  if (status.missing === 0) lines.push('', t('report.status.hintDone'));
  return { text: lines.join('\n'), buttons };
}

/**
 * A status question naming a period ("HSTT tháng 10 của xã mình là bao nhiêu", "quý 3 báo cáo
 * chưa"): that period's figures for each of the reporter's units — the named indicators, or
 * every indicator due then — locked or not.
 */
async function periodStatus(
  ctx: Ctx,
  env: Env,
  unit: ReporterUnit,
  period: Period,
  codes: readonly string[],
): Promise<string> {
  const { t, locale } = ctx;
  const due = dueIndicators(unit.level, period, env.schedule, env.catalogue.defs);
  const asked = codes.length > 0 ? due.filter((d) => codes.includes(d.code)) : due;
  const lines = [t('report.status.title', { unit: unit.name }), ''];
  if (asked.length === 0) {
    lines.push(t('report.status.nothingDue', { period: periodText(locale, period) }));
    return lines.join('\n');
  }
  const figures = await ctx.services.submissions.activeFigures(
    unit.id,
    asked.map((d) => d.code),
    period,
  );
  lines.push(
    t('report.status.periodOnly', {
      period: periodText(locale, period),
      submitted: figures.size,
      total: asked.length,
    }),
  );
  for (const ind of asked) {
    const f = figures.get(ind.code);
    lines.push(
      f
        ? `✓ ${formatLine(t, locale, ind, unit.level, period, f)}`
        : `• ${ind.code}: ${t('report.status.noFigure')}`,
    );
  }
  return lines.join('\n');
}

/**
 * The status command, or a status question: the current periods, or the period and
 * indicators the question names.
 */
export async function showStatus(
  ctx: Ctx,
  env: Env,
  about: { period?: Period; codes?: readonly string[] } = {},
): Promise<void> {
  if (env.sender.reporterUnits.length === 0) return explainNotReporter(ctx, env);
  if (about.period) {
    for (const unit of env.sender.reporterUnits)
      ctx.reply({ text: await periodStatus(ctx, env, unit, about.period, about.codes ?? []) });
    return;
  }
  const many = env.sender.reporterUnits.length > 1;
  for (const unit of env.sender.reporterUnits) {
    const { text, buttons } = await unitStatus(ctx, env, unit, many);
    ctx.reply(buttons.length > 0 ? { text, buttons } : { text });
  }
}
