/**
 * A linked reporter's free text (issue 13): read with `readMessage` and answered by kind.
 *
 * - complete → the usual echo with Xác nhận (or the lock refusal for a locked period);
 * - partial → what was understood, what was not, nothing saved; a button for the likely
 *   reading (it leads to the usual echo) and a "Tra cứu thủ tục" button for the rare case the
 *   person meant the citizens' search;
 * - ambiguous → one button per candidate indicator, each leading to the echo;
 * - status → the unit's status, never a report attempt;
 * - not a report → the citizens' search (the router never hands those to us).
 *
 * Button data stays short (`rep:sg:<token>`, `rep:c:<token>:<i>`, `rep:q:<token>`): the texts
 * they stand for live in the conversation state, not in the button (64-byte callback limit).
 */
import type { Button } from '../../src/core/message.js';
import { readMessage, type FullReading, type Reading } from '../../src/report-parser/read.js';
import type { ParsedItem } from '../../src/report-parser/types.js';
import { answerCitizenText } from '../citizens/index.js';
import { draftFromItems } from './draft.js';
import type { ReporterUnit } from './env.js';
import { askUnit, proceedDraft, type Ctx, type Env } from './flow.js';
import { formatFigure, periodText } from './format.js';
import { reportFlow, type ReportStep } from './state.js';
import { showStatus } from './status.js';

type Offer = Extract<ReportStep, { step: 'offer' }>;

/** Read a reporter's message against their units and every unit name. */
export async function readFor(ctx: Ctx, env: Env, text: string): Promise<Reading> {
  const units = await ctx.services.units.names();
  return readMessage(text, {
    catalogue: env.catalogue.defs,
    now: ctx.now(),
    schedule: env.schedule,
    sender: { own: env.sender.reporterUnits.map((u) => u.code), units },
  });
}

/** `HSTT 98/120 (≈81,7%) · T11/2026` for each item, one per line. */
function itemLines(ctx: Ctx, env: Env, items: readonly ParsedItem[]): string[] {
  return items.flatMap((it) => {
    const ind = env.catalogue.byCode.get(it.code);
    if (!ind) return [];
    return [
      `• ${it.code}: ${formatFigure(ctx.t, ctx.locale, ind, it)} · ${periodText(ctx.locale, it.period)}`,
    ];
  });
}

/** The unit a reading is for: the one fixed by the flow, the one named, or the only one. */
function unitFor(
  env: Env,
  fixed: ReporterUnit | undefined,
  unitCode?: string,
): ReporterUnit | undefined {
  if (fixed) return fixed;
  const units = env.sender.reporterUnits;
  const named = unitCode ? units.find((u) => u.code === unitCode) : undefined;
  return named ?? (units.length === 1 ? units[0] : undefined);
}

/** A full reading to the usual echo (or refusal), asking the unit first when needed. */
async function toEcho(
  ctx: Ctx,
  env: Env,
  reading: FullReading,
  fixed: ReporterUnit | undefined,
): Promise<void> {
  const unit = unitFor(env, fixed, reading.unitCode);
  if (!unit) return askUnit(ctx, env, { kind: 'line', text: reading.text });
  await proceedDraft(ctx, env, draftFromItems(unit.id, reading.items), unit);
}

const short = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/**
 * Answer a report attempt (or a status question) by what `readMessage` made of it.
 * @param fixed the unit already chosen by the flow (Sửa, a picked unit).
 */
export async function answerReading(
  ctx: Ctx,
  env: Env,
  text: string,
  reading: Reading,
  fixed?: ReporterUnit,
): Promise<void> {
  const { t } = ctx;
  switch (reading.kind) {
    case 'complete':
      return toEcho(ctx, env, reading, fixed);
    case 'status':
      reportFlow.end(ctx);
      return showStatus(ctx, env, {
        ...(reading.period ? { period: reading.period } : {}),
        codes: reading.codes,
      });
    case 'ambiguous': {
      const token = reportFlow.go(ctx, {
        step: 'offer',
        texts: reading.candidates.map((c) => c.reading.text),
        query: text,
        ...(fixed ? { unitId: fixed.id } : {}),
      });
      const buttons: Button[][] = reading.candidates.map((c, i) => {
        const ind = env.catalogue.byCode.get(c.code);
        return [
          reportFlow.button(short(`${c.code} — ${ind?.nameVi ?? ''}`, 60), 'c', token, String(i)),
        ];
      });
      buttons.push([reportFlow.button(t('report.button.search'), 'q', token)]);
      ctx.reply({
        text: [
          t('report.read.ambiguous', {
            part: reading.part,
            codes: reading.candidates.map((c) => c.code).join(', '),
          }),
          t('report.notSavedYet'),
        ].join('\n'),
        buttons,
      });
      return;
    }
    case 'partial': {
      const lines: string[] = [];
      const understood = itemLines(ctx, env, reading.understood);
      if (understood.length > 0) lines.push(t('report.read.understood'), ...understood);
      lines.push(...reading.errors.map((e) => t(e.key, { ...env.examples, ...e.vars })));
      // With a likely reading on a button, the reporter taps rather than retypes.
      lines.push(t(reading.likely ? 'report.notSavedYet' : 'report.nothingSaved'));
      const token = reportFlow.go(ctx, {
        step: 'offer',
        texts: reading.likely ? [reading.likely.text] : [],
        query: text,
        ...(fixed ? { unitId: fixed.id } : {}),
      });
      const buttons: Button[][] = [];
      if (reading.likely) {
        lines.push('', t('report.read.likely'), ...itemLines(ctx, env, reading.likely.items));
        buttons.push([reportFlow.button(t('report.button.likely'), 'sg', token)]);
      }
      buttons.push([reportFlow.button(t('report.button.search'), 'q', token)]);
      ctx.reply({ text: lines.join('\n'), buttons });
      return;
    }
    case 'notReport':
      // Only reached from inside the report flow (the router sends the rest to the search).
      ctx.reply({
        text: [
          t('parse.error.noItems', { example: 'bc HSTT 120/150' }),
          t('report.nothingSaved'),
        ].join('\n'),
      });
      return;
  }
}

/** Read a reporter's text and answer it. */
export async function readAndAnswer(
  ctx: Ctx,
  env: Env,
  text: string,
  fixed?: ReporterUnit,
): Promise<void> {
  return answerReading(ctx, env, text, await readFor(ctx, env, text), fixed);
}

/**
 * A button of an offer: the likely reading (`sg`), a candidate (`c`, with its index) or the
 * citizens' search (`q`). The text behind it is read again now (the clock moved), so what is
 * echoed is what would be saved.
 */
export async function onOfferButton(
  ctx: Ctx,
  env: Env,
  d: Offer,
  action: 'sg' | 'c' | 'q',
  arg: string | undefined,
): Promise<void> {
  if (action === 'q') {
    reportFlow.end(ctx);
    return answerCitizenText(ctx, d.query);
  }
  const text = action === 'sg' ? d.texts[0] : d.texts[Number(arg)];
  if (text === undefined) {
    ctx.reply({ text: ctx.t('report.stale') });
    return;
  }
  const fixed = d.unitId ? env.sender.reporterUnits.find((u) => u.id === d.unitId) : undefined;
  reportFlow.end(ctx);
  const reading = await readFor(ctx, env, text);
  if (reading.kind !== 'complete') return answerReading(ctx, env, text, reading, fixed);
  await toEcho(ctx, env, reading, fixed);
}

/**
 * Whether the router should hand a linked reporter's free text to the report handler: every
 * report attempt and status question; citizens' questions go to the search.
 */
export async function isReporterText(ctx: Ctx, env: Env, text: string): Promise<boolean> {
  return (await readFor(ctx, env, text)).kind !== 'notReport';
}
