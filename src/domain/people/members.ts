/**
 * People, their channel identities and memberships. The chat handlers call resolveIdentity on
 * every message to tell staff (active memberships) from citizens (null).
 */
import { Prisma, type Person, type Unit } from '../../db/generated/client.js';
import type { ReadStatement } from '../../db/raw.js';
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
import { unitOfRow, type UnitRow } from '../units/units.js';
import { VERSION_PREFIX } from '../versions.js';
import { revokeSelfLinkCodes } from './invitations.js';

export interface ResolvedIdentity {
  person: Person;
  /** The identity's reachability as read with it (see reachability.ts). */
  identity: { lastSeenAt: Date | null; unreachableAt: Date | null };
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
  return (await readSenderPrelude(db, channel, externalId)).identity;
}

/** What every update reads first about its sender (see readSenderPrelude). */
export interface SenderPrelude {
  identity: ResolvedIdentity | null;
  /** The language chosen with /lang on this identity itself (raw; see locale.ts). */
  ownLocale: string | null;
  /** catalog_meta's data versions, key without the `version.` prefix (see versions.ts). */
  versions: Map<string, string>;
}

/**
 * The sender of an update in one query (it runs on every update): identity, person, active
 * memberships and their units as rows of a join, the language chosen on the identity, and the
 * data versions the caches are keyed by — instead of a query for each.
 */
export async function readSenderPrelude(
  db: DomainDb,
  channel: string,
  externalId: string,
  /** Runs the statement (default: the client's `$queryRaw`); see src/db/raw.ts. */
  read: ReadStatement = (sql) => db.$queryRaw(sql),
): Promise<SenderPrelude> {
  const rows = await read<ResolvedRow>(Prisma.sql`
    SELECT c.locale AS own_locale,
           (SELECT json_object_agg(k.key, k.value) FROM catalog_meta k
             WHERE k.key LIKE ${`${VERSION_PREFIX}%`}) AS versions,
           p.id AS person_id, p.display_name, p.locale, p.created_at AS person_created_at,
           i.last_seen_at, i.unreachable_at,
           m.id AS membership_id, m.role::text AS role,
           u.id AS unit_id, u.code, u.name, u.type, u.level::text AS level, u.name_en,
           u.parent_id, u.effective_from, u.effective_to, u.name_folded
      FROM (SELECT 1) AS one
      LEFT JOIN locale_choice c ON c.channel = ${channel} AND c.user_id = ${externalId}
      LEFT JOIN identity i ON i.channel = ${channel} AND i.external_id = ${externalId}
      LEFT JOIN person p ON p.id = i.person_id
      LEFT JOIN membership m ON m.person_id = p.id AND m.removed_at IS NULL
      LEFT JOIN unit u ON u.id = m.unit_id
     ORDER BY m.created_at ASC, m.id ASC`);
  const first = rows[0];
  const raw = first?.versions ?? null;
  const versionRows = (typeof raw === 'string' ? JSON.parse(raw) : (raw ?? {})) as Record<
    string,
    string
  >;
  const versions = new Map(
    Object.entries(versionRows).map(([k, v]) => [k.slice(VERSION_PREFIX.length), v]),
  );
  const ownLocale = first?.own_locale ?? null;
  if (!first || first.person_id === null) return { identity: null, ownLocale, versions };
  const identity: ResolvedIdentity = {
    person: {
      id: first.person_id,
      displayName: first.display_name,
      locale: first.locale,
      createdAt: first.person_created_at!,
    },
    identity: { lastSeenAt: first.last_seen_at, unreachableAt: first.unreachable_at },
    memberships: rows.flatMap((r) =>
      r.membership_id === null || r.unit_id === null
        ? []
        : [
            {
              membershipId: r.membership_id,
              role: r.role as RoleName,
              unit: unitOfRow(r as UnitRow),
            },
          ],
    ),
  };
  return { identity, ownLocale, versions };
}

interface ResolvedRow {
  own_locale: string | null;
  versions: string | Record<string, string> | null;
  person_id: string | null;
  display_name: string | null;
  locale: string | null;
  person_created_at: Date | null;
  last_seen_at: Date | null;
  unreachable_at: Date | null;
  membership_id: string | null;
  role: string | null;
  unit_id: string | null;
  code: string | null;
  name: string | null;
  type: string | null;
  level: string | null;
  name_en: string | null;
  parent_id: string | null;
  effective_from: Date | null;
  effective_to: Date | null;
  name_folded: string | null;
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
