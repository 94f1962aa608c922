/**
 * Redis-only tests run when TEST_STATE=redis or TEST_REDIS_URL is set (then an unreachable
 * Redis fails them; `.ci/run` sets TEST_STATE=redis); otherwise they are skipped with this
 * reason in their name, so `npm test` on the embedded defaults needs no Redis.
 */
export const REDIS_TESTS_ON =
  process.env.TEST_STATE === 'redis' || (process.env.TEST_REDIS_URL ?? '') !== '';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';

/** The suite's name, with the reason it is skipped when Redis tests are off. */
export function redisSuite(name: string): string {
  return REDIS_TESTS_ON
    ? name
    : `${name} — skipped: needs Redis (set TEST_STATE=redis or TEST_REDIS_URL)`;
}
