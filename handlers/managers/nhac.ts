/**
 * `/nhac [kỳ]` and the "Nhắc các đơn vị này" button: a preview of the reminders that would go
 * now to the reporters of the units in the manager's subtree that owe figures (recipients per
 * channel, units skipped and why), then on confirm they are queued — at most once per unit and
 * period per hour.
 */
import { defineFlow } from '../../src/core/flow.js';
import { parsePeriodId, periodId, type Period } from '../../src/domain/periods.js';
import type { AppServices } from '../../src/services/index.js';
import { remindNow } from '../../src/services/manager-actions.js';
import { planReminders, type ReminderPlan } from './remind.js';
import { managerOf, notManager, periodLabel, periodsOrExplain, type Ctx } from './scope.js';

type NhacStep = { step: 'confirm'; periods: string[] };

export { CHANNEL_NAMES } from '../../src/services/manager-actions.js';
import { CHANNEL_NAMES } from '../../src/services/manager-actions.js';

function perChannel(plan: ReminderPlan): string {
  return Object.entries(plan.perChannel)
    .map(([c, n]) => `${CHANNEL_NAMES[c] ?? c} ${n}`)
    .join(', ');
}

async function plans(ctx: Ctx, periods: readonly Period[]): Promise<ReminderPlan[] | undefined> {
  const m = await managerOf(ctx);
  if (!m) return undefined;
  const schedule = await ctx.services.schedule.get();
  const out: ReminderPlan[] = [];
  for (const p of periods)
    out.push(
      // In each reporter's language (Vietnamese for those who chose none).
      await planReminders(ctx.services, (locale) => ctx.tFor(locale ?? 'vi'), {
        scope: m.scope,
        period: p,
        schedule,
        now: ctx.now(),
        mode: { kind: 'now' },
      }),
    );
  return out;
}

function skippedLines(ctx: Ctx, plan: ReminderPlan): string[] {
  const lines: string[] = [];
  if (plan.rateLimited > 0)
    lines.push(ctx.t('managers.nhac.rateLimited', { count: plan.rateLimited }));
  if (plan.noReporter > 0)
    lines.push(ctx.t('managers.nhac.noReporter', { count: plan.noReporter }));
  return lines;
}

export const nhacFlow = defineFlow<AppServices, NhacStep>({
  name: 'managers.nhac',
  prefix: 'mgn',
  priority: 40,
  steps: {
    confirm: {
      actions: {
        async ok(ctx, data) {
          const periods = data.periods.flatMap((id) => parsePeriodId(id) ?? []);
          nhacFlow.end(ctx);
          const m = await managerOf(ctx);
          if (!m) return notManager(ctx);
          const schedule = await ctx.services.schedule.get();
          const lines: string[] = [];
          for (const period of periods) {
            const plan = await remindNow(ctx.services, (locale) => ctx.tFor(locale ?? 'vi'), {
              scope: m.scope,
              period,
              schedule,
              now: ctx.now(),
            });
            lines.push(
              ctx.t('managers.nhac.sent', {
                period: periodLabel(ctx, plan.period),
                messages: plan.queued,
                units: plan.unitsReached,
              }),
              ...skippedLines(ctx, plan),
            );
          }
          ctx.reply({ text: lines.join('\n') });
        },
        async no(ctx) {
          nhacFlow.end(ctx);
          ctx.reply({ text: ctx.t('managers.nhac.cancelled') });
        },
      },
      async text(ctx) {
        nhacFlow.end(ctx);
        ctx.reply({ text: ctx.t('managers.nhac.cancelled') });
      },
    },
  },
  stale(ctx) {
    ctx.reply({ text: ctx.t('managers.nhac.stale') });
  },
});

/** `/nhac [kỳ]`: the preview with Gửi / Hủy. */
export async function startNhac(ctx: Ctx, args: string): Promise<void> {
  const m = await managerOf(ctx);
  if (!m) return notManager(ctx);
  const a = await periodsOrExplain(ctx, args);
  if (!a) return;
  const ps = (await plans(ctx, a.periods)) ?? [];
  const lines: string[] = [];
  let total = 0;
  for (const plan of ps) {
    total += plan.items.length;
    lines.push(
      plan.items.length > 0
        ? ctx.t('managers.nhac.preview', {
            period: periodLabel(ctx, plan.period),
            units: plan.unitsReached,
            messages: plan.items.length,
            channels: perChannel(plan),
          })
        : ctx.t('managers.nhac.nobody', { period: periodLabel(ctx, plan.period) }),
      ...skippedLines(ctx, plan),
    );
  }
  if (total === 0) return void ctx.reply({ text: lines.join('\n') });
  if (ps[0]?.items[0]) lines.push('', ctx.t('managers.nhac.sample'), ps[0].items[0].msg.text);
  const token = nhacFlow.go(ctx, {
    step: 'confirm',
    periods: ps.map((p) => periodId(p.period)),
  });
  ctx.reply({
    text: lines.join('\n'),
    buttons: [
      [
        nhacFlow.button(ctx.t('managers.buttons.send'), 'ok', token),
        nhacFlow.button(ctx.t('managers.buttons.cancel'), 'no', token),
      ],
    ],
  });
}
