/**
 * CSV cells that a spreadsheet cannot run: a text cell starting with `=`, `+`, `-`, `@`, tab or
 * carriage return is read by Excel and LibreOffice as a formula (CSV injection), so it is
 * prefixed with `'`. Numbers — and text that is exactly a plain decimal number, as figures are
 * written — stay numbers.
 */
import { stringify } from 'csv-stringify/sync';

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/;

/** The cell as written to CSV: neutralised when a spreadsheet would take it for a formula. */
export function csvSafe(cell: string | number | null | undefined): string | number {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return cell;
  return FORMULA_START.test(cell) && !PLAIN_NUMBER.test(cell) ? `'${cell}` : cell;
}

/**
 * Excel on Windows with a Vietnamese (or any comma-decimal) locale: UTF-8 with BOM, `;`
 * between cells, decimal comma in plain numbers.
 */
export type CsvDialect = 'standard' | 'excel';

/** A whole CSV document (LF line ends, RFC 4180 quoting) with every cell neutralised. */
export function toSafeCsv(
  rows: readonly (readonly (string | number | null | undefined)[])[],
  header?: readonly string[],
  dialect: CsvDialect = 'standard',
): string {
  const excel = dialect === 'excel';
  const cell = (c: string | number | null | undefined) => {
    const safe = csvSafe(c);
    if (!excel) return safe;
    const text = String(safe);
    return PLAIN_NUMBER.test(text) ? text.replace('.', ',') : text;
  };
  const body = rows.map((r) => r.map(cell));
  const out = stringify(header ? [[...header], ...body] : body, {
    record_delimiter: excel ? '\r\n' : '\n',
    ...(excel ? { delimiter: ';' } : {}),
  });
  return excel ? `\uFEFF${out}` : out;
}
