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
  /** Told how each run ended (metrics). */
  onRun?: (job: string, outcome: 'done' | 'failed', durationMs: number) => void;
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
        const durationMs = Math.round(performance.now() - started);
        log.info({ durationMs }, 'scheduled job done');
        opts.onRun?.(job.name, 'done', durationMs);
      } catch (err) {
        opts.onRun?.(job.name, 'failed', Math.round(performance.now() - started));
        // pg-boss retries the job; the failure is logged here once with its context.
        log.error({ err }, 'scheduled job failed');
        throw err;
      }
    });
  }
}
