/**
 * The managers' actions shared by the chat commands, the scheduled jobs, the CLI and the web
 * dashboard: reminders of a period (scheduled, or on demand with a once-per-hour rate key per
 * unit and period), reminding now, and reopening a locked period with its reporters told.
 */
import { commandButton } from '../core/conversation.js';
import type { Locale, Translate } from '../core/handler.js';
import type { ChannelName } from '../core/message.js';
import type { Actor } from '../domain/access.js';
import { formatPeriod, periodId, type Period } from '../domain/periods.js';
import {
  owingUnits,
  type OwingUnit,
  type Scope,
  type StaffMember,
} from '../domain/reports/index.js';
import { afterQuietHours, daysLeft, deadlineOf, type Schedule } from '../domain/schedule.js';
import { formatDateTimeVi, formatDateVi } from '../text/numbers.js';
import type { AppServices } from './index.js';
import type { BatchItem, ScopedUnit } from './managers.js';

/** A deadline as chat reads it: "còn 3 ngày (hạn 05/12/2026)", "hôm nay", "quá hạn …". */
export function formatDeadline(t: Translate, deadline: Date, daysLeft: number): string {
  const date = formatDateVi(deadline);
  if (daysLeft > 0) return t('report.deadline.left', { count: daysLeft, date });
  if (daysLeft === 0) return t('report.deadline.today', { date });
  return t('report.deadline.overdue', { count: -daysLeft, date });
}

/** The services outside any update (scheduled jobs, the CLI, the dashboard). */
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
export function quietUntil(now: Date, schedule: Schedule): Date | undefined {
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

/** Remind now: plan the on-demand reminders of a period over a scope and queue them. */
export async function remindNow(
  services: JobServices,
  texts: Texts,
  o: { scope: Scope; period: Period; schedule: Schedule; now: Date },
): Promise<ReminderPlan & { queued: number }> {
  const plan = await planReminders(services, texts, { ...o, mode: { kind: 'now' } });
  const queued = await services.managers.enqueue(plan.items);
  return { ...plan, queued };
}

/** The notices telling a unit's reporters that its period is open again, and until when. */
export async function reopenNotices(
  services: JobServices,
  texts: Texts,
  o: { unit: { id: string; name: string }; period: Period; until: Date; at: Date },
): Promise<BatchItem[]> {
  const staff = (await services.managers.staff([o.unit.id], 'reporter')).get(o.unit.id) ?? [];
  const tOf = await recipientTexts(services, texts, staff);
  return staff.flatMap((s) => {
    const id = s.identities[0];
    if (!id) return [];
    const t = tOf(s.personId);
    return [
      {
        msg: {
          channel: id.channel as ChannelName,
          chatId: id.externalId,
          text: t('managers.reopen.notice', {
            unit: o.unit.name,
            period: formatPeriod(o.period),
            until: formatDateTimeVi(o.until),
          }),
          buttons: reportNowButton(t, o.period),
        },
        kind: 'notice' as const,
        at: o.at,
      },
    ];
  });
}

/**
 * Reopen a unit's locked period as `actor` (who must manage it) and queue "your period is
 * open until …" to its reporters; resolves with the deadline and how many were told.
 */
export async function reopenAndNotify(
  services: JobServices,
  texts: Texts,
  o: { actor: Actor; unitCode: string; period: Period; now: Date; schedule: Schedule },
): Promise<{ until: Date; unit: ScopedUnit; notified: number }> {
  const { until, unit } = await services.managers.reopen(
    o.actor,
    o.unitCode,
    o.period,
    o.now,
    o.schedule,
  );
  const items = await reopenNotices(services, texts, {
    unit,
    period: o.period,
    until,
    at: o.now,
  });
  return { until, unit, notified: await services.managers.enqueue(items) };
}

export type Audience = 'reporter' | 'manager' | 'all';

/** The longest broadcast text (well within every platform's limit once the header is added). */
export const MAX_BROADCAST = 1500;

const rolesOf = (a: Audience) =>
  a === 'all' ? (['reporter', 'manager'] as const) : ([a] as const);

/** The messages of a broadcast to an audience, one per person (newest identity). */
export async function broadcastItems(
  services: JobServices,
  o: { scope: Scope; audience: Audience; text: string; at: Date; except?: string },
): Promise<{ items: BatchItem[]; perChannel: Record<string, number> }> {
  const people = await services.managers.membersUnder(o.scope, rolesOf(o.audience));
  const perChannel: Record<string, number> = {};
  const items: BatchItem[] = [];
  for (const p of people) {
    if (p.personId === o.except) continue;
    // Reachable nowhere (blocked the bot, unfollowed the OA): counted, not sent.
    const id = p.identities[0];
    if (!id) {
      perChannel.unreachable = (perChannel.unreachable ?? 0) + 1;
      continue;
    }
    perChannel[id.channel] = (perChannel[id.channel] ?? 0) + 1;
    items.push({
      msg: { channel: id.channel as ChannelName, chatId: id.externalId, text: o.text },
      kind: 'broadcast',
      at: o.at,
    });
  }
  return { items, perChannel };
}

/**
 * Record a broadcast and queue its messages (batch id = the broadcast's id, so its delivery
 * report is the batch's): `/thongbao`, `broadcast --yes` and the dashboard's composer.
 */
export async function sendBroadcast(
  services: JobServices,
  b: {
    createdBy: string | null;
    unitId: string;
    audience: Audience;
    text: string;
    items: readonly BatchItem[];
    at: Date;
  },
): Promise<{ id: string; queued: number }> {
  const id = await services.managers.createBroadcast({
    createdBy: b.createdBy,
    unitId: b.unitId,
    audience: b.audience,
    text: b.text,
    recipients: b.items.length,
    at: b.at,
  });
  const queued = await services.managers.enqueue(b.items.map((it) => ({ ...it, batchId: id })));
  return { id, queued };
}

/** How channels are named in previews. */
export const CHANNEL_NAMES: Record<string, string> = {
  telegram: 'Telegram',
  'zalo-bot': 'Zalo Bot',
  'zalo-oa': 'Zalo OA',
  sim: 'Web',
  unreachable: 'không liên lạc được',
};

/** `Web 2, Telegram 1`. */
export function channelCounts(perChannel: Record<string, number>): string {
  return Object.entries(perChannel)
    .map(([c, n]) => `${CHANNEL_NAMES[c] ?? c} ${n}`)
    .join(', ');
}
