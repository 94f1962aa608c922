/**
 * Zalo Bot has no inline keyboards: buttons are shown as numbered options and the user answers
 * with the number or the option's word. The options offered last are remembered per chat in an
 * OptionsStore, which the composition root backs with the conversation state store (shared by
 * all instances); the in-memory one is for tests and single-process development.
 */
import {
  conversationKey,
  type Button,
  type InboundMessage,
  type OutboundReply,
} from '../../core/message.js';
import { fold } from '../../text/vietnamese.js';
import { splitText } from '../text-split.js';

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

/**
 * The numbered-options behaviour of a platform without buttons (Zalo Bot, Zalo OA) as adapter
 * pieces: send a reply with its options listed (split at the text limit), map a typed number
 * or word back to the button, and remember what the last reply offered.
 */
export function numberedOptions(deps: {
  store?: OptionsStore;
  /** Texts of the hints under the options. */
  t: (key: string) => string;
  textLimit: number;
  sendText(chatId: string, text: string): Promise<unknown>;
}) {
  return {
    /** Send one reply with its options; returns the options offered. */
    async sendReply(chatId: string, reply: OutboundReply): Promise<OfferedOption[]> {
      const options = flattenButtons(reply);
      const hintKey = optionsHintKey(options);
      const text = renderWithOptions(reply.text, options, hintKey ? deps.t(hintKey) : undefined);
      for (const part of splitText(text, deps.textLimit)) await deps.sendText(chatId, part);
      return options;
    },
    /**
     * A typed number or option word becomes the button it names. In a group the options are
     * the member's own (kept per (chat, user)), and answering them is addressed to us.
     */
    async prepare(msg: InboundMessage): Promise<InboundMessage> {
      if (msg.text === undefined || !deps.store) return msg;
      // In a group only an answer to options is worth a look-up: anything else addressed to us
      // is a command or a mention, never a bare number.
      if (msg.chatType === 'group' && msg.addressed) return msg;
      const options = await deps.store.get(conversationKey(msg));
      const data = options ? matchOption(msg.text, options) : undefined;
      return data === undefined
        ? msg
        : {
            ...msg,
            button: data,
            text: undefined,
            ...(msg.chatType === 'group' ? { addressed: true } : {}),
          };
    },
    /** Remember the options the last reply offered (or forget them when it offered none). */
    async remember(chatId: string, offered: OfferedOption[] | undefined): Promise<void> {
      await deps.store?.set(chatId, offered && offered.length > 0 ? offered : null);
    },
  };
}
