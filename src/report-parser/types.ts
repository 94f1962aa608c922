/**
 * The report parser's input (the indicator catalogue as the parser sees it) and output.
 */
import type { Period, Periodicity } from '../domain/periods.js';

export type IndicatorUnit = 'percent' | 'count' | 'boolean';

/** One indicator as the parser needs it. */
export interface IndicatorDef {
  /** Short ASCII code people type (HSTT, HSCV, …). Upper case. */
  code: string;
  /** Official Vietnamese name (also matched, folded). */
  nameVi: string;
  unit: IndicatorUnit;
  periodicity: Periodicity;
  /** Search aliases, any spelling (they are folded before matching); may be several words. */
  aliases: readonly string[];
  /** What a percentage counts and out of what (`numerator_vi`, `denominator_vi`): their words
   * may describe a figure ("tiếp nhận 140 hồ sơ, trong đó 98 hồ sơ trực tuyến"). */
  numeratorLabel?: string | null;
  denominatorLabel?: string | null;
  /** Unit levels from the catalogue's `applies_to` (used by the schedule, not the parser). */
  appliesTo?: readonly string[];
}

/** [start, end) character offsets in `normalizeInput(text)`. */
export type Span = readonly [number, number];

/** One figure understood from a message. */
export interface ParsedItem {
  code: string;
  /** Percent indicators given as `120/150`. */
  numerator?: number;
  denominator?: number;
  /**
   * Percent indicators: the percentage 0–100 (derived from numerator/denominator, or as typed;
   * absent for `0/0`, which means "nothing to count this period");
   * counts: the count; booleans: 1 (yes) or 0 (no).
   */
  value?: number;
  /** A percent indicator given as a bare percentage: numerator and denominator are missing. */
  barePercent?: boolean;
  /** Boolean indicators. */
  boolean?: boolean;
  /** The period the figure is for: the one named in the message, else the default period. */
  period: Period;
  /** True when the message named the period. */
  periodExplicit: boolean;
  /** Where the indicator and its value were written. */
  span: Span;
}

/** A part of the message not understood, as a message key for the handler to translate. */
export interface ParseError {
  /** Key in locales/*.json, under `parse.error.*`. */
  key: string;
  /** Interpolation variables, already formatted for display (numbers in Vietnamese style). */
  vars: Record<string, string>;
  span: Span;
  /**
   * The likely correction, when there is one: replace `span` of the NFC text with `text`
   * (a code for a slip in a name, `98/140` for two counts). Never applied silently.
   */
  fix?: { span: Span; text: string };
  /** Indicator codes a shared short form may mean ("hồ sơ" → HSTT, HSCV, HSSK). */
  candidates?: string[];
}

export type ParseResult =
  | {
      ok: true;
      /** The period named in the message, if any. */
      period?: Period;
      items: ParsedItem[];
    }
  | { ok: false; errors: ParseError[] };
