import type { DomainDb } from '../access.js';
import { DEFAULT_SCHEDULE, parseSchedule, type Schedule } from '../schedule.js';

/**
 * The schedule in force: the latest imported ScheduleConfig row, else the built-in default.
 * A stored row that no longer validates (the schema changed under it) falls back to the
 * default so reports keep working, and the problem is returned so the caller reports it (the
 * server logs it at start and on every reload).
 */
export async function currentScheduleReport(
  db: DomainDb,
): Promise<{ schedule: Schedule; problem?: string }> {
  const row = await db.scheduleConfig.findFirst({ orderBy: { importedAt: 'desc' } });
  if (!row) return { schedule: DEFAULT_SCHEDULE };
  const parsed = parseSchedule(row.data);
  if (parsed.ok) return { schedule: parsed.schedule };
  return {
    schedule: DEFAULT_SCHEDULE,
    problem: `the imported schedule (${row.importedAt.toISOString()}) no longer validates: ${parsed.errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`,
  };
}

/** The schedule in force (see currentScheduleReport). */
export async function currentSchedule(db: DomainDb): Promise<Schedule> {
  return (await currentScheduleReport(db)).schedule;
}
