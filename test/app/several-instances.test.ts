/**
 * Several instances on one PostgreSQL + Redis (issue 16.4), the short form of
 * `npm run bench:scale`: three server processes behind the harness's loopback round-robin,
 * reports, confirmations and questions at a fixed rate, one instance SIGKILLed halfway.
 * Needs PostgreSQL and Redis: runs with TEST_DATABASE=postgres TEST_STATE=redis.
 */
import { describe, expect, it } from 'vitest';
import { runScale } from '../../bench/scale.js';

const onPostgresAndRedis =
  process.env.TEST_DATABASE === 'postgres' && process.env.TEST_STATE === 'redis';

describe.runIf(onPostgresAndRedis)('three instances on one PostgreSQL + Redis', () => {
  it('lose no acknowledged figure, apply each once and in order, and survive a SIGKILL', async () => {
    const r = await runScale({
      instances: 3,
      durationS: 20,
      rate: 20,
      chats: 30,
      kill: true,
      source: false,
      log: () => {},
    });
    // Errors only where the killed instance was involved; every update acknowledged in the end.
    expect(r.errorAnswers).toEqual({});
    expect(r.unacknowledged).toBe(0);
    expect(r.confirmsAcknowledged).toBeGreaterThan(0);
    expect(r.lost).toBe(0);
    expect(r.duplicates).toBe(0);
    expect(r.outOfOrder).toBe(0);
    expect(r.versions).toBe(r.confirmsAcknowledged);
    expect(r.rssEndMb[0]).toBeNull();
    for (const [i, end] of r.rssEndMb.entries())
      if (end !== null) expect(end).toBeLessThan(r.rssStartMb[i]! * 2);
  }, 600_000);
});

describe.runIf(!onPostgresAndRedis)('three instances on one PostgreSQL + Redis', () => {
  it.skip('run with TEST_DATABASE=postgres TEST_STATE=redis (several processes share them)', () => {});
});
