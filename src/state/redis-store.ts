import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import {
  DEFAULT_STATE_TTL_MS,
  lockBackoff,
  sleep,
  ttlOf,
  type Lock,
  type LockOptions,
  type StateStore,
  type StoreWrites,
} from './store.js';

const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
/** Ours, or expired and taken by nobody since (a stalled holder): renew. Else lost. */
const EXTEND = `local v = redis.call('get', KEYS[1]) if v == ARGV[1] or not v then redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 else return 0 end`;
/** KEYS[1] the lock, then the keys to read. ARGV: token, ttl. Returns {1, values…} or {0}. */
const LOCK_AND_READ = `if redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') then local out = {1} for i = 2, #KEYS do out[i] = redis.call('get', KEYS[i]) end return out end return {0}`;
/**
 * KEYS[1] the lock, then the keys to SET, to SET NX and to DEL. ARGV: token, how many to SET,
 * how many to SET NX, then value and ttl of each. Writes first, then the release.
 */
const WRITE_AND_RELEASE = `local ns, nn, a = tonumber(ARGV[2]), tonumber(ARGV[3]), 4
for i = 1, ns do redis.call('set', KEYS[1 + i], ARGV[a], 'PX', ARGV[a + 1]) a = a + 2 end
for i = 1, nn do redis.call('set', KEYS[1 + ns + i], ARGV[a], 'PX', ARGV[a + 1], 'NX') a = a + 2 end
for i = 2 + ns + nn, #KEYS do redis.call('del', KEYS[i]) end
if redis.call('get', KEYS[1]) == ARGV[1] then redis.call('del', KEYS[1]) end
return 1`;
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

  /** One attempt: SET NX, and the reads when taken (one round trip). */
  private async tryLock(
    key: string,
    token: string,
    opts: LockOptions,
  ): Promise<unknown[] | undefined> {
    const reads = opts.read ?? [];
    if (reads.length === 0)
      return (await this.redis.set(key, token, 'PX', ttlOf(opts.ttlMs), 'NX')) === 'OK'
        ? []
        : undefined;
    const out = (await this.redis.eval(
      LOCK_AND_READ,
      1 + reads.length,
      key,
      ...reads,
      token,
      ttlOf(opts.ttlMs),
    )) as [number, ...(string | null)[]];
    if (out[0] !== 1) return undefined;
    // A missing key is GET's false in Lua, a nil in the reply.
    return reads.map((_, i) => {
      const raw = out[i + 1] as string | null | undefined;
      return raw === null || raw === undefined ? undefined : (JSON.parse(raw) as unknown);
    });
  }

  async acquireLock(key: string, opts: LockOptions): Promise<Lock | null> {
    const token = randomUUID();
    const deadline = Date.now() + opts.waitMs;
    let read: unknown[] | undefined;
    for (let attempt = 0; ; attempt++) {
      read = await this.tryLock(key, token, opts);
      if (read) break;
      if (Date.now() >= deadline) return null;
      await sleep(lockBackoff(attempt));
    }
    return {
      key,
      token,
      read,
      extend: async (ttlMs: number) =>
        Number(await this.redis.eval(EXTEND, 1, key, token, ttlMs)) === 1,
      release: async (writes?: StoreWrites) => {
        const set = writes?.set ?? [];
        const nx = writes?.setIfAbsent ?? [];
        const del = writes?.delete ?? [];
        if (set.length + nx.length + del.length === 0) {
          await this.redis.eval(RELEASE, 1, key, token);
          return;
        }
        await this.redis.eval(
          WRITE_AND_RELEASE,
          1 + set.length + nx.length + del.length,
          key,
          ...set.map((w) => w.key),
          ...nx.map((w) => w.key),
          ...del,
          token,
          set.length,
          nx.length,
          ...[...set, ...nx].flatMap((w) => [JSON.stringify(w.value), ttlOf(w.ttlMs)]),
        );
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
