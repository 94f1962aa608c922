/**
 * Scheduled jobs the features declare, on pg-boss: one queue and one cron schedule per job in
 * its time zone. Every instance registers the same schedule and a worker; pg-boss fires each
 * tick once, so the work runs once whatever the number of instances.
 */
import type { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { FeatureJob, JobContext } from '../core/feature.js';

export async function startScheduledJobs<S>(opts: {
  boss: PgBoss;
  jobs: readonly (FeatureJob<S> & { feature: string })[];
  logger: Logger;
  /** Default time zone (APP_TIMEZONE). */
  timeZone: string;
  services: () => S;
  now?: () => Date;
  /** Texts per language and the default language. */
  texts: Pick<JobContext<S>, 'tFor' | 'defaultLocale'>;
}): Promise<void> {
  const now = opts.now ?? (() => new Date());
  for (const job of opts.jobs) {
    const log = opts.logger.child({ job: job.name, feature: job.feature });
    await opts.boss.createQueue(job.name);
    await opts.boss.schedule(job.name, job.cron, {}, { tz: job.timeZone ?? opts.timeZone });
    await opts.boss.work<Record<string, unknown>>(job.name, async ([first]) => {
      const started = performance.now();
      try {
        await job.handle({
          now,
          log,
          services: opts.services(),
          data: first?.data ?? {},
          ...opts.texts,
        });
        log.info({ durationMs: Math.round(performance.now() - started) }, 'scheduled job done');
      } catch (err) {
        // pg-boss retries the job; the failure is logged here once with its context.
        log.error({ err }, 'scheduled job failed');
        throw err;
      }
    });
  }
}
