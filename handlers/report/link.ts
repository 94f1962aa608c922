/**
 * Linking a chat identity to a unit and role with an invitation code: `/link <code>`,
 * `/lienket <code>`, `liên kết <code>`, and the Telegram deep link `/start <code>`. A linked
 * person who sends `/link` alone gets a fresh code to link another platform to the same person.
 */
import { startHandler } from '../basic.js';
import { commandArgs, commandOf, startsWithPhrase } from '../../src/core/router.js';
import type { Handler } from '../../src/core/handler.js';
import { DomainError } from '../../src/domain/access.js';
import {
  InvitationError,
  RateLimitedError,
  createLinkCode,
  normalizeInviteCode,
  redeemInvitation,
} from '../../src/domain/people/index.js';
import type { AppServices } from '../../src/services.js';
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
    const r = await redeemInvitation(ctx.services.db, {
      code,
      channel: ctx.msg.channel,
      externalId: ctx.msg.userId,
      displayName: ctx.msg.displayName ?? null,
      now: ctx.now(),
    });
    const role = t(`report.link.role.${r.role}`);
    const head = r.alreadyMember
      ? t('report.link.already', { unit: r.unit.name, role })
      : t('report.link.done', { unit: r.unit.name, role });
    ctx.reply({ text: [head, t(`report.link.next.${r.role}`)].join('\n') });
  } catch (err) {
    // The failed attempt was recorded: answer (so the transaction commits and the rate limit
    // counts it) instead of rethrowing.
    if (err instanceof RateLimitedError) {
      ctx.reply({ text: t('report.link.rateLimited', { at: formatDateTimeVi(err.retryAt) }) });
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
  const identity = await ctx.services.db.identity.findUnique({
    where: { channel_externalId: { channel: ctx.msg.channel, externalId: ctx.msg.userId } },
  });
  if (!identity) {
    ctx.reply({ text: ctx.t('report.link.usage') });
    return;
  }
  try {
    const { code, invitation } = await createLinkCode(ctx.services.db, {
      personId: identity.personId,
      now: ctx.now(),
    });
    ctx.reply({
      text: ctx.t('report.link.otherPlatform', {
        code,
        until: formatDateTimeVi(invitation.expiresAt),
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
 * Registered before the built-in start handler: it owns `/start` so that a Telegram deep link
 * `/start <code>` links, and hands a bare `/start` to the greeting.
 */
export const linkHandler: Handler<AppServices> = {
  name: 'report.link',
  commands: ['/link', '/lienket', '/start'],
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
    const command = commandOf(ctx.msg.text);
    const code = codeArg(ctx);
    if (command === '/start' && !code) {
      await startHandler.handle(ctx);
      return;
    }
    if (!code) {
      await usage(ctx);
      return;
    }
    await link(ctx, code);
  },
};
