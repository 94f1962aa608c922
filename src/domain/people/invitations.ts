/**
 * Single-use, expiring invitation codes. A membership invitation links a chat identity to a
 * unit and role; a self-link code attaches another platform's identity to its maker. An admin (or the CLI operator) may invite any role anywhere; a manager only reporters and
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
import {
  ChannelPausedError,
  IdentityLinkedError,
  InvitationError,
  RateLimitedError,
} from './errors.js';
import {
  CURRENT_HASH_VERSION,
  LEGACY_HASH_VERSION,
  generateInviteCode,
  hashInviteCode,
  normalizeInviteCode,
} from './invite-code.js';

export const DEFAULT_EXPIRY_MS = 7 * 24 * 3600_000;
/** Failed attempts allowed per identity within RATE_WINDOW_MS. */
export const MAX_FAILED_ATTEMPTS = 5;
export const RATE_WINDOW_MS = 15 * 60_000;
/** Window of the per-channel failure budget; identities newer than this are paused above it. */
export const CHANNEL_WINDOW_MS = 3600_000;
const PERSON_LABEL = 'person:';

export type InvitationKind = 'membership' | 'self_link';

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
    if (!admin) {
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
    const { code, invitation } = await insertInvitation(tx, {
      kind: 'membership',
      unitId: unit.id,
      role: input.role,
      createdBy: actorPersonId(input.createdBy),
      now: input.now,
      ttl,
      label,
      pepper: input.pepper,
    });
    await audit(tx, {
      actor: input.createdBy,
      action: 'invitation.create',
      entity: 'invitation',
      entityId: invitation.id,
      at: input.now,
      data: {
        kind: 'membership',
        unitId: unit.id,
        unitCode: unit.code,
        role: input.role,
        expiresAt: invitation.expiresAt,
        forPersonId: input.forPersonId ?? null,
      },
    });
    return { code, invitation, unit };
  });
}

/** Stores a fresh code's keyed hash (retrying the 2^-40 clash) and returns the plain code. */
async function insertInvitation(
  tx: DomainDb,
  input: {
    kind: InvitationKind;
    unitId: string;
    role: RoleName;
    createdBy: string | null;
    now: Date;
    ttl: number;
    label: string | null;
    pepper: string | undefined;
  },
): Promise<{ code: string; invitation: Invitation }> {
  for (let attempt = 0; ; attempt++) {
    const code = generateInviteCode();
    const hashVersion = input.pepper ? CURRENT_HASH_VERSION : LEGACY_HASH_VERSION;
    const codeHash = hashInviteCode(normalizeInviteCode(code) ?? code, input.pepper);
    const clash = await tx.invitation.findUnique({ where: { codeHash }, select: { id: true } });
    if (clash && attempt < 5) continue;
    const invitation = await tx.invitation.create({
      data: {
        codeHash,
        hashVersion,
        kind: input.kind,
        unitId: input.unitId,
        role: input.role,
        createdBy: input.createdBy,
        createdAt: input.now,
        expiresAt: new Date(input.now.getTime() + input.ttl),
        label: input.label,
      },
    });
    return { code, invitation };
  }
}

/**
 * A self-link code: with it the person who made it attaches one more chat identity (another
 * platform) to themselves. It grants no membership, works only while its maker still holds a
 * membership, and is revoked when they are removed (see removeMember).
 * @throws AccessError when the person has no active membership.
 */
export async function createLinkCode(
  db: DomainDb,
  input: { personId: string; now: Date; pepper?: string; expiresIn?: string | number },
): Promise<{ code: string; invitation: Invitation }> {
  const ttl = parseDuration(input.expiresIn ?? 24 * 3600_000);
  return inTransaction(db, async (tx) => {
    const m = await tx.membership.findFirst({
      where: { personId: input.personId, removedAt: null },
      orderBy: { createdAt: 'asc' },
    });
    if (!m) throw new AccessError('not linked', 'domain.errors.notLinked');
    const made = await insertInvitation(tx, {
      kind: 'self_link',
      unitId: m.unitId,
      role: m.role as RoleName,
      createdBy: input.personId,
      now: input.now,
      ttl,
      label: `${PERSON_LABEL}${input.personId}`,
      pepper: input.pepper,
    });
    await audit(tx, {
      actor: { personId: input.personId },
      action: 'invitation.create',
      entity: 'invitation',
      entityId: made.invitation.id,
      at: input.now,
      data: { kind: 'self_link', personId: input.personId, expiresAt: made.invitation.expiresAt },
    });
    return made;
  });
}

/**
 * Revoke the unused self-link codes a person made (when they are removed): a code made before
 * removal must not restore access. Runs inside the caller's transaction.
 */
export async function revokeSelfLinkCodes(
  tx: DomainDb,
  personId: string,
  now: Date,
): Promise<number> {
  const { count } = await tx.invitation.updateMany({
    where: {
      kind: 'self_link',
      label: `${PERSON_LABEL}${personId}`,
      usedAt: null,
      revokedAt: null,
    },
    data: { revokedAt: now },
  });
  return count;
}

export interface RedeemInput {
  code: string;
  channel: string;
  externalId: string;
  displayName?: string | null;
  now: Date;
  pepper?: string;
  /**
   * Failed redemptions per CHANNEL_WINDOW_MS on this channel above which identities first
   * seen in the window are paused (ChannelPausedError); unset = no channel budget.
   */
  channelBudget?: number;
}

export interface RedeemResult {
  kind: InvitationKind;
  person: Person;
  /** The membership granted (membership invitation) or the maker's first one (self-link). */
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

/** The stored invitation a typed code names: current hash first, then the legacy one. */
async function findByCode(db: DomainDb, normalized: string, pepper: string | undefined) {
  const include = { unit: true } as const;
  const inv = await db.invitation.findUnique({
    where: { codeHash: hashInviteCode(normalized, pepper) },
    include,
  });
  if (inv || !pepper) return inv;
  // Codes issued before INVITE_CODE_PEPPER was configured stay valid until they expire.
  const legacy = await db.invitation.findUnique({
    where: { codeHash: hashInviteCode(normalized, undefined) },
    include,
  });
  return legacy?.hashVersion === LEGACY_HASH_VERSION ? legacy : null;
}

/**
 * Redeem a code for a chat identity.
 *
 * A *membership* invitation links the identity to a person (new, the identity's own, or the
 * person named by `invite create --person`) and grants the membership it names. A *self-link*
 * code only attaches a new, unlinked identity to the person who made it, while that person
 * still holds a membership; it never changes a membership.
 *
 * A failed attempt is recorded before the error is thrown. When the caller runs this inside
 * its own transaction it must catch the error and let the transaction commit, otherwise the
 * attempt is rolled back and the rate limit never bites.
 * @throws RateLimitedError after MAX_FAILED_ATTEMPTS failures in RATE_WINDOW_MS;
 *   InvitationError when the code is malformed, unknown, expired, used or revoked;
 *   IdentityLinkedError when the identity is already linked to another person.
 */
export async function redeemInvitation(db: DomainDb, input: RedeemInput): Promise<RedeemResult> {
  const identityKey = `${input.channel}:${input.externalId}`;
  if (input.channelBudget !== undefined) await checkChannelBudget(db, input, input.channelBudget);
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
    await db.inviteAttempt.create({
      data: { identityKey, channel: input.channel, at: input.now },
    });
    return new InvitationError(reason, Math.max(0, MAX_FAILED_ATTEMPTS - failures.length - 1));
  };

  const normalized = normalizeInviteCode(input.code);
  if (!normalized) throw await fail('malformed');
  const inv = await findByCode(db, normalized, input.pepper);
  if (!inv) throw await fail('unknown');
  if (inv.revokedAt) throw await fail('revoked');
  if (inv.usedAt) throw await fail('used');
  if (inv.expiresAt.getTime() <= input.now.getTime()) throw await fail('expired');

  const forPersonId = inv.label?.startsWith(PERSON_LABEL)
    ? inv.label.slice(PERSON_LABEL.length)
    : null;
  const existing = await db.identity.findUnique({
    where: { channel_externalId: { channel: input.channel, externalId: input.externalId } },
    include: { person: true },
  });
  // An identity belongs to one person: a code made for someone else cannot move it.
  if (existing && forPersonId && existing.personId !== forPersonId) {
    throw new IdentityLinkedError();
  }
  const selfLink = inv.kind === 'self_link';
  if (selfLink) {
    const makerMembership = forPersonId
      ? await db.membership.findFirst({
          where: { personId: forPersonId, removedAt: null },
          orderBy: { createdAt: 'asc' },
          include: { unit: true },
        })
      : null;
    // The maker was removed (or the code is malformed data): it restores nothing.
    if (!forPersonId || !makerMembership) throw await fail('revoked');
    if (existing) {
      return {
        kind: 'self_link',
        person: existing.person,
        membership: makerMembership,
        unit: makerMembership.unit,
        role: makerMembership.role as RoleName,
        personCreated: false,
        identityLinked: false,
        alreadyMember: true,
      };
    }
  }

  const result = await inTransaction(db, async (tx) => {
    // Claim the code atomically: a concurrent redemption of the same code gets count 0.
    const claimed = await tx.invitation.updateMany({
      where: { id: inv.id, usedAt: null, revokedAt: null, expiresAt: { gt: input.now } },
      data: { usedAt: input.now },
    });
    if (claimed.count !== 1) return null;

    const linked = await linkIdentity(tx, input, inv.id, forPersonId);
    let person = linked.person;
    if (!person.displayName && input.displayName) {
      person = await tx.person.update({
        where: { id: person.id },
        data: { displayName: input.displayName },
      });
    }
    let membership: Membership | null;
    let unit = inv.unit;
    let role = inv.role as RoleName;
    let alreadyMember: boolean;
    if (selfLink) {
      // Grants nothing: report the maker's first membership, checked again in the transaction.
      const m = await tx.membership.findFirst({
        where: { personId: person.id, removedAt: null },
        orderBy: { createdAt: 'asc' },
        include: { unit: true },
      });
      if (!m) throw new AccessError('not linked', 'domain.errors.notLinked');
      membership = m;
      unit = m.unit;
      role = m.role as RoleName;
      alreadyMember = true;
    } else {
      membership = await tx.membership.findFirst({
        where: { personId: person.id, unitId: inv.unitId, role: inv.role, removedAt: null },
      });
      alreadyMember = membership !== null;
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
          data: {
            personId: person.id,
            unitId: inv.unitId,
            unitCode: inv.unit.code,
            role: inv.role,
          },
        });
      }
    }
    await tx.invitation.update({ where: { id: inv.id }, data: { usedByPersonId: person.id } });
    await audit(tx, {
      actor: { personId: person.id },
      action: 'invitation.redeem',
      entity: 'invitation',
      entityId: inv.id,
      at: input.now,
      data: { personId: person.id, channel: input.channel, kind: inv.kind },
    });
    return {
      kind: inv.kind as InvitationKind,
      person,
      membership,
      unit,
      role,
      personCreated: linked.personCreated,
      identityLinked: linked.identityLinked,
      alreadyMember,
    };
  });
  if (!result) throw await fail('used');
  return result;
}

/**
 * Guessing with ever fresh identities defeats the per-identity limit: above the channel's
 * failure budget, identities not linked for at least CHANNEL_WINDOW_MS are paused.
 * @throws ChannelPausedError
 */
async function checkChannelBudget(db: DomainDb, input: RedeemInput, budget: number) {
  const since = new Date(input.now.getTime() - CHANNEL_WINDOW_MS);
  const failures = await db.inviteAttempt.count({
    where: { channel: input.channel, at: { gt: since, lte: input.now } },
  });
  if (failures < budget) return;
  const established = await db.identity.findFirst({
    where: { channel: input.channel, externalId: input.externalId, createdAt: { lte: since } },
    select: { personId: true },
  });
  if (!established) throw new ChannelPausedError(input.channel, failures);
}

/**
 * The person the redeeming identity belongs to: its own when already linked, else the person
 * the code names, else a new person; a new identity row is audited.
 */
async function linkIdentity(
  tx: DomainDb,
  input: RedeemInput,
  invitationId: string,
  forPersonId: string | null,
): Promise<{ person: Person; personCreated: boolean; identityLinked: boolean }> {
  const existing = await tx.identity.findUnique({
    where: { channel_externalId: { channel: input.channel, externalId: input.externalId } },
    include: { person: true },
  });
  if (existing) {
    if (forPersonId && existing.personId !== forPersonId) throw new IdentityLinkedError();
    return { person: existing.person, personCreated: false, identityLinked: false };
  }
  let person: Person;
  let personCreated = false;
  if (forPersonId) {
    const p = await tx.person.findUnique({ where: { id: forPersonId } });
    if (!p) throw new NotFoundError('person', forPersonId);
    person = p;
  } else {
    person = await tx.person.create({
      data: { displayName: input.displayName ?? null, createdAt: input.now },
    });
    personCreated = true;
  }
  await tx.identity.create({
    data: {
      channel: input.channel,
      externalId: input.externalId,
      personId: person.id,
      createdAt: input.now,
    },
  });
  await audit(tx, {
    actor: { personId: person.id },
    action: 'identity.link',
    entity: 'person',
    entityId: person.id,
    at: input.now,
    data: { channel: input.channel, invitationId },
  });
  return { person, personCreated, identityLinked: true };
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
    let inv: Invitation | null =
      normalized !== null ? await findByCode(tx, normalized, input.pepper) : null;
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
