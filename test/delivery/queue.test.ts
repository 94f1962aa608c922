import type { PgBoss } from 'pg-boss';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTelegramChannel } from '../../src/channels/telegram/index.js';
import { createZaloOaChannel } from '../../src/channels/zalo-oa/index.js';
import { createDeliveryQueue, type DeliveryQueue } from '../../src/delivery/queue.js';
import { createMemoryLimiter } from '../../src/delivery/limiter.js';
import { createBoss } from '../../src/jobs/boss.js';
import { startFakeBotApi, type FakeBotApi } from '../channels/fakes/bot-api.js';
import { silentLogger } from '../channels/fakes/http.js';
import { createFakePipeline } from '../channels/fakes/pipeline.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

let testDb: TestDb;
let boss: PgBoss;
beforeAll(async () => {
  testDb = await createTestDb();
  boss = await createBoss({ db: testDb.db, logger: silentLogger });
});
afterAll(async () => {
  await boss?.stop({ graceful: false, timeout: 2000 });
  await testDb?.cleanup();
});

let n = 0;
describe('delivery queue', () => {
  let api: FakeBotApi;
  let queues: DeliveryQueue[];
  const prisma = () => testDb.db.prisma;

  const build = (opts: { maxAttempts?: number; queueName?: string } = {}) => {
    const telegram = createTelegramChannel({
      config: { telegram: { token: '1:T', webhookSecret: 's', apiRoot: api.url } },
      logger: silentLogger,
      pipeline: createFakePipeline(),
    });
    const zaloOa = createZaloOaChannel({
      config: {
        zaloOa: {
          appId: 'a',
          secretKey: 'k',
          appSecret: 's',
          apiRoot: api.url,
          oauthRoot: api.url,
        },
      },
      prisma: prisma(),
      logger: silentLogger,
      pipeline: createFakePipeline(),
    });
    const q = createDeliveryQueue({
      boss,
      prisma: prisma(),
      channels: { telegram, 'zalo-oa': zaloOa },
      limiter: createMemoryLimiter(),
      logger: silentLogger,
      baseBackoffMs: 200,
      maxAttempts: opts.maxAttempts ?? 4,
      queueName: opts.queueName ?? `delivery-test-${++n}`,
    });
    queues.push(q);
    return q;
  };

  const waitSettled = async (id: string) => {
    await expect
      .poll(async () => (await prisma().delivery.findUniqueOrThrow({ where: { id } })).status, {
        timeout: 20_000,
        interval: 100,
      })
      .not.toBe('queued');
    return prisma().delivery.findUniqueOrThrow({ where: { id } });
  };

  beforeEach(async () => {
    api = await startFakeBotApi();
    queues = [];
  });
  afterEach(async () => {
    await Promise.all(queues.map((q) => q.stop()));
    await api.close();
  });

  it('records a queued delivery, sends it, and marks it sent', async () => {
    const q = build();
    const id = await q.enqueue(
      { channel: 'telegram', chatId: '777', text: 'Nhắc hạn báo cáo T11/2026' },
      'reminder',
    );
    expect((await prisma().delivery.findUniqueOrThrow({ where: { id } })).status).toBe('queued');
    await q.start();
    const d = await waitSettled(id);
    expect(d).toMatchObject({ status: 'sent', attempts: 1, reason: null });
    expect(d.sentAt).toBeInstanceOf(Date);
    expect(api.of('sendMessage').map((c) => c.body)).toEqual([
      expect.objectContaining({ chat_id: '777', text: 'Nhắc hạn báo cáo T11/2026' }),
    ]);
  });

  it('keeps buttons and splits long texts at the platform limit', async () => {
    const q = build();
    const text = Array.from(
      { length: 120 },
      (_, i) => `${i + 1}. Xã Kỳ Anh — chưa báo cáo chỉ tiêu HSTT`,
    ).join('\n');
    const id = await q.enqueue(
      { channel: 'telegram', chatId: '778', text, buttons: [[{ label: 'Xem', data: 'st:1' }]] },
      'broadcast',
    );
    await q.start();
    expect((await waitSettled(id)).status).toBe('sent');
    const sends = api.of('sendMessage');
    expect(sends.length).toBe(2);
    expect(sends.every((s) => (s.body.text as string).length <= 4096)).toBe(true);
    expect(sends[1]!.body.reply_markup).toEqual({
      inline_keyboard: [[{ text: 'Xem', callback_data: 'st:1' }]],
    });
  });

  it('waits retry_after on 429 and then sends', async () => {
    let first = true;
    api.respond = (call) => {
      if (call.method !== 'sendMessage' || !first) return undefined;
      first = false;
      return {
        status: 429,
        body: {
          ok: false,
          error_code: 429,
          description: 'Too Many Requests: retry after 1',
          parameters: { retry_after: 1 },
        },
      };
    };
    const q = build();
    const id = await q.enqueue({ channel: 'telegram', chatId: '779', text: 'x' }, 'notice');
    const t0 = Date.now();
    await q.start();
    const d = await waitSettled(id);
    expect(d).toMatchObject({ status: 'sent', attempts: 2 });
    const sendTimes = api.of('sendMessage').map((c) => c.at);
    expect(sendTimes).toHaveLength(2);
    expect(sendTimes[1]! - sendTimes[0]!).toBeGreaterThanOrEqual(950);
    expect(Date.now() - t0).toBeLessThan(15_000);
  });

  it('does not retry a user who blocked the bot and records the delivery as undeliverable', async () => {
    api.respond = () => ({
      status: 403,
      body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' },
    });
    const q = build();
    const id = await q.enqueue({ channel: 'telegram', chatId: '780', text: 'x' }, 'broadcast');
    await q.start();
    const d = await waitSettled(id);
    expect(d.status).toBe('undeliverable');
    expect(d.reason).toMatch(/blocked by the user/);
    await new Promise((r) => setTimeout(r, 1500));
    expect(api.of('sendMessage')).toHaveLength(1);
  });

  it('retries 5xx with backoff and gives up as failed after the last attempt', async () => {
    api.respond = () => ({ status: 502, body: { ok: false } });
    const q = build({ maxAttempts: 2 });
    const id = await q.enqueue({ channel: 'telegram', chatId: '781', text: 'x' }, 'broadcast');
    await q.start();
    const d = await waitSettled(id);
    expect(d.status).toBe('failed');
    expect(d.attempts).toBe(2);
    expect(d.reason).toMatch(/gave up after 2 attempts/);
    expect(api.of('sendMessage')).toHaveLength(2);
  });

  it('records a Zalo OA message outside the interaction window as undeliverable, never dropping it', async () => {
    const q = build();
    const id = await q.enqueue(
      { channel: 'zalo-oa', chatId: 'user-never-seen', text: 'Nhắc hạn' },
      'reminder',
    );
    await q.start();
    const d = await waitSettled(id);
    expect(d.status).toBe('undeliverable');
    expect(d.reason).toMatch(/outside interaction window/);
  });

  it('returns the same delivery for the same dedupe key and sends it once', async () => {
    const q = build();
    const key = `reminder:unit:HSTT:T11/2026:-1:p${n}`;
    const a = await q.enqueue({ channel: 'telegram', chatId: '782', text: 'một lần' }, 'reminder', {
      dedupeKey: key,
    });
    const b = await q.enqueue({ channel: 'telegram', chatId: '782', text: 'một lần' }, 'reminder', {
      dedupeKey: key,
    });
    expect(b).toBe(a);
    await q.start();
    await waitSettled(a);
    await new Promise((r) => setTimeout(r, 800));
    expect(api.of('sendMessage')).toHaveLength(1);
  });

  it('sends each message once when two instances work the same queue', async () => {
    const name = `delivery-shared-${++n}`;
    const q1 = build({ queueName: name });
    const q2 = build({ queueName: name });
    const ids = [];
    for (let i = 0; i < 30; i++)
      ids.push(
        await q1.enqueue({ channel: 'telegram', chatId: `9${i}`, text: `tin ${i}` }, 'broadcast'),
      );
    await Promise.all([q1.start(), q2.start()]);
    for (const id of ids) expect((await waitSettled(id)).status).toBe('sent');
    const texts = api.of('sendMessage').map((c) => c.body.text);
    expect(texts).toHaveLength(30);
    expect(new Set(texts).size).toBe(30);
  });
});
