/**
 * Reminders and late-unit digests as messages: who owes what for a period, one message per
 * reporter (scheduled) or per reporter and unit (on demand, so each unit's hourly rate key is
 * its own), with a "Báo cáo ngay" button that opens guided entry for that period; and the
 * managers' digest of late units by escalation step. Shared by `/nhac`, the scheduled job and
 * `reminders run`.
 */
import { commandButton } from '../../src/core/conversation.js';
import type { Locale, Translate } from '../../src/core/handler.js';
import type { ChannelName } from '../../src/core/message.js';
import { formatPeriod, periodId, type Period } from '../../src/domain/periods.js';
import {
  owingUnits,
  type OwingUnit,
  type Scope,
  type StaffMember,
} from '../../src/domain/reports/index.js';
import {
  afterQuietHours,
  daysLeft,
  deadlineOf,
  escalationOffsets,
  type Schedule,
} from '../../src/domain/schedule.js';
import type { AppServices, BatchItem } from '../../src/services/index.js';
import { formatDeadline } from '../reporting/format.js';

export type JobServices = Omit<AppServices, 'people'>;

/** Texts in a recipient's language (undefined: none chosen, the default language). */
export type Texts = (locale?: Locale) => Translate;

/** Each recipient's translator, from the language they chose (see ManagersService.locales). */
export async function recipientTexts(
  services: JobServices,
  texts: Texts,
  people: Iterable<StaffMember>,
): Promise<(personId: string) => Translate> {
  const recipients = [...people].flatMap((s) => {
    const id = s.identities[0];
    return id ? [{ personId: s.personId, channel: id.channel, externalId: id.externalId }] : [];
  });
  const locales = await services.managers.locales(recipients);
  return (personId) => texts(locales.get(personId));
}

/** What a reminder run would send (or sent). */
export interface ReminderPlan {
  period: Period;
  owing: OwingUnit[];
  items: BatchItem[];
  /** Units with a reporter the run reaches. */
  unitsReached: number;
  perChannel: Record<string, number>;
  /** Reporters who muted this period (scheduled runs only). */
  muted: number;
  /** Owing units without a linked reporter. */
  noReporter: number;
  /** Units reminded on demand within the last hour (skipped). */
  rateLimited: number;
}

export const ON_DEMAND_WINDOW_MS = 3600_000;

/** When `now` is in the quiet hours, their end (scheduled messages wait); else undefined. */
function quietUntil(now: Date, schedule: Schedule): Date | undefined {
  const at = afterQuietHours(now, schedule);
  return at.getTime() === now.getTime() ? undefined : at;
}

/** The reminder text to one reporter for their owing units. */
export function reminderText(
  t: Translate,
  p: Period,
  schedule: Schedule,
  now: Date,
  units: readonly OwingUnit[],
): string {
  const deadline = deadlineOf(p, schedule);
  const lines = [
    t('managers.remind.title', {
      period: formatPeriod(p),
      deadline: formatDeadline(t, deadline, daysLeft(deadline, now)),
    }),
    ...units.map((u) =>
      t('managers.remind.unit', { unit: u.unit.name, missing: u.missing.join(', ') }),
    ),
    t('managers.remind.how', { period: formatPeriod(p) }),
  ];
  return lines.join('\n');
}

export function reportNowButton(t: Translate, p: Period) {
  return [[commandButton(t('managers.buttons.reportNow'), `/baocao ${formatPeriod(p)}`)]];
}

/**
 * Plan the reminders of a period over a scope. `scheduled`: one message per reporter (all
 * their owing units), muted people left out, idempotent per (person, period, offset) through
 * the queue's dedupe key, postponed past quiet hours. `now`: one message per reporter and unit,
 * units reminded on demand within the hour left out (their own rate key), sent at once.
 */
export async function planReminders(
  services: JobServices,
  texts: Texts,
  o: {
    scope: Scope;
    period: Period;
    schedule: Schedule;
    now: Date;
    mode: { kind: 'scheduled'; offset: string } | { kind: 'now' };
  },
): Promise<ReminderPlan> {
  const { period: p, schedule, now } = o;
  const rows = await services.managers.rows(o.scope, p, schedule);
  const owing = owingUnits(rows, deadlineOf(p, schedule), now);
  const plan: ReminderPlan = {
    period: p,
    owing,
    items: [],
    unitsReached: 0,
    perChannel: {},
    muted: 0,
    noReporter: 0,
    rateLimited: 0,
  };
  const pid = periodId(p);
  let targets = owing;
  if (o.mode.kind === 'now') {
    const recent = await services.managers.recentBatches(
      owing.map((u) => `nhac:${pid}:${u.unit.id}`),
      new Date(now.getTime() - ON_DEMAND_WINDOW_MS),
    );
    targets = owing.filter((u) => !recent.has(`nhac:${pid}:${u.unit.id}`));
    plan.rateLimited = owing.length - targets.length;
  }
  const staff = await services.managers.staff(
    targets.map((u) => u.unit.id),
    'reporter',
  );
  const muted =
    o.mode.kind === 'scheduled'
      ? await services.managers.mutedPeople(
          [...new Set([...staff.values()].flat().map((s) => s.personId))],
          formatPeriod(p),
        )
      : new Set<string>();
  const tOf = await recipientTexts(services, texts, [...staff.values()].flat());
  const mutedCounted = new Set<string>();
  const byPerson = new Map<string, { channel: string; chatId: string; units: OwingUnit[] }>();
  const reached = new Set<string>();
  for (const u of targets) {
    const people = staff.get(u.unit.id) ?? [];
    if (people.length === 0) plan.noReporter++;
    for (const s of people) {
      if (muted.has(s.personId)) {
        mutedCounted.add(s.personId);
        continue;
      }
      // The most recently used reachable identity (see membersUnder); none: skipped.
      const id = s.identities[0];
      if (!id) continue;
      reached.add(u.unit.id);
      if (o.mode.kind === 'now') {
        plan.items.push({
          msg: {
            channel: id.channel as ChannelName,
            chatId: id.externalId,
            text: reminderText(tOf(s.personId), p, schedule, now, [u]),
            buttons: reportNowButton(tOf(s.personId), p),
          },
          kind: 'reminder',
          batchId: `nhac:${pid}:${u.unit.id}`,
          at: now,
        });
        plan.perChannel[id.channel] = (plan.perChannel[id.channel] ?? 0) + 1;
        continue;
      }
      const entry = byPerson.get(s.personId) ?? {
        channel: id.channel,
        chatId: id.externalId,
        units: [],
      };
      entry.units.push(u);
      byPerson.set(s.personId, entry);
    }
  }
  plan.muted = mutedCounted.size;
  plan.unitsReached = reached.size;
  if (o.mode.kind === 'scheduled') {
    const offset = o.mode.offset;
    const notBefore = quietUntil(now, schedule);
    for (const [personId, e] of byPerson) {
      plan.items.push({
        msg: {
          channel: e.channel as ChannelName,
          chatId: e.chatId,
          text: reminderText(tOf(personId), p, schedule, now, e.units),
          buttons: reportNowButton(tOf(personId), p),
        },
        kind: 'reminder',
        dedupeKey: `remind:${pid}:${offset}:${personId}`,
        batchId: `remind:${pid}:${offset}`,
        ...(notBefore ? { notBefore } : {}),
        at: now,
      });
      plan.perChannel[e.channel] = (plan.perChannel[e.channel] ?? 0) + 1;
    }
  }
  return plan;
}

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
