import type { PgBoss } from 'pg-boss';
import type { Channel } from '../../src/channels/types.js';
import { DeliveryError } from '../../src/channels/types.js';
import type { OutboundMessage } from '../../src/core/message.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TELEGRAM_LIMITS } from '../../src/channels/telegram/api.js';
import { createTelegramChannel } from '../../src/channels/telegram/index.js';
import { createZaloOaChannel } from '../../src/channels/zalo-oa/index.js';
import { createDeliveryQueue, type DeliveryQueue } from '../../src/delivery/queue.js';
import { createMemoryLimiter, type RateLimiter } from '../../src/delivery/limiter.js';
import { createBoss } from '../../src/jobs/boss.js';
import { startFakeBotApi, tooManyRequests, type FakeBotApi } from '../channels/fakes/bot-api.js';
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

  const build = (
    opts: {
      maxAttempts?: number;
      queueName?: string;
      channels?: Parameters<typeof createDeliveryQueue>[0]['channels'];
      limits?: Parameters<typeof createDeliveryQueue>[0]['limits'];
      maxSlotWaitMs?: number;
      boss?: PgBoss;
      expireInSeconds?: number;
      limiter?: RateLimiter;
    } = {},
  ) => {
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
      boss: opts.boss ?? boss,
      prisma: prisma(),
      channels: opts.channels ?? { telegram, 'zalo-oa': zaloOa },
      limiter: opts.limiter ?? createMemoryLimiter(),
      logger: silentLogger,
      baseBackoffMs: 200,
      maxAttempts: opts.maxAttempts ?? 4,
      queueName: opts.queueName ?? `delivery-test-${++n}`,
      ...(opts.limits ? { limits: opts.limits } : {}),
      ...(opts.maxSlotWaitMs !== undefined ? { maxSlotWaitMs: opts.maxSlotWaitMs } : {}),
      ...(opts.expireInSeconds !== undefined ? { expireInSeconds: opts.expireInSeconds } : {}),
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
      return tooManyRequests(1);
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

  /** A sender standing in for a platform, recording what it was asked to send. */
  const sender = (send: (msg: OutboundMessage, call: number) => Promise<void>) => {
    const calls: { msg: OutboundMessage; at: number }[] = [];
    const channel: Channel = {
      name: 'telegram',
      limits: TELEGRAM_LIMITS,
      async send(msg) {
        calls.push({ msg, at: Date.now() });
        await send(msg, calls.length);
      },
    };
    return { channel, calls };
  };

  it('fails a delivery for a channel that is not configured, without sending anything', async () => {
    const q = build();
    const id = await q.enqueue({ channel: 'zalo-bot', chatId: '1', text: 'x' }, 'notice');
    await q.start();
    const d = await waitSettled(id);
    expect(d.status).toBe('failed');
    expect(d.reason).toBe('channel zalo-bot is not configured');
    expect(d.attempts).toBe(0);
  });

  it('retries when a sender throws something that is not a DeliveryError', async () => {
    const s = sender(async (_m, call) => {
      if (call === 1) throw new TypeError('socket hang up');
    });
    const q = build({ channels: { telegram: s.channel } });
    const id = await q.enqueue({ channel: 'telegram', chatId: '10', text: 'x' }, 'notice');
    await q.start();
    const d = await waitSettled(id);
    expect(d).toMatchObject({ status: 'sent', attempts: 2 });
    expect(s.calls).toHaveLength(2);
  });

  it('hands a job back when the limiter has no slot soon, without counting an attempt', async () => {
    const s = sender(async () => {});
    const q = build({
      channels: { telegram: s.channel },
      limits: { telegram: { perSecond: 100, perChatPerSecond: 1 } },
      maxSlotWaitMs: 50,
    });
    const ids = [];
    for (let i = 0; i < 3; i++)
      ids.push(await q.enqueue({ channel: 'telegram', chatId: '11', text: `m${i}` }, 'broadcast'));
    await q.start();
    for (const id of ids)
      expect(await waitSettled(id)).toMatchObject({ status: 'sent', attempts: 1 });
    const at = s.calls.map((c) => c.at).sort((a, b) => a - b);
    // One message a second to one chat: the later ones were rescheduled, not sent early.
    expect(at[2]! - at[0]!).toBeGreaterThanOrEqual(1900);
  });

  it('pauses the whole channel when the platform answers 429, not only that chat', async () => {
    const s = sender(async (msg) => {
      if (msg.chatId === '12' && !paused) {
        paused = Date.now();
        throw new DeliveryError('telegram 429', false, 3000);
      }
    });
    let paused = 0;
    const limiter = createMemoryLimiter();
    const q = build({ channels: { telegram: s.channel }, limiter });
    const a = await q.enqueue({ channel: 'telegram', chatId: '12', text: 'a' }, 'broadcast');
    await q.start();
    await expect.poll(() => paused, { timeout: 10_000 }).toBeGreaterThan(0);
    // The shared limiter (every worker, every instance) holds the whole channel: a send to any
    // chat must wait. Checked on the limiter itself, as pg-boss's polling alone can delay b.
    await expect
      .poll(
        async () => {
          const slot = await limiter.acquire([{ key: 'telegram', limit: 1000, periodMs: 1000 }], 0);
          if (!slot.ok) return slot.retryInMs;
          await slot.release();
          return 0;
        },
        { timeout: 2000, interval: 20 },
      )
      .toBeGreaterThan(0);
    const b = await q.enqueue({ channel: 'telegram', chatId: '13', text: 'b' }, 'broadcast');
    await waitSettled(a);
    await waitSettled(b);
    const other = s.calls.find((c) => c.msg.chatId === '13')!;
    expect(other.at - paused).toBeGreaterThanOrEqual(2900);
  });

  it('sends once when two jobs exist for one delivery (the attempt claim)', async () => {
    const s = sender(async () => {
      await new Promise((r) => setTimeout(r, 200));
    });
    const name = `delivery-claim-${++n}`;
    const q = build({ channels: { telegram: s.channel }, queueName: name });
    const id = await q.enqueue({ channel: 'telegram', chatId: '14', text: 'x' }, 'notice');
    // A second job for the same delivery, as a retry after a crash would create.
    await boss.send(name, { deliveryId: id });
    await boss.send(name, { deliveryId: id });
    await q.start();
    expect(await waitSettled(id)).toMatchObject({ status: 'sent', attempts: 1 });
    await new Promise((r) => setTimeout(r, 1000));
    expect(s.calls).toHaveLength(1);
  });

  it('sends a message whose worker died, once pg-boss expires the job', async () => {
    const fast = await createBoss({
      db: testDb.db,
      logger: silentLogger,
      schema: `pgboss_fast_${n}`,
      superviseIntervalSeconds: 1,
    });
    try {
      let release: () => void = () => {};
      const s = sender(async (_m, call) => {
        // The first worker hangs (as if its process died mid-send); a retry must take over.
        if (call === 1) await new Promise<void>((r) => (release = r));
      });
      const q = build({ channels: { telegram: s.channel }, boss: fast, expireInSeconds: 2 });
      const id = await q.enqueue({ channel: 'telegram', chatId: '15', text: 'x' }, 'notice');
      await q.start();
      await expect
        .poll(() => s.calls.length, { timeout: 30_000, interval: 200 })
        .toBeGreaterThanOrEqual(2);
      expect((await waitSettled(id)).status).toBe('sent');
      release();
    } finally {
      await Promise.all(queues.map((q) => q.stop()));
      await fast.stop({ graceful: false, timeout: 2000 });
    }
  });
});
