/**
 * Basics: greeting (/start), help built from every feature's declared commands, language
 * choice, and the fallback for input nobody handles.
 */
import { visibleCommands, type Audience, type Feature } from '../../src/core/feature.js';
import type { Handler, HandlerContext, Locale } from '../../src/core/handler.js';
import { commandButton } from '../../src/core/conversation.js';
import { commandArgs, commandOf } from '../../src/core/router.js';
import { editDistance } from '../../src/text/edit-distance.js';
import type { AppServices } from '../../src/services/index.js';
import { fold } from '../../src/text/vietnamese.js';

type Ctx = HandlerContext<AppServices>;

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

/** Whose commands this sender sees; a failed lookup shows everyone's only. */
async function audiencesOf(ctx: Ctx): Promise<Audience[]> {
  return (await ctx.services.people.sender()).audiences;
}

/** /start (and a Zalo OA follow): greet, say what the bot does for each kind of user. */
export const startHandler = {
  name: 'start',
  priority: 20,
  transactional: false,
  commands: [
    {
      name: 'start',
      aliases: ['batdau'],
      args: 'none',
      audience: ['everyone'],
      description: 'basics.commands.start',
    },
  ],
  // Whole-message greetings only: "chào, cho hỏi làm khai sinh" is a question for the lookup.
  match: (ctx: Ctx) => ctx.msg.event === 'follow' || isExactly(ctx.msg.text, GREETINGS),
  async handle(ctx: Ctx) {
    const name = ctx.msg.displayName?.trim();
    const welcome = name ? ctx.t('common.welcome', { name }) : ctx.t('common.welcomeAnon');
    ctx.reply({
      text: [welcome, ctx.t('common.welcomeRole'), ctx.t('common.welcomeNext')].join('\n\n'),
    });
    const audiences = await audiencesOf(ctx);
    if (audiences.length > 1) ctx.setMenu(audiences);
  },
} satisfies Feature<AppServices>['handlers'][number];

/** The help text for these audiences: every listed command they see, then the features' tips. */
export function helpText(ctx: Ctx, audiences: readonly Audience[]): string {
  const lines = [ctx.t('basics.help.title'), ''];
  for (const c of visibleCommands(ctx.commands, audiences)) {
    const usage = ctx.t(`${c.description}Usage`, { defaultValue: '' });
    lines.push(`• /${c.name}${usage ? ` ${usage}` : ''} — ${ctx.t(c.description)}`);
  }
  const tips = (['everyone', 'reporter', 'manager', 'admin'] as const)
    .filter((a) => a === 'everyone' || audiences.includes(a))
    .map((a) => ctx.t(`basics.help.tips.${a}`, { defaultValue: '' }))
    .filter((s) => s !== '');
  if (tips.length > 0) lines.push('', ...tips);
  return lines.join('\n');
}

/** /help: the commands this sender may use, from the features' declarations. */
export const helpHandler = {
  name: 'help',
  priority: 20,
  transactional: false,
  commands: [
    {
      name: 'help',
      aliases: ['trogiup', 'huongdan'],
      audience: ['everyone'],
      description: 'basics.commands.help',
    },
  ],
  // Whole-message only: "hướng dẫn làm hộ chiếu" is a citizen's question.
  match: (ctx: Ctx) => isExactly(ctx.msg.text, HELP_WORDS),
  async handle(ctx: Ctx) {
    const audiences = await audiencesOf(ctx);
    ctx.reply({ text: helpText(ctx, audiences) });
    if (audiences.length > 1) ctx.setMenu(audiences);
  },
} satisfies Feature<AppServices>['handlers'][number];

/** /lang vi|en — the choice is stored per identity (and person) in the database. */
export const langHandler = {
  name: 'lang',
  priority: 20,
  commands: [
    {
      name: 'lang',
      aliases: ['ngonngu'],
      audience: ['everyone'],
      description: 'basics.commands.lang',
    },
  ],
  buttons: ['lang:'],
  async handle(ctx: Ctx) {
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
    // In the database (per identity, and on the person when linked): it outlives the
    // conversation state. In a group it is this user's choice, not the chat's.
    await ctx.services.people.setLocale(wanted, ctx.now());
    ctx.setState({ ...ctx.state, locale: wanted });
    // Answer in the language just chosen.
    ctx.reply({ text: ctx.tFor(wanted)('common.langSet') });
  },
} satisfies Feature<AppServices>['handlers'][number];

/**
 * The declared command closest to an unknown one ("/baocaoo" → "/baocao"): at most two slips
 * (one for short names), among the commands this sender sees.
 */
export function closestCommand(
  typed: string,
  commands: Ctx['commands'],
  audiences: readonly Audience[],
): string | undefined {
  const word = fold(typed).replace(/^\//, '');
  let best: { name: string; d: number } | undefined;
  for (const c of visibleCommands(commands, audiences)) {
    for (const n of [c.name, ...(c.aliases ?? [])]) {
      const max = Math.min(2, Math.floor(n.length / 3));
      const d = editDistance(word, n, max);
      if (d <= max && (!best || d < best.d)) best = { name: c.name, d };
    }
  }
  return best?.name;
}

/** Input nobody handles: a helpful answer in the user's language. */
export const fallbackHandler: Handler<AppServices> = {
  name: 'fallback',
  transactional: false,
  async handle(ctx) {
    if (ctx.msg.button !== undefined) {
      ctx.reply({ text: ctx.t('common.unknownButton') });
      return;
    }
    const command = commandOf(ctx.msg.text);
    if (command) {
      const likely = closestCommand(command, ctx.commands, await audiencesOf(ctx));
      ctx.reply(
        likely
          ? {
              text: ctx.t('common.unknownCommandSuggest', { typed: command, likely: `/${likely}` }),
              buttons: [[commandButton(`/${likely}`, `/${likely}`)]],
            }
          : { text: ctx.t('common.unknownCommand', { typed: command }) },
      );
      return;
    }
    const text = (ctx.msg.text ?? '').trim();
    const shown = text.length > 60 ? `${text.slice(0, 57)}…` : text;
    ctx.reply({ text: ctx.t('common.unknown', { text: shown }) });
  },
};

export const basics: Feature<AppServices> = {
  name: 'basics',
  handlers: [startHandler, helpHandler, langHandler],
};
