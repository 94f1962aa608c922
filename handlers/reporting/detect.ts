/**
 * Is a free-text message a report? The parser's `looksLikeReport` knows `bc …`, `báo cáo …`
 * and `CODE value …`; staff also start with the period (`T10/2025 HSTT 120/150`,
 * `kỳ 10/2025 HSCV 65%`), so a leading period (with or without "kỳ") is skipped first.
 */
import { matchPeriodAt } from '../../src/domain/periods.js';
import { looksLikeReport } from '../../src/report-parser/parser.js';
import type { IndicatorDef } from '../../src/report-parser/types.js';
import { normalizeInput } from '../../src/text/vietnamese.js';
import { foldWithOffsets } from '../../src/report-parser/lexer.js';

/** True when the text is clearly meant as a report (see the module comment). */
export function isReportText(text: string, catalogue: readonly IndicatorDef[], now: Date): boolean {
  if (looksLikeReport(text, catalogue)) return true;
  const src = normalizeInput(text).trim();
  const { text: folded, origin } = foldWithOffsets(src);
  const start = /^(?:ky(?:\s+bao\s+cao)?\s*:?\s*)?/.exec(folded)?.[0].length ?? 0;
  const m = matchPeriodAt(folded, start, now, true);
  if (!m || !m.ok) return false;
  const rest = src.slice(origin[m.end] ?? src.length).replace(/^[\s,:;.-]+/, '');
  return rest !== '' && looksLikeReport(rest, catalogue);
}
