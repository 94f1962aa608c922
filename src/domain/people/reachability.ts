/**
 * Whether a person can be reached on each of their chat identities (issue 14): a user who
 * blocks the bot (Telegram `my_chat_member` kicked), unfollows the OA, or on whom a send fails
 * as blocked is unreachable there until they write again, restart the bot or follow again.
 * Proactive messages (reminders, broadcasts) go to the person's most recently used reachable
 * identity (`preferredIdentity`), and are skipped only when there is none.
 */
import type { Prisma, PrismaClient } from '../../db/client.js';

type Db = PrismaClient | Prisma.TransactionClient;

/** lastSeenAt is kept to this precision, so a busy chat does not write on every update. */
const SEEN_PRECISION_MS = 3600_000;

/** The user blocked us, unfollowed, or a send failed as blocked. Unknown identities: no-op. */
export async function markUnreachable(
  db: Db,
  channel: string,
  externalId: string,
  at: Date,
): Promise<boolean> {
  const { count } = await db.identity.updateMany({
    where: { channel, externalId, unreachableAt: null },
    data: { unreachableAt: at },
  });
  return count > 0;
}

/** An identity's reachability as stored (resolveIdentity reads it with the person). */
export interface IdentityReachability {
  lastSeenAt: Date | null;
  unreachableAt: Date | null;
}

/**
 * Whether markReachable at `at` would change this identity: marked unreachable, never seen, or
 * seen before the precision window. The same condition as markReachable's own.
 */
export function reachableMarkDue(state: IdentityReachability, at: Date): boolean {
  return (
    state.unreachableAt !== null ||
    state.lastSeenAt === null ||
    state.lastSeenAt.getTime() < at.getTime() - SEEN_PRECISION_MS
  );
}

/**
 * The user wrote to us in a one-to-one chat (or restarted the bot, followed the OA): reachable
 * again, and seen now. Writes only when something changes (unreachable, or seen over an hour
 * ago), so it costs one indexed no-op statement on most updates.
 */
export async function markReachable(
  db: Db,
  channel: string,
  externalId: string,
  at: Date,
): Promise<void> {
  await db.identity.updateMany({
    where: {
      channel,
      externalId,
      OR: [
        { unreachableAt: { not: null } },
        { lastSeenAt: null },
        { lastSeenAt: { lt: new Date(at.getTime() - SEEN_PRECISION_MS) } },
      ],
    },
    data: { unreachableAt: null, lastSeenAt: at },
  });
}

export interface ReachableIdentity {
  channel: string;
  externalId: string;
}

/**
 * Where to send a person a proactive message: the reachable identity they used last (then the
 * most recently linked), or null when every identity is unreachable.
 */
export async function preferredIdentity(
  db: Db,
  personId: string,
): Promise<ReachableIdentity | null> {
  const rows = await db.identity.findMany({
    where: { personId, unreachableAt: null },
    select: { channel: true, externalId: true, lastSeenAt: true, createdAt: true },
  });
  rows.sort(
    (a, b) =>
      (b.lastSeenAt?.getTime() ?? -Infinity) - (a.lastSeenAt?.getTime() ?? -Infinity) ||
      b.createdAt.getTime() - a.createdAt.getTime(),
  );
  const [best] = rows;
  return best ? { channel: best.channel, externalId: best.externalId } : null;
}
