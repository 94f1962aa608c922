/**
 * The dashboard as chat handlers see it: a one-time sign-in link for the sender.
 */
import type { DbClient } from '../db/client.js';
import { createLoginLink } from '../domain/dashboard/sessions.js';

export interface DashboardService {
  /**
   * A one-time sign-in link (10 minutes) for this person, or null when they manage nothing
   * (no manager or admin membership) or the server does not know its own address yet.
   */
  signInLink(personId: string, now: Date): Promise<{ url: string; expiresAt: Date } | null>;
}

export function createDashboardService(
  db: DbClient,
  baseUrl: () => string | undefined,
): DashboardService {
  return {
    async signInLink(personId, now) {
      const base = baseUrl();
      if (!base) return null;
      const link = await createLoginLink(db, personId, now);
      if (!link) return null;
      return {
        url: `${base}/dashboard/login?t=${link.token}`,
        expiresAt: link.expiresAt,
      };
    },
  };
}
