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
 * Button data stays short (`rep:sg:<nonce>`, `rep:c:<nonce>:<i>`, `rep:q:<nonce>`): the texts
 * they stand for live in the conversation state, not in the button (64-byte callback limit).
 */
import type { Button } from '../../src/core/message.js';
import type { DbClient } from '../../src/db/client.js';
import type { UnitName } from '../../src/report-parser/canonical.js';
import { readMessage, type FullReading, type Reading } from '../../src/report-parser/read.js';
import type { ParsedItem } from '../../src/report-parser/types.js';
import { answerCitizenText } from '../citizens.js';
import { draftFromItems, newNonce } from './draft.js';
import type { ReporterUnit } from './env.js';
import { askUnit, proceedDraft, type Ctx, type Env } from './flow.js';
import { formatFigure, periodText } from './format.js';
import { endFlow, readStep, writeStep } from './state.js';
import { showStatus } from './status.js';

/** Unit names by content, so the parser's compiled matcher is reused while they are unchanged. */
let unitCache: { signature: string; units: UnitName[] } | undefined;

/** The units in force (code and official name), for recognising unit names in a message. */
export async function loadUnitNames(db: DbClient): Promise<UnitName[]> {
  const rows = await db.unit.findMany({
    where: { effectiveTo: null },
    select: { code: true, name: true },
    orderBy: { code: 'asc' },
  });
  const signature = rows.map((r) => `${r.code}=${r.name}`).join('|');
  if (unitCache?.signature === signature) return unitCache.units;
  const units = rows.map((r) => ({ code: r.code, name: r.name }));
  unitCache = { signature, units };
  return units;
}

/** Read a reporter's message against their units and every unit name. */
export async function readFor(ctx: Ctx, env: Env, text: string): Promise<Reading> {
  const units = await loadUnitNames(ctx.services.db);
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
      endFlow(ctx);
      return showStatus(ctx, env);
    case 'ambiguous': {
      const nonce = newNonce();
      writeStep(ctx, {
        step: 'offer',
        nonce,
        texts: reading.candidates.map((c) => c.reading.text),
        query: text,
        ...(fixed ? { unitId: fixed.id } : {}),
      });
      const buttons: Button[][] = reading.candidates.map((c, i) => {
        const ind = env.catalogue.byCode.get(c.code);
        return [
          {
            label: short(`${c.code} — ${ind?.nameVi ?? ''}`, 60),
            data: `rep:c:${nonce}:${i}`,
          },
        ];
      });
      buttons.push([{ label: t('report.button.search'), data: `rep:q:${nonce}` }]);
      ctx.reply({
        text: [
          t('report.read.ambiguous', {
            part: reading.part,
            codes: reading.candidates.map((c) => c.code).join(', '),
          }),
          t('report.nothingSaved'),
        ].join('\n'),
        buttons,
      });
      return;
    }
    case 'partial': {
      const lines: string[] = [];
      const understood = itemLines(ctx, env, reading.understood);
      if (understood.length > 0) lines.push(t('report.read.understood'), ...understood);
      lines.push(...reading.errors.map((e) => t(e.key, e.vars)));
      lines.push(t('report.nothingSaved'));
      const nonce = newNonce();
      const buttons: Button[][] = [];
      if (reading.likely) {
        lines.push('', t('report.read.likely'), ...itemLines(ctx, env, reading.likely.items));
        buttons.push([{ label: t('report.button.likely'), data: `rep:sg:${nonce}` }]);
      }
      buttons.push([{ label: t('report.button.search'), data: `rep:q:${nonce}` }]);
      writeStep(ctx, {
        step: 'offer',
        nonce,
        texts: reading.likely ? [reading.likely.text] : [],
        query: text,
        ...(fixed ? { unitId: fixed.id } : {}),
      });
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
  action: 'sg' | 'c' | 'q',
  arg: string | undefined,
): Promise<boolean> {
  const step = readStep(ctx.state);
  if (step?.step !== 'offer') return false;
  if (action === 'q') {
    endFlow(ctx);
    await answerCitizenText(ctx, step.query);
    return true;
  }
  const text = action === 'sg' ? step.texts[0] : step.texts[Number(arg)];
  if (text === undefined) return false;
  const fixed = step.unitId
    ? env.sender.reporterUnits.find((u) => u.id === step.unitId)
    : undefined;
  endFlow(ctx);
  const reading = await readFor(ctx, env, text);
  if (reading.kind !== 'complete') {
    await answerReading(ctx, env, text, reading, fixed);
    return true;
  }
  await toEcho(ctx, env, reading, fixed);
  return true;
}

/**
 * Whether the router should hand a linked reporter's free text to the report handler: every
 * report attempt and status question; citizens' questions go to the search.
 */
export async function isReporterText(ctx: Ctx, env: Env, text: string): Promise<boolean> {
  return (await readFor(ctx, env, text)).kind !== 'notReport';
}
