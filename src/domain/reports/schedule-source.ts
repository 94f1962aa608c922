import type { DomainDb } from '../access.js';
import { DEFAULT_SCHEDULE, parseSchedule, type Schedule } from '../schedule.js';

/**
 * The schedule in force: the latest imported ScheduleConfig row, else the built-in default.
 * A stored row that no longer validates (schema changed) falls back to the default rather
 * than stopping reports.
 */
export async function currentSchedule(db: DomainDb): Promise<Schedule> {
  const row = await db.scheduleConfig.findFirst({ orderBy: { importedAt: 'desc' } });
  if (!row) return DEFAULT_SCHEDULE;
  const parsed = parseSchedule(row.data);
  return parsed.ok ? parsed.schedule : DEFAULT_SCHEDULE;
}
