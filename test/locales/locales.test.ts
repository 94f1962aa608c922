/**
 * Every text exists in both languages: each key of locales/vi/<file>.json has its English
 * counterpart in locales/en/<file>.json and the other way round (plural forms aside:
 * Vietnamese has one form, English `_one` and `_other`), and no text is empty.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

type Tree = { [key: string]: string | Tree };
const DIR = new URL('../../locales/', import.meta.url);

function texts(tree: Tree, at = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = at ? `${at}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of texts(v, key)) out.set(kk, vv);
  }
  return out;
}

const read = (lang: string, file: string) =>
  texts(JSON.parse(readFileSync(new URL(`${lang}/${file}`, DIR), 'utf8')) as Tree);
const base = (key: string) => key.replace(/_(zero|one|two|few|many|other)$/, '');

describe('locales', () => {
  const files = readdirSync(new URL('vi/', DIR)).filter((f) => f.endsWith('.json'));

  it('have the same files in Vietnamese and English', () => {
    expect(readdirSync(new URL('en/', DIR)).sort()).toEqual([...files].sort());
    expect(files).toContain('dashboard.json');
  });

  it.each(files)('%s: every key in both languages, none empty', (file) => {
    const vi = read('vi', file);
    const en = read('en', file);
    const viKeys = new Set([...vi.keys()].map(base));
    const enKeys = new Set([...en.keys()].map(base));
    expect(
      [...viKeys].filter((k) => !enKeys.has(k)),
      'missing in English',
    ).toEqual([]);
    expect(
      [...enKeys].filter((k) => !viKeys.has(k)),
      'missing in Vietnamese',
    ).toEqual([]);
    for (const [k, v] of [...vi, ...en]) expect(v.trim(), k).not.toBe('');
  });

  it('the dashboard pages have their texts in both languages', () => {
    const en = read('en', 'dashboard.json');
    for (const key of ['brand', 'matrix.heading', 'unit.trail', 'audit.submission.create'])
      expect(en.get(`dashboard.web.${key}`), key).toBeTruthy();
  });
});
