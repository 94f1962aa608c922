import type { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { PrismaClient } from '../db/client.js';

export const PRUNE_QUEUE = 'housekeeping-prune-processed-updates';

/** Platforms stop redelivering within a day (Telegram drops updates after 24 h): keep 48 h. */
export const PROCESSED_UPDATE_RETENTION_MS = 48 * 3600_000;

/**
 * Delete dedupe records older than the retention (at least `minRetentionMs`, e.g. the Zalo OA
 * replay window, so an event inside the window is always recognised); returns how many went.
 */
export async function pruneProcessedUpdates(
  prisma: PrismaClient,
  now: Date,
  minRetentionMs = 0,
): Promise<number> {
  const keepMs = Math.max(PROCESSED_UPDATE_RETENTION_MS, minRetentionMs);
  const { count } = await prisma.processedUpdate.deleteMany({
    where: { processedAt: { lt: new Date(now.getTime() - keepMs) } },
  });
  return count;
}

/**
 * Confirmed-draft records only need to outlive the conversation state that could replay a
 * confirmation (STATE_TTL_HOURS, at most 30 days): kept 31 days.
 */
export const CONFIRMED_DRAFT_RETENTION_MS = 31 * 86_400_000;

/** Citizens' unanswered questions are kept at most this many days from first asked. */
export const DEFAULT_UNANSWERED_RETENTION_DAYS = 90;

/**
 * Delete citizens' questions kept longer than `days`: unanswered questions by when first
 * asked, search misses ("Không phải cái tôi cần", nothing found) by when recorded. Returns how
 * many went.
 */
export async function pruneUnanswered(
  prisma: PrismaClient,
  now: Date,
  days = DEFAULT_UNANSWERED_RETENTION_DAYS,
): Promise<number> {
  const before = new Date(now.getTime() - days * 86_400_000);
  const [questions, misses] = await Promise.all([
    prisma.unansweredQuery.deleteMany({ where: { firstAt: { lt: before } } }),
    prisma.searchMiss.deleteMany({ where: { at: { lt: before } } }),
  ]);
  return questions.count + misses.count;
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
  /** Keep dedupe records at least this long (the Zalo OA replay window). */
  minProcessedRetentionMs?: number;
  /** UNANSWERED_RETENTION_DAYS. */
  unansweredRetentionDays?: number;
}): Promise<void> {
  const log = opts.logger.child({ component: 'housekeeping' });
  await opts.boss.createQueue(PRUNE_QUEUE);
  await opts.boss.schedule(PRUNE_QUEUE, '17 3 * * *', {}, { tz: opts.timeZone });
  await opts.boss.work(PRUNE_QUEUE, async () => {
    const now = (opts.now ?? (() => new Date()))();
    const removed = await pruneProcessedUpdates(opts.prisma, now, opts.minProcessedRetentionMs);
    log.info({ removed }, 'old processed-update records pruned');
    await opts.prisma.confirmedDraft.deleteMany({
      where: { at: { lt: new Date(now.getTime() - CONFIRMED_DRAFT_RETENTION_MS) } },
    });
    const questions = await pruneUnanswered(opts.prisma, now, opts.unansweredRetentionDays);
    log.info({ removed: questions }, "citizens' unanswered questions past retention pruned");
  });
}
