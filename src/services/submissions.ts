/**
 * Figures as the reporting handlers use them: read what a unit has reported, check a period is
 * open, submit and withdraw — bound to the update's transaction.
 */
import type { DbClient } from '../db/client.js';
import type { ReadStatement } from '../db/raw.js';
import { Prisma } from '../db/generated/client.js';
import { formatPeriod, type Period } from '../domain/periods.js';
import type { Schedule } from '../domain/schedule.js';
import {
  assertOpen,
  figureOf,
  getUnitStatus,
  openFigures,
  submitFigures,
  withdrawFigure,
  type FigureData,
  type OpenFigure,
  type SubmitInput,
  type SubmitResult,
  type UnitStatus,
} from '../domain/submissions/index.js';

/** A figure as read by a plain statement (numeric columns as Prisma decodes them). */
interface FigureRow {
  indicator_code: string;
  period: string;
  numerator: { toString(): string } | null;
  denominator: { toString(): string } | null;
  value: { toString(): string } | null;
  note: string | null;
}

export interface SubmissionsService {
  /** Active figures of a unit for some indicators in one period, by indicator code. */
  activeFigures(
    unitId: string,
    codes: readonly string[],
    period: Period,
  ): Promise<Map<string, FigureData>>;
  /**
   * The same for several periods in one read: one map per period, in the order given (an
   * empty map where the unit has none).
   */
  activeFiguresIn(
    unitId: string,
    codes: readonly string[],
    periods: readonly Period[],
  ): Promise<Map<string, FigureData>[]>;
  /** Codes of the indicators a unit has an active figure for in a period. */
  reportedCodes(unitId: string, period: Period): Promise<Set<string>>;
  /** Which of these units have an active figure for the indicator and period. */
  unitsWithFigure(unitIds: readonly string[], code: string, period: Period): Promise<string[]>;
  /** @throws LockedError naming who can reopen when (unit, period) is locked at `now`. */
  assertOpen(
    unit: { id: string; name: string },
    period: Period,
    now: Date,
    schedule: Schedule,
  ): Promise<void>;
  submit(input: SubmitInput): Promise<SubmitResult>;
  withdraw(input: Parameters<typeof withdrawFigure>[1]): ReturnType<typeof withdrawFigure>;
  /** Active figures of these units that can still be withdrawn (period not locked). */
  openFigures(unitIds: readonly string[], now: Date, schedule: Schedule): Promise<OpenFigure[]>;
  /** A unit's own status for its current periods (what /trangthai shows). */
  unitStatus(unitId: string, now: Date, schedule: Schedule): Promise<UnitStatus>;
  /** The receipt of a draft already confirmed under `key` (chat + flow token), if any. */
  confirmedReceipt(key: string): Promise<string | null>;
  /**
   * Record that the draft `key` was confirmed, in the update's transaction: a second
   * confirmation of the same draft (even concurrent) cannot save again.
   */
  recordConfirmed(key: string, personId: string, receipt: string, at: Date): Promise<void>;
}

export function createSubmissionsService(
  db: DbClient,
  /** Reads outside a transaction through the driver adapter (src/db/raw.ts) when given. */
  read: ReadStatement = (sql) => db.$queryRaw(sql),
): SubmissionsService {
  return {
    // Both on every confirmation: plain statements (a third of a model query's CPU).
    async confirmedReceipt(key) {
      const rows = await db.$queryRaw<{ receipt: string }[]>`
        SELECT receipt FROM confirmed_draft WHERE key = ${key}`;
      return rows[0]?.receipt ?? null;
    },
    async recordConfirmed(key, personId, receipt, at) {
      // A second record of the same key fails (primary key), ending its transaction.
      await db.$executeRaw`
        INSERT INTO confirmed_draft (key, person_id, receipt, at)
        VALUES (${key}, ${personId}, ${receipt}, ${at})`;
    },
    async activeFigures(unitId, codes, period) {
      return (await this.activeFiguresIn(unitId, codes, [period]))[0]!;
    },
    async activeFiguresIn(unitId, codes, periods) {
      const texts = periods.map(formatPeriod);
      // On every report and confirmation: a plain statement (a model query costs three times
      // the CPU; see bench:webhook).
      const rows =
        codes.length === 0 || texts.length === 0
          ? []
          : await read<FigureRow>(Prisma.sql`
              SELECT indicator_code, period, numerator, denominator, value, note
                FROM submission
               WHERE unit_id = ${unitId}
                 AND indicator_code IN (${Prisma.join([...codes])})
                 AND period IN (${Prisma.join([...new Set(texts)])})
                 AND status = 'active'`);
      return texts.map(
        (text) =>
          new Map(
            rows.filter((r) => r.period === text).map((r) => [r.indicator_code, figureOf(r)]),
          ),
      );
    },
    async reportedCodes(unitId, period) {
      const rows = await db.submission.findMany({
        where: { unitId, period: formatPeriod(period), status: 'active' },
        select: { indicatorCode: true },
      });
      return new Set(rows.map((r) => r.indicatorCode));
    },
    async unitsWithFigure(unitIds, code, period) {
      const rows = await db.submission.findMany({
        where: {
          unitId: { in: [...unitIds] },
          indicatorCode: code,
          period: formatPeriod(period),
          status: 'active',
        },
        select: { unitId: true },
      });
      return rows.map((r) => r.unitId);
    },
    assertOpen: (unit, period, now, schedule) => assertOpen(db, unit, period, now, schedule),
    submit: (input) => submitFigures(db, input),
    withdraw: (input) => withdrawFigure(db, input),
    unitStatus: (unitId, now, schedule) => getUnitStatus(db, { unitId, now, schedule }),
    openFigures: (unitIds, now, schedule) => openFigures(db, { unitIds, now, schedule }),
  };
}
