import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { loadLocaleTree } from '../../../src/core/i18n.js';
import { describe, expect, it } from 'vitest';

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sources(p)));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}

function has(obj: unknown, key: string): boolean {
  let cur: unknown = obj;
  for (const part of key.split('.')) {
    if (typeof cur !== 'object' || cur === null || !(part in cur)) return false;
    cur = (cur as Record<string, unknown>)[part];
  }
  return typeof cur === 'string';
}

describe('domain error texts', () => {
  it('exist in Vietnamese and English for every key the domain throws', async () => {
    const files = [
      'src/domain/access.ts',
      ...(await sources('src/domain/people')),
      ...(await sources('src/domain/submissions')),
    ];
    const keys = new Set<string>();
    for (const f of files) {
      for (const m of (await readFile(f, 'utf8')).matchAll(/'(domain\.errors\.[A-Za-z.]+)'/g)) {
        keys.add(m[1] ?? '');
      }
      for (const m of (await readFile(f, 'utf8')).matchAll(/`domain\.errors\.invitation\.\$\{/g)) {
        void m;
        for (const r of ['malformed', 'unknown', 'expired', 'used', 'revoked']) {
          keys.add(`domain.errors.invitation.${r}`);
        }
      }
    }
    expect(keys.size).toBeGreaterThan(20);
    for (const lang of ['vi', 'en']) {
      const json: unknown = loadLocaleTree(lang as 'vi' | 'en');
      const missing = [...keys].filter((k) => !has(json, k));
      expect(missing, lang).toEqual([]);
    }
  });
});
