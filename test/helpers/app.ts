/**
 * A whole app in-process for tests: a fresh database (PGlite by default, PostgreSQL with
 * TEST_DATABASE=postgres) and a fresh state store (in-process by default, Redis with a random
 * key prefix when TEST_STATE=redis), on a random port.
 */
import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { createApp, type App, type AppOverrides } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { createStateStore } from '../../src/state/index.js';
import { createTestDb, type TestDb } from './db.js';

export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function testStateKind(): 'memory' | 'redis' {
  return process.env.TEST_STATE === 'redis' ? 'redis' : 'memory';
}

export interface TestApp {
  app: App;
  testDb: TestDb;
  url: string;
  /** POST /sim/api/messages and return the JSON answer. */
  sim(
    user: string,
    body: { text?: string; button?: string },
  ): Promise<{ replies: { text: string; buttons?: { label: string; data: string }[][] }[] }>;
  close(): Promise<void>;
}

export async function startTestApp(
  env: Record<string, string> = {},
  overrides: AppOverrides = {},
  opts: { seeded?: boolean; jobs?: boolean } = {},
): Promise<TestApp> {
  const testDb = await createTestDb(undefined, { seeded: opts.seeded });
  const redis = testStateKind() === 'redis';
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: testDb.dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    ...(redis ? { REDIS_URL: TEST_REDIS_URL, REDIS_KEY_PREFIX: `cds-test:${randomUUID()}:` } : {}),
    ...env,
  });
  const store =
    overrides.store ??
    createStateStore({
      redisUrl: config.redisUrl,
      keyPrefix: config.redisKeyPrefix,
      ttlMs: config.stateTtlMs,
    });
  const app = await createApp(config, {
    logger: pino({ level: config.logLevel }),
    db: testDb.db,
    store,
    startJobs: opts.jobs ?? false,
    ...overrides,
  });
  await app.start();
  const url = app.url!;
  return {
    app,
    testDb,
    url,
    async sim(user, body) {
      const res = await fetch(`${url}/sim/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user, ...body }),
      });
      if (!res.ok) throw new Error(`simulator answered ${res.status}: ${await res.text()}`);
      return (await res.json()) as Awaited<ReturnType<TestApp['sim']>>;
    },
    async close() {
      await app.stop();
      await testDb.cleanup();
    },
  };
}
