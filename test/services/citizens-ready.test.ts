/**
 * The citizens' search index is built while the server starts and after it is ready: a
 * question asked before it is built waits for it, and a build that failed at start is done
 * again at the first question.
 */
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CitizenService } from '../../src/citizens/service.js';
import { createServiceFactory } from '../../src/services/index.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

let t: TestDb;
const logger = pino({ level: 'silent' });
const who = { channel: 'sim' as const, userId: 'citizen-1' };

beforeAll(async () => {
  t = await createTestDb();
}, 120_000);
afterAll(async () => {
  await t?.cleanup();
});

describe("the citizens' index at start-up", () => {
  it('is waited for by a question asked before it is built', async () => {
    const citizens = new CitizenService();
    const citizensReady = citizens.load();
    const services = createServiceFactory({ root: t.db.prisma, citizens, citizensReady, logger });
    const index = await services(t.db.prisma, who).citizens.index();
    expect(index.search('đăng ký khai sinh').hits.length).toBeGreaterThan(0);
  });

  it('is built at the first question when the build at start failed', async () => {
    const citizens = new CitizenService();
    const citizensReady = Promise.reject(new Error('database away at start'));
    citizensReady.catch(() => {});
    const services = createServiceFactory({ root: t.db.prisma, citizens, citizensReady, logger });
    const index = await services(t.db.prisma, who).citizens.index();
    expect(index.search('đăng ký khai sinh').hits.length).toBeGreaterThan(0);
  });
});
