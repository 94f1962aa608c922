/**
 * What the managers' feature needs: the status of a period over a scope, who owes what, who
 * reports for and manages a unit, finding a unit in scope, reopening and inviting as the
 * manager, reminder opt-outs, and queueing proactive messages (reminders, notices, broadcasts)
 * through the durable delivery queue — bound to the update's transaction when there is one.
 */
import type { DbClient, Prisma } from '../db/client.js';
import type { Unit } from '../db/generated/client.js';
import type { BatchItem, DeliveryQueue } from '../delivery/queue.js';
import {
  ancestorIds,
  canManageUnit,
  findUnitByCode,
  inTransaction,
  ValidationError,
  type Actor,
  type DomainDb,
  type RoleName,
} from '../domain/access.js';
import { createInvitation, localesOf, type ChosenLocale } from '../domain/people/index.js';
import { formatPeriod, type Period } from '../domain/periods.js';
import {
  managersWithScope,
  membersUnder,
  scopeRows,
  staffOf,
  type ManagerRecipient,
  type PeriodRow,
  type Scope,
  type StaffMember,
} from '../domain/reports/index.js';
import type { Schedule } from '../domain/schedule.js';
import { reopenPeriod } from '../domain/submissions/index.js';
import { searchUnits } from '../domain/units/units.js';

export type { BatchItem };

/** A unit as the managers' replies show it. */
export interface ScopedUnit {
  id: string;
  code: string;
  name: string;
  level: string;
  parentId: string | null;
}

export interface ManagersService {
  /** One row per (unit, due indicator) of the period within the scope. */
  rows(
    scope: Scope,
    period: Period,
    schedule: Schedule,
    codes?: readonly string[],
  ): Promise<PeriodRow[]>;
  /** Active members with the role of each unit (display names and identities, newest first). */
  staff(
    unitIds: readonly string[],
    role: 'reporter' | 'manager',
  ): Promise<Map<string, StaffMember[]>>;
  /** Ids of the unit and its ancestors, nearest first. */
  ancestors(unitId: string): Promise<string[]>;
  /**
   * Units in force matching a code or a name (diacritics optional; names of merged pre-2025
   * units match through their aliases), those `actor` may manage only, best first.
   */
  findUnits(actor: Actor, query: string, now: Date): Promise<ScopedUnit[]>;
  /**
   * A membership invitation for a unit the actor manages (see createInvitation), with the
   * Telegram deep link `https://t.me/<bot>?start=<code>` when Telegram is configured.
   */
  invite(
    actor: Actor,
    unitCode: string,
    role: RoleName,
    now: Date,
  ): Promise<{ code: string; expiresAt: Date; unit: ScopedUnit; telegramLink?: string }>;
  /** Lift a unit's lock for a period (see reopenPeriod). */
  reopen(
    actor: Actor,
    unitCode: string,
    period: Period,
    now: Date,
    schedule: Schedule,
  ): Promise<{ until: Date; unit: ScopedUnit }>;
  /**
   * The chosen language of each recipient (their person's, else the one chosen on the identity
   * the message goes to); people who chose none are left out (the default applies).
   */
  locales(
    recipients: readonly { personId: string; channel: string; externalId: string }[],
  ): Promise<Map<string, ChosenLocale>>;
  /** Turn scheduled reminders of these periods off (`digest`: the weekly digest) or on. */
  setMuted(personId: string, periods: readonly string[], muted: boolean): Promise<void>;
  /** Which of these people muted the period. */
  mutedPeople(personIds: readonly string[], period: string): Promise<Set<string>>;
  /** Of these batch ids, those with a message queued at or after `since`. */
  recentBatches(batchIds: readonly string[], since: Date): Promise<Set<string>>;
  /** Queue messages (with the update's writes when inside one); resolves with how many were new. */
  enqueue(items: readonly BatchItem[]): Promise<number>;
  /** Delivery counts of a batch by status, with the reasons of the failed ones. */
  batchReport(batchId: string): Promise<BatchReport>;
  /** Active members with these roles of the units under the roots (each person once). */
  membersUnder(scope: Scope, roles: readonly ('reporter' | 'manager')[]): Promise<StaffMember[]>;
  /** Every manager and admin with their scope and identities (weekly digest). */
  managers(): Promise<ManagerRecipient[]>;
  /** Record a broadcast; its id is the batch id of its deliveries. */
  createBroadcast(b: NewBroadcast): Promise<string>;
  /** A broadcast by id, or the latest one of its sender when no id is given. */
  findBroadcast(q: { id?: string; createdBy?: string | null }): Promise<BroadcastView | undefined>;
}

export interface NewBroadcast {
  createdBy: string | null;
  unitId: string;
  audience: 'reporter' | 'manager' | 'all';
  text: string;
  recipients: number;
  at: Date;
}

export interface BroadcastView extends Omit<NewBroadcast, 'at'> {
  id: string;
  createdAt: Date;
}

export interface BatchReport {
  total: number;
  sent: number;
  queued: number;
  failed: { reason: string; count: number }[];
}

const toScoped = (u: Unit): ScopedUnit => ({
  id: u.id,
  code: u.code,
  name: u.name,
  level: u.level,
  parentId: u.parentId,
});

export function createManagersService(
  db: DbClient | Prisma.TransactionClient,
  delivery: () => DeliveryQueue | undefined,
  telegramUsername: () => string | undefined = () => undefined,
): ManagersService {
  const d = db as DomainDb;
  return {
    rows: (scope, period, schedule, codes) =>
      scopeRows(d, { scope, period, schedule, ...(codes ? { indicatorCodes: codes } : {}) }),
    staff: (unitIds, role) => staffOf(d, unitIds, role),
    ancestors: (unitId) => ancestorIds(d, unitId),
    async findUnits(actor, query, now) {
      const q = query.trim();
      if (q === '') return [];
      const found: Unit[] = [];
      if (/^\d+$/.test(q)) {
        const byCode = await findUnitByCode(d, q, now).catch(() => undefined);
        if (byCode) found.push(byCode);
      }
      if (found.length === 0) found.push(...(await searchUnits(d as DbClient, q, now, 8)));
      const out: ScopedUnit[] = [];
      for (const u of found) if (await canManageUnit(d, actor, u.id)) out.push(toScoped(u));
      return out;
    },
    async invite(actor, unitCode, role, now) {
      const r = await createInvitation(d, { unitCode, role, createdBy: actor, now });
      const bot = telegramUsername();
      return {
        code: r.code,
        expiresAt: r.invitation.expiresAt,
        unit: toScoped(r.unit),
        ...(bot ? { telegramLink: `https://t.me/${bot}?start=${encodeURIComponent(r.code)}` } : {}),
      };
    },
    async reopen(actor, unitCode, period, now, schedule) {
      const row = await reopenPeriod(d, { unitCode, period, by: actor, now, schedule });
      const unit = await findUnitByCode(d, unitCode, now);
      return { until: row.until, unit: toScoped(unit) };
    },
    locales: (recipients) => localesOf(d, recipients),
    async setMuted(personId, periods, muted) {
      if (muted) {
        await d.reminderMute.createMany({
          data: periods.map((period) => ({ personId, period })),
          skipDuplicates: true,
        });
      } else {
        await d.reminderMute.deleteMany({ where: { personId, period: { in: [...periods] } } });
      }
    },
    async mutedPeople(personIds, period) {
      if (personIds.length === 0) return new Set();
      const rows = await d.reminderMute.findMany({
        where: { personId: { in: [...personIds] }, period },
        select: { personId: true },
      });
      return new Set(rows.map((r) => r.personId));
    },
    async recentBatches(batchIds, since) {
      if (batchIds.length === 0) return new Set();
      const rows = await d.delivery.findMany({
        where: { batchId: { in: [...batchIds] }, createdAt: { gte: since } },
        select: { batchId: true },
        distinct: ['batchId'],
      });
      return new Set(rows.flatMap((r) => (r.batchId ? [r.batchId] : [])));
    },
    async enqueue(items) {
      if (items.length === 0) return 0;
      const queue = delivery();
      if (!queue)
        throw new ValidationError('delivery queue not running', 'managers.errors.noDelivery');
      return inTransaction(d, (tx) => queue.enqueueMany(items, tx));
    },
    async membersUnder(scope, roles) {
      const roots =
        scope === 'all'
          ? 'all'
          : (
              await d.unit.findMany({
                where: { code: { in: [...scope] }, effectiveTo: null },
                select: { id: true },
              })
            ).map((u) => u.id);
      return membersUnder(d, roots, roles);
    },
    managers: () => managersWithScope(d),
    async createBroadcast(b) {
      const row = await d.broadcast.create({
        data: {
          createdBy: b.createdBy,
          unitId: b.unitId,
          audience: b.audience,
          text: b.text,
          recipients: b.recipients,
          createdAt: b.at,
        },
      });
      return row.id;
    },
    async findBroadcast(q) {
      const row = q.id
        ? await d.broadcast.findUnique({ where: { id: q.id } })
        : await d.broadcast.findFirst({
            where: { createdBy: q.createdBy ?? null },
            orderBy: { createdAt: 'desc' },
          });
      if (!row) return undefined;
      if (q.id && q.createdBy !== undefined && row.createdBy !== q.createdBy) return undefined;
      return {
        id: row.id,
        createdBy: row.createdBy,
        unitId: row.unitId,
        audience: row.audience as NewBroadcast['audience'],
        text: row.text,
        recipients: row.recipients,
        createdAt: row.createdAt,
      };
    },
    async batchReport(batchId) {
      const rows = await d.delivery.groupBy({
        by: ['status', 'reason'],
        where: { batchId },
        _count: { _all: true },
      });
      const report: BatchReport = { total: 0, sent: 0, queued: 0, failed: [] };
      for (const r of rows) {
        const n = r._count._all;
        report.total += n;
        if (r.status === 'sent') report.sent += n;
        else if (r.status === 'queued') report.queued += n;
        else report.failed.push({ reason: r.reason ?? r.status, count: n });
      }
      return report;
    },
  };
}

/** The canonical text of a period, for mute rows and batch ids. */
export const periodKey = (p: Period): string => formatPeriod(p);
