/**
 * Period export: one row per unit and indicator due in the period, reported or not.
 * CSV for machines (exact English header, dot decimals, ISO 8601 times at +07:00, empty cells
 * for missing figures); XLSX for people (Vietnamese headers, frozen header row, number and
 * date formats), written by ./xlsx-writer.ts.
 */
import { toSafeCsv, type CsvDialect } from '../../text/csv-safe.js';
import { aggregateRows } from './aggregate.js';
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
export function toCsv(rows: readonly PeriodRow[], dialect: CsvDialect = 'standard'): string {
  return toSafeCsv(rows.map(csvCells), CSV_HEADER, dialect);
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

export type ExportLayout = 'long' | 'wide';

const TARGET_SIGN: Record<string, string> = { '>=': '≥', '>': '>' };

const collator = new Intl.Collator('vi', { sensitivity: 'base', numeric: true });

interface WideColumn {
  header: string;
  numFmt?: string;
  width: number;
}

/**
 * The wide table: one row per unit, one column group per indicator (numerator, denominator and
 * value for percentages; the value otherwise; then whether the target is met), a total row
 * (sums, and the aggregate as aggregateRows computes it: Σ numerators / Σ denominators).
 */
export function wideTable(rows: readonly PeriodRow[]): {
  groups: { label: string; span: number }[];
  columns: WideColumn[];
  body: XlsxCell[][];
} {
  const aggregates = aggregateRows(rows);
  const targetOf = new Map<string, string>();
  for (const r of rows)
    if (r.target && !targetOf.has(r.indicator.code))
      targetOf.set(
        r.indicator.code,
        `${TARGET_SIGN[r.target.op] ?? r.target.op} ${r.target.target}`,
      );
  const groups: { label: string; span: number }[] = [{ label: '', span: 2 }];
  const columns: WideColumn[] = [
    { header: 'Mã đơn vị', width: 11 },
    { header: 'Tên đơn vị', width: 30 },
  ];
  for (const a of aggregates) {
    const t = targetOf.get(a.code);
    const cols: WideColumn[] =
      a.unit === 'percent'
        ? [
            { header: `${a.code} tử số`, width: 10, numFmt: '#,##0.####' },
            { header: `${a.code} mẫu số`, width: 10, numFmt: '#,##0.####' },
            { header: `${a.code} tỉ lệ (%)`, width: 10, numFmt: '#,##0.0#' },
          ]
        : [
            {
              header: `${a.code} ${a.unit === 'boolean' ? '(có/không)' : 'giá trị'}`,
              width: 10,
              ...(a.unit === 'count' ? { numFmt: '#,##0.##' } : {}),
            },
          ];
    cols.push({ header: `${a.code} đạt CT${t ? ` (${t})` : ''}`, width: 12 });
    groups.push({
      label: `${a.code} — ${a.nameVi}${t ? ` (chỉ tiêu ${t}${a.unit === 'percent' ? '%' : ''})` : ''}`,
      span: cols.length,
    });
    columns.push(...cols);
  }
  groups.push({ label: '', span: 2 });
  columns.push({ header: 'Phải nộp', width: 9 }, { header: 'Đã nộp', width: 9 });
  const byUnit = new Map<string, { unit: PeriodRow['unit']; rows: Map<string, PeriodRow> }>();
  for (const r of rows) {
    const u = byUnit.get(r.unit.id) ?? { unit: r.unit, rows: new Map<string, PeriodRow>() };
    u.rows.set(r.indicator.code, r);
    byUnit.set(r.unit.id, u);
  }
  const units = [...byUnit.values()].sort((a, b) => collator.compare(a.unit.name, b.unit.name));
  const yesNo = (b: boolean | null | undefined) =>
    b === null || b === undefined ? null : b ? 'Có' : 'Không';
  const body: XlsxCell[][] = units.map(({ unit, rows: mine }) => {
    const line: XlsxCell[] = [unit.code, unit.name];
    let due = 0;
    let reported = 0;
    for (const a of aggregates) {
      const r = mine.get(a.code);
      if (r) due++;
      if (r?.figure) reported++;
      const f = r?.figure ?? null;
      if (a.unit === 'percent')
        line.push(f?.numerator ?? null, f?.denominator ?? null, f?.value ?? null);
      else if (a.unit === 'boolean')
        line.push(f ? yesNo(f.value === null ? null : f.value === 1) : null);
      else line.push(f?.value ?? null);
      line.push(r && f ? yesNo(r.target?.met) : r ? null : '—');
    }
    line.push(due, reported);
    return line;
  });
  const total: XlsxCell[] = ['', 'Tổng cộng (tỉ lệ: Σ tử số / Σ mẫu số)'];
  let due = 0;
  let reported = 0;
  for (const a of aggregates) {
    due += a.due;
    reported += a.reported;
    if (a.unit === 'percent')
      total.push(
        a.numerator,
        a.denominator,
        a.value === null ? null : Math.round(a.value * 100) / 100,
      );
    else if (a.unit === 'boolean')
      total.push(a.value === null ? null : `${Math.round(a.value * 10) / 10}% có`);
    else total.push(a.value);
    const met = rows.filter((r) => r.indicator.code === a.code && r.figure && r.target?.met).length;
    total.push(`${met}/${a.due} đạt`);
  }
  total.push(due, reported);
  body.push(total);
  return { groups, columns, body };
}

/** The wide workbook: title block, indicator groups, frozen unit columns, autofilter. */
export function toXlsxWide(
  rows: readonly PeriodRow[],
  o: { period: string; scope: string; exportedAt: Date },
): Buffer {
  const t = wideTable(rows);
  const at = new Date(o.exportedAt.getTime() + VN_OFFSET_MS).toISOString();
  return writeXlsx(`Kỳ ${o.period}`, t.columns, t.body, {
    title: [
      `Báo cáo chuyển đổi số — kỳ ${o.period}`,
      `Đơn vị: ${o.scope}`,
      `Xuất lúc ${at.slice(8, 10)}/${at.slice(5, 7)}/${at.slice(0, 4)} ${at.slice(11, 16)} (giờ Việt Nam)`,
    ],
    groups: t.groups,
    freezeColumns: 2,
    autoFilter: true,
  });
}

/** The wide table as CSV: one header row ("HSCV tử số", …), same cells. */
export function toCsvWide(rows: readonly PeriodRow[], dialect: CsvDialect = 'standard'): string {
  const t = wideTable(rows);
  const cells = t.body.map((r) =>
    r.map((c) => (c instanceof Date ? isoVn(c) : typeof c === 'number' ? csvNumber(c) : c)),
  );
  return toSafeCsv(
    cells,
    t.columns.map((c) => c.header),
    dialect,
  );
}
