/**
 * Who may see and change what. Roles come from active memberships: a reporter acts for the
 * units it is a member of, a manager for the subtree under its unit, an admin for everything.
 * The admin CLI (operator on the server) acts as 'cli' and is treated as an admin.
 *
 * Also holds the small set of domain errors shared by people, submissions and reports: each
 * carries a locale `key` and `vars` so chat handlers answer in the user's language, and the
 * admin CLI maps NotFoundError / ValidationError to exit code 2 (bad arguments).
 */
import type { Prisma, PrismaClient, Unit } from '../db/generated/client.js';
import { findUnitByCode as findUnitInForce } from './units/units.js';

/** A root Prisma client or an interactive-transaction client: every domain function takes one. */
export type DomainDb = PrismaClient | Prisma.TransactionClient;

/** Who performs an action: a linked person, or the operator through the admin CLI. */
export type Actor = { personId: string } | 'cli';

export type RoleName = 'reporter' | 'manager' | 'admin';
export const ROLES: readonly RoleName[] = ['reporter', 'manager', 'admin'];

export class DomainError extends Error {
  readonly key: string;
  readonly vars: Record<string, unknown>;
  constructor(message: string, key: string, vars: Record<string, unknown> = {}) {
    super(message);
    this.key = key;
    this.vars = vars;
  }
}

/** The caller lacks the role or scope for this action (e.g. a reporter of another unit). */
export class AccessError extends DomainError {
  override readonly name = 'AccessError';
  constructor(message: string, key = 'domain.errors.access', vars: Record<string, unknown> = {}) {
    super(message, key, vars);
  }
}

/** A code typed by someone (unit, indicator, invitation, person) names nothing in force. */
export class NotFoundError extends DomainError {
  override readonly name = 'NotFoundError';
  readonly entity: string;
  readonly ref: string;
  constructor(entity: 'unit' | 'indicator' | 'invitation' | 'person' | 'submission', ref: string) {
    super(`unknown ${entity} '${ref}'`, `domain.errors.notFound`, { entity, ref });
    this.entity = entity;
    this.ref = ref;
  }
}

/** Input that cannot be stored as given (range, missing parts, period of the wrong kind). */
export class ValidationError extends DomainError {
  override readonly name = 'ValidationError';
  constructor(message: string, key = 'domain.errors.invalid', vars: Record<string, unknown> = {}) {
    super(message, key, vars);
  }
}

/** The string written to the audit log's `actor` column. */
export function actorLabel(actor: Actor): string {
  return actor === 'cli' ? 'cli' : `person:${actor.personId}`;
}

/** The person id of an actor, or null for the CLI operator. */
export function actorPersonId(actor: Actor): string | null {
  return actor === 'cli' ? null : actor.personId;
}

const HCM_OFFSET_MS = 7 * 3600_000;

/**
 * The calendar day of `now` in Asia/Ho_Chi_Minh as a UTC-midnight Date, the form Prisma uses
 * for `@db.Date` columns, so "in force today" compares days, not instants.
 */
export function hcmDay(now: Date): Date {
  const shifted = new Date(now.getTime() + HCM_OFFSET_MS);
  return new Date(Date.UTC(shifted.getUTCFullYear(), shifted.getUTCMonth(), shifted.getUTCDate()));
}

/** `HH:mm dd/mm/yyyy` in Asia/Ho_Chi_Minh, for error texts shown to people. */
export function vnDateTimeText(d: Date): string {
  const x = new Date(d.getTime() + HCM_OFFSET_MS);
  const p2 = (n: number) => String(n).padStart(2, '0');
  return `${p2(x.getUTCHours())}:${p2(x.getUTCMinutes())} ${p2(x.getUTCDate())}/${p2(x.getUTCMonth() + 1)}/${x.getUTCFullYear()}`;
}

/**
 * Resolve a typed unit code to the unit in force at `now`. A unit's identity is
 * (code, effectiveFrom): the same code named another unit before 2025-07-01.
 * @throws NotFoundError when no unit with that code is in force.
 */
export async function findUnitByCode(db: DomainDb, code: string, now: Date): Promise<Unit> {
  const unit = await findUnitInForce(db, code, now);
  if (!unit) throw new NotFoundError('unit', code);
  return unit;
}

/** Ids of `unitId` and all its ancestors, nearest first (depth is small: 2-3 levels). */
export async function ancestorIds(db: DomainDb, unitId: string): Promise<string[]> {
  const ids: string[] = [];
  let current: string | null = unitId;
  while (current && !ids.includes(current)) {
    ids.push(current);
    const row: { parentId: string | null } | null = await db.unit.findUnique({
      where: { id: current },
      select: { parentId: true },
    });
    current = row?.parentId ?? null;
  }
  return ids;
}

/**
 * Ids of the given roots and every unit below them, walking `parentId` level by level (the
 * tree is shallow, so a handful of indexed queries beat a recursive CTE in portability).
 */
export async function subtreeIds(db: DomainDb, rootIds: readonly string[]): Promise<string[]> {
  const seen = new Set(rootIds);
  let frontier = [...rootIds];
  while (frontier.length > 0) {
    const children = await db.unit.findMany({
      where: { parentId: { in: frontier } },
      select: { id: true },
    });
    frontier = children.map((c) => c.id).filter((id) => !seen.has(id));
    for (const id of frontier) seen.add(id);
  }
  return [...seen];
}

export interface ActiveMembership {
  id: string;
  unitId: string;
  role: RoleName;
}

/** The active (not removed) memberships of a person. */
export async function activeMemberships(
  db: DomainDb,
  personId: string,
): Promise<ActiveMembership[]> {
  const rows = await db.membership.findMany({
    where: { personId, removedAt: null },
    select: { id: true, unitId: true, role: true },
  });
  return rows.map((r) => ({ id: r.id, unitId: r.unitId, role: r.role as RoleName }));
}

/** Whether the actor is an admin (the CLI operator always is). */
export async function isAdmin(db: DomainDb, actor: Actor): Promise<boolean> {
  if (actor === 'cli') return true;
  const ms = await activeMemberships(db, actor.personId);
  return ms.some((m) => m.role === 'admin');
}

/**
 * Whether the actor may manage `unitId` (reopen its periods, invite its staff, see its
 * members): an admin anywhere, or a manager of the unit itself or of one of its ancestors.
 */
export async function canManageUnit(db: DomainDb, actor: Actor, unitId: string): Promise<boolean> {
  if (actor === 'cli') return true;
  const ms = await activeMemberships(db, actor.personId);
  if (ms.some((m) => m.role === 'admin')) return true;
  const managed = new Set(ms.filter((m) => m.role === 'manager').map((m) => m.unitId));
  if (managed.size === 0) return false;
  const chain = await ancestorIds(db, unitId);
  return chain.some((id) => managed.has(id));
}

/** Whether the person is an active reporter of exactly that unit. */
export async function isReporterOf(
  db: DomainDb,
  personId: string,
  unitId: string,
): Promise<boolean> {
  const m = await db.membership.findFirst({
    where: { personId, unitId, role: 'reporter', removedAt: null },
    select: { id: true },
  });
  return m !== null;
}

/**
 * The units whose figures the actor may see: 'all' for admins, the subtrees of managed units
 * for managers, the own units for reporters (a person may combine roles), [] for citizens.
 */
export async function visibleUnitIds(db: DomainDb, actor: Actor): Promise<'all' | string[]> {
  if (actor === 'cli') return 'all';
  const ms = await activeMemberships(db, actor.personId);
  if (ms.some((m) => m.role === 'admin')) return 'all';
  const managed = ms.filter((m) => m.role === 'manager').map((m) => m.unitId);
  const own = ms.filter((m) => m.role === 'reporter').map((m) => m.unitId);
  const sub = managed.length > 0 ? await subtreeIds(db, managed) : [];
  return [...new Set([...sub, ...own])];
}

/**
 * Who can reopen a locked (unit, period): the active managers of the unit or its ancestors,
 * and the admins. Used to name them in a LockedError.
 */
export async function reopenersOf(
  db: DomainDb,
  unitId: string,
): Promise<
  Array<{ personId: string; displayName: string | null; role: RoleName; unitCode: string }>
> {
  const chain = await ancestorIds(db, unitId);
  const rows = await db.membership.findMany({
    where: {
      removedAt: null,
      OR: [{ role: 'admin' }, { role: 'manager', unitId: { in: chain } }],
    },
    include: { person: { select: { displayName: true } }, unit: { select: { code: true } } },
    orderBy: { createdAt: 'asc' },
  });
  const seen = new Set<string>();
  const out: Array<{
    personId: string;
    displayName: string | null;
    role: RoleName;
    unitCode: string;
  }> = [];
  for (const r of rows) {
    const k = `${r.personId}:${r.role}`;
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({
      personId: r.personId,
      displayName: r.person.displayName,
      role: r.role as RoleName,
      unitCode: r.unit.code,
    });
  }
  return out;
}

/**
 * Run `fn` in one transaction: opens one on a root client, or reuses the caller's when `db`
 * is already a transaction client (the chat pipeline wraps each update in one).
 */
export async function inTransaction<T>(
  db: DomainDb,
  fn: (tx: Prisma.TransactionClient) => Promise<T>,
): Promise<T> {
  // A Prisma 7 transaction client also has `$transaction` (nested transactions would need
  // savepoints, which PGlite's adapter lacks); only the root client has `$connect`.
  if ('$connect' in db && typeof db.$transaction === 'function') {
    return (db as PrismaClient).$transaction((tx) => fn(tx), { timeout: 30_000, maxWait: 10_000 });
  }
  return fn(db as Prisma.TransactionClient);
}

/**
 * Whether an error means "the input named something wrong" (unknown code, bad period, invalid
 * figure) rather than "refused" or "broken": the admin CLI exits 2 for these, 1 otherwise.
 */
export function isBadInput(err: unknown): boolean {
  return err instanceof NotFoundError || err instanceof ValidationError;
}
