/**
 * Render a completeness report for the `status` command: an aligned text table for people,
 * CSV or JSON for scripts.
 */
import { stringify } from 'csv-stringify/sync';
import type { CompletenessReport } from './completeness.js';

export type StatusFormat = 'table' | 'csv' | 'json';

const pct = (x: number) => `${(Math.round(x * 1000) / 10).toFixed(1).replace('.', ',')}%`;

/** The report in the requested format, ending with a newline. */
export function formatStatus(report: CompletenessReport, format: StatusFormat): string {
  if (format === 'json') return `${JSON.stringify(report, null, 2)}\n`;
  const header = [
    'unit_code',
    'unit_name',
    'due',
    'submitted',
    'on_time',
    'late',
    'missing',
    'completeness',
    'timeliness',
    'missing_indicators',
  ];
  if (format === 'csv') {
    return stringify(
      [
        header,
        ...report.units.map((u) => [
          u.unitCode,
          u.unitName,
          u.due,
          u.submitted,
          u.onTime,
          u.late,
          u.missing,
          (Math.round(u.completeness * 10_000) / 10_000).toString(),
          (Math.round(u.timeliness * 10_000) / 10_000).toString(),
          u.missingCodes.join(' '),
        ]),
      ],
      { record_delimiter: '\n' },
    );
  }
  const rows = [
    ['Mã', 'Đơn vị', 'Phải nộp', 'Đã nộp', 'Đúng hạn', 'Muộn', 'Thiếu', 'Đầy đủ', 'Kịp thời'],
    ...report.units.map((u) => [
      u.unitCode,
      u.unitName,
      String(u.due),
      String(u.submitted),
      String(u.onTime),
      String(u.late),
      String(u.missing),
      pct(u.completeness),
      pct(u.timeliness),
    ]),
    [
      '',
      `Tổng (${report.total.units} đơn vị)`,
      String(report.total.due),
      String(report.total.submitted),
      String(report.total.onTime),
      String(report.total.late),
      String(report.total.missing),
      pct(report.total.completeness),
      pct(report.total.timeliness),
    ],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => [...(r[i] ?? '')].length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => (i >= 2 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `Kỳ ${report.period}\n${rows.map(line).join('\n')}\n`;
}
