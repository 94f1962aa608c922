/**
 * The scheduled side: every quarter of an hour (pg-boss cron in APP_TIMEZONE) the reminders and
 * escalation digests whose instant has come within the last 36 hours are computed and queued.
 * A late or repeated run (several instances, a restart, `reminders run --at`) sends nothing
 * twice: each message carries the queue's idempotency key (person, period, offset).
 */
import type { FeatureJob, JobContext } from '../../src/core/feature.js';
import {
  formatPeriod,
  periodAt,
  PERIOD_KINDS,
  shiftPeriod,
  type Period,
} from '../../src/domain/periods.js';
import {
  effectivePeriodicity,
  escalationOffsets,
  lockAt,
  offsetInstant,
  offsetMs,
  type Schedule,
} from '../../src/domain/schedule.js';
import type { AppServices } from '../../src/services/index.js';
import { planDigests } from './digest.js';
import { planEscalation, planReminders, type JobServices, type Texts } from './remind.js';

/** How far back a run looks for instants it has not served yet. */
export const CATCH_UP_MS = 36 * 3600_000;

/** One instant of the schedule: a reminder or an escalation step of a period. */
export interface Slot {
  period: Period;
  offset: string;
  at: Date;
  kind: 'remind' | 'escalate';
  /** Escalation step (0 = first). */
  step: number;
}

/** Every reminder and escalation instant of the periods near `at` (pure). */
export function slotsNear(at: Date, schedule: Schedule, kinds: Iterable<Period['kind']>): Slot[] {
  const out: Slot[] = [];
  const escalation = escalationOffsets(schedule);
  for (const kind of kinds) {
    const current = periodAt(kind, at);
    for (const p of [shiftPeriod(current, -2), shiftPeriod(current, -1), current]) {
      for (const offset of schedule.reminders.filter((x) => offsetMs(x) < 0))
        out.push({
          period: p,
          offset,
          at: offsetInstant(p, schedule, offset),
          kind: 'remind',
          step: 0,
        });
      escalation.forEach((offset, step) =>
        out.push({
          period: p,
          offset,
          at: offsetInstant(p, schedule, offset),
          kind: 'escalate',
          step,
        }),
      );
    }
  }
  return out.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** The slots a run at `at` serves: come, within the catch-up window, period not locked. */
export function dueSlots(at: Date, schedule: Schedule, kinds: Iterable<Period['kind']>): Slot[] {
  return slotsNear(at, schedule, kinds).filter(
    (s) =>
      s.at.getTime() <= at.getTime() &&
      s.at.getTime() > at.getTime() - CATCH_UP_MS &&
      at.getTime() < lockAt(s.period, schedule).getTime(),
  );
}

/** What one run did, per slot (the weekly digest is a slot of its own). */
export interface RunResult {
  slot: Slot | { kind: 'digest'; at: Date; offset: 'weekly'; period?: undefined };
  owing: number;
  queued: number;
  planned: number;
}

/** The periodicities the catalogue uses under the schedule. */
async function kindsInUse(services: JobServices, schedule: Schedule): Promise<Set<Period['kind']>> {
  const catalogue = await services.catalogue.get();
  const used = new Set(catalogue.defs.map((d) => effectivePeriodicity(d, schedule)));
  return new Set(PERIOD_KINDS.filter((k) => used.has(k)));
}

/**
 * Compute and queue what is due at `at`: the cron's path, and `reminders run --at`'s.
 * `dryRun` plans without queueing (`reminders plan`).
 */
export async function runReminders(
  services: JobServices,
  texts: Texts,
  at: Date,
  opts: { dryRun?: boolean; slots?: Slot[] } = {},
): Promise<RunResult[]> {
  const schedule = await services.schedule.get();
  const slots = opts.slots ?? dueSlots(at, schedule, await kindsInUse(services, schedule));
  const results: RunResult[] = [];
  if (!opts.slots) {
    const digests = await planDigests(services, texts, at, CATCH_UP_MS);
    if (digests.length > 0) {
      const queued = opts.dryRun ? 0 : await services.managers.enqueue(digests);
      results.push({
        slot: { kind: 'digest', at, offset: 'weekly' },
        owing: 0,
        planned: digests.length,
        queued,
      });
    }
  }
  for (const slot of slots) {
    if (slot.kind === 'remind') {
      const plan = await planReminders(services, texts, {
        scope: 'all',
        period: slot.period,
        schedule,
        now: at,
        mode: { kind: 'scheduled', offset: slot.offset },
      });
      const queued = opts.dryRun ? 0 : await services.managers.enqueue(plan.items);
      results.push({ slot, owing: plan.owing.length, planned: plan.items.length, queued });
    } else {
      const plan = await planEscalation(services, texts, {
        period: slot.period,
        schedule,
        now: at,
        offset: slot.offset,
        step: slot.step,
      });
      const queued = opts.dryRun ? 0 : await services.managers.enqueue(plan.items);
      results.push({ slot, owing: plan.late.length, planned: plan.items.length, queued });
    }
  }
  return results;
}

/** Every reminder and escalation instant of one period, for `reminders plan`. */
export function periodSlots(p: Period, schedule: Schedule): Slot[] {
  return slotsNear(lockAt(p, schedule), schedule, [p.kind]).filter(
    (s) => formatPeriod(s.period) === formatPeriod(p),
  );
}

export const remindersJob: FeatureJob<AppServices> = {
  name: 'managers-reminders',
  cron: '*/15 * * * *',
  async handle(ctx: JobContext<AppServices>) {
    const results = await runReminders(
      ctx.services as JobServices,
      // Each recipient's language; the default for those who chose none.
      (locale) => ctx.tFor(locale ?? ctx.defaultLocale),
      ctx.now(),
    );
    for (const r of results)
      ctx.log.info(
        {
          period: r.slot.period ? formatPeriod(r.slot.period) : undefined,
          offset: r.slot.offset,
          kind: r.slot.kind,
          owing: r.owing,
          planned: r.planned,
          queued: r.queued,
        },
        'reminder slot served',
      );
  },
};
