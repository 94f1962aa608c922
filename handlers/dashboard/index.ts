/**
 * The managers' web dashboard from chat: `/dashboard` sends a one-time sign-in link (single
 * use, 10 minutes) to managers and admins; everyone else is told who may use it.
 */
import type { Feature, FeatureHandler } from '../../src/core/feature.js';
import type { AppServices } from '../../src/services/index.js';
import { formatDateTimeVi } from '../../src/text/numbers.js';

const dashboard: FeatureHandler<AppServices> = {
  name: 'dashboard.link',
  priority: 60,
  commands: [
    {
      name: 'dashboard',
      aliases: ['bangdieukhien'],
      args: 'none',
      audience: ['manager', 'admin'],
      description: 'dashboard.commands.dashboard',
    },
  ],
  async handle(ctx) {
    const sender = await ctx.services.people.sender();
    const personId = sender.identity?.person.id;
    const manages = sender.audiences.includes('manager') || sender.audiences.includes('admin');
    if (!personId || !manages) {
      ctx.reply({ text: ctx.t('dashboard.notManager') });
      return;
    }
    // The link is a credential: sent in a private chat only.
    if (ctx.msg.chatType === 'group') {
      ctx.reply({ text: ctx.t('dashboard.privateOnly') });
      return;
    }
    const link = await ctx.services.dashboard.signInLink(personId, ctx.now());
    if (!link) {
      ctx.reply({ text: ctx.t('dashboard.unavailable') });
      return;
    }
    ctx.reply({
      text: ctx.t('dashboard.link', { url: link.url, until: formatDateTimeVi(link.expiresAt) }),
    });
  },
};

export const dashboardFeature: Feature<AppServices> = {
  name: 'dashboard',
  handlers: [dashboard],
};
