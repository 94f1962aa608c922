/**
 * Zalo OA failure paths: 429 and 5xx with Retry-After are retryable with the platform's delay,
 * a failed token refresh falls back to the old token while it is still valid, and the
 * interaction window never moves backwards when old events are redelivered.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createZaloOaChannel } from '../../../src/channels/zalo-oa/index.js';
import { lastInteraction, recordInteraction } from '../../../src/channels/zalo-oa/window.js';
import { createTestDb, type TestDb } from '../../helpers/db.js';
import { silentLogger } from '../fakes/http.js';
import { createFakePipeline } from '../fakes/pipeline.js';

const HOUR = 3600_000;
let testDb: TestDb;
let server: http.Server;
let url = '';
/** How the fake answers the next message call and the refresh call. */
let messageAnswer: { status: number; headers?: Record<string, string>; body: unknown };
let refreshAnswer: { status: number; body: unknown };
const sentWith: string[] = [];

beforeAll(async () => {
  testDb = await createTestDb();
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const a = req.url === '/v4/oa/access_token' ? refreshAnswer : messageAnswer;
      if (req.url === '/v3.0/oa/message/cs') sentWith.push(String(req.headers.access_token));
      const extra = 'headers' in a && a.headers ? a.headers : {};
      res.writeHead(a.status, { 'content-type': 'application/json', ...extra });
      res.end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  await testDb?.cleanup();
});

const prisma = () => testDb.db.prisma;
const USER = 'u-1';

function channel() {
  return createZaloOaChannel({
    config: {
      zaloOa: {
        appId: 'app',
        secretKey: 'key',
        appSecret: 'secret',
        accessToken: 'AT-old',
        refreshToken: 'RT-old',
        apiRoot: url,
        oauthRoot: url,
      },
    },
    prisma: prisma(),
    logger: silentLogger,
    pipeline: createFakePipeline(),
  });
}

beforeEach(async () => {
  await prisma().oaToken.deleteMany();
  await prisma().oaInteraction.deleteMany();
  sentWith.length = 0;
  messageAnswer = {
    status: 200,
    body: { error: 0, message: 'Success', data: { message_id: 'm' } },
  };
  refreshAnswer = {
    status: 200,
    body: { access_token: 'AT-new', refresh_token: 'RT-new', expires_in: '90000' },
  };
  await recordInteraction(prisma(), USER, new Date(Date.now() - HOUR));
});

const send = (ch = channel()) =>
  ch.send({ channel: 'zalo-oa', chatId: USER, text: 'nhắc hạn' }).then(
    () => undefined,
    (e: unknown) => e,
  );

describe('Zalo OA failures', () => {
  it('retries 429 after the Retry-After it gives, and 5xx', async () => {
    messageAnswer = { status: 429, headers: { 'retry-after': '4' }, body: { error: -32 } };
    expect(await send()).toMatchObject({ permanent: false, retryAfterMs: 4000 });
    messageAnswer = { status: 503, headers: { 'retry-after': '2' }, body: {} };
    expect(await send()).toMatchObject({ permanent: false, retryAfterMs: 2000 });
    messageAnswer = { status: 500, body: {} };
    expect(await send()).toMatchObject({ permanent: false });
  });

  it('sends with the old token when an early refresh fails and the old one is still valid', async () => {
    const ch = channel();
    expect(await send(ch)).toBeUndefined(); // seeds the pair from the configuration
    const current = sentWith.at(-1);
    await prisma().oaToken.update({
      where: { id: 1 },
      data: { expiresAt: new Date(Date.now() + 2 * HOUR) },
    });
    refreshAnswer = { status: 200, body: { error: -14014, error_description: 'invalid' } };
    sentWith.length = 0;
    expect(await send(ch)).toBeUndefined();
    expect(sentWith).toEqual([current]);
    // Once the old token has expired, a failed refresh fails the send (retryably).
    await prisma().oaToken.update({
      where: { id: 1 },
      data: { expiresAt: new Date(Date.now() - 1000) },
    });
    expect(await send(ch)).toMatchObject({ permanent: false });
  });

  it('never moves the interaction window backwards', async () => {
    const now = new Date();
    await recordInteraction(prisma(), 'u-2', now);
    await recordInteraction(prisma(), 'u-2', new Date(now.getTime() - 5 * 24 * HOUR));
    expect((await lastInteraction(prisma(), 'u-2'))?.getTime()).toBe(now.getTime());
    const later = new Date(now.getTime() + 1000);
    await recordInteraction(prisma(), 'u-2', later);
    expect((await lastInteraction(prisma(), 'u-2'))?.getTime()).toBe(later.getTime());
  });
});
