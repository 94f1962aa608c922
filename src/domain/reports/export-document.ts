/**
 * One export document, as the CLI's `export` command and the dashboard's download links both
 * produce it: the period's rows (scoped to a subtree), in CSV or XLSX, long (one row per unit
 * and indicator) or wide (one row per unit), CSV in the standard or Excel dialect.
 */
import type { CsvDialect } from '../../text/csv-safe.js';
import type { DomainDb } from '../access.js';
import { formatPeriod, type Period } from '../periods.js';
import type { Schedule } from '../schedule.js';
import { toCsv, toCsvWide, toXlsx, toXlsxWide, type ExportLayout } from './export.js';
import { periodRows } from './period-rows.js';

export type ExportFormat = 'csv' | 'xlsx';

export interface ExportRequest {
  period: Period;
  schedule: Schedule;
  format: ExportFormat;
  layout?: ExportLayout;
  dialect?: CsvDialect;
  rootUnitCode?: string;
  indicatorCodes?: readonly string[];
  /** Written in the wide layout's title block. */
  exportedAt: Date;
}

export interface ExportDocument {
  data: string | Buffer;
  rows: number;
  contentType: string;
  /** A file name without directory: bao-cao-<unit>-<period>[-ngang].<ext>. */
  fileName: string;
}

export async function exportDocument(db: DomainDb, q: ExportRequest): Promise<ExportDocument> {
  const rows = await periodRows(db, {
    period: q.period,
    schedule: q.schedule,
    ...(q.rootUnitCode ? { rootUnitCode: q.rootUnitCode } : {}),
    ...(q.indicatorCodes ? { indicatorCodes: q.indicatorCodes } : {}),
  });
  const periodText = formatPeriod(q.period);
  const wide = q.layout === 'wide';
  let scope = 'toàn quốc';
  if (q.rootUnitCode) {
    const root = await db.unit.findFirst({
      where: { code: q.rootUnitCode, effectiveTo: null },
      select: { name: true },
    });
    scope = root?.name ?? q.rootUnitCode;
  }
  const base = `bao-cao-${q.rootUnitCode ?? 'tat-ca'}-${periodText.replace(/[^0-9A-Za-z]+/g, '-')}${wide ? '-ngang' : ''}`;
  if (q.format === 'xlsx') {
    const data = wide
      ? toXlsxWide(rows, { period: periodText, scope, exportedAt: q.exportedAt })
      : await toXlsx(rows, periodText);
    return {
      data,
      rows: rows.length,
      contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      fileName: `${base}.xlsx`,
    };
  }
  const dialect = q.dialect ?? 'standard';
  return {
    data: wide ? toCsvWide(rows, dialect) : toCsv(rows, dialect),
    rows: rows.length,
    contentType: 'text/csv; charset=utf-8',
    fileName: `${base}.csv`,
  };
}
