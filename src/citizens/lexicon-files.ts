import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { LexiconTexts } from './search.js';

/** Editable rule files shipped with the repository. */
export const DEFAULT_SYNONYMS_FILE = fileURLToPath(new URL('./synonyms.txt', import.meta.url));
export const DEFAULT_STOPWORDS_FILE = fileURLToPath(new URL('./stopwords.txt', import.meta.url));
export const DEFAULT_POPULAR_FILE = fileURLToPath(new URL('./popular.txt', import.meta.url));

/** Read the synonyms and stop-words files (paths overridable for tests and provinces). */
export async function loadLexicon(paths?: {
  synonymsFile?: string;
  stopwordsFile?: string;
  popularFile?: string;
}): Promise<LexiconTexts> {
  const [synonymsText, stopwordsText, popularText] = await Promise.all([
    readFile(paths?.synonymsFile ?? DEFAULT_SYNONYMS_FILE, 'utf8'),
    readFile(paths?.stopwordsFile ?? DEFAULT_STOPWORDS_FILE, 'utf8'),
    readFile(paths?.popularFile ?? DEFAULT_POPULAR_FILE, 'utf8'),
  ]);
  return { synonymsText, stopwordsText, popularText };
}
