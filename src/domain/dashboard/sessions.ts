/**
 * Sign-in to the managers' dashboard: a one-time link sent in chat (single use, 10 minutes),
 * exchanged for a session (default 8 hours). Only hashes of the link token and the session id
 * are stored. A session is bound to its person and checked on every request against the
 * person's active memberships, so removing the membership ends it at once.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { DomainDb } from '../access.js';

export const LINK_TTL_MS = 10 * 60_000;
export const DEFAULT_SESSION_TTL_MS = 8 * 3600_000;

const token = (): string => randomBytes(32).toString('base64url');
const hash = (s: string): string => createHash('sha256').update(s).digest('hex');

/** Who a session acts for: a person (manager or admin), or the operator (ADMIN_TOKEN). */
export type DashboardViewer = { kind: 'person'; personId: string } | { kind: 'operator' };

export interface DashboardSessionInfo {
  viewer: DashboardViewer;
  csrf: string;
  expiresAt: Date;
}

/** Whether the person may use the dashboard now: an active manager or admin membership. */
async function mayUseDashboard(db: DomainDb, personId: string): Promise<boolean> {
  const m = await db.membership.findFirst({
    where: { personId, removedAt: null, role: { in: ['manager', 'admin'] } },
    select: { id: true },
  });
  return m !== null;
}

/**
 * A one-time sign-in link token for a manager or admin, or null when the person holds neither
 * role. The token is returned once; only its hash is kept.
 */
export async function createLoginLink(
  db: DomainDb,
  personId: string,
  now: Date,
): Promise<{ token: string; expiresAt: Date } | null> {
  if (!(await mayUseDashboard(db, personId))) return null;
  const t = token();
  const expiresAt = new Date(now.getTime() + LINK_TTL_MS);
  await db.dashboardLink.create({ data: { tokenHash: hash(t), personId, expiresAt } });
  return { token: t, expiresAt };
}

async function openSession(
  db: DomainDb,
  personId: string | null,
  now: Date,
  ttlMs: number,
): Promise<{ sessionId: string; expiresAt: Date }> {
  const sessionId = token();
  const expiresAt = new Date(now.getTime() + ttlMs);
  await db.dashboardSession.create({
    data: { idHash: hash(sessionId), personId, csrf: token(), expiresAt },
  });
  return { sessionId, expiresAt };
}

/**
 * Exchange a link token for a session: exactly once (a concurrent second use loses the race
 * in the database), before it expires, and only while the person may still use the dashboard.
 */
export async function redeemLoginLink(
  db: DomainDb,
  linkToken: string,
  now: Date,
  ttlMs = DEFAULT_SESSION_TTL_MS,
): Promise<{ sessionId: string; expiresAt: Date } | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(linkToken)) return null;
  const row = await db.dashboardLink.findUnique({ where: { tokenHash: hash(linkToken) } });
  if (!row || row.usedAt || row.expiresAt.getTime() <= now.getTime()) return null;
  const claimed = await db.dashboardLink.updateMany({
    where: { id: row.id, usedAt: null },
    data: { usedAt: now },
  });
  if (claimed.count !== 1) return null;
  if (!(await mayUseDashboard(db, row.personId))) return null;
  return openSession(db, row.personId, now, ttlMs);
}

/** A session for the operator (the caller has checked ADMIN_TOKEN and loopback). */
export function openOperatorSession(
  db: DomainDb,
  now: Date,
  ttlMs = DEFAULT_SESSION_TTL_MS,
): Promise<{ sessionId: string; expiresAt: Date }> {
  return openSession(db, null, now, ttlMs);
}

/** The live session with this id, or null (unknown, expired, revoked, or membership removed). */
export async function findSession(
  db: DomainDb,
  sessionId: string,
  now: Date,
): Promise<DashboardSessionInfo | null> {
  if (!/^[A-Za-z0-9_-]{20,100}$/.test(sessionId)) return null;
  const row = await db.dashboardSession.findUnique({ where: { idHash: hash(sessionId) } });
  if (!row || row.revokedAt || row.expiresAt.getTime() <= now.getTime()) return null;
  if (row.personId === null)
    return { viewer: { kind: 'operator' }, csrf: row.csrf, expiresAt: row.expiresAt };
  if (!(await mayUseDashboard(db, row.personId))) return null;
  return {
    viewer: { kind: 'person', personId: row.personId },
    csrf: row.csrf,
    expiresAt: row.expiresAt,
  };
}

/** Sign out: the session ends now. */
export async function revokeSession(db: DomainDb, sessionId: string, now: Date): Promise<void> {
  await db.dashboardSession.updateMany({
    where: { idHash: hash(sessionId), revokedAt: null },
    data: { revokedAt: now },
  });
}
