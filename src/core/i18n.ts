import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import i18next, { type i18n } from 'i18next';
import type { Locale, Translate } from './handler.js';

const LOCALES_DIR = fileURLToPath(new URL('../../locales/', import.meta.url));

/** The texts every feature shares: the conversation core, channels, domain errors. */
export const CORE_TEXTS = 'core';

export interface I18n {
  readonly defaultLocale: Locale;
  translator(locale: Locale): Translate;
  /** Whether a key exists (for handlers that fall back). */
  has(key: string, locale?: Locale): boolean;
}

type Tree = { [key: string]: string | Tree };

/**
 * Merge `from` into `into`; a text defined by two files is an error naming the key and both
 * files (features must not overwrite each other's texts).
 */
function mergeInto(into: Tree, from: Tree, file: string, owners: Map<string, string>, at = '') {
  for (const [k, v] of Object.entries(from)) {
    const key = at ? `${at}.${k}` : k;
    if (typeof v === 'string') {
      const other = owners.get(key);
      if (other !== undefined || typeof into[k] === 'object')
        throw new Error(`locale text ${key} is defined in ${other ?? 'a group'} and in ${file}`);
      owners.set(key, file);
      into[k] = v;
    } else {
      const target = into[k];
      if (typeof target === 'string')
        throw new Error(`locale text ${key} is defined in ${owners.get(key)} and in ${file}`);
      const next: Tree = target ?? {};
      into[k] = next;
      mergeInto(next, v, file, owners, key);
    }
  }
}

/**
 * One language's texts: `locales/<locale>/core.json` and each feature's
 * `locales/<locale>/<name>.json`, merged (no key may be defined twice).
 */
export function loadLocaleTree(locale: Locale, files: readonly string[] = []): Tree {
  const tree: Tree = {};
  const owners = new Map<string, string>();
  for (const name of [CORE_TEXTS, ...files.filter((f) => f !== CORE_TEXTS)]) {
    const file = `${locale}/${name}.json`;
    const data = JSON.parse(readFileSync(`${LOCALES_DIR}${file}`, 'utf8')) as Tree;
    mergeInto(tree, data, file, owners);
  }
  return tree;
}

/**
 * A private i18next instance (no globals) over the core texts and the given features' texts,
 * Vietnamese first, English second.
 */
export function createI18n(opts: {
  defaultLocale: Locale;
  addressForm?: string;
  /** Locale file names of the features (default: every feature of the bot). */
  texts?: readonly string[];
}): I18n {
  const texts = opts.texts ?? ['basics', 'reporting', 'citizens'];
  const instance: i18n = i18next.createInstance();
  void instance.init({
    initAsync: false,
    lng: opts.defaultLocale,
    fallbackLng: 'vi',
    supportedLngs: ['vi', 'en'],
    resources: {
      vi: { translation: loadLocaleTree('vi', texts) },
      en: { translation: loadLocaleTree('en', texts) },
    },
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
        // The texts never change after start: a text without variables (a default value
        // aside) is the same every time, so it is looked up and interpolated once.
        const constant = new Map<string, string>();
        t = (key, vars) => {
          const keys = vars === undefined ? 0 : Object.keys(vars).length;
          const cacheable =
            keys === 0 ||
            (keys === 1 && typeof (vars as { defaultValue?: unknown }).defaultValue === 'string');
          if (!cacheable) return String(fixed(key, vars ?? {}));
          const id = keys === 0 ? key : `${key}\u0000${String(vars!.defaultValue)}`;
          let text = constant.get(id);
          if (text === undefined) {
            text = String(fixed(key, vars ?? {}));
            constant.set(id, text);
          }
          return text;
        };
        cache.set(locale, t);
      }
      return t;
    },
    has(key, locale) {
      return instance.exists(key, { lng: locale ?? opts.defaultLocale });
    },
  };
}
