/**
 * The dashboard pages' texts in the viewer's language: the `dashboard.web.*` texts of
 * locales/<lang>/dashboard.json, and numbers, percentages and times formatted the way that
 * language writes them (times always in Vietnam's time zone).
 */
import type { Locale, Translate } from '../core/handler.js';
import { formatDateTimeVi } from '../text/numbers.js';

export interface PageTexts {
  lang: Locale;
  /** A `dashboard.web.<key>` text. */
  t: Translate;
  /** The bot's texts in the same language (domain errors, managers' notices). */
  bot: Translate;
  /** A number (up to 4 decimals): `1.234,5` in Vietnamese, `1,234.5` in English. */
  num(n: number): string;
  /** A percentage already on the 0–100 scale, one decimal: `65,5%`, `65.5%`. */
  pct(n: number): string;
  /** A time in Vietnam: `17:00 05/11/2025`, `5 Nov 2025, 17:00`. */
  dateTime(d: Date): string;
  /** An indicator's name in this language (the Vietnamese one when it has no other). */
  name(i: { nameVi: string; nameEn?: string | null }): string;
}

const EN_TIME = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Asia/Ho_Chi_Minh',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

const formats = {
  vi: {
    num: new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 4 }),
    pct: new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1, useGrouping: false }),
    dateTime: formatDateTimeVi,
  },
  en: {
    num: new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 }),
    pct: new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, useGrouping: false }),
    dateTime: (d: Date) => EN_TIME.format(d),
  },
} satisfies Record<Locale, unknown>;

/** The page texts of `lang`, over the bot's translator of that language. */
export function pageTexts(lang: Locale, bot: Translate): PageTexts {
  const f = formats[lang];
  return {
    lang,
    t: (key, vars) => bot(`dashboard.web.${key}`, vars),
    bot,
    num: (n) => f.num.format(n),
    pct: (n) => `${f.pct.format(Math.round(n * 10) / 10)}%`,
    dateTime: (d) => f.dateTime(d),
    name: (i) => (lang === 'en' && i.nameEn ? i.nameEn : i.nameVi),
  };
}
