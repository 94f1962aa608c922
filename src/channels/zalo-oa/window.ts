/**
 * The Zalo OA interaction window: an OA may message a user freely within 48 h of the user's
 * last interaction, for a fee up to 7 days, and not at all after that (without an approved
 * template). Each inbound user event is recorded so proactive messages can honour it.
 */
import type { PrismaClient } from '../../db/client.js';

export const FREE_WINDOW_MS = 48 * 3600_000;
export const PAID_WINDOW_MS = 7 * 24 * 3600_000;

export type WindowStatus = 'free' | 'paid' | 'closed';

/** Where `now` falls relative to the user's last interaction (none -> closed). */
export function windowStatus(lastInteractionAt: Date | undefined, now: Date): WindowStatus {
  if (!lastInteractionAt) return 'closed';
  const age = now.getTime() - lastInteractionAt.getTime();
  if (age <= FREE_WINDOW_MS) return 'free';
  if (age <= PAID_WINDOW_MS) return 'paid';
  return 'closed';
}

/** Record an interaction; never moves the time backwards (redelivered old events). */
export async function recordInteraction(
  prisma: PrismaClient,
  userId: string,
  at: Date,
): Promise<void> {
  await prisma.$executeRaw`
    INSERT INTO "oa_interaction" ("user_id", "last_interaction_at") VALUES (${userId}, ${at})
    ON CONFLICT ("user_id") DO UPDATE
      SET "last_interaction_at" = GREATEST("oa_interaction"."last_interaction_at", EXCLUDED."last_interaction_at")`;
}

/** The user's last recorded interaction, if any. */
export async function lastInteraction(
  prisma: PrismaClient,
  userId: string,
): Promise<Date | undefined> {
  const row = await prisma.oaInteraction.findUnique({ where: { userId } });
  return row?.lastInteractionAt;
}
