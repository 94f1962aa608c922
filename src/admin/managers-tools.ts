/**
 * What the admin commands of the managers' side need: the services the chat handlers use
 * (standalone, outside any update), the bot's texts, and the delivery queue — the running
 * server's, or one on pg-boss opened for the command (the server's workers then deliver).
 */
import { pino } from 'pino';
import { FEATURES } from '../../handlers/index.js';
import { CitizenService } from '../citizens/service.js';
import { composeFeatures } from '../core/feature.js';
import type { Locale, Translate } from '../core/handler.js';
import { createI18n } from '../core/i18n.js';
import { createDeliveryQueue, createMemoryLimiter, type DeliveryQueue } from '../delivery/index.js';
import { createBoss } from '../jobs/boss.js';
import { createServiceFactory, type AppServices } from '../services/index.js';
import type { AdminDeps } from './types.js';

export interface ManagersTools {
  services: Omit<AppServices, 'people'>;
  /** Texts in the default language. */
  t: Translate;
  /** Texts in a recipient's language (undefined: the default). */
  texts: (locale?: Locale) => Translate;
}

/** Services and texts; `queue` makes their `managers.enqueue` work. */
export function managersTools(deps: AdminDeps, queue?: DeliveryQueue): ManagersTools {
  const logger = pino({ level: 'silent' });
  const services = createServiceFactory({
    root: deps.db.prisma,
    citizens: new CitizenService({ prisma: deps.db.prisma, logger }),
    logger,
    delivery: () => queue,
  }).standalone();
  const i18n = createI18n({ defaultLocale: 'vi', texts: composeFeatures(FEATURES).texts });
  return {
    services,
    t: i18n.translator('vi'),
    texts: (locale) => i18n.translator(locale ?? 'vi'),
  };
}

/** Run `fn` with tools whose queue is the server's, or one on pg-boss opened for it. */
export async function withQueue<T>(
  deps: AdminDeps,
  fn: (tools: ManagersTools) => Promise<T>,
): Promise<T> {
  const running = deps.delivery?.();
  if (running) return fn(managersTools(deps, running));
  const logger = pino({ level: 'silent' });
  const boss = await createBoss({ db: deps.db, logger });
  try {
    // No channels here: the jobs wait in the queue for a server's workers.
    const q = createDeliveryQueue({
      boss,
      prisma: deps.db.prisma,
      channels: {},
      limiter: createMemoryLimiter(),
      logger,
    });
    return await fn(managersTools(deps, q));
  } finally {
    await boss.stop({ graceful: true, timeout: 5000 });
  }
}
