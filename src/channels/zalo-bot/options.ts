/**
 * Zalo Bot has no inline keyboards: buttons are shown as numbered options and the user answers
 * with the number or the option's word. The options offered last are remembered per chat in an
 * OptionsStore, which the composition root backs with the conversation state store (shared by
 * all instances); the in-memory one is for tests and single-process development.
 */
import type { Button, OutboundReply } from '../../core/message.js';
import { fold } from '../../text/vietnamese.js';

export interface OptionsStore {
  get(chatId: string): Promise<Button[] | undefined>;
  /** `null` forgets the options (the last reply offered none). */
  set(chatId: string, options: Button[] | null): Promise<void>;
}

/** OptionsStore in a Map: one process only. */
export function createMemoryOptionsStore(): OptionsStore & { map: Map<string, Button[]> } {
  const map = new Map<string, Button[]>();
  return {
    map,
    async get(chatId) {
      return map.get(chatId);
    },
    async set(chatId, options) {
      if (options && options.length > 0) map.set(chatId, options);
      else map.delete(chatId);
    },
  };
}

/** An offered option; `wordsOnly` when the reply also takes free text (numbers are answers). */
export type OfferedOption = Button & { wordsOnly?: true };

/** Flatten button rows to the numbered list order. */
export function flattenButtons(reply: OutboundReply): OfferedOption[] {
  const options = (reply.buttons ?? []).flat();
  return reply.freeText ? options.map((o) => ({ ...o, wordsOnly: true as const })) : options;
}

/** The hint under the options: numbers, or words only when a typed number is an answer. */
export function optionsHintKey(options: readonly OfferedOption[]): string | undefined {
  if (options.length === 0) return undefined;
  return options[0]?.wordsOnly ? 'channel.optionsHintWords' : 'channel.optionsHint';
}

/** "text\n\n1. Xác nhận\n2. Sửa\nhint" — the options as the user sees them. */
export function renderWithOptions(text: string, options: OfferedOption[], hint?: string): string {
  if (options.length === 0) return text;
  const list = options
    .map((o, i) => (o.wordsOnly ? `• ${o.label}` : `${i + 1}. ${o.label}`))
    .join('\n');
  return `${text}\n\n${list}${hint ? `\n${hint}` : ''}`;
}

/**
 * Map a typed answer back to the option's data: "2", "2.", "số 2" or the option's label
 * (without diacritics, any case), or a unique option whose label starts with what was typed
 * (at least two letters). Undefined when nothing matches, so the text goes on as text.
 */
export function matchOption(text: string, options: OfferedOption[]): string | undefined {
  if (options.length === 0) return undefined;
  const wordsOnly = options[0]?.wordsOnly === true;
  const input = fold(text)
    .replace(/[.)!]+$/, '')
    .trim();
  if (input === '') return undefined;
  const num = /^(?:so\s*|#)?(\d{1,2})$/.exec(input);
  if (num) return wordsOnly ? undefined : options[Number(num[1]) - 1]?.data;
  const folded = options.map((o) => fold(o.label));
  const exact = folded.indexOf(input);
  if (exact >= 0) return options[exact]?.data;
  if (input.length >= 2) {
    const prefixed = folded.flatMap((label, i) => (label.startsWith(input) ? [i] : []));
    if (prefixed.length === 1) return options[prefixed[0] ?? -1]?.data;
  }
  return undefined;
}
