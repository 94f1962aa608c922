/**
 * Conversation state and short-lived coordination data (locks, counters) behind one
 * interface: Redis in production, in-process by default. Both honour the same TTL semantics;
 * test/state/store.contract.test.ts runs one suite against both.
 */
export interface Lock {
  readonly key: string;
  readonly token: string;
  /**
   * Push the expiry out again (also when it expired but nobody took it since); false if the
   * lock was lost: expired and taken by someone else.
   */
  extend(ttlMs: number): Promise<boolean>;
  /**
   * The values of the keys asked for with `read`, as they were when the lock was taken (in
   * the same round trip); undefined where absent.
   */
  readonly read: readonly unknown[];
  /**
   * Apply `writes` (whether or not we still hold the lock), then release it if we still hold
   * it (token matches) — all in one atomic step, so whoever takes the lock next sees them.
   */
  release(writes?: StoreWrites): Promise<void>;
}

/** Writes applied together with a lock's release. */
export interface StoreWrites {
  set?: readonly { key: string; value: unknown; ttlMs: number }[];
  /** Stored only where the key is absent (`SET NX`). */
  setIfAbsent?: readonly { key: string; value: unknown; ttlMs: number }[];
  delete?: readonly string[];
}

export interface LockOptions {
  ttlMs: number;
  waitMs: number;
  /** Keys to read once the lock is held, in the same round trip (see Lock.read). */
  read?: readonly string[];
}

export interface StateStore {
  readonly kind: 'memory' | 'redis';
  get<T>(key: string): Promise<T | undefined>;
  /** Store a JSON-serialisable value; ttlMs defaults to the store's TTL (24 h). */
  set<T>(key: string, value: T, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<void>;
  /** Store only if the key is absent (Redis `SET NX PX`); true when this call stored it. */
  setIfAbsent<T>(key: string, value: T, ttlMs: number): Promise<boolean>;
  /** Increment a counter; the first increment starts its ttlMs window. Returns the new value. */
  incr(key: string, ttlMs: number): Promise<number>;
  /**
   * Take a lock with a random token and an expiry (Redis `SET NX PX`), waiting up to waitMs,
   * and read `opts.read` once it is held. Returns null when it could not be taken in time.
   */
  acquireLock(key: string, opts: LockOptions): Promise<Lock | null>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A TTL as the stores take it: a whole number of milliseconds, at least 1. */
export const ttlOf = (ms: number) => Math.max(1, Math.round(ms));

export const DEFAULT_STATE_TTL_MS = 24 * 3600_000;

/** Wait between lock attempts: short first, then up to 50 ms, with jitter. */
export function lockBackoff(attempt: number): number {
  const base = Math.min(50, 5 * 2 ** Math.min(attempt, 4));
  return base / 2 + Math.random() * (base / 2);
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
