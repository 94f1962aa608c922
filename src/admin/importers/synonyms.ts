/**
 * `import synonyms <file.txt>`: the province's own synonym rules for the citizens' search, in
 * the format of src/citizens/synonyms.txt (`cách nói 1 | cách nói 2 => cụm từ trong danh mục`,
 * `#` comments). They are added to the built-in rules (and win over a built-in rule for the
 * same words) on every instance: the import bumps the `synonyms` data version, which rebuilds
 * each instance's search index on its next update. The file is the whole set of the
 * province's rules: re-importing replaces the previous set; an empty file removes them.
 */
import type { Prisma } from '../../db/client.js';
import { tokenize } from '../../citizens/lexicon.js';
import type { ApplyContext, ImportSummary, Importer, ParseResult, RowError } from '../importers.js';

export interface SynonymRow {
  line: number;
  rule: string;
}

/** One rule per line; every bad line is reported with its number. */
export function parseSynonymsFile(content: Buffer): ParseResult<SynonymRow[]> {
  const errors: RowError[] = [];
  const out: SynonymRow[] = [];
  const lines = content
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = i + 1;
    const rule = raw.normalize('NFC').replace(/#.*$/, '').trim();
    if (!rule) return;
    const sides = rule.split('=>');
    if (sides.length !== 2) {
      errors.push({ line, message: 'expected "cách nói | cách nói => cụm từ trong danh mục"' });
      return;
    }
    const [lhs = '', rhs = ''] = sides;
    if (tokenize(rhs).length === 0) {
      errors.push({ line, message: 'nothing after "=>"' });
      return;
    }
    const variants = lhs.split('|').map((v) => tokenize(v));
    if (variants.some((v) => v.length === 0)) {
      errors.push({ line, message: 'an empty variant before "=>"' });
      return;
    }
    if (rule.length > 2000) {
      errors.push({ line, message: 'rule longer than 2000 characters' });
      return;
    }
    out.push({ line, rule });
  });
  return errors.length ? { ok: false, errors } : { ok: true, value: out, rows: out.length };
}

async function applySynonyms(
  tx: Prisma.TransactionClient,
  rows: SynonymRow[],
  ctx: ApplyContext,
): Promise<ImportSummary> {
  const existing = new Map(
    (await tx.searchSynonym.findMany()).map((r) => [r.line, r.rule] as const),
  );
  const unchanged = rows.filter((r) => existing.get(r.line) === r.rule).length;
  const removed = [...existing.keys()].filter((l) => !rows.some((r) => r.line === l)).length;
  await tx.searchSynonym.deleteMany();
  if (rows.length) await tx.searchSynonym.createMany({ data: rows });
  ctx.progress(rows.length, rows.length);
  return {
    counts: { rules: rows.length, unchanged, changed: rows.length - unchanged, removed },
    message: 'The search index is rebuilt with these rules on every instance at its next message.',
  };
}

export const importer: Importer<SynonymRow[]> = {
  kind: 'synonyms',
  usage: 'import synonyms <file.txt>',
  description:
    'one rule per line, "cách nói 1 | cách nói 2 => cụm từ trong danh mục", # comments ' +
    '(added to src/citizens/synonyms.txt; the file replaces the previously imported rules)',
  parse: (content) => parseSynonymsFile(content),
  apply: (tx, rows, ctx) => applySynonyms(tx, rows, ctx),
};
