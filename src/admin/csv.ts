/**
 * CSV reading for importers: header-keyed records with the file line number of each record,
 * so every bad row can be reported as "line N: reason".
 */
import { parse } from 'csv-parse/sync';
import { UsageError } from './types.js';

export interface CsvRow {
  /** 1-based line of the file where the record starts (the header is line 1). */
  line: number;
  values: Record<string, string>;
}

/**
 * Parses CSV text (UTF-8, optional BOM, comma separated, quoted fields, CRLF or LF).
 * Checks that `required` columns are present in the header (UsageError otherwise).
 * Cells are trimmed and NFC-normalised.
 */
export function readCsv(
  text: string,
  required: readonly string[],
): { header: string[]; rows: CsvRow[] } {
  let records: { record: string[]; info: { lines: number; raw?: string } }[];
  try {
    records = parse(text.normalize('NFC'), {
      bom: true,
      relax_column_count: true,
      record_delimiter: ['\r\n', '\n', '\r'],
      skip_empty_lines: true,
      info: true,
      raw: true,
    }) as unknown as { record: string[]; info: { lines: number; raw?: string } }[];
  } catch (err) {
    throw new UsageError(`not a valid CSV file: ${(err as Error).message}`);
  }
  const first = records[0];
  if (!first) throw new UsageError('the file is empty');
  const header = first.record.map((h) => h.trim());
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length) {
    throw new UsageError(
      `missing column(s): ${missing.join(', ')} (header is: ${header.join(',')})`,
    );
  }
  const rows: CsvRow[] = [];
  for (const { record, info } of records.slice(1)) {
    if (record.every((c) => c.trim() === '')) continue;
    const values: Record<string, string> = {};
    header.forEach((h, i) => {
      values[h] = (record[i] ?? '').trim();
    });
    // info.lines is the line where the record ends; subtract embedded newlines to get its start.
    const embedded = (info.raw?.replace(/\r?\n$/, '').match(/\n/g) ?? []).length;
    rows.push({ line: info.lines - embedded, values });
  }
  return { header, rows };
}
