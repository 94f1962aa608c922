/**
 * Linking a chat identity to a unit and role with an invitation code: `/link <code>`,
 * `/lienket <code>`, `liên kết <code>`, and the Telegram deep link `/start <code>`. A linked
 * person who sends `/link` alone gets a fresh self-link code to attach another platform's
 * identity to the same person (it grants no membership). Refused in group chats.
 */
import { commandArgs, commandOf, startsWithPhrase } from '../../src/core/router.js';
import type { FeatureHandler } from '../../src/core/feature.js';
import { DomainError } from '../../src/domain/access.js';
import {
  ChannelPausedError,
  IdentityLinkedError,
  InvitationError,
  RateLimitedError,
  normalizeInviteCode,
} from '../../src/domain/people/index.js';
import type { AppServices } from '../../src/services/index.js';
import { formatDateTimeVi } from '../../src/text/numbers.js';
import { fold } from '../../src/text/vietnamese.js';
import type { Ctx } from './flow.js';

/** The code typed after the command or keyword ('' when none). */
function codeArg(ctx: Ctx): string {
  const text = ctx.msg.text ?? '';
  if (commandOf(text)) return commandArgs(text);
  const words = text.trim().split(/\s+/);
  // Drop the two words of "liên kết".
  return fold(words.slice(0, 2).join(' ')) === 'lien ket' ? words.slice(2).join(' ') : text.trim();
}

async function link(ctx: Ctx, code: string): Promise<void> {
  const { t } = ctx;
  try {
    const r = await ctx.services.people.redeem(code, ctx.now());
    const role = t(`report.link.role.${r.role}`);
    if (r.kind === 'self_link') {
      ctx.reply({ text: t('report.link.selfLinked', { unit: r.unit.name, role }) });
      ctx.setMenu((await ctx.services.people.sender()).audiences);
      return;
    }
    const head = r.alreadyMember
      ? t('report.link.already', { unit: r.unit.name, role })
      : t('report.link.done', { unit: r.unit.name, role });
    ctx.reply({ text: [head, t(`report.link.next.${r.role}`)].join('\n') });
    // The platform's command menu now shows this role's commands too.
    ctx.setMenu((await ctx.services.people.sender()).audiences);
  } catch (err) {
    // The failed attempt was recorded: answer (so the transaction commits and the rate limit
    // counts it) instead of rethrowing.
    if (err instanceof RateLimitedError) {
      ctx.reply({ text: t('report.link.rateLimited', { at: formatDateTimeVi(err.retryAt) }) });
      return;
    }
    if (err instanceof ChannelPausedError) {
      ctx.reply({ text: t('report.link.paused') });
      return;
    }
    if (err instanceof IdentityLinkedError) {
      ctx.reply({ text: t('report.link.linkedElsewhere') });
      return;
    }
    if (err instanceof InvitationError) {
      const left =
        err.attemptsLeft > 0
          ? ` ${t('report.link.attemptsLeft', { count: err.attemptsLeft })}`
          : '';
      ctx.reply({ text: `${t(`report.link.error.${err.reason}`)}${left}` });
      return;
    }
    throw err;
  }
}

/** `/link` without a code: how to get one, or (already linked) a code for another platform. */
async function usage(ctx: Ctx): Promise<void> {
  try {
    const made = await ctx.services.people.createLinkCode(ctx.now());
    if (!made) {
      ctx.reply({ text: ctx.t('report.link.usage') });
      return;
    }
    ctx.reply({
      text: ctx.t('report.link.otherPlatform', {
        code: made.code,
        until: formatDateTimeVi(made.expiresAt),
      }),
    });
  } catch (err) {
    if (err instanceof DomainError) {
      ctx.reply({ text: ctx.t('report.link.usage') });
      return;
    }
    throw err;
  }
}

/**
 * `/link`, and the Telegram deep link `/start <code>` (a bare `/start` is the greeting of the
 * basics feature: the two claim `/start` with and without arguments).
 */
export const linkHandler: FeatureHandler<AppServices> = {
  name: 'report.link',
  priority: 60,
  commands: [
    {
      name: 'link',
      aliases: ['lienket'],
      audience: ['everyone'],
      description: 'report.commands.link',
    },
    { name: 'start', args: 'required', audience: ['everyone'], description: '', listed: false },
  ],
  // "liên kết ABCD-EFGH" only: "liên kết tài khoản VNeID thế nào?" is a citizen's question.
  match: (ctx) => {
    const text = ctx.msg.text ?? '';
    return (
      !commandOf(text) &&
      startsWithPhrase(fold(text), 'lien ket') &&
      normalizeInviteCode(codeArg(ctx)) !== null
    );
  },
  async handle(ctx) {
    // Everyone in a group sees the code (and a code made there): only in a private chat.
    if (ctx.msg.chatType === 'group') {
      ctx.reply({ text: ctx.t('report.link.privateOnly') });
      return;
    }
    const code = codeArg(ctx);
    if (!code) {
      await usage(ctx);
      return;
    }
    await link(ctx, code);
  },
};
