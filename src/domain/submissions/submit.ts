/**
 * Submitting, correcting and withdrawing figures. One current value per (unit, indicator,
 * period) with a SubmissionVersion for every change (who, when, channel, old -> new); the
 * first submission time survives corrections so a late fix never makes an on-time report
 * look late. All items of one message go in one transaction: all saved or none.
 */
import { randomBytes } from 'node:crypto';
import { Prisma, type Submission } from '../../db/generated/client.js';
import {
  AccessError,
  NotFoundError,
  actorLabel,
  ValidationError,
  inTransaction,
  type DomainDb,
} from '../access.js';
import { unitOfRow, type UnitRow } from '../units/units.js';
import { audit, toJson } from '../audit.js';
import { formatPeriod, periodStart, type Period } from '../periods.js';
import {
  defaultPeriodFor,
  dueIndicators,
  effectivePeriodicity,
  type Schedule,
  type ScheduledIndicator,
} from '../schedule.js';
import { assertOpen } from './locks.js';
import {
  figureOf,
  normalizeFigure,
  type FigureData,
  type FigureInput,
  type IndicatorUnitKind,
} from './figures.js';

export interface SubmitItem extends FigureInput {
  indicatorCode: string;
}

export interface SubmitInput {
  personId: string;
  unitId: string;
  channel: string;
  period: Period;
  items: readonly SubmitItem[];
  now: Date;
  schedule: Schedule;
  /** Draws receipt numbers (default: newRef, random); one in use is drawn again. */
  newRef?: () => string;
  /**
   * The indicator catalogue as the caller read it in this update (its cache, keyed by the data
   * version read at the update's start); default: read in the transaction.
   */
  indicators?: ReadonlyMap<string, SubmitIndicator>;
}

/** What saving a figure needs to know of its indicator. */
export type SubmitIndicator = ScheduledIndicator & { unit: string };

export interface SubmitItemResult {
  code: string;
  /** The value replaced, when there was an active one. */
  previous?: FigureData;
  current: FigureData;
  /** No active value existed before (first report, or re-report after a withdrawal). */
  created: boolean;
  submissionId: string;
}

export interface SubmitResult {
  /** Short receipt reference shown to the reporter (6 characters). */
  ref: string;
  /** Canonical period, e.g. 'T10/2025'. */
  period: string;
  items: SubmitItemResult[];
}

const REF_ALPHABET = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/** A 6-character receipt reference without look-alike characters. */
export function newRef(): string {
  const bytes = randomBytes(6);
  let s = '';
  for (const b of bytes) s += REF_ALPHABET[b % REF_ALPHABET.length];
  return s;
}

function decimalOrNull(n: number | null): string | null {
  return n === null ? null : n.toFixed(4);
}

function dateOnly(d: Date): Date {
  // Period starts are local midnights; the @db.Date column wants the local calendar day.
  const shifted = new Date(d.getTime() + 7 * 3600_000);
  return new Date(Date.UTC(shifted.getUTCFullYear(), shifted.getUTCMonth(), shifted.getUTCDate()));
}

async function loadContext(
  tx: Prisma.TransactionClient,
  input: { personId: string; unitId: string; period: Period; now: Date; schedule: Schedule },
  /** Receipt numbers to check in the same statement: `refTaken` tells whether one is in use. */
  refs: readonly string[] = [],
) {
  // One statement: the unit and whether the person is (still) its reporter, read in the
  // transaction that writes the figures.
  const rows = await tx.$queryRaw<(UnitRow & { reporter: boolean; ref_taken: boolean })[]>`
    SELECT u.id AS unit_id, u.code, u.name, u.type, u.level::text AS level, u.name_en,
           u.parent_id, u.effective_from, u.effective_to, u.name_folded,
           EXISTS (SELECT 1 FROM membership m
                    WHERE m.person_id = ${input.personId} AND m.unit_id = u.id
                      AND m.role = 'reporter' AND m.removed_at IS NULL) AS reporter,
           ${
             refs.length > 0
               ? Prisma.sql`EXISTS (SELECT 1 FROM submission s WHERE s.ref IN (${Prisma.join(refs)}))`
               : Prisma.sql`false`
           } AS ref_taken
      FROM unit u
     WHERE u.id = ${input.unitId}`;
  const row = rows[0];
  if (!row) throw new NotFoundError('unit', input.unitId);
  const unit = unitOfRow(row);
  if (!row.reporter) {
    throw new AccessError(`not a reporter of ${unit.code}`, 'domain.errors.notReporter', {
      unit: unit.name,
    });
  }
  if (periodStart(input.period).getTime() > input.now.getTime()) {
    throw new ValidationError('period has not started', 'domain.errors.periodNotStarted', {
      period: formatPeriod(input.period),
    });
  }
  await assertOpen(tx, unit, input.period, input.now, input.schedule);
  return { unit, refTaken: row.ref_taken };
}

/**
 * Read the current row of (unit, indicator, period) and lock it until the transaction ends, so
 * two concurrent corrections are serialised and each version's old -> new is exact. One
 * statement (SELECT … FOR UPDATE), mapped to the model as Prisma reads it.
 */
export async function lockAndRead(
  tx: Prisma.TransactionClient,
  unitId: string,
  indicatorCode: string,
  period: string,
): Promise<Submission | null> {
  const rows = await tx.$queryRaw<SubmissionRow[]>`
    SELECT id, unit_id, indicator_code, period, period_start, numerator, denominator, value,
           note, status::text AS status, first_submitted_at, last_submitted_at, last_person_id,
           last_channel, ref
      FROM submission
     WHERE unit_id = ${unitId} AND indicator_code = ${indicatorCode} AND period = ${period}
       FOR UPDATE`;
  const r = rows[0];
  if (!r) return null;
  return {
    id: r.id,
    unitId: r.unit_id,
    indicatorCode: r.indicator_code,
    period: r.period,
    periodStart: r.period_start,
    numerator: r.numerator,
    denominator: r.denominator,
    value: r.value,
    note: r.note,
    status: r.status as Submission['status'],
    firstSubmittedAt: r.first_submitted_at,
    lastSubmittedAt: r.last_submitted_at,
    lastPersonId: r.last_person_id,
    lastChannel: r.last_channel,
    ref: r.ref,
  };
}

interface SubmissionRow {
  id: string;
  unit_id: string;
  indicator_code: string;
  period: string;
  period_start: Date;
  numerator: Submission['numerator'];
  denominator: Submission['denominator'];
  value: Submission['value'];
  note: string | null;
  status: string;
  first_submitted_at: Date;
  last_submitted_at: Date;
  last_person_id: string | null;
  last_channel: string | null;
  ref: string;
}

/**
 * Save the figures of one message for one unit and period.
 * @throws AccessError when the person is not an active reporter of the unit;
 *   LockedError when (unit, period) is locked; ValidationError for a bad figure, an unknown
 *   or duplicated indicator, an indicator not due from this unit's level, or a period of the
 *   wrong kind (vars.expected names the periodicity the indicator takes).
 */
export async function submitFigures(db: DomainDb, input: SubmitInput): Promise<SubmitResult> {
  if (input.items.length === 0)
    throw new ValidationError('nothing to submit', 'domain.errors.empty');
  const seen = new Set<string>();
  for (const it of input.items) {
    const c = it.indicatorCode.toUpperCase();
    if (seen.has(c))
      throw new ValidationError(`${c} twice`, 'domain.errors.duplicate', { code: c });
    seen.add(c);
  }
  const periodText = formatPeriod(input.period);
  return inTransaction(db, async (tx) => {
    // Rows get `REF`, `REF-2`, `REF-3`…; check exactly those (unique index, no prefix scan),
    // the first time with the unit.
    const rowRefs = (r: string) => input.items.map((_, i) => (i === 0 ? r : `${r}-${i + 1}`));
    const draw = input.newRef ?? newRef;
    let ref = draw();
    const { unit, refTaken } = await loadContext(tx, input, rowRefs(ref));
    const byCode: ReadonlyMap<string, SubmitIndicator> =
      input.indicators ??
      new Map(
        (await tx.indicator.findMany({ where: { code: { in: [...seen] } } })).map((i) => [
          i.code,
          i,
        ]),
      );
    let taken = refTaken;
    while (taken) {
      ref = draw();
      taken =
        (
          await tx.$queryRaw<unknown[]>`
            SELECT 1 FROM submission WHERE ref IN (${Prisma.join(rowRefs(ref))}) LIMIT 1`
        ).length > 0;
    }
    const results: SubmitItemResult[] = [];
    for (const [i, item] of input.items.entries()) {
      const code = item.indicatorCode.toUpperCase();
      const ind = byCode.get(code);
      if (!ind) throw new NotFoundError('indicator', item.indicatorCode);
      if (dueIndicators(unit.level, input.period, input.schedule, [ind]).length === 0) {
        const expected = effectivePeriodicity(ind, input.schedule);
        if (expected !== input.period.kind) {
          throw new ValidationError(
            `${code} is reported per ${expected}`,
            'domain.errors.wrongPeriodKind',
            {
              code,
              expected,
              period: periodText,
              // A period of the right kind, language-neutral, for "e.g. Q4/2025".
              example: formatPeriod(defaultPeriodFor(expected, input.now, input.schedule)),
            },
          );
        }
        throw new ValidationError(
          `${code} is not reported by a ${unit.level}`,
          'domain.errors.notDueForLevel',
          {
            code,
            level: unit.level,
          },
        );
      }
      const current = normalizeFigure(code, ind.unit as IndicatorUnitKind, item);
      const rowRef = i === 0 ? ref : `${ref}-${i + 1}`;
      let existing = await lockAndRead(tx, unit.id, code, periodText);
      const data: FigureColumns = {
        numerator: decimalOrNull(current.numerator),
        denominator: decimalOrNull(current.denominator),
        value: decimalOrNull(current.value),
        note: current.note,
        ref: rowRef,
      };
      const change: Change = {
        personId: input.personId,
        channel: input.channel,
        now: input.now,
        about: { unitId: unit.id, indicatorCode: code, period: periodText },
      };
      const newData = toJson({ ...current, status: 'active', ref: rowRef });
      let created: string | undefined;
      if (!existing) {
        // A concurrent first report of the same figure (another reporter of the unit) makes
        // the insert a no-op: then it is a correction of that figure.
        created = await insertFigure(tx, {
          ...change,
          unitId: unit.id,
          indicatorCode: code,
          period: periodText,
          periodStart: dateOnly(periodStart(input.period)),
          data,
          newData,
        });
        if (!created) existing = await lockAndRead(tx, unit.id, code, periodText);
      }
      if (created) {
        results.push({ code, current, created: true, submissionId: created });
      } else {
        if (!existing) throw new Error(`submission ${code} ${periodText} vanished during submit`);
        const before = figureOf(existing);
        const wasActive = existing.status === 'active';
        const oldData = toJson({ ...before, status: existing.status, ref: existing.ref });
        await updateFigure(tx, { ...change, submissionId: existing.id, data, oldData, newData });
        results.push({
          code,
          current,
          created: !wasActive,
          submissionId: existing.id,
          ...(wasActive ? { previous: before } : {}),
        });
      }
    }
    return { ref, period: periodText, items: results };
  });
}

/** The columns a report sets on its figure's row (decimals as exact strings). */
interface FigureColumns {
  numerator: string | null;
  denominator: string | null;
  value: string | null;
  note: string | null;
  ref: string;
}

/** Who changed which figure, when and through which channel. */
interface Change {
  personId: string;
  channel: string;
  now: Date;
  about: { unitId: string; indicatorCode: string; period: string };
}

let idCounter = 0;

/**
 * A row id in the form Prisma's `cuid()` gives (c + time + counter + random, base 36), so ids
 * written by plain statements sort with Prisma's by creation time.
 */
export function newRowId(now = Date.now()): string {
  idCounter = (idCounter + 1) % 36 ** 4;
  return `c${now.toString(36).padStart(8, '0')}${idCounter.toString(36).padStart(4, '0')}${randomBytes(8).toString('hex').slice(0, 12)}`;
}

/** What the audit entry of a figure's change holds: the figure, the old and the new data. */
const auditData = (
  about: Change['about'],
  oldData: unknown,
  newData: unknown,
): Record<string, unknown> => ({
  ...about,
  ...(oldData !== undefined ? { old: oldData } : {}),
  ...(newData !== undefined ? { new: newData } : {}),
});

/**
 * A first report of a figure, its version and its audit entry: one statement (each saved
 * figure paid three model queries before; a model query costs about three times a plain
 * statement's CPU, see bench:webhook). ON CONFLICT DO NOTHING: a concurrent first report of
 * the same figure makes this a no-op (undefined) instead of aborting the transaction; the row
 * inserted is ours (locked) until the transaction ends.
 * @returns the new row's id, or undefined when the figure exists already.
 */
async function insertFigure(
  tx: Prisma.TransactionClient,
  f: Change & {
    unitId: string;
    indicatorCode: string;
    period: string;
    periodStart: Date;
    data: FigureColumns;
    newData: Prisma.InputJsonValue;
  },
): Promise<string | undefined> {
  const { data, now } = f;
  const rows = await tx.$queryRaw<{ id: string }[]>`
    WITH inserted AS (
      INSERT INTO submission (id, unit_id, indicator_code, period, period_start, numerator,
                              denominator, value, note, status, first_submitted_at,
                              last_submitted_at, last_person_id, last_channel, ref)
      VALUES (${newRowId()}, ${f.unitId}, ${f.indicatorCode}, ${f.period},
              ${f.periodStart.toISOString().slice(0, 10)}::date, ${data.numerator}::numeric,
              ${data.denominator}::numeric, ${data.value}::numeric, ${data.note}, 'active', ${now},
              ${now}, ${f.personId}, ${f.channel}, ${data.ref})
      ON CONFLICT DO NOTHING
      RETURNING id
    ), version AS (
      INSERT INTO submission_version (id, submission_id, at, person_id, channel, action, new_data)
      SELECT ${newRowId()}, id, ${now}, ${f.personId}, ${f.channel}, 'create',
             ${JSON.stringify(f.newData)}::jsonb
        FROM inserted
    ), logged AS (
      INSERT INTO audit_log (at, actor, action, entity, entity_id, data)
      SELECT ${now}, ${actorLabel({ personId: f.personId })}, 'submission.create', 'submission',
             id, ${JSON.stringify(auditData(f.about, undefined, f.newData))}::jsonb
        FROM inserted
    )
    SELECT id FROM inserted`;
  return rows[0]?.id;
}

/** A correction: the row, its version and its audit entry in one statement. */
async function updateFigure(
  tx: Prisma.TransactionClient,
  f: Change & {
    submissionId: string;
    data: FigureColumns;
    oldData: Prisma.InputJsonValue;
    newData: Prisma.InputJsonValue;
  },
): Promise<void> {
  const { data, now } = f;
  await tx.$executeRaw`
    WITH changed AS (
      UPDATE submission
         SET numerator = ${data.numerator}::numeric, denominator = ${data.denominator}::numeric,
             value = ${data.value}::numeric, note = ${data.note}, status = 'active',
             last_submitted_at = ${now}, last_person_id = ${f.personId},
             last_channel = ${f.channel}, ref = ${data.ref}
       WHERE id = ${f.submissionId}
      RETURNING id
    ), version AS (
      INSERT INTO submission_version (id, submission_id, at, person_id, channel, action,
                                      old_data, new_data)
      SELECT ${newRowId()}, id, ${now}, ${f.personId}, ${f.channel}, 'update',
             ${JSON.stringify(f.oldData)}::jsonb, ${JSON.stringify(f.newData)}::jsonb
        FROM changed
    )
    INSERT INTO audit_log (at, actor, action, entity, entity_id, data)
    SELECT ${now}, ${actorLabel({ personId: f.personId })}, 'submission.update', 'submission',
           id, ${JSON.stringify(auditData(f.about, f.oldData, f.newData))}::jsonb
      FROM changed`;
}

/**
 * A withdrawal's version row and audit entry, in the submission's transaction (reports and
 * corrections write theirs with the figure, in insertFigure and updateFigure).
 */
async function recordVersion(
  tx: Prisma.TransactionClient,
  v: {
    submissionId: string;
    action: 'withdraw';
    personId: string;
    channel: string;
    now: Date;
    about: { unitId: string; indicatorCode: string; period: string };
    oldData: Prisma.InputJsonValue;
    newData: Prisma.InputJsonValue;
  },
): Promise<void> {
  await tx.submissionVersion.createMany({
    data: [
      {
        submissionId: v.submissionId,
        at: v.now,
        personId: v.personId,
        channel: v.channel,
        action: v.action,
        oldData: v.oldData,
        newData: v.newData,
      },
    ],
  });
  await audit(tx, {
    actor: { personId: v.personId },
    action: `submission.${v.action}`,
    entity: 'submission',
    entityId: v.submissionId,
    at: v.now,
    // A withdrawal shows only the figure withdrawn.
    data: auditData(v.about, v.oldData, undefined),
  });
}

/**
 * Withdraw the current figure of (unit, indicator, period) before the lock. The row stays
 * (status 'withdrawn') with its history, so a later report keeps the first submission time.
 * @throws AccessError not a reporter of the unit; LockedError; NotFoundError when there is no
 *   active figure to withdraw.
 */
export async function withdrawFigure(
  db: DomainDb,
  input: {
    personId: string;
    unitId: string;
    indicatorCode: string;
    period: Period;
    channel: string;
    now: Date;
    schedule: Schedule;
  },
): Promise<{ previous: FigureData; submissionId: string }> {
  const code = input.indicatorCode.toUpperCase();
  const periodText = formatPeriod(input.period);
  return inTransaction(db, async (tx) => {
    const { unit } = await loadContext(tx, input);
    const existing = await tx.submission.findUnique({
      where: {
        unitId_indicatorCode_period: { unitId: unit.id, indicatorCode: code, period: periodText },
      },
    });
    if (!existing || existing.status !== 'active') {
      throw new NotFoundError('submission', `${code} ${periodText}`);
    }
    const previous = figureOf(existing);
    const oldData = toJson({ ...previous, status: 'active', ref: existing.ref });
    const newData = toJson({ ...previous, status: 'withdrawn', ref: existing.ref });
    await tx.submission.update({
      where: { id: existing.id },
      data: { status: 'withdrawn' },
    });
    await recordVersion(tx, {
      submissionId: existing.id,
      action: 'withdraw',
      personId: input.personId,
      channel: input.channel,
      now: input.now,
      about: { unitId: unit.id, indicatorCode: code, period: periodText },
      oldData,
      newData,
    });
    return { previous, submissionId: existing.id };
  });
}

/** The version history of one figure, oldest first. */
export async function figureHistory(
  db: DomainDb,
  input: { unitId: string; indicatorCode: string; period: Period },
) {
  const sub = await db.submission.findUnique({
    where: {
      unitId_indicatorCode_period: {
        unitId: input.unitId,
        indicatorCode: input.indicatorCode.toUpperCase(),
        period: formatPeriod(input.period),
      },
    },
    include: { versions: { orderBy: [{ at: 'asc' }, { id: 'asc' }] } },
  });
  return sub?.versions ?? [];
}
