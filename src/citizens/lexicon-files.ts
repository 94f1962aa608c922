import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { RerankModel } from './rerank.js';
import type { LexiconTexts } from './search.js';

/** Editable rule files shipped with the repository. */
export const DEFAULT_SYNONYMS_FILE = fileURLToPath(new URL('./synonyms.txt', import.meta.url));
export const DEFAULT_STOPWORDS_FILE = fileURLToPath(new URL('./stopwords.txt', import.meta.url));
export const DEFAULT_POPULAR_FILE = fileURLToPath(new URL('./popular.txt', import.meta.url));
/** Topics the catalogue does not cover (sector licences, other agencies' business). */
export const DEFAULT_OUTSIDE_FILE = fileURLToPath(new URL('./outside.txt', import.meta.url));
/** Re-ranker weights written by `npm run eval:search -- --write-model`. */
export const DEFAULT_MODEL_FILE = fileURLToPath(new URL('./reranker.json', import.meta.url));

/** The trained re-ranker, or undefined when the file is missing or unreadable (prior weights). */
export async function loadRerankModel(file = DEFAULT_MODEL_FILE): Promise<RerankModel | undefined> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as RerankModel;
  } catch {
    return undefined;
  }
}

/** Read the synonyms and stop-words files (paths overridable for tests and provinces). */
export async function loadLexicon(paths?: {
  synonymsFile?: string;
  stopwordsFile?: string;
  popularFile?: string;
  outsideFile?: string;
}): Promise<LexiconTexts> {
  const [synonymsText, stopwordsText, popularText, outsideText, model] = await Promise.all([
    readFile(paths?.synonymsFile ?? DEFAULT_SYNONYMS_FILE, 'utf8'),
    readFile(paths?.stopwordsFile ?? DEFAULT_STOPWORDS_FILE, 'utf8'),
    readFile(paths?.popularFile ?? DEFAULT_POPULAR_FILE, 'utf8'),
    readFile(paths?.outsideFile ?? DEFAULT_OUTSIDE_FILE, 'utf8'),
    loadRerankModel(),
  ]);
  return { synonymsText, stopwordsText, popularText, outsideText, ...(model ? { model } : {}) };
}
