import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { normalizeInput } from '../text/vietnamese.js';
import { toOnlineLevel, type ProcedureRecord } from './types.js';

/** The seed catalogue shipped with the repository (201 procedures). */
export const SEED_PROCEDURES_CSV = fileURLToPath(
  new URL('../../prisma/seed/procedures.csv', import.meta.url),
);

type Row = Record<string, string | undefined>;

function opt(v: string | undefined): string | null {
  const s = normalizeInput(v ?? '').trim();
  return s === '' ? null : s;
}

/**
 * Parse a procedures CSV (columns code,name_vi,field,level_source,level_2025,online_level,
 * online_level_detail,processing_time,fee,portal_url,source). Used by tests and the bench,
 * and as the fallback source when no database is given; the admin import validates strictly,
 * this loader only skips rows without a code or name.
 */
export function parseProceduresCsv(text: string): ProcedureRecord[] {
  const rows = parse(text, {
    columns: true,
    skip_empty_lines: true,
    bom: true,
    trim: true,
  }) as Row[];
  const out: ProcedureRecord[] = [];
  for (const r of rows) {
    const code = opt(r['code']);
    const name = opt(r['name_vi']);
    if (!code || !name) continue;
    out.push({
      code,
      name,
      field: opt(r['field']) ?? '',
      levelSource: opt(r['level_source']),
      level: opt(r['level_2025']),
      onlineLevel: toOnlineLevel(r['online_level']),
      onlineLevelDetail: opt(r['online_level_detail']),
      processingTime: opt(r['processing_time']),
      fee: opt(r['fee']),
      portalUrl: opt(r['portal_url']),
      source: opt(r['source']),
    });
  }
  return out;
}

/** Read and parse a procedures CSV file (default: the seed catalogue). */
export async function loadProceduresCsv(
  path: string = SEED_PROCEDURES_CSV,
): Promise<ProcedureRecord[]> {
  return parseProceduresCsv(await readFile(path, 'utf8'));
}
