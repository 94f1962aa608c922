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
  // The variables every text may use without being given them: i18next's and the fast path's.
  const defaults: Record<string, unknown> = { addr: opts.addressForm ?? 'anh/chị' };
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
      defaultVariables: defaults,
    },
    returnNull: false,
  });
  const trees = {
    vi: instance.getResourceBundle('vi', 'translation') as Tree,
    en: instance.getResourceBundle('en', 'translation') as Tree,
  };
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
        // A text with plain {{name}} variables is split once into its parts (see compile).
        const compiled = new Map<string, Template | null>();
        const tree = trees[locale] ?? {};
        t = (key, vars) => {
          const keys = vars === undefined ? 0 : Object.keys(vars).length;
          const cacheable =
            keys === 0 ||
            (keys === 1 && typeof (vars as { defaultValue?: unknown }).defaultValue === 'string');
          if (!cacheable) {
            let template = compiled.get(key);
            if (template === undefined) {
              template = compile(lookup(tree, key));
              compiled.set(key, template);
            }
            const fast = template && fill(template, vars!, defaults);
            return fast ?? String(fixed(key, vars ?? {}));
          }
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

/** A text split at its variables: literal, name, literal, name, …, literal. */
type Template = readonly string[];

/** The text at `key` in one language's tree (keys with a namespace are left to i18next). */
function lookup(tree: Tree, key: string): string | undefined {
  if (key.includes(':')) return undefined;
  let node: string | Tree | undefined = tree;
  for (const part of key.split('.')) {
    if (node === undefined || typeof node === 'string') return undefined;
    node = node[part];
  }
  return typeof node === 'string' ? node : undefined;
}

const VARIABLE = /\{\{(.*?)\}\}/g;
const PLAIN_NAME = /^\s*(\w+)\s*$/;

/**
 * Split a text at its variables when every one is a plain `{{name}}` and nothing else of
 * i18next's is in play (nesting, formats, unescaped `{{- x}}`); otherwise null: i18next
 * renders it.
 */
function compile(text: string | undefined): Template | null {
  if (text === undefined || text.includes('$t(')) return null;
  const parts: string[] = [];
  let last = 0;
  for (const m of text.matchAll(VARIABLE)) {
    const name = PLAIN_NAME.exec(m[1] ?? '')?.[1];
    if (name === undefined) return null;
    parts.push(text.slice(last, m.index), name);
    last = m.index + m[0].length;
  }
  parts.push(text.slice(last));
  return parts;
}

/** i18next's options that change which text is chosen: those calls go to i18next itself. */
const OPTIONS = new Set([
  'count',
  'context',
  'defaultValue',
  'lng',
  'lngs',
  'ns',
  'ordinal',
  'returnObjects',
  'returnDetails',
  'joinArrays',
  'replace',
  'interpolation',
  'fallbackLng',
  'keyPrefix',
  'postProcess',
]);

/**
 * The text with its variables put in, as i18next would (values as strings, no escaping); or
 * undefined when a variable is missing or not a plain value, or an option is given: then
 * i18next renders it.
 */
function fill(
  template: Template,
  vars: Record<string, unknown>,
  defaults: Record<string, unknown>,
): string | undefined {
  for (const k in vars) if (OPTIONS.has(k)) return undefined;
  let out = template[0] ?? '';
  for (let i = 1; i < template.length; i += 2) {
    const name = template[i]!;
    const value = name in vars ? vars[name] : defaults[name];
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean')
      return undefined;
    out += String(value) + (template[i + 1] ?? '');
  }
  return out;
}
