/**
 * The weekly digest for managers (default Monday 08:00, `weeklyDigest` in the schedule): per
 * default period, how many units of their subtree have reported everything, the change since
 * a week before, and how many are late. `/tatnhac tuan` turns it off for a person.
 */
import { commandButton } from '../../src/core/conversation.js';
import type { ChannelName } from '../../src/core/message.js';
import { formatPeriod, vnDateParts, vnInstant } from '../../src/domain/periods.js';
import {
  defaultStatusPeriods,
  owingUnits,
  type PeriodRow,
} from '../../src/domain/reports/index.js';
import { afterQuietHours, deadlineOf, type Schedule } from '../../src/domain/schedule.js';
import type { BatchItem } from '../../src/services/index.js';
import { recipientTexts, type JobServices, type Texts } from './remind.js';

const WEEK_MS = 7 * 24 * 3600_000;

/** The digest instant of the week `at` is in (the latest one at or before `at`). */
export function digestInstant(at: Date, schedule: Schedule): Date {
  const p = vnDateParts(at);
  const dow = new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay();
  const iso = ((dow + 6) % 7) + 1;
  const [h = 0, m = 0] = schedule.weeklyDigest.time.split(':').map(Number);
  const instant = vnInstant(p.year, p.month, p.day - (iso - schedule.weeklyDigest.day), h, m);
  return instant.getTime() > at.getTime() ? new Date(instant.getTime() - WEEK_MS) : instant;
}

/** Units with every due indicator reported by `asOf` (pure). */
function completeUnits(rows: readonly PeriodRow[], asOf: Date): { done: number; units: number } {
  const missing = new Set<string>();
  const units = new Set<string>();
  for (const r of rows) {
    units.add(r.unit.id);
    if (!r.figure || !r.firstSubmittedAt || r.firstSubmittedAt.getTime() > asOf.getTime())
      missing.add(r.unit.id);
  }
  return { done: units.size - missing.size, units: units.size };
}

/** The digests due at `at` (within `catchUpMs` of this week's instant), one per manager. */
export async function planDigests(
  services: JobServices,
  texts: Texts,
  at: Date,
  catchUpMs: number,
): Promise<BatchItem[]> {
  const schedule = await services.schedule.get();
  const instant = digestInstant(at, schedule);
  if (at.getTime() - instant.getTime() >= catchUpMs) return [];
  const catalogue = await services.catalogue.get();
  const periods = defaultStatusPeriods(at, schedule, catalogue.defs);
  const managers = await services.managers.managers();
  const muted = await services.managers.mutedPeople(
    managers.map((m) => m.personId),
    'digest',
  );
  const week = instant.toISOString().slice(0, 10);
  const quiet = afterQuietHours(at, schedule);
  const items: BatchItem[] = [];
  const tOf = await recipientTexts(services, texts, managers);
  for (const m of managers) {
    const id = m.identities[0];
    if (!id || muted.has(m.personId)) continue;
    const t = tOf(m.personId);
    const lines = [
      t('managers.digest.title', {
        scope: m.scope === 'all' ? t('managers.scopeAll') : m.rootNames.join(', '),
      }),
    ];
    for (const p of periods) {
      const rows = await services.managers.rows(m.scope, p, schedule);
      const nowDone = completeUnits(rows, at);
      const before = completeUnits(rows, new Date(at.getTime() - WEEK_MS));
      const late = owingUnits(rows, deadlineOf(p, schedule), at).filter((u) => u.late).length;
      const change = nowDone.done - before.done;
      lines.push(
        t('managers.digest.period', {
          period: formatPeriod(p),
          done: nowDone.done,
          units: nowDone.units,
          change: change >= 0 ? `+${change}` : String(change),
          late,
        }),
      );
    }
    if (periods.length === 0) lines.push(t('managers.digest.nothing'));
    items.push({
      msg: {
        channel: id.channel as ChannelName,
        chatId: id.externalId,
        text: lines.join('\n'),
        buttons: [[commandButton(t('managers.buttons.owing'), '/chuabaocao')]],
      },
      kind: 'reminder',
      dedupeKey: `digest:${week}:${m.personId}`,
      batchId: `digest:${week}`,
      ...(quiet.getTime() !== at.getTime() ? { notBefore: quiet } : {}),
      at,
    });
  }
  return items;
}
