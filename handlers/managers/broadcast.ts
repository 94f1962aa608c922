/**
 * `/thongbao [đơn vị]` (managers and admins): choose the audience within the subtree
 * (reporters, managers or both; optionally one unit), type the text, see a preview with the
 * recipients per channel, confirm; the messages go through the durable queue at once (pacing,
 * retries, the Zalo OA window; broadcasts are not held by quiet hours). `/baocaogui [mã]` shows
 * the delivery report: sent, pending, failed with reasons.
 */
import { commandButton } from '../../src/core/conversation.js';
import { defineFlow } from '../../src/core/flow.js';
import type { AppServices } from '../../src/services/index.js';
import { managerOf, notManager, scopeTitle, type Ctx } from './scope.js';
import { pickUnit } from './self-service.js';

export {
  broadcastItems,
  channelCounts,
  MAX_BROADCAST,
  type Audience,
} from '../../src/services/manager-actions.js';
import {
  broadcastItems,
  channelCounts,
  sendBroadcast,
  MAX_BROADCAST,
  type Audience,
} from '../../src/services/manager-actions.js';

type Step =
  | { step: 'audience'; unitCode?: string; unitName?: string }
  | { step: 'text'; unitCode?: string; unitName?: string; audience: Audience }
  | { step: 'confirm'; unitCode?: string; unitName?: string; audience: Audience; text: string };

/** The chat broadcast's messages (not to the sender). */
async function recipients(ctx: Ctx, d: Extract<Step, { step: 'confirm' }>) {
  const m = await managerOf(ctx);
  if (!m) return undefined;
  const r = await broadcastItems(ctx.services, {
    scope: d.unitCode ? [d.unitCode] : m.scope,
    audience: d.audience,
    text: d.text,
    at: ctx.now(),
    except: m.personId,
  });
  return { m, ...r };
}

export const broadcastFlow = defineFlow<AppServices, Step>({
  name: 'managers.broadcast',
  prefix: 'mgb',
  priority: 40,
  common: {
    async no(ctx) {
      broadcastFlow.end(ctx);
      ctx.reply({ text: ctx.t('managers.broadcast.cancelled') });
    },
  },
  steps: {
    audience: {
      actions: {
        async a(ctx, d, arg) {
          const audience: Audience =
            arg === 'manager' ? 'manager' : arg === 'all' ? 'all' : 'reporter';
          const token = broadcastFlow.go(ctx, { ...d, step: 'text', audience });
          ctx.reply({
            text: ctx.t('managers.broadcast.askText', { max: MAX_BROADCAST }),
            buttons: [[broadcastFlow.button(ctx.t('managers.buttons.cancel'), 'no', token)]],
          });
        },
      },
    },
    text: {
      async text(ctx, d, text) {
        const body = text.trim();
        if (body.length > MAX_BROADCAST)
          return void ctx.reply({
            text: ctx.t('managers.broadcast.tooLong', { length: body.length, max: MAX_BROADCAST }),
          });
        const next = { ...d, step: 'confirm' as const, text: body };
        const r = await recipients(ctx, next);
        if (!r) return notManager(ctx);
        if (r.items.length === 0) {
          broadcastFlow.end(ctx);
          return void ctx.reply({ text: ctx.t('managers.broadcast.nobody') });
        }
        const token = broadcastFlow.go(ctx, next);
        ctx.reply({
          text: [
            ctx.t('managers.broadcast.preview', {
              count: r.items.length,
              channels: channelCounts(r.perChannel),
              audience: ctx.t(`managers.broadcast.audience.${d.audience}`),
              scope: d.unitName ?? scopeTitle(ctx, r.m),
            }),
            '',
            body,
          ].join('\n'),
          buttons: [
            [
              broadcastFlow.button(ctx.t('managers.buttons.sendBroadcast'), 'ok', token),
              broadcastFlow.button(ctx.t('managers.buttons.cancel'), 'no', token),
            ],
          ],
        });
      },
    },
    confirm: {
      actions: {
        async ok(ctx, d) {
          broadcastFlow.end(ctx);
          const r = await recipients(ctx, d);
          if (!r) return notManager(ctx);
          const unitId = d.unitCode
            ? ((await ctx.services.managers.findUnits(r.m.actor, d.unitCode, ctx.now()))[0]?.id ??
              r.m.homeUnitId)
            : r.m.homeUnitId;
          const { id, queued } = await sendBroadcast(ctx.services, {
            createdBy: r.m.personId,
            unitId,
            audience: d.audience,
            text: d.text,
            items: r.items,
            at: ctx.now(),
          });
          ctx.reply({
            text: ctx.t('managers.broadcast.sent', { count: queued }),
            buttons: [[commandButton(ctx.t('managers.buttons.report'), `/baocaogui ${id}`)]],
          });
        },
      },
    },
  },
  stale(ctx) {
    ctx.reply({ text: ctx.t('managers.broadcast.stale') });
  },
});

/** `/thongbao [đơn vị]`. */
export async function startBroadcast(ctx: Ctx, args: string): Promise<void> {
  const m = await managerOf(ctx);
  if (!m) return notManager(ctx);
  let unit: { code: string; name: string } | undefined;
  if (args.trim() !== '') {
    unit = await pickUnit(ctx, args, (code) => `/thongbao ${code}`);
    if (!unit) return;
  }
  const token = broadcastFlow.go(ctx, {
    step: 'audience',
    ...(unit ? { unitCode: unit.code, unitName: unit.name } : {}),
  });
  const b = (label: string, arg: string) => broadcastFlow.button(ctx.t(label), 'a', token, arg);
  ctx.reply({
    text: ctx.t('managers.broadcast.askAudience', { scope: unit?.name ?? scopeTitle(ctx, m) }),
    buttons: [
      [b('managers.broadcast.audience.reporter', 'reporter')],
      [b('managers.broadcast.audience.manager', 'manager')],
      [b('managers.broadcast.audience.all', 'all')],
      [broadcastFlow.button(ctx.t('managers.buttons.cancel'), 'no', token)],
    ],
  });
}

/** `/baocaogui [mã]`: the delivery report of a broadcast (the latest of the sender's). */
export async function showDeliveryReport(ctx: Ctx, args: string): Promise<void> {
  const m = await managerOf(ctx);
  if (!m) return notManager(ctx);
  const id = args.trim();
  const b = await ctx.services.managers.findBroadcast({
    ...(id ? { id } : {}),
    ...(m.admin && id ? {} : { createdBy: m.personId }),
  });
  if (!b) return void ctx.reply({ text: ctx.t('managers.broadcast.none') });
  const r = await ctx.services.managers.batchReport(b.id);
  const lines = [
    ctx.t('managers.broadcast.report', {
      text: b.text.length > 60 ? `${b.text.slice(0, 57)}…` : b.text,
      total: r.total,
      sent: r.sent,
      queued: r.queued,
      failed: r.total - r.sent - r.queued,
    }),
    ...r.failed.map((f) => `• ${f.reason}: ${f.count}`),
  ];
  ctx.reply({
    text: lines.join('\n'),
    buttons: [[commandButton(ctx.t('managers.buttons.refresh'), `/baocaogui ${b.id}`)]],
  });
}
