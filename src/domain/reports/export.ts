/**
 * Period export: one row per unit and indicator due in the period, reported or not.
 * CSV for machines (exact English header, dot decimals, ISO 8601 times at +07:00, empty cells
 * for missing figures); XLSX for people (Vietnamese headers, frozen header row, number and
 * date formats), written by ./xlsx-writer.ts.
 */
import { toSafeCsv } from '../../text/csv-safe.js';
import type { PeriodRow } from './period-rows.js';
import { writeXlsx, type XlsxCell, type XlsxColumn } from './xlsx-writer.js';

export const CSV_HEADER = [
  'unit_code',
  'unit_name',
  'indicator_code',
  'period',
  'numerator',
  'denominator',
  'value',
  'unit',
  'target',
  'target_met',
  'first_submitted_at',
  'last_submitted_at',
  'on_time',
] as const;

/** Vietnamese column titles of the XLSX export, same order as CSV_HEADER. */
export const XLSX_HEADER_VI = [
  'Mã đơn vị',
  'Tên đơn vị',
  'Mã chỉ tiêu',
  'Kỳ báo cáo',
  'Tử số',
  'Mẫu số',
  'Giá trị',
  'Đơn vị tính',
  'Chỉ tiêu',
  'Đạt chỉ tiêu',
  'Nộp lần đầu',
  'Nộp lần cuối',
  'Đúng hạn',
] as const;

const VN_OFFSET_MS = 7 * 3600_000;

/** ISO 8601 local time in Asia/Ho_Chi_Minh with its offset: 2025-11-03T09:15:00+07:00. */
export function isoVn(d: Date): string {
  return `${new Date(d.getTime() + VN_OFFSET_MS).toISOString().slice(0, 19)}+07:00`;
}

/** Dot decimals, no exponent, no trailing zeros; '' for null. */
export function csvNumber(n: number | null | undefined): string {
  if (n === null || n === undefined) return '';
  return String(Math.round(n * 10_000) / 10_000);
}

function bool(b: boolean | null | undefined): string {
  return b === null || b === undefined ? '' : b ? 'true' : 'false';
}

/** The CSV cells of one row, in CSV_HEADER order. */
export function csvCells(r: PeriodRow): string[] {
  return [
    r.unit.code,
    r.unit.name,
    r.indicator.code,
    r.period,
    csvNumber(r.figure?.numerator),
    csvNumber(r.figure?.denominator),
    csvNumber(r.figure?.value),
    r.indicator.unit,
    csvNumber(r.target?.target),
    r.figure ? bool(r.target?.met) : '',
    r.firstSubmittedAt ? isoVn(r.firstSubmittedAt) : '',
    r.lastSubmittedAt ? isoVn(r.lastSubmittedAt) : '',
    bool(r.onTime),
  ];
}

/** The whole CSV document (header + rows, LF line ends, RFC 4180 quoting). */
export function toCsv(rows: readonly PeriodRow[]): string {
  return toSafeCsv(rows.map(csvCells), CSV_HEADER);
}

/** Local wall-clock time as a "floating" Date, which is how Excel stores date-times. */
function excelLocal(d: Date | null): Date | null {
  return d ? new Date(d.getTime() + VN_OFFSET_MS) : null;
}

const UNIT_VI: Record<string, string> = { percent: '%', count: 'số lượng', boolean: 'có/không' };

/**
 * The XLSX workbook bytes: Vietnamese headers, frozen header row, number formats for figures
 * and dd/mm/yyyy hh:mm for times (Asia/Ho_Chi_Minh wall clock).
 */
export async function toXlsx(rows: readonly PeriodRow[], period: string): Promise<Buffer> {
  const yesNo = (b: boolean | null | undefined) =>
    b === null || b === undefined ? null : b ? 'Có' : 'Không';
  const columns: XlsxColumn[] = [
    { header: XLSX_HEADER_VI[0], width: 11 },
    { header: XLSX_HEADER_VI[1], width: 30 },
    { header: XLSX_HEADER_VI[2], width: 12 },
    { header: XLSX_HEADER_VI[3], width: 11 },
    { header: XLSX_HEADER_VI[4], width: 11, numFmt: '#,##0.####' },
    { header: XLSX_HEADER_VI[5], width: 11, numFmt: '#,##0.####' },
    { header: XLSX_HEADER_VI[6], width: 10, numFmt: '#,##0.0#' },
    { header: XLSX_HEADER_VI[7], width: 11 },
    { header: XLSX_HEADER_VI[8], width: 10, numFmt: '#,##0.##' },
    { header: XLSX_HEADER_VI[9], width: 12 },
    { header: XLSX_HEADER_VI[10], width: 17, numFmt: 'dd/mm/yyyy hh:mm' },
    { header: XLSX_HEADER_VI[11], width: 17, numFmt: 'dd/mm/yyyy hh:mm' },
    { header: XLSX_HEADER_VI[12], width: 10 },
  ];
  function* cells(): Generator<XlsxCell[]> {
    for (const r of rows) {
      yield [
        r.unit.code,
        r.unit.name,
        r.indicator.code,
        r.period,
        r.figure?.numerator ?? null,
        r.figure?.denominator ?? null,
        r.figure?.value ?? null,
        UNIT_VI[r.indicator.unit] ?? r.indicator.unit,
        r.target?.target ?? null,
        r.figure ? yesNo(r.target?.met) : null,
        excelLocal(r.firstSubmittedAt),
        excelLocal(r.lastSubmittedAt),
        yesNo(r.onTime),
      ];
    }
  }
  return writeXlsx(`Kỳ ${period}`, columns, cells());
}
