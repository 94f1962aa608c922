import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import i18next, { type i18n } from 'i18next';
import type { Locale, Translate } from './handler.js';

const LOCALES_DIR = fileURLToPath(new URL('../../locales/', import.meta.url));

export interface I18n {
  readonly defaultLocale: Locale;
  translator(locale: Locale): Translate;
  /** Whether a key exists (for handlers that fall back). */
  has(key: string, locale?: Locale): boolean;
}

/** Load locales/vi.json and locales/en.json into a private i18next instance (no globals). */
export function createI18n(opts: { defaultLocale: Locale; addressForm?: string }): I18n {
  const load = (l: Locale) => JSON.parse(readFileSync(`${LOCALES_DIR}${l}.json`, 'utf8')) as object;
  const instance: i18n = i18next.createInstance();
  void instance.init({
    initAsync: false,
    lng: opts.defaultLocale,
    fallbackLng: 'vi',
    supportedLngs: ['vi', 'en'],
    resources: { vi: { translation: load('vi') }, en: { translation: load('en') } },
    interpolation: {
      escapeValue: false,
      defaultVariables: { addr: opts.addressForm ?? 'anh/chị' },
    },
    returnNull: false,
  });
  const cache = new Map<Locale, Translate>();
  return {
    defaultLocale: opts.defaultLocale,
    translator(locale) {
      let t = cache.get(locale);
      if (!t) {
        const fixed = instance.getFixedT(locale);
        t = (key, vars) => String(fixed(key, vars ?? {}));
        cache.set(locale, t);
      }
      return t;
    },
    has(key, locale) {
      return instance.exists(key, { lng: locale ?? opts.defaultLocale });
    },
  };
}
