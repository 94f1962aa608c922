import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryStateStore } from '../../src/state/memory-store.js';
import { RedisStateStore } from '../../src/state/redis-store.js';
import { REDIS_TESTS_ON, TEST_REDIS_URL, redisSuite } from '../helpers/redis.js';
import { sleep, type StateStore } from '../../src/state/store.js';

const REDIS_URL = TEST_REDIS_URL;

/** The same behaviour is required of every backend. */
function contract(name: string, make: () => StateStore) {
  describe(`${name} state store`, () => {
    const store = make();
    afterAll(() => store.close());

    it('returns what was stored, as a copy', async () => {
      const value = { flow: 'report', data: { n: 1 } };
      await store.set('k1', value);
      value.data.n = 2;
      expect(await store.get('k1')).toEqual({ flow: 'report', data: { n: 1 } });
    });

    it('forgets a value after its TTL', async () => {
      await store.set('short', 'x', 400);
      expect(await store.get('short')).toBe('x');
      await new Promise((r) => setTimeout(r, 600));
      expect(await store.get('short')).toBeUndefined();
    });

    it('stores a value only when the key is absent', async () => {
      expect(await store.setIfAbsent('once', 1, 5000)).toBe(true);
      expect(await store.setIfAbsent('once', 2, 5000)).toBe(false);
      expect(await store.get('once')).toBe(1);
    });

    it('deletes values', async () => {
      await store.set('gone', 1);
      await store.delete('gone');
      expect(await store.get('gone')).toBeUndefined();
    });

    it('counts within a window that starts at the first increment', async () => {
      expect(await store.incr('cnt', 800)).toBe(1);
      expect(await store.incr('cnt', 800)).toBe(2);
      await new Promise((r) => setTimeout(r, 1000));
      expect(await store.incr('cnt', 800)).toBe(1);
    });

    it('lets only one holder take a lock, and releases only with the right token', async () => {
      const a = await store.acquireLock('L', { ttlMs: 2000, waitMs: 0 });
      expect(a).not.toBeNull();
      expect(await store.acquireLock('L', { ttlMs: 2000, waitMs: 30 })).toBeNull();
      await a!.release();
      const b = await store.acquireLock('L', { ttlMs: 2000, waitMs: 0 });
      expect(b).not.toBeNull();
      await a!.release(); // stale holder: must not free b's lock
      expect(await store.acquireLock('L', { ttlMs: 2000, waitMs: 0 })).toBeNull();
      await b!.release();
    });

    it('renews a lease that ran out while nobody took the lock (a stalled holder)', async () => {
      const a = await store.acquireLock('L3', { ttlMs: 40, waitMs: 0 });
      await sleep(80);
      expect(await a!.extend(1000)).toBe(true);
      expect(await store.acquireLock('L3', { ttlMs: 1000, waitMs: 0 })).toBeNull();
      await a!.release();
    });

    it('frees a lock whose holder vanished once it expires', async () => {
      const a = await store.acquireLock('L2', { ttlMs: 60, waitMs: 0 });
      expect(a).not.toBeNull();
      const b = await store.acquireLock('L2', { ttlMs: 1000, waitMs: 500 });
      expect(b).not.toBeNull();
      expect(await a!.extend(1000)).toBe(false);
      await b!.release();
    });

    it('serialises waiters: each gets the lock in turn', async () => {
      const order: number[] = [];
      let inside = 0;
      await Promise.all(
        [1, 2, 3, 4].map(async (i) => {
          const lock = await store.acquireLock('L3', { ttlMs: 2000, waitMs: 5000 });
          expect(lock).not.toBeNull();
          inside++;
          expect(inside).toBe(1);
          await new Promise((r) => setTimeout(r, 10));
          order.push(i);
          inside--;
          await lock!.release();
        }),
      );
      expect(order.sort()).toEqual([1, 2, 3, 4]);
    });

    it('reads keys together with the lock, absent ones as undefined, in the order asked', async () => {
      await store.set('r-state', { flow: 'report' });
      await store.set('r-last', 7);
      const lock = await store.acquireLock('LR', {
        ttlMs: 2000,
        waitMs: 0,
        read: ['r-state', 'r-missing', 'r-last', 'r-missing-too'],
      });
      expect(lock!.read).toEqual([{ flow: 'report' }, undefined, 7, undefined]);
      await lock!.release();
      const bare = await store.acquireLock('LR', { ttlMs: 2000, waitMs: 0 });
      expect(bare!.read).toEqual([]);
      await bare!.release();
    });

    it('applies writes with the release, so the next holder sees them', async () => {
      await store.set('w-old', 'x');
      await store.set('w-kept', 'first');
      const a = await store.acquireLock('LW', { ttlMs: 2000, waitMs: 0 });
      const waiting = store.acquireLock('LW', {
        ttlMs: 2000,
        waitMs: 3000,
        read: ['w-state', 'w-kept', 'w-new', 'w-old'],
      });
      await sleep(30);
      await a!.release({
        set: [{ key: 'w-state', value: { step: 2 }, ttlMs: 5000 }],
        setIfAbsent: [
          { key: 'w-kept', value: 'second', ttlMs: 5000 },
          { key: 'w-new', value: 1, ttlMs: 5000 },
        ],
        delete: ['w-old'],
      });
      const b = await waiting;
      expect(b!.read).toEqual([{ step: 2 }, 'first', 1, undefined]);
      await b!.release();
    });

    it('applies writes even when the lock was lost, and leaves the new holder its lock', async () => {
      const a = await store.acquireLock('LX', { ttlMs: 40, waitMs: 0 });
      const b = await store.acquireLock('LX', { ttlMs: 2000, waitMs: 1000 });
      await a!.release({ set: [{ key: 'x-state', value: 'late', ttlMs: 5000 }] });
      expect(await store.get('x-state')).toBe('late');
      expect(await store.acquireLock('LX', { ttlMs: 2000, waitMs: 0 })).toBeNull();
      await b!.release();
    });

    it('answers ping when reachable', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });
  });
}

contract('in-process', () => new MemoryStateStore());
if (REDIS_TESTS_ON)
  contract('Redis', () => new RedisStateStore(REDIS_URL, `cds-test:${randomUUID()}:`));
else describe.skip(redisSuite('Redis state store'), () => it('runs the contract on Redis'));

describe.skipIf(!REDIS_TESTS_ON)(redisSuite('Redis state store isolation'), () => {
  it('keeps keys of different prefixes apart (one prefix per run)', async () => {
    const a = new RedisStateStore(REDIS_URL, `cds-test:${randomUUID()}:`);
    const b = new RedisStateStore(REDIS_URL, `cds-test:${randomUUID()}:`);
    await a.set('same', 'a');
    expect(await b.get('same')).toBeUndefined();
    await a.delete('same');
    await Promise.all([a.close(), b.close()]);
  });

  it('locks across two connections as it would across two processes', async () => {
    const prefix = `cds-test:${randomUUID()}:`;
    const a = new RedisStateStore(REDIS_URL, prefix);
    const b = new RedisStateStore(REDIS_URL, prefix);
    const la = await a.acquireLock('chat', { ttlMs: 2000, waitMs: 0 });
    expect(la).not.toBeNull();
    expect(await b.acquireLock('chat', { ttlMs: 2000, waitMs: 50 })).toBeNull();
    await la!.release();
    const lb = await b.acquireLock('chat', { ttlMs: 2000, waitMs: 0 });
    expect(lb).not.toBeNull();
    await lb!.release();
    await Promise.all([a.close(), b.close()]);
  });

  it('fails ping when Redis is unreachable', async () => {
    const dead = new RedisStateStore('redis://127.0.0.1:1', 'x:');
    await expect(dead.ping()).rejects.toThrow();
    dead.redis.disconnect();
  });
});
