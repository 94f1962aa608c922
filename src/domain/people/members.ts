/**
 * People, their channel identities and memberships. The chat handlers call resolveIdentity on
 * every message to tell staff (active memberships) from citizens (null).
 */
import type { Person, Unit } from '../../db/generated/client.js';
import {
  AccessError,
  NotFoundError,
  canManageUnit,
  findUnitByCode,
  inTransaction,
  type Actor,
  type DomainDb,
  type RoleName,
} from '../access.js';
import { audit } from '../audit.js';
import { revokeSelfLinkCodes } from './invitations.js';

export interface ResolvedIdentity {
  person: Person;
  memberships: Array<{ membershipId: string; unit: Unit; role: RoleName }>;
}

/**
 * The person behind a chat identity with their active memberships, or null when the identity
 * is not linked (a citizen). A linked person whose memberships were all removed gets an empty
 * list: treat them as a citizen for reporting, but they may link again with a new code.
 */
export async function resolveIdentity(
  db: DomainDb,
  channel: string,
  externalId: string,
): Promise<ResolvedIdentity | null> {
  const identity = await db.identity.findUnique({
    where: { channel_externalId: { channel, externalId } },
    include: {
      person: {
        include: {
          memberships: {
            where: { removedAt: null },
            include: { unit: true },
            orderBy: { createdAt: 'asc' },
          },
        },
      },
    },
  });
  if (!identity) return null;
  const { memberships, ...person } = identity.person;
  return {
    person,
    memberships: memberships.map((m) => ({
      membershipId: m.id,
      unit: m.unit,
      role: m.role as RoleName,
    })),
  };
}

export interface MemberView {
  personId: string;
  displayName: string | null;
  membershipId: string;
  unitCode: string;
  unitName: string;
  role: RoleName;
  since: Date;
  identities: Array<{ channel: string; externalId: string }>;
}

/**
 * Active members, optionally of one unit (by code, the unit in force at `now`), ordered by
 * unit code then role then name.
 */
export async function listMembers(
  db: DomainDb,
  opts: { unitCode?: string; now: Date },
): Promise<MemberView[]> {
  const unit = opts.unitCode ? await findUnitByCode(db, opts.unitCode, opts.now) : null;
  const rows = await db.membership.findMany({
    where: { removedAt: null, ...(unit ? { unitId: unit.id } : {}) },
    include: {
      unit: { select: { code: true, name: true } },
      person: { include: { identities: { orderBy: [{ channel: 'asc' }, { externalId: 'asc' }] } } },
    },
  });
  const roleOrder: Record<string, number> = { admin: 0, manager: 1, reporter: 2 };
  return rows
    .map((r) => ({
      personId: r.personId,
      displayName: r.person.displayName,
      membershipId: r.id,
      unitCode: r.unit.code,
      unitName: r.unit.name,
      role: r.role as RoleName,
      since: r.createdAt,
      identities: r.person.identities.map((i) => ({
        channel: i.channel,
        externalId: i.externalId,
      })),
    }))
    .sort(
      (a, b) =>
        a.unitCode.localeCompare(b.unitCode) ||
        (roleOrder[a.role] ?? 9) - (roleOrder[b.role] ?? 9) ||
        (a.displayName ?? '').localeCompare(b.displayName ?? '', 'vi') ||
        a.personId.localeCompare(b.personId),
    );
}

/**
 * Remove a person's active memberships (all, or only those of one unit). History is kept:
 * rows get `removedAt`, identities stay so a later invitation re-attaches the same person.
 * @returns the number of memberships removed.
 * @throws NotFoundError unknown person (or unit code); AccessError when the actor may not
 *   manage every affected unit.
 */
export async function removeMember(
  db: DomainDb,
  input: { personId: string; by: Actor; now: Date; unitCode?: string },
): Promise<number> {
  return inTransaction(db, async (tx) => {
    const person = await tx.person.findUnique({ where: { id: input.personId } });
    if (!person) throw new NotFoundError('person', input.personId);
    const unit = input.unitCode ? await findUnitByCode(tx, input.unitCode, input.now) : null;
    const ms = await tx.membership.findMany({
      where: { personId: person.id, removedAt: null, ...(unit ? { unitId: unit.id } : {}) },
    });
    for (const m of ms) {
      if (!(await canManageUnit(tx, input.by, m.unitId))) {
        throw new AccessError(
          'not a manager of every unit of this person',
          'domain.errors.notManager',
        );
      }
      if (m.role === 'admin' && input.by !== 'cli') {
        const byMs = await tx.membership.findFirst({
          where: { personId: input.by.personId, role: 'admin', removedAt: null },
        });
        if (!byMs)
          throw new AccessError('only an admin may remove an admin', 'domain.errors.inviteRole');
      }
    }
    for (const m of ms) {
      await tx.membership.update({ where: { id: m.id }, data: { removedAt: input.now } });
      await audit(tx, {
        actor: input.by,
        action: 'membership.remove',
        entity: 'membership',
        entityId: m.id,
        at: input.now,
        data: { personId: person.id, unitId: m.unitId, role: m.role },
      });
    }
    // Self-link codes made before the removal must not restore access.
    if (ms.length > 0) await revokeSelfLinkCodes(tx, person.id, input.now);
    return ms.length;
  });
}
