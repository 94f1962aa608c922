/**
 * Single-use, expiring invitation codes that link a chat identity to a unit and role.
 * An admin (or the CLI operator) may invite any role anywhere; a manager only reporters and
 * managers inside its own subtree. Codes are stored hashed; failed redemptions are counted
 * per identity and rate-limited. Every change is audited.
 */
import type { Invitation, Membership, Person, Unit } from '../../db/generated/client.js';
import {
  AccessError,
  NotFoundError,
  ValidationError,
  actorLabel,
  actorPersonId,
  canManageUnit,
  findUnitByCode,
  inTransaction,
  isAdmin,
  type Actor,
  type DomainDb,
  type RoleName,
} from '../access.js';
import { audit } from '../audit.js';
import { InvitationError, RateLimitedError } from './errors.js';
import { generateInviteCode, hashInviteCode, normalizeInviteCode } from './invite-code.js';

export const DEFAULT_EXPIRY_MS = 7 * 24 * 3600_000;
/** Failed attempts allowed per identity within RATE_WINDOW_MS. */
export const MAX_FAILED_ATTEMPTS = 5;
export const RATE_WINDOW_MS = 15 * 60_000;
const PERSON_LABEL = 'person:';

/**
 * Parse a duration such as `7d`, `12h`, `30m`, `2w` (or a number of milliseconds).
 * @throws ValidationError for anything else, or a non-positive duration.
 */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (!Number.isFinite(input) || input <= 0) throw new ValidationError(`bad duration ${input}`);
    return input;
  }
  const m = /^\s*(\d+)\s*(w|d|h|m)\s*$/i.exec(input);
  if (!m) throw new ValidationError(`bad duration '${input}' (use e.g. 7d, 12h, 30m)`);
  const n = Number(m[1]);
  const unit = (m[2] ?? 'd').toLowerCase();
  const ms = { w: 7 * 86_400_000, d: 86_400_000, h: 3_600_000, m: 60_000 }[unit] ?? 86_400_000;
  if (n <= 0) throw new ValidationError(`bad duration '${input}'`);
  return n * ms;
}

export interface CreateInvitationInput {
  unitCode: string;
  role: RoleName;
  /** Default 7 days. */
  expiresIn?: string | number;
  createdBy: Actor;
  now: Date;
  label?: string;
  /** Link the redeeming identity to this existing person (another platform of the same person). */
  forPersonId?: string;
  /** Secret from configuration mixed into the stored hash. */
  pepper?: string;
}

/**
 * Create an invitation and return the plain code (shown once, never stored).
 * @throws NotFoundError unknown unit code; AccessError when the creator may not invite that
 *   role for that unit; ValidationError for a bad role or expiry.
 */
export async function createInvitation(
  db: DomainDb,
  input: CreateInvitationInput,
): Promise<{ code: string; invitation: Invitation; unit: Unit }> {
  if (!['reporter', 'manager', 'admin'].includes(input.role)) {
    throw new ValidationError(`bad role '${input.role}' (reporter, manager or admin)`);
  }
  const ttl = parseDuration(input.expiresIn ?? DEFAULT_EXPIRY_MS);
  return inTransaction(db, async (tx) => {
    const unit = await findUnitByCode(tx, input.unitCode, input.now);
    const admin = await isAdmin(tx, input.createdBy);
    // A person may make a code for itself (to link another platform) for a role it holds.
    const selfLink =
      input.createdBy !== 'cli' &&
      input.forPersonId === input.createdBy.personId &&
      (await tx.membership.findFirst({
        where: { personId: input.forPersonId, unitId: unit.id, role: input.role, removedAt: null },
        select: { id: true },
      })) !== null;
    if (!admin && !selfLink) {
      if (input.role === 'admin') {
        throw new AccessError('only an admin may invite an admin', 'domain.errors.inviteRole', {
          role: input.role,
        });
      }
      if (!(await canManageUnit(tx, input.createdBy, unit.id))) {
        throw new AccessError(`not a manager of unit ${unit.code}`, 'domain.errors.notManager', {
          unit: unit.name,
        });
      }
    }
    if (input.forPersonId) {
      const p = await tx.person.findUnique({ where: { id: input.forPersonId } });
      if (!p) throw new NotFoundError('person', input.forPersonId);
    }
    const label = input.forPersonId ? `${PERSON_LABEL}${input.forPersonId}` : (input.label ?? null);
    for (let attempt = 0; ; attempt++) {
      const code = generateInviteCode();
      const codeHash = hashInviteCode(normalizeInviteCode(code) ?? code, input.pepper);
      const clash = await tx.invitation.findUnique({ where: { codeHash }, select: { id: true } });
      if (clash && attempt < 5) continue;
      const invitation = await tx.invitation.create({
        data: {
          codeHash,
          unitId: unit.id,
          role: input.role,
          createdBy: actorPersonId(input.createdBy),
          createdAt: input.now,
          expiresAt: new Date(input.now.getTime() + ttl),
          label,
        },
      });
      await audit(tx, {
        actor: input.createdBy,
        action: 'invitation.create',
        entity: 'invitation',
        entityId: invitation.id,
        at: input.now,
        data: {
          unitId: unit.id,
          unitCode: unit.code,
          role: input.role,
          expiresAt: invitation.expiresAt,
          forPersonId: input.forPersonId ?? null,
        },
      });
      return { code, invitation, unit };
    }
  });
}

/**
 * A code with which a linked person links another platform to the same person (same unit and
 * role as one of their memberships, so redeeming it grants nothing new).
 * @throws AccessError when the person has no active membership.
 */
export async function createLinkCode(
  db: DomainDb,
  input: { personId: string; now: Date; pepper?: string; expiresIn?: string | number },
): Promise<{ code: string; invitation: Invitation }> {
  const m = await db.membership.findFirst({
    where: { personId: input.personId, removedAt: null },
    include: { unit: true },
    orderBy: { createdAt: 'asc' },
  });
  if (!m) throw new AccessError('not linked', 'domain.errors.notLinked');
  const { code, invitation } = await createInvitation(db, {
    unitCode: m.unit.code,
    role: m.role,
    createdBy: { personId: input.personId },
    now: input.now,
    forPersonId: input.personId,
    expiresIn: input.expiresIn ?? 24 * 3600_000,
    ...(input.pepper !== undefined ? { pepper: input.pepper } : {}),
  });
  return { code, invitation };
}

export interface RedeemInput {
  code: string;
  channel: string;
  externalId: string;
  displayName?: string | null;
  now: Date;
  pepper?: string;
}

export interface RedeemResult {
  person: Person;
  membership: Membership;
  unit: Unit;
  role: RoleName;
  /** A new Person was created for this identity. */
  personCreated: boolean;
  /** The identity was linked to the person by this redemption. */
  identityLinked: boolean;
  /** The person already held this role for this unit (nothing new granted). */
  alreadyMember: boolean;
}

/**
 * Redeem a code for a chat identity: links the identity to a person (new, the identity's
 * existing person, or the person the code was made for) and grants the membership.
 *
 * A failed attempt is recorded before the error is thrown. When the caller runs this inside
 * its own transaction it must catch the error and let the transaction commit, otherwise the
 * attempt is rolled back and the rate limit never bites.
 * @throws RateLimitedError after MAX_FAILED_ATTEMPTS failures in RATE_WINDOW_MS;
 *   InvitationError when the code is malformed, unknown, expired, used or revoked.
 */
export async function redeemInvitation(db: DomainDb, input: RedeemInput): Promise<RedeemResult> {
  const identityKey = `${input.channel}:${input.externalId}`;
  const since = new Date(input.now.getTime() - RATE_WINDOW_MS);
  const failures = await db.inviteAttempt.findMany({
    where: { identityKey, at: { gt: since, lte: input.now } },
    orderBy: { at: 'asc' },
    select: { at: true },
  });
  if (failures.length >= MAX_FAILED_ATTEMPTS) {
    const oldestCounted = failures[failures.length - MAX_FAILED_ATTEMPTS]?.at ?? input.now;
    throw new RateLimitedError(new Date(oldestCounted.getTime() + RATE_WINDOW_MS));
  }
  const fail = async (reason: 'malformed' | 'unknown' | 'expired' | 'used' | 'revoked') => {
    await db.inviteAttempt.create({ data: { identityKey, at: input.now } });
    return new InvitationError(reason, Math.max(0, MAX_FAILED_ATTEMPTS - failures.length - 1));
  };

  const normalized = normalizeInviteCode(input.code);
  if (!normalized) throw await fail('malformed');
  const codeHash = hashInviteCode(normalized, input.pepper);
  const inv = await db.invitation.findUnique({ where: { codeHash }, include: { unit: true } });
  if (!inv) throw await fail('unknown');
  if (inv.revokedAt) throw await fail('revoked');
  if (inv.usedAt) throw await fail('used');
  if (inv.expiresAt.getTime() <= input.now.getTime()) throw await fail('expired');

  const result = await inTransaction(db, async (tx) => {
    // Claim the code atomically: a concurrent redemption of the same code gets count 0.
    const claimed = await tx.invitation.updateMany({
      where: { id: inv.id, usedAt: null, revokedAt: null, expiresAt: { gt: input.now } },
      data: { usedAt: input.now },
    });
    if (claimed.count !== 1) return null;

    const forPersonId = inv.label?.startsWith(PERSON_LABEL)
      ? inv.label.slice(PERSON_LABEL.length)
      : null;
    const existing = await tx.identity.findUnique({
      where: { channel_externalId: { channel: input.channel, externalId: input.externalId } },
      include: { person: true },
    });
    let person: Person;
    let personCreated = false;
    let identityLinked = false;
    if (existing) {
      person = existing.person;
    } else if (forPersonId) {
      const p = await tx.person.findUnique({ where: { id: forPersonId } });
      if (!p) throw new NotFoundError('person', forPersonId);
      person = p;
    } else {
      person = await tx.person.create({
        data: { displayName: input.displayName ?? null, createdAt: input.now },
      });
      personCreated = true;
    }
    if (!existing) {
      await tx.identity.create({
        data: {
          channel: input.channel,
          externalId: input.externalId,
          personId: person.id,
          createdAt: input.now,
        },
      });
      identityLinked = true;
      await audit(tx, {
        actor: { personId: person.id },
        action: 'identity.link',
        entity: 'person',
        entityId: person.id,
        at: input.now,
        data: { channel: input.channel, invitationId: inv.id },
      });
    }
    if (!person.displayName && input.displayName) {
      person = await tx.person.update({
        where: { id: person.id },
        data: { displayName: input.displayName },
      });
    }
    let membership = await tx.membership.findFirst({
      where: { personId: person.id, unitId: inv.unitId, role: inv.role, removedAt: null },
    });
    const alreadyMember = membership !== null;
    if (!membership) {
      membership = await tx.membership.create({
        data: { personId: person.id, unitId: inv.unitId, role: inv.role, createdAt: input.now },
      });
      await audit(tx, {
        actor: { personId: person.id },
        action: 'membership.create',
        entity: 'membership',
        entityId: membership.id,
        at: input.now,
        data: { personId: person.id, unitId: inv.unitId, unitCode: inv.unit.code, role: inv.role },
      });
    }
    await tx.invitation.update({ where: { id: inv.id }, data: { usedByPersonId: person.id } });
    await audit(tx, {
      actor: { personId: person.id },
      action: 'invitation.redeem',
      entity: 'invitation',
      entityId: inv.id,
      at: input.now,
      data: { personId: person.id, channel: input.channel },
    });
    return {
      person,
      membership,
      unit: inv.unit,
      role: inv.role as RoleName,
      personCreated,
      identityLinked,
      alreadyMember,
    };
  });
  if (!result) throw await fail('used');
  return result;
}

export type InvitationStatus = 'active' | 'used' | 'expired' | 'revoked';

export interface InvitationView {
  id: string;
  unitCode: string;
  unitName: string;
  role: RoleName;
  status: InvitationStatus;
  createdAt: Date;
  expiresAt: Date;
  usedAt: Date | null;
  usedByPersonId: string | null;
  createdBy: string | null;
  label: string | null;
}

/** The status of an invitation at `now`. */
export function invitationStatus(inv: Invitation, now: Date): InvitationStatus {
  if (inv.revokedAt) return 'revoked';
  if (inv.usedAt) return 'used';
  if (inv.expiresAt.getTime() <= now.getTime()) return 'expired';
  return 'active';
}

/**
 * Invitations, newest first, optionally only the still-usable ones or one unit's. Codes cannot
 * be shown (only hashes are stored); ids identify them for revocation.
 */
export async function listInvitations(
  db: DomainDb,
  opts: { now: Date; unitCode?: string; activeOnly?: boolean } = { now: new Date() },
): Promise<InvitationView[]> {
  const unit = opts.unitCode ? await findUnitByCode(db, opts.unitCode, opts.now) : null;
  const rows = await db.invitation.findMany({
    where: {
      ...(unit ? { unitId: unit.id } : {}),
      ...(opts.activeOnly ? { usedAt: null, revokedAt: null, expiresAt: { gt: opts.now } } : {}),
    },
    include: { unit: { select: { code: true, name: true } } },
    orderBy: [{ createdAt: 'desc' }, { id: 'asc' }],
  });
  return rows.map((r) => ({
    id: r.id,
    unitCode: r.unit.code,
    unitName: r.unit.name,
    role: r.role as RoleName,
    status: invitationStatus(r, opts.now),
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    usedAt: r.usedAt,
    usedByPersonId: r.usedByPersonId,
    createdBy: r.createdBy,
    label: r.label,
  }));
}

/**
 * Revoke an unused invitation, named by its plain code or its id.
 * @throws NotFoundError when neither matches; ValidationError when already used or revoked;
 *   AccessError when the actor may not manage the invitation's unit.
 */
export async function revokeInvitation(
  db: DomainDb,
  input: { codeOrId: string; by: Actor; now: Date; pepper?: string },
): Promise<Invitation> {
  return inTransaction(db, async (tx) => {
    const normalized = normalizeInviteCode(input.codeOrId);
    let inv =
      normalized !== null
        ? await tx.invitation.findUnique({
            where: { codeHash: hashInviteCode(normalized, input.pepper) },
          })
        : null;
    inv ??= await tx.invitation.findUnique({ where: { id: input.codeOrId.trim() } });
    if (!inv) throw new NotFoundError('invitation', input.codeOrId);
    if (!(await canManageUnit(tx, input.by, inv.unitId))) {
      throw new AccessError('not a manager of the invitation unit', 'domain.errors.notManager');
    }
    if (inv.revokedAt)
      throw new ValidationError('invitation already revoked', 'domain.errors.invitation.revoked');
    if (inv.usedAt)
      throw new ValidationError('invitation already used', 'domain.errors.invitation.used');
    const updated = await tx.invitation.update({
      where: { id: inv.id },
      data: { revokedAt: input.now },
    });
    await audit(tx, {
      actor: actorLabel(input.by),
      action: 'invitation.revoke',
      entity: 'invitation',
      entityId: inv.id,
      at: input.now,
      data: { unitId: inv.unitId, role: inv.role },
    });
    return updated;
  });
}
