import type { Handler, Locale } from '../src/core/handler.js';
import { commandArgs } from '../src/core/router.js';
import { fold } from '../src/text/vietnamese.js';

const GREETINGS = [
  'bat dau',
  'xin chao',
  'chao',
  'chao ban',
  'chao bot',
  'alo',
  'hello',
  'hi',
  'start',
];
const HELP_WORDS = ['tro giup', 'huong dan', 'help', 'giup', 'giup do', 'menu', '?'];

/** Is the whole message (folded, without closing punctuation) one of the phrases? */
function isExactly(text: string | undefined, phrases: readonly string[]): boolean {
  if (!text) return false;
  const folded = fold(text).replace(/[.!?,\s]+$/u, '');
  return (
    phrases.includes(folded) || (folded === '' && phrases.includes('?') && text.trim() === '?')
  );
}

/** /start (and a Zalo OA follow): greet, say what the bot does for each kind of user. */
export const startHandler: Handler = {
  name: 'start',
  transactional: false,
  commands: ['/start', '/batdau'],
  // Whole-message greetings only: "chào, cho hỏi làm khai sinh" is a question for the lookup.
  match: (ctx) => ctx.msg.event === 'follow' || isExactly(ctx.msg.text, GREETINGS),
  async handle(ctx) {
    const name = ctx.msg.displayName?.trim();
    const welcome = name ? ctx.t('common.welcome', { name }) : ctx.t('common.welcomeAnon');
    ctx.reply({
      text: [welcome, ctx.t('common.welcomeRole'), ctx.t('common.welcomeNext')].join('\n\n'),
    });
  },
};

/** /help: what the bot does for staff, managers and citizens. */
export const helpHandler: Handler = {
  name: 'help',
  transactional: false,
  commands: ['/help', '/trogiup', '/huongdan'],
  // Whole-message only: "hướng dẫn làm hộ chiếu" is a citizen's question.
  match: (ctx) => isExactly(ctx.msg.text, HELP_WORDS),
  async handle(ctx) {
    ctx.reply({ text: ctx.t('common.help') });
  },
};

/** /lang vi|en — the choice is kept in the conversation state. */
export const langHandler: Handler = {
  name: 'lang',
  transactional: false,
  commands: ['/lang', '/ngonngu'],
  buttons: ['lang:'],
  async handle(ctx) {
    const arg = ctx.msg.button?.slice('lang:'.length) ?? fold(commandArgs(ctx.msg.text));
    const wanted: Locale | undefined =
      arg === 'vi' || arg === 'tieng viet'
        ? 'vi'
        : arg === 'en' || arg === 'english'
          ? 'en'
          : undefined;
    if (!wanted) {
      ctx.reply({
        text: ctx.t('common.langUsage'),
        buttons: [
          [
            { label: ctx.t('common.langButtonVi'), data: 'lang:vi' },
            { label: ctx.t('common.langButtonEn'), data: 'lang:en' },
          ],
        ],
      });
      return;
    }
    ctx.setState({ ...ctx.state, locale: wanted });
    // Answer in the language just chosen.
    ctx.reply({ text: ctx.tFor(wanted)('common.langSet') });
  },
};

/** Input nobody handles: a helpful answer in the user's language. */
export const fallbackHandler: Handler = {
  name: 'fallback',
  transactional: false,
  async handle(ctx) {
    if (ctx.msg.button !== undefined) {
      ctx.reply({ text: ctx.t('common.unknownButton') });
      return;
    }
    const text = (ctx.msg.text ?? '').trim();
    const shown = text.length > 60 ? `${text.slice(0, 57)}…` : text;
    ctx.reply({ text: ctx.t('common.unknown', { text: shown }) });
  },
};
