/**
 * Append-only audit log. Every change to submissions, memberships, invitations, locks
 * (reopens) and schedules is recorded here, in the same transaction as the change, so the
 * log never claims something that was rolled back and never misses something that stayed.
 */
import type { Prisma } from '../db/generated/client.js';
import { actorLabel, type Actor, type DomainDb } from './access.js';

export interface AuditEntry {
  /** Who did it: an Actor, or a free label such as 'system' for scheduled jobs. */
  actor: Actor | string | null;
  /** Dotted verb, e.g. 'submission.update', 'invitation.create', 'period.reopen'. */
  action: string;
  /** Table-like name of what changed, e.g. 'submission', 'membership'. */
  entity: string;
  entityId: string;
  /** What changed (never secrets such as invitation codes). */
  data?: Record<string, unknown>;
  /** When; defaults to the database clock. */
  at?: Date;
}

/** JSON-safe copy: Dates become ISO strings, Decimals/BigInts strings, undefined dropped. */
export function toJson(value: unknown): Prisma.InputJsonValue {
  return JSON.parse(
    JSON.stringify(value ?? {}, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
  ) as Prisma.InputJsonValue;
}

/** Append one entry. Rows are only ever inserted; there is deliberately no update or delete. */
export async function audit(db: DomainDb, entry: AuditEntry): Promise<void> {
  const actor =
    entry.actor === null || typeof entry.actor === 'string' ? entry.actor : actorLabel(entry.actor);
  // createMany: nothing read back (no RETURNING to decode; it runs with every saved figure).
  await db.auditLog.createMany({
    data: [
      {
        actor,
        action: entry.action,
        entity: entry.entity,
        entityId: entry.entityId,
        data: toJson(entry.data ?? {}),
        ...(entry.at ? { at: entry.at } : {}),
      },
    ],
  });
}

/** Read the trail of one entity, oldest first (for support and tests). */
export async function auditTrail(db: DomainDb, entity: string, entityId: string) {
  return db.auditLog.findMany({ where: { entity, entityId }, orderBy: { id: 'asc' } });
}
