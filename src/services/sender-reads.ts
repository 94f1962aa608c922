/**
 * What this process's updates have just read of their senders' reachability (the sender
 * lookup reads it with the person, in the same query), so that marking the sender reachable
 * after the reply can skip its statement when it would change nothing. Entries are taken
 * once, trusted for a few seconds only, and bounded in number.
 */
import type { IdentityReachability } from '../domain/people/reachability.js';

export interface SenderReads {
  /** The lookup read this (null: no identity); undefined forgets it (just linked). */
  record(channel: string, userId: string, state: IdentityReachability | null | undefined): void;
  /** The state read within the last seconds, once; undefined when not known. */
  take(channel: string, userId: string): IdentityReachability | null | undefined;
}

export function createSenderReads(
  opts: { maxAgeMs?: number; max?: number; now?: () => number } = {},
): SenderReads {
  const maxAgeMs = opts.maxAgeMs ?? 10_000;
  const max = opts.max ?? 5_000;
  const now = opts.now ?? Date.now;
  const entries = new Map<string, { state: IdentityReachability | null; at: number }>();
  const keyOf = (channel: string, userId: string) => `${channel}\u0000${userId}`;
  return {
    record(channel, userId, state) {
      const key = keyOf(channel, userId);
      entries.delete(key);
      if (state === undefined) return;
      entries.set(key, { state, at: now() });
      // The oldest first (a Map keeps insertion order).
      if (entries.size > max) entries.delete(entries.keys().next().value!);
    },
    take(channel, userId) {
      const key = keyOf(channel, userId);
      const entry = entries.get(key);
      entries.delete(key);
      return entry && now() - entry.at <= maxAgeMs ? entry.state : undefined;
    },
  };
}
