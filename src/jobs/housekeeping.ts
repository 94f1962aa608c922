import type { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { PrismaClient } from '../db/client.js';

export const PRUNE_QUEUE = 'housekeeping-prune-processed-updates';

/** Platforms stop redelivering within a day (Telegram drops updates after 24 h): keep 48 h. */
export const PROCESSED_UPDATE_RETENTION_MS = 48 * 3600_000;

/** Delete dedupe records older than the retention; returns how many went. */
export async function pruneProcessedUpdates(prisma: PrismaClient, now: Date): Promise<number> {
  const { count } = await prisma.processedUpdate.deleteMany({
    where: { processedAt: { lt: new Date(now.getTime() - PROCESSED_UPDATE_RETENTION_MS) } },
  });
  return count;
}

/**
 * Nightly housekeeping on pg-boss: a cron schedule in APP_TIMEZONE that several instances
 * share (pg-boss runs each scheduled job once), working off the same database.
 */
export async function startHousekeeping(opts: {
  boss: PgBoss;
  prisma: PrismaClient;
  logger: Logger;
  timeZone: string;
  now?: () => Date;
}): Promise<void> {
  const log = opts.logger.child({ component: 'housekeeping' });
  await opts.boss.createQueue(PRUNE_QUEUE);
  await opts.boss.schedule(PRUNE_QUEUE, '17 3 * * *', {}, { tz: opts.timeZone });
  await opts.boss.work(PRUNE_QUEUE, async () => {
    const removed = await pruneProcessedUpdates(opts.prisma, (opts.now ?? (() => new Date()))());
    log.info({ removed }, 'old processed-update records pruned');
  });
}
