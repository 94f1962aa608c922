/**
 * Group chats (issue 14): a manager registers the group they type in for a unit —
 * `/nhomnay` (their own unit) or `/nhomnay <unit code>` (one in their scope) — so the unit's
 * broadcasts can reach it.
 */
import type { Feature, FeatureHandler } from '../../src/core/feature.js';
import { commandArgs } from '../../src/core/router.js';
import { DomainError } from '../../src/domain/access.js';
import type { AppServices } from '../../src/services/index.js';

const registerGroup: FeatureHandler<AppServices> = {
  name: 'groups.register',
  priority: 60,
  commands: [
    {
      name: 'nhomnay',
      aliases: ['thisgroup'],
      audience: ['manager', 'admin'],
      description: 'groups.commands.nhomnay',
    },
  ],
  async handle(ctx) {
    if (ctx.msg.chatType !== 'group') {
      ctx.reply({ text: ctx.t('groups.errors.notGroup') });
      return;
    }
    const unitCode = commandArgs(ctx.msg.text).split(/\s+/)[0] || undefined;
    try {
      const r = await ctx.services.people.registerGroup(unitCode, ctx.now());
      ctx.reply({
        text: ctx.t(r.previousUnitId ? 'groups.moved' : 'groups.registered', {
          unit: r.unitName,
          code: r.unitCode,
        }),
      });
    } catch (err) {
      if (err instanceof DomainError) {
        ctx.reply({ text: ctx.t(err.key, err.vars) });
        return;
      }
      throw err;
    }
  },
};

export const groups: Feature<AppServices> = {
  name: 'groups',
  handlers: [registerGroup],
};
