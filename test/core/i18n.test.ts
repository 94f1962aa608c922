import { readdirSync } from 'node:fs';
import i18next from 'i18next';
import { describe, expect, it } from 'vitest';
import { createI18n, loadLocaleTree } from '../../src/core/i18n.js';

type Tree = { [key: string]: string | Tree };

/** Every text's key and its text, depth first. */
function* texts(tree: Tree, at = ''): Generator<[string, string]> {
  for (const [k, v] of Object.entries(tree)) {
    const key = at ? `${at}.${k}` : k;
    if (typeof v === 'string') yield [key, v];
    else yield* texts(v, key);
  }
}

describe('translations', () => {
  const i18n = createI18n({ defaultLocale: 'vi', texts: ['basics'] });
  const vi = i18n.translator('vi');
  const en = i18n.translator('en');

  it('give the same constant text every time, in each language', () => {
    expect(vi('basics.help.title')).toBe('Hướng dẫn sử dụng:');
    expect(vi('basics.help.title')).toBe('Hướng dẫn sử dụng:');
    expect(en('basics.help.title')).not.toBe('Hướng dẫn sử dụng:');
    expect(en('basics.help.title')).toBe(en('basics.help.title'));
  });

  it('interpolate variables afresh on every call', () => {
    expect(vi('common.tooLong', { length: 5000, max: 4000 })).toContain('5000');
    expect(vi('common.tooLong', { length: 4100, max: 4000 })).toContain('4100');
    expect(en('common.tooLong', { length: 4100, max: 4000 })).toContain('4100');
  });

  it('answer a missing text with the default value given with it', () => {
    expect(vi('basics.nothing.here', { defaultValue: '' })).toBe('');
    expect(vi('basics.nothing.here', { defaultValue: 'x' })).toBe('x');
    expect(vi('basics.nothing.here', { defaultValue: '' })).toBe('');
  });

  it('fill in the configured form of address in constant texts', () => {
    const formal = createI18n({ defaultLocale: 'vi', addressForm: 'ông/bà', texts: ['dashboard'] });
    const plain = createI18n({ defaultLocale: 'vi', texts: ['dashboard'] });
    const key = 'dashboard.privateOnly';
    expect(formal.translator('vi')(key)).toContain('Xin ông/bà nhắn');
    expect(plain.translator('vi')(key)).toContain('Xin anh/chị nhắn');
    expect(formal.translator('vi')(key)).toContain('Xin ông/bà nhắn');
  });

  it('render every text with variables exactly as i18next does, in both languages', () => {
    const features = readdirSync(new URL('../../locales/vi/', import.meta.url))
      .map((f) => f.replace(/\.json$/, ''))
      .filter((f) => f !== 'core');
    const ours = createI18n({ defaultLocale: 'vi', addressForm: 'ông/bà', texts: features });
    const reference = i18next.createInstance();
    void reference.init({
      initAsync: false,
      lng: 'vi',
      fallbackLng: 'vi',
      supportedLngs: ['vi', 'en'],
      resources: {
        vi: { translation: loadLocaleTree('vi', features) },
        en: { translation: loadLocaleTree('en', features) },
      },
      interpolation: { escapeValue: false, defaultVariables: { addr: 'ông/bà' } },
      returnNull: false,
    });
    let withVariables = 0;
    for (const locale of ['vi', 'en'] as const) {
      const t = ours.translator(locale);
      const fixed = reference.getFixedT(locale);
      for (const [key, text] of texts(loadLocaleTree(locale, features))) {
        const names = [...text.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!);
        if (names.length === 0) continue;
        withVariables++;
        // Strings, numbers, a value with braces of its own, one variable left out, the form
        // of address given, a plural count: each as i18next renders it.
        const variants: Record<string, unknown>[] = [
          Object.fromEntries(names.map((n, i) => [n, `«${n}»`.repeat(i + 1)])),
          Object.fromEntries(names.map((n, i) => [n, i * 7 + 0.5])),
          Object.fromEntries(names.map((n) => [n, `{{${n}}} $t(x)`])),
          Object.fromEntries(names.slice(1).map((n) => [n, 'x'])),
          { ...Object.fromEntries(names.map((n) => [n, 'v'])), addr: 'em' },
          { ...Object.fromEntries(names.map((n) => [n, 'v'])), count: 2 },
        ];
        for (const vars of variants)
          expect(t(key.replace(/_(one|other)$/, ''), vars), `${locale} ${key}`).toBe(
            String(fixed(key.replace(/_(one|other)$/, ''), vars)),
          );
      }
    }
    expect(withVariables).toBeGreaterThan(200);
  });
});
