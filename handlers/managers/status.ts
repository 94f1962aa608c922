/**
 * Status in chat for managers: `/tonghop [kỳ]` (completeness and timeliness per indicator, the
 * aggregate against the target), `/chuabaocao [kỳ] [chỉ tiêu]` (the units that owe figures,
 * with what is missing and who reports for them, paged) and `/donvi <tên hoặc mã>` (one unit's
 * figures). Everything within the sender's subtree.
 */
import { commandButton } from '../../src/core/conversation.js';
import type { Button, OutboundReply } from '../../src/core/message.js';

import { formatPeriod, matchPeriodAt, type Period } from '../../src/domain/periods.js';
import {
  indicatorSummaries,
  owingUnits,
  type IndicatorSummary,
} from '../../src/domain/reports/index.js';
import { daysLeft, deadlineOf, type Schedule } from '../../src/domain/schedule.js';
import type { Catalogue, ReportIndicator } from '../../src/services/index.js';
import { fold } from '../../src/text/vietnamese.js';
import {
  formatDeadline,
  formatFigure,
  formatNumber,
  formatPercent,
  formatTarget,
} from '../reporting/format.js';
import {
  managerOf,
  notManager,
  periodLabel,
  periodsOrExplain,
  readStatusArgs,
  scopeTitle,
  type Ctx,
  type Manager,
} from './scope.js';

/** Units listed per message: well within every platform's text limit. */
export const PAGE_SIZE = 12;

async function load(ctx: Ctx) {
  const [catalogue, schedule] = await Promise.all([
    ctx.services.catalogue.get(),
    ctx.services.schedule.get(),
  ]);
  return { catalogue, schedule };
}

function deadlineLine(ctx: Ctx, p: Period, schedule: Schedule): string {
  const deadline = deadlineOf(p, schedule);
  return formatDeadline(ctx.t, deadline, daysLeft(deadline, ctx.now()));
}

function aggregateText(ctx: Ctx, s: IndicatorSummary, ind: ReportIndicator | undefined): string {
  const a = s.aggregate;
  if (a.value === null) return ctx.t('managers.status.noAggregate');
  const value =
    s.kind === 'percent'
      ? `${formatNumber(ctx.locale, a.numerator ?? 0)}/${formatNumber(ctx.locale, a.denominator ?? 0)} (${formatPercent(ctx.locale, a.value)})`
      : formatNumber(ctx.locale, a.value);
  if (!s.target || !ind) return value;
  const target = formatTarget(ctx.locale, ind, s.target.op, s.target.target);
  return ctx.t(s.target.met ? 'managers.status.met' : 'managers.status.notMet', {
    value,
    target,
  });
}

/** The /tonghop text of one period. */
async function summaryReply(
  ctx: Ctx,
  m: Manager,
  p: Period,
  catalogue: Catalogue,
  schedule: Schedule,
  code?: string,
): Promise<OutboundReply> {
  const rows = await ctx.services.managers.rows(m.scope, p, schedule, code ? [code] : undefined);
  const owing = owingUnits(rows, deadlineOf(p, schedule), ctx.now());
  const units = new Set(rows.map((r) => r.unit.id)).size;
  const lines = [
    ctx.t('managers.status.title', { period: periodLabel(ctx, p), scope: scopeTitle(ctx, m) }),
    deadlineLine(ctx, p, schedule),
    ctx.t('managers.status.complete', { done: units - owing.length, units }),
  ];
  for (const s of indicatorSummaries(rows, catalogue.byCode, p)) {
    lines.push(
      ctx.t('managers.status.indicator', {
        code: s.code,
        reported: s.reported,
        due: s.due,
        onTime: s.onTime,
        aggregate: aggregateText(ctx, s, catalogue.byCode.get(s.code)),
      }),
    );
  }
  if (rows.length === 0) lines.push(ctx.t('managers.status.nothingDue'));
  const period = formatPeriod(p);
  const buttons: Button[][] =
    owing.length > 0
      ? [
          [commandButton(ctx.t('managers.buttons.owing'), `/chuabaocao ${period}`)],
          [commandButton(ctx.t('managers.buttons.remind'), `/nhac ${period}`)],
        ]
      : [];
  return { text: lines.join('\n'), ...(buttons.length > 0 ? { buttons } : {}) };
}

/** `/tonghop [kỳ] [chỉ tiêu]`. */
export async function showSummary(ctx: Ctx, args: string): Promise<void> {
  const m = await managerOf(ctx);
  if (!m) return notManager(ctx);
  const a = await periodsOrExplain(ctx, args);
  if (!a) return;
  const { catalogue, schedule } = await load(ctx);
  for (const p of a.periods) ctx.reply(await summaryReply(ctx, m, p, catalogue, schedule, a.code));
}

/** `/chuabaocao [kỳ] [chỉ tiêu] [trang N]`. */
export async function showOwing(ctx: Ctx, args: string): Promise<void> {
  const m = await managerOf(ctx);
  if (!m) return notManager(ctx);
  const a = await periodsOrExplain(ctx, args);
  if (!a) return;
  const schedule = await ctx.services.schedule.get();
  for (const p of a.periods) {
    const rows = await ctx.services.managers.rows(
      m.scope,
      p,
      schedule,
      a.code ? [a.code] : undefined,
    );
    const owing = owingUnits(rows, deadlineOf(p, schedule), ctx.now());
    const units = new Set(rows.map((r) => r.unit.id)).size;
    const title = ctx.t('managers.owing.title', {
      period: periodLabel(ctx, p),
      count: owing.length,
      units,
      indicator: a.code ? ` (${a.code})` : '',
    });
    if (owing.length === 0) {
      ctx.reply({ text: `${title}\n${ctx.t('managers.owing.none')}` });
      continue;
    }
    const pages = Math.ceil(owing.length / PAGE_SIZE);
    const page = Math.min(a.page, pages);
    const shown = owing.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    const staff = await ctx.services.managers.staff(
      shown.map((u) => u.unit.id),
      'reporter',
    );
    const lines = [title, deadlineLine(ctx, p, schedule)];
    shown.forEach((u, i) => {
      const who = (staff.get(u.unit.id) ?? []).map(
        (s) => s.displayName ?? ctx.t('managers.noName'),
      );
      lines.push(
        ctx.t('managers.owing.line', {
          n: (page - 1) * PAGE_SIZE + i + 1,
          unit: u.unit.name,
          code: u.unit.code,
          missing: u.missing.join(', '),
          late: u.late ? ctx.t('managers.owing.late') : '',
          who: who.length > 0 ? who.join(', ') : ctx.t('managers.owing.nobody'),
        }),
      );
    });
    if (pages > 1) lines.push(ctx.t('managers.owing.page', { page, pages }));
    const base = `/chuabaocao ${formatPeriod(p)}${a.code ? ` ${a.code}` : ''}`;
    const nav: Button[] = [];
    if (page > 1)
      nav.push(commandButton(ctx.t('managers.buttons.prev'), `${base} trang ${page - 1}`));
    if (page < pages)
      nav.push(commandButton(ctx.t('managers.buttons.next'), `${base} trang ${page + 1}`));
    ctx.reply({
      text: lines.join('\n'),
      buttons: [
        ...(nav.length > 0 ? [nav] : []),
        [commandButton(ctx.t('managers.buttons.remind'), `/nhac ${formatPeriod(p)}`)],
      ],
    });
  }
}

/** `/donvi <tên hoặc mã>`: one unit's figures for the default periods. */
export async function showUnit(ctx: Ctx, query: string): Promise<void> {
  const m = await managerOf(ctx);
  if (!m) return notManager(ctx);
  const q = query.trim();
  if (q === '') return void ctx.reply({ text: ctx.t('managers.unit.usage') });
  const found = await ctx.services.managers.findUnits(m.actor, q, ctx.now());
  const exact = found.filter(
    (u) => u.code === q || fold(u.name) === fold(q) || fold(u.name).endsWith(` ${fold(q)}`),
  );
  const unit = exact.length === 1 ? exact[0] : found.length === 1 ? found[0] : undefined;
  if (!unit) {
    if (found.length === 0) return void ctx.reply({ text: ctx.t('managers.unit.none', { q }) });
    ctx.reply({
      text: ctx.t('managers.unit.choose', { q }),
      buttons: found.map((u) => [commandButton(`${u.name} (${u.code})`, `/donvi ${u.code}`)]),
    });
    return;
  }
  const { catalogue, schedule } = await load(ctx);
  const periods = readStatusArgs('', ctx.now(), schedule, catalogue).periods;
  const staff = await ctx.services.managers.staff([unit.id], 'reporter');
  const who = (staff.get(unit.id) ?? []).map((s) => s.displayName ?? ctx.t('managers.noName'));
  const lines = [
    ctx.t('managers.unit.title', { unit: unit.name, code: unit.code }),
    ctx.t('managers.unit.reporters', {
      who: who.length > 0 ? who.join(', ') : ctx.t('managers.owing.nobody'),
    }),
  ];
  for (const p of periods) {
    const rows = (await ctx.services.managers.rows([unit.code], p, schedule)).filter(
      (r) => r.unit.id === unit.id,
    );
    lines.push('', `${periodLabel(ctx, p)} · ${deadlineLine(ctx, p, schedule)}`);
    for (const r of rows) {
      const ind = catalogue.byCode.get(r.indicator.code);
      if (r.figure && ind) {
        lines.push(
          `✓ ${r.indicator.code}: ${formatFigure(ctx.t, ctx.locale, ind, r.figure)}${r.onTime === false ? ` ${ctx.t('managers.owing.late')}` : ''}`,
        );
      } else lines.push(`✗ ${ctx.t('managers.unit.missing', { code: r.indicator.code })}`);
    }
  }
  ctx.reply({ text: lines.join('\n') });
}

/** The first period named anywhere in the folded text, as typed (`thang 11`), or ''. */
function periodWords(folded: string, now: Date): string {
  for (let i = 0; i < folded.length; i++) {
    if (i > 0 && folded[i - 1] !== ' ') continue;
    const m = matchPeriodAt(folded, i, now, true);
    if (m?.ok) return formatPeriod(m.period);
  }
  return '';
}

const OWING_Q =
  /\b(?:don vi|xa|phuong|ai|nhung don vi|noi)\s*(?:nao)?\s*(?:van\s+)?(?:chua|khong|con thieu)\s+(?:gui\s+)?bao cao\b/;
const SUMMARY_Q = /^(?:xem\s+)?(?:tinh hinh|tien do|tong hop)\s+bao cao\b/;
const UNIT_Q = /^(.+?)\s+(?:da\s+)?(?:bao cao|gui bao cao|nop bao cao)\s+chua\b/;

/** What a manager's free-text question asks for, if it is one. */
export type ManagerQuestion =
  | { kind: 'owing'; args: string }
  | { kind: 'summary'; args: string }
  | { kind: 'unit'; query: string };

/**
 * "đơn vị nào chưa báo cáo (tháng 11)", "tình hình báo cáo tháng 11", "xã Thạch Hà báo cáo
 * chưa" — diacritics optional.
 */
export function readManagerQuestion(text: string, now: Date): ManagerQuestion | undefined {
  const folded = fold(text)
    .replace(/[?!.,]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (OWING_Q.test(folded)) return { kind: 'owing', args: periodWords(folded, now) };
  if (SUMMARY_Q.test(folded)) return { kind: 'summary', args: periodWords(folded, now) };
  const u = UNIT_Q.exec(folded);
  if (u?.[1] && u[1].split(' ').length <= 6) {
    // The words as typed (with diacritics), up to the same length as the folded match.
    const typed = text.trim().split(/\s+/).slice(0, u[1].split(' ').length).join(' ');
    return { kind: 'unit', query: typed.replace(/^(?:xem\s+)/iu, '') };
  }
  return undefined;
}

/** Answer a manager's free-text question. */
export async function answerQuestion(ctx: Ctx, q: ManagerQuestion): Promise<void> {
  if (q.kind === 'owing') return showOwing(ctx, q.args);
  if (q.kind === 'summary') return showSummary(ctx, q.args);
  return showUnit(ctx, q.query);
}
