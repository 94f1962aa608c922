import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { DEFAULT_STATE_TTL_MS, lockBackoff, sleep, type Lock, type StateStore } from './store.js';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
/** Ours, or expired and taken by nobody since (a stalled holder): renew. Else lost. */
const EXTEND = `local v = redis.call('get', KEYS[1]) if v == ARGV[1] or not v then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 else return 0 end`;
const INCR = `local v = redis.call('incr', KEYS[1]) if v == 1 then redis.call('pexpire', KEYS[1], ARGV[1]) end return v`;

/**
 * Redis-backed state store (ioredis). Every key carries the configured prefix so several
 * deployments or test runs can share one Redis without seeing each other.
 */
export class RedisStateStore implements StateStore {
  readonly kind = 'redis' as const;
  readonly redis: Redis;

  constructor(
    url: string,
    private readonly prefix: string,
    private readonly defaultTtlMs = DEFAULT_STATE_TTL_MS,
  ) {
    this.redis = new Redis(url, {
      keyPrefix: prefix,
      lazyConnect: false,
      maxRetriesPerRequest: 2,
      enableOfflineQueue: true,
      connectTimeout: 3000,
      retryStrategy: (times) => Math.min(times * 200, 2000),
    });
    // Connection errors surface through commands (and /readyz); don't crash on the event.
    this.redis.on('error', () => {});
  }

  async get<T>(key: string): Promise<T | undefined> {
    const raw = await this.redis.get(key);
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async set<T>(key: string, value: T, ttlMs = this.defaultTtlMs): Promise<void> {
    await this.redis.set(key, JSON.stringify(value), 'PX', Math.max(1, Math.round(ttlMs)));
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(key);
  }

  async setIfAbsent<T>(key: string, value: T, ttlMs: number): Promise<boolean> {
    const ok = await this.redis.set(
      key,
      JSON.stringify(value),
      'PX',
      Math.max(1, Math.round(ttlMs)),
      'NX',
    );
    return ok === 'OK';
  }

  async incr(key: string, ttlMs: number): Promise<number> {
    return Number(await this.redis.eval(INCR, 1, key, Math.max(1, Math.round(ttlMs))));
  }

  async acquireLock(key: string, opts: { ttlMs: number; waitMs: number }): Promise<Lock | null> {
    const token = randomUUID();
    const deadline = Date.now() + opts.waitMs;
    for (let attempt = 0; ; attempt++) {
      const ok = await this.redis.set(key, token, 'PX', opts.ttlMs, 'NX');
      if (ok === 'OK') break;
      if (Date.now() >= deadline) return null;
      await sleep(lockBackoff(attempt));
    }
    return {
      key,
      token,
      extend: async (ttlMs: number) =>
        Number(await this.redis.eval(EXTEND, 1, key, token, ttlMs)) === 1,
      release: async () => {
        await this.redis.eval(RELEASE, 1, key, token);
      },
    };
  }

  async ping(): Promise<void> {
    const pong = await this.redis.ping();
    if (pong !== 'PONG') throw new Error(`unexpected PING answer ${pong}`);
  }

  async close(): Promise<void> {
    try {
      await this.redis.quit();
    } catch {
      this.redis.disconnect();
    }
  }
}
