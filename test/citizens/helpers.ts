/** A citizen search / service over the real seed catalogue, built once per test file. */
import { loadProceduresCsv } from '../../src/citizens/catalog-csv.js';
import { loadFaq } from '../../src/citizens/faq.js';
import { loadLexicon } from '../../src/citizens/lexicon-files.js';
import { CitizenSearch } from '../../src/citizens/search.js';
import type { SearchHit } from '../../src/citizens/types.js';

export async function seedSearch(): Promise<CitizenSearch> {
  return new CitizenSearch(await loadProceduresCsv(), await loadFaq(), await loadLexicon());
}

/** 'code' for procedures, 'faq:<id>' for FAQ entries. */
export function hitId(h: SearchHit): string {
  return h.kind === 'procedure' ? h.procedure.code : `faq:${h.faq.id}`;
}
