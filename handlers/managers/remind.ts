/**
 * Reminders and late-unit digests as messages: who owes what for a period, one message per
 * reporter (scheduled) or per reporter and unit (on demand, so each unit's hourly rate key is
 * its own), with a "Báo cáo ngay" button that opens guided entry for that period; and the
 * managers' digest of late units by escalation step. Shared by `/nhac`, the scheduled job and
 * `reminders run`.
 */
import { commandButton } from '../../src/core/conversation.js';
import type { ChannelName } from '../../src/core/message.js';
import { formatPeriod, periodId, type Period } from '../../src/domain/periods.js';
import { owingUnits, type OwingUnit } from '../../src/domain/reports/index.js';
import {
  daysLeft,
  deadlineOf,
  escalationOffsets,
  type Schedule,
} from '../../src/domain/schedule.js';
import type { BatchItem } from '../../src/services/index.js';
import {
  formatDeadline,
  quietUntil,
  recipientTexts,
  type JobServices,
  type Texts,
} from '../../src/services/manager-actions.js';

export {
  ON_DEMAND_WINDOW_MS,
  planReminders,
  recipientTexts,
  reminderText,
  reportNowButton,
  type JobServices,
  type ReminderPlan,
  type Texts,
} from '../../src/services/manager-actions.js';

/** Late units listed in one digest before "and N more". */
const DIGEST_LINES = 25;

/** What an escalation step would send. */
export interface EscalationPlan {
  late: OwingUnit[];
  items: BatchItem[];
  managers: number;
}

/**
 * The late-unit digests of one escalation step (0 = first positive offset): each manager of a
 * late unit or of its ancestors up to `step + 1` levels above gets one message listing the
 * late units in their subtree that reach them; undeliverable reminders of the period counted.
 */
export async function planEscalation(
  services: JobServices,
  texts: Texts,
  o: { period: Period; schedule: Schedule; now: Date; offset: string; step: number },
): Promise<EscalationPlan> {
  const { period: p, schedule, now } = o;
  const rows = await services.managers.rows('all', p, schedule);
  const late = owingUnits(rows, deadlineOf(p, schedule), now).filter((u) => u.late);
  if (late.length === 0) return { late, items: [], managers: 0 };
  const parentOf = new Map(rows.map((r) => [r.unit.id, r.unit.parentId]));
  const chainOf = async (unitId: string): Promise<string[]> => {
    const chain = [unitId];
    let cur = parentOf.get(unitId);
    while (cur && chain.length < o.step + 2) {
      chain.push(cur);
      if (!parentOf.has(cur)) {
        // An ancestor with nothing due: ask the database for the rest of the chain.
        return [...chain.slice(0, -1), ...(await services.managers.ancestors(cur))].slice(
          0,
          o.step + 2,
        );
      }
      cur = parentOf.get(cur);
    }
    return chain;
  };
  const reach = new Map<string, string[]>();
  for (const u of late) reach.set(u.unit.id, await chainOf(u.unit.id));
  const managers = await services.managers.staff(
    [...new Set([...reach.values()].flat())],
    'manager',
  );
  const tOf = await recipientTexts(services, texts, [...managers.values()].flat());
  const byPerson = new Map<string, { channel: string; chatId: string; units: OwingUnit[] }>();
  for (const u of late) {
    for (const unitId of reach.get(u.unit.id) ?? []) {
      for (const m of managers.get(unitId) ?? []) {
        const id = m.identities[0];
        if (!id) continue;
        const e = byPerson.get(m.personId) ?? {
          channel: id.channel,
          chatId: id.externalId,
          units: [],
        };
        if (!e.units.includes(u)) e.units.push(u);
        byPerson.set(m.personId, e);
      }
    }
  }
  const pid = periodId(p);
  let undeliverable = 0;
  for (const off of schedule.reminders.filter((x) => !escalationOffsets(schedule).includes(x))) {
    const r = await services.managers.batchReport(`remind:${pid}:${off}`);
    undeliverable += r.failed.reduce((n, f) => n + f.count, 0);
  }
  const deadline = deadlineOf(p, schedule);
  const notBefore = quietUntil(now, schedule);
  const items: BatchItem[] = [];
  for (const [personId, e] of byPerson) {
    const t = tOf(personId);
    const lines = [
      t('managers.escalate.title', {
        period: formatPeriod(p),
        deadline: formatDeadline(t, deadline, daysLeft(deadline, now)),
        count: e.units.length,
      }),
      ...e.units.slice(0, DIGEST_LINES).map((u) =>
        t('managers.escalate.unit', {
          unit: u.unit.name,
          code: u.unit.code,
          missing: u.missing.join(', '),
        }),
      ),
    ];
    if (e.units.length > DIGEST_LINES)
      lines.push(t('managers.escalate.more', { count: e.units.length - DIGEST_LINES }));
    if (undeliverable > 0)
      lines.push(t('managers.escalate.undeliverable', { count: undeliverable }));
    items.push({
      msg: {
        channel: e.channel as ChannelName,
        chatId: e.chatId,
        text: lines.join('\n'),
        buttons: [
          [commandButton(t('managers.buttons.owing'), `/chuabaocao ${formatPeriod(p)}`)],
          [commandButton(t('managers.buttons.remind'), `/nhac ${formatPeriod(p)}`)],
        ],
      },
      kind: 'reminder',
      dedupeKey: `escalate:${pid}:${o.offset}:${personId}`,
      batchId: `escalate:${pid}:${o.offset}`,
      ...(notBefore ? { notBefore } : {}),
      at: now,
    });
  }
  return { late, items, managers: byPerson.size };
}
