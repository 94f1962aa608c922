import { MemoryStateStore } from './memory-store.js';
import { RedisStateStore } from './redis-store.js';
import type { StateStore } from './store.js';

export type { Lock, LockOptions, StateStore, StoreWrites } from './store.js';

/** REDIS_URL set -> Redis (with key prefix); unset -> in-process. Same TTL semantics. */
export function createStateStore(opts: {
  redisUrl?: string;
  keyPrefix: string;
  ttlMs: number;
}): StateStore {
  return opts.redisUrl
    ? new RedisStateStore(opts.redisUrl, opts.keyPrefix, opts.ttlMs)
    : new MemoryStateStore(opts.ttlMs);
}
