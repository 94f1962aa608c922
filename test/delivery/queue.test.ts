import type { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { Channel } from '../../src/channels/types.js';
import { DeliveryError } from '../../src/channels/types.js';
import type { OutboundMessage } from '../../src/core/message.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { TELEGRAM_LIMITS } from '../../src/channels/telegram/api.js';
import { createTelegramChannel } from '../../src/channels/telegram/index.js';
import { createZaloOaChannel } from '../../src/channels/zalo-oa/index.js';
import {
  createDeliveryQueue,
  DELIVERY_QUEUE,
  type DeliveryQueue,
} from '../../src/delivery/queue.js';
import { createMemoryLimiter, type RateLimiter } from '../../src/delivery/limiter.js';
import { createBoss } from '../../src/jobs/boss.js';
import { startFakeBotApi, tooManyRequests, type FakeBotApi } from '../channels/fakes/bot-api.js';
import { memoryLogger, silentLogger } from '../channels/fakes/http.js';
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
      logger?: Logger;
      onOutcome?: Parameters<typeof createDeliveryQueue>[0]['onOutcome'];
      baseBackoffMs?: number;
      batchSize?: number;
      concurrency?: number;
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
      logger: opts.logger ?? silentLogger,
      ...(opts.onOutcome ? { onOutcome: opts.onOutcome } : {}),
      baseBackoffMs: opts.baseBackoffMs ?? 200,
      ...(opts.batchSize !== undefined ? { batchSize: opts.batchSize } : {}),
      ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
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
    const log = memoryLogger();
    const q = build({ logger: log.logger });
    const id = await q.enqueue({ channel: 'zalo-bot', chatId: '1', text: 'x' }, 'notice');
    await q.start();
    const d = await waitSettled(id);
    expect(d.status).toBe('failed');
    expect(d.reason).toBe('channel zalo-bot is not configured');
    expect(d.attempts).toBe(0);
    expect(log.records.find((r) => r.level === 50)).toMatchObject({
      msg: 'delivery for a channel that is not configured',
      deliveryId: id,
      channel: 'zalo-bot',
      chatId: '1',
    });
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
    const s = sender(async (msg, call) => {
      // A failure without Retry-After first: it must leave the channel's pacing as it was.
      if (call === 1) throw new DeliveryError('telegram 502', false);
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

  /** Outcomes told to onOutcome, as `channel outcome`. */
  const outcomes = () => {
    const seen: string[] = [];
    return {
      seen,
      onOutcome: (channel: string, outcome: string) => void seen.push(`${channel} ${outcome}`),
    };
  };

  it('tells each outcome: sent, retry, failed, undeliverable and deferred, per channel', async () => {
    const o = outcomes();
    const s = sender(async (msg, call) => {
      if (msg.text === 'retry' && call <= 2) throw new DeliveryError('telegram 502', false);
      if (msg.text === 'blocked') throw new DeliveryError('blocked', true);
      if (msg.text === 'broken') throw new DeliveryError('telegram 502', false);
    });
    const q = build({ channels: { telegram: s.channel }, onOutcome: o.onOutcome, maxAttempts: 1 });
    const ok = await q.enqueue({ channel: 'telegram', chatId: '20', text: 'ok' }, 'notice');
    const blocked = await q.enqueue(
      { channel: 'telegram', chatId: '21', text: 'blocked' },
      'notice',
    );
    const broken = await q.enqueue({ channel: 'telegram', chatId: '22', text: 'broken' }, 'notice');
    const nowhere = await q.enqueue({ channel: 'zalo-bot', chatId: '23', text: 'x' }, 'notice');
    await q.start();
    for (const id of [ok, blocked, broken, nowhere]) await waitSettled(id);
    expect(o.seen.sort()).toEqual([
      'telegram failed',
      'telegram sent',
      'telegram undeliverable',
      'zalo-bot failed',
    ]);

    const o2 = outcomes();
    const s2 = sender(async (_m, call) => {
      if (call === 1) throw new DeliveryError('telegram 502', false);
    });
    const retried = build({ channels: { telegram: s2.channel }, onOutcome: o2.onOutcome });
    const id = await retried.enqueue({ channel: 'telegram', chatId: '24', text: 'x' }, 'notice');
    await retried.start();
    expect(await waitSettled(id)).toMatchObject({ status: 'sent', attempts: 2 });
    expect(o2.seen).toEqual(['telegram retry', 'telegram sent']);

    const o3 = outcomes();
    const s3 = sender(async () => {});
    const paced = build({
      channels: { telegram: s3.channel },
      limits: { telegram: { perSecond: 100, perChatPerSecond: 1 } },
      maxSlotWaitMs: 50,
      onOutcome: o3.onOutcome,
    });
    const two = [];
    for (let i = 0; i < 2; i++)
      two.push(await paced.enqueue({ channel: 'telegram', chatId: '25', text: `m${i}` }, 'notice'));
    await paced.start();
    for (const d of two) await waitSettled(d);
    expect(o3.seen.filter((x) => x === 'telegram sent')).toHaveLength(2);
    expect(o3.seen).toContain('telegram deferred');
  });

  it('marks the identity unreachable when the recipient blocked the bot, and only then', async () => {
    const person = await prisma().person.create({ data: { displayName: 'Chặn bot' } });
    for (const externalId of ['30', '31'])
      await prisma().identity.create({
        data: { channel: 'telegram', externalId, personId: person.id },
      });
    const s = sender(async (msg) => {
      if (msg.chatId === '30')
        throw new DeliveryError('telegram 403 blocked', true, undefined, { unreachable: true });
      throw new DeliveryError('telegram 400 bad request', true);
    });
    const log = memoryLogger();
    const q = build({ channels: { telegram: s.channel }, logger: log.logger });
    const blocked = await q.enqueue({ channel: 'telegram', chatId: '30', text: 'x' }, 'notice');
    const bad = await q.enqueue({ channel: 'telegram', chatId: '31', text: 'x' }, 'notice');
    await q.start();
    expect(await waitSettled(blocked)).toMatchObject({
      status: 'undeliverable',
      reason: 'telegram 403 blocked',
    });
    expect(await waitSettled(bad)).toMatchObject({
      status: 'undeliverable',
      reason: 'telegram 400 bad request',
    });
    const ids = await prisma().identity.findMany({
      where: { personId: person.id },
      orderBy: { externalId: 'asc' },
    });
    expect(ids.map((i) => i.unreachableAt !== null)).toEqual([true, false]);
    expect(log.records.filter((r) => r.msg === 'undeliverable')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ level: 40, reason: 'telegram 403 blocked', deliveryId: blocked }),
        expect.objectContaining({ level: 40, reason: 'telegram 400 bad request', deliveryId: bad }),
      ]),
    );
    // Each send waited for its slot first (debug).
    expect(log.records.filter((r) => r.msg === 'slot granted')).toEqual([
      expect.objectContaining({ level: 20, attempt: 1, waitedMs: expect.any(Number) }),
      expect.objectContaining({ level: 20, attempt: 1, waitedMs: expect.any(Number) }),
    ]);
  });

  it('gives up with the reason of a thrown non-DeliveryError, and logs each retry with its delay', async () => {
    const log = memoryLogger();
    const s = sender(async () => {
      throw new TypeError('socket hang up');
    });
    const q = build({ channels: { telegram: s.channel }, maxAttempts: 3, logger: log.logger });
    const id = await q.enqueue({ channel: 'telegram', chatId: '32', text: 'x' }, 'notice');
    await q.start();
    expect(await waitSettled(id)).toMatchObject({
      status: 'failed',
      attempts: 3,
      reason: 'gave up after 3 attempts: TypeError: socket hang up',
    });
    const retries = log.records.filter((r) => r.msg === 'delivery retry scheduled');
    expect(retries.map((r) => [r.attempt, r.reason])).toEqual([
      [1, 'TypeError: socket hang up'],
      [2, 'TypeError: socket hang up'],
    ]);
    // 200 ms doubled each attempt, ±20 % jitter.
    const [first, second] = retries.map((r) => r.delayMs as number);
    expect(first).toBeGreaterThanOrEqual(160);
    expect(first).toBeLessThanOrEqual(240);
    expect(second).toBeGreaterThanOrEqual(320);
    expect(second).toBeLessThanOrEqual(480);
    expect(retries[0]).toMatchObject({ component: 'delivery', deliveryId: id, chatId: '32' });
    expect(log.records.find((r) => r.msg === 'delivery failed')).toMatchObject({
      level: 50,
      attempt: 3,
      reason: 'TypeError: socket hang up',
      deliveryId: id,
      channel: 'telegram',
    });
  });

  it('adds at most 20 % of jitter to the backoff: 240 ms, then 480 ms, at the top of the range', async () => {
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.9999);
    try {
      const log = memoryLogger();
      const s = sender(async () => {
        throw new DeliveryError('telegram 502', false);
      });
      const q = build({ channels: { telegram: s.channel }, maxAttempts: 3, logger: log.logger });
      const id = await q.enqueue({ channel: 'telegram', chatId: '66', text: 'x' }, 'notice');
      await q.start();
      expect((await waitSettled(id)).status).toBe('failed');
      expect(
        log.records.filter((r) => r.msg === 'delivery retry scheduled').map((r) => r.delayMs),
      ).toEqual([240, 480]);
    } finally {
      random.mockRestore();
    }
  });

  it('waits exactly the Retry-After the platform asked for, not the backoff', async () => {
    const log = memoryLogger();
    const s = sender(async (_m, call) => {
      if (call === 1) throw new DeliveryError('telegram 429', false, 1500);
    });
    const q = build({ channels: { telegram: s.channel }, logger: log.logger });
    const id = await q.enqueue({ channel: 'telegram', chatId: '33', text: 'x' }, 'notice');
    await q.start();
    expect(await waitSettled(id)).toMatchObject({ status: 'sent', attempts: 2, reason: null });
    expect(log.records.find((r) => r.msg === 'delivery retry scheduled')).toMatchObject({
      delayMs: 1500,
      reason: 'telegram 429',
    });
    // pg-boss counts whole seconds: 1.5 s is 2 s.
    expect(s.calls[1]!.at - s.calls[0]!.at).toBeGreaterThanOrEqual(1900);
  });

  it('logs a job for a delivery that does not exist and goes on with the others', async () => {
    const log = memoryLogger();
    const s = sender(async () => {});
    const name = `delivery-unknown-${++n}`;
    const q = build({ channels: { telegram: s.channel }, queueName: name, logger: log.logger });
    const id = await q.enqueue({ channel: 'telegram', chatId: '34', text: 'x' }, 'notice');
    await boss.send(name, { deliveryId: 'no-such-delivery' });
    await q.start();
    expect((await waitSettled(id)).status).toBe('sent');
    await expect
      .poll(() => log.records.find((r) => r.msg === 'job for an unknown delivery'))
      .toMatchObject({ level: 40, deliveryId: 'no-such-delivery' });
    expect(s.calls).toHaveLength(1);
  });

  it('does not send before notBefore, and sends one in the past at once', async () => {
    const s = sender(async () => {});
    const q = build({ channels: { telegram: s.channel } });
    const t0 = Date.now();
    const later = await q.enqueue({ channel: 'telegram', chatId: '35', text: 'later' }, 'notice', {
      notBefore: new Date(t0 + 2500),
    });
    const past = await q.enqueue({ channel: 'telegram', chatId: '36', text: 'past' }, 'notice', {
      notBefore: new Date(t0 - 60_000),
    });
    await q.start();
    await waitSettled(past);
    await waitSettled(later);
    const at = (text: string) => s.calls.find((c) => c.msg.text === text)!.at;
    expect(at('later') - t0).toBeGreaterThanOrEqual(2400);
    expect(at('past') - t0).toBeLessThan(2400);
  });

  it('creates its pg-boss queue retrying only dead workers: 5 times, from 5 s, backing off, expiring after 60 s', async () => {
    const q = build({ queueName: `delivery-options-${++n}` });
    await q.start();
    const name = `delivery-options-${n}`;
    expect(await boss.getQueue(name)).toMatchObject({
      retryLimit: 5,
      retryDelay: 5,
      retryBackoff: true,
      expireInSeconds: 60,
    });
    // Without a name: the queue the app uses.
    const app = createDeliveryQueue({
      boss,
      prisma: prisma(),
      channels: {},
      limiter: createMemoryLimiter(),
      logger: silentLogger,
    });
    expect(DELIVERY_QUEUE).toBe('delivery');
    expect(await app.enqueueMany([])).toBe(0);
    await app.enqueue({ channel: 'telegram', chatId: '37', text: 'x' }, 'notice');
    expect(await boss.getQueue('delivery')).toMatchObject({ retryLimit: 5 });
  });

  /** The pg-boss jobs of one delivery, once none is waiting to run or running. */
  const settledJobs = async (name: string, id: string) => {
    await expect
      .poll(
        async () =>
          (await boss.findJobs(name, { data: { deliveryId: id } })).every(
            (j) => j.state !== 'created' && j.state !== 'active',
          ),
        { timeout: 10_000, interval: 100 },
      )
      .toBe(true);
    return boss.findJobs(name, { data: { deliveryId: id } });
  };

  it('records the reason of a failed attempt while its retry waits, and sends the stored message as it was', async () => {
    let id = '';
    const rows: unknown[] = [];
    const s = sender(async (_m, call) => {
      if (call === 1) throw new DeliveryError('telegram 502', false);
      rows.push(
        await prisma().delivery.findUniqueOrThrow({
          where: { id },
          select: { status: true, attempts: true, reason: true },
        }),
      );
    });
    const q = build({ channels: { telegram: s.channel } });
    id = await q.enqueue({ channel: 'telegram', chatId: '50', text: 'Nhắc lại' }, 'notice');
    await q.start();
    expect(await waitSettled(id)).toMatchObject({ status: 'sent', attempts: 2, reason: null });
    // During the second attempt the row still says why the first one failed.
    expect(rows).toEqual([{ status: 'queued', attempts: 2, reason: 'telegram 502' }]);
    const msg = { channel: 'telegram', chatId: '50', text: 'Nhắc lại' };
    expect(s.calls.map((c) => c.msg)).toStrictEqual([msg, msg]);
  });

  it('waits the Retry-After even when its backoff would be longer', async () => {
    const log = memoryLogger();
    const s = sender(async (_m, call) => {
      if (call === 1) throw new DeliveryError('telegram 429', false, 1000);
    });
    const q = build({
      channels: { telegram: s.channel },
      logger: log.logger,
      baseBackoffMs: 60_000,
    });
    const id = await q.enqueue({ channel: 'telegram', chatId: '51', text: 'x' }, 'notice');
    await q.start();
    await expect
      .poll(() => log.records.find((r) => r.msg === 'delivery retry scheduled'), {
        timeout: 10_000,
      })
      .toMatchObject({ delayMs: 1000, attempt: 1 });
    expect(await waitSettled(id)).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('caps the backoff at 10 minutes, and schedules the next job that far ahead', async () => {
    const log = memoryLogger();
    const s = sender(async () => {
      throw new DeliveryError('telegram 502', false);
    });
    const name = `delivery-cap-${++n}`;
    const q = build({
      channels: { telegram: s.channel },
      logger: log.logger,
      baseBackoffMs: 2_000_000,
      queueName: name,
    });
    const id = await q.enqueue({ channel: 'telegram', chatId: '52', text: 'x' }, 'notice');
    await q.start();
    await expect
      .poll(() => log.records.find((r) => r.msg === 'delivery retry scheduled'), {
        timeout: 10_000,
      })
      .toBeDefined();
    const delayMs = log.records.find((r) => r.msg === 'delivery retry scheduled')!
      .delayMs as number;
    // 10 min ± 20 % jitter (uncapped, 2,000 s ± 20 %).
    expect(delayMs).toBeGreaterThanOrEqual(480_000);
    expect(delayMs).toBeLessThanOrEqual(720_000);
    // The job that failed is done; the next waits in pg-boss.
    await expect
      .poll(
        async () =>
          (await boss.findJobs(name, { data: { deliveryId: id } })).map((j) => j.state).sort(),
        { timeout: 10_000, interval: 100 },
      )
      .toEqual(['completed', 'created']);
    const jobs = await boss.findJobs(name, { data: { deliveryId: id } });
    const next = jobs.find((j) => j.state === 'created');
    const ahead = next!.startAfter.getTime() - Date.now();
    expect(ahead).toBeGreaterThan(delayMs - 30_000);
    expect(ahead).toBeLessThanOrEqual(Math.ceil(delayMs / 1000) * 1000);
    expect(await prisma().delivery.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: 'queued',
      attempts: 1,
      reason: 'telegram 502',
    });
    expect(s.calls).toHaveLength(1);
  });

  it('by default backs off from 2 s and gives up after the sixth attempt', async () => {
    const log = memoryLogger();
    const s = sender(async (_m, call) => {
      // The first failure takes the backoff; the later ones ask for (almost) no wait.
      throw call === 1
        ? new DeliveryError('telegram 502', false)
        : new DeliveryError('telegram 429', false, 1);
    });
    const q = createDeliveryQueue({
      boss,
      prisma: prisma(),
      channels: { telegram: s.channel },
      limiter: createMemoryLimiter(),
      logger: log.logger,
      queueName: `delivery-defaults-${++n}`,
    });
    queues.push(q);
    const id = await q.enqueue({ channel: 'telegram', chatId: '53', text: 'x' }, 'notice');
    await q.start();
    await expect
      .poll(async () => (await prisma().delivery.findUniqueOrThrow({ where: { id } })).status, {
        timeout: 40_000,
        interval: 200,
      })
      .not.toBe('queued');
    expect(await prisma().delivery.findUniqueOrThrow({ where: { id } })).toMatchObject({
      status: 'failed',
      attempts: 6,
      reason: 'gave up after 6 attempts: telegram 429',
    });
    expect(s.calls).toHaveLength(6);
    const retries = log.records.filter((r) => r.msg === 'delivery retry scheduled');
    expect(retries.map((r) => r.attempt)).toEqual([1, 2, 3, 4, 5]);
    expect(retries[0]!.delayMs).toBeGreaterThanOrEqual(1600);
    expect(retries[0]!.delayMs).toBeLessThanOrEqual(2400);
  }, 90_000);

  it('waits up to 5 s in the worker for a slot and hands the job back beyond, under the limits the channel declares', async () => {
    const o = outcomes();
    const at: number[] = [];
    const channel: Channel = {
      name: 'telegram',
      // One message every 4 s to a chat.
      limits: { text: 4096, perSecond: 100, perChatPerSecond: 0.25 },
      async send() {
        at.push(Date.now());
      },
    };
    const q = createDeliveryQueue({
      boss,
      prisma: prisma(),
      channels: { telegram: channel },
      limiter: createMemoryLimiter(),
      logger: silentLogger,
      onOutcome: o.onOutcome,
      queueName: `delivery-slot-${++n}`,
    });
    queues.push(q);
    const ids = [];
    for (let i = 0; i < 3; i++)
      ids.push(await q.enqueue({ channel: 'telegram', chatId: '54', text: `m${i}` }, 'notice'));
    await q.start();
    for (const id of ids)
      await expect
        .poll(async () => (await prisma().delivery.findUniqueOrThrow({ where: { id } })).status, {
          timeout: 30_000,
          interval: 200,
        })
        .toBe('sent');
    // The second waited 4 s in its worker; the third's slot was 8 s away: handed back once.
    expect(o.seen.filter((x) => x === 'telegram deferred')).toHaveLength(1);
    expect(o.seen.filter((x) => x === 'telegram sent')).toHaveLength(3);
    at.sort((a, b) => a - b);
    expect(at[1]! - at[0]!).toBeGreaterThanOrEqual(3900);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(3900);
  }, 90_000);

  it('treats a channel given as undefined as not configured', async () => {
    const s = sender(async () => {});
    const q = build({ channels: { telegram: s.channel, 'zalo-oa': undefined } });
    const oa = await q.enqueue({ channel: 'zalo-oa', chatId: '55', text: 'x' }, 'notice');
    const tg = await q.enqueue({ channel: 'telegram', chatId: '55', text: 'x' }, 'notice');
    await q.start();
    expect(await waitSettled(oa)).toMatchObject({
      status: 'failed',
      reason: 'channel zalo-oa is not configured',
    });
    expect((await waitSettled(tg)).status).toBe('sent');
  });

  it('settles a delivery for an unconfigured channel once, however many jobs it has', async () => {
    const o = outcomes();
    const log = memoryLogger();
    const name = `delivery-settled-${++n}`;
    const q = build({ queueName: name, onOutcome: o.onOutcome, logger: log.logger });
    const id = await q.enqueue({ channel: 'zalo-bot', chatId: '56', text: 'x' }, 'notice');
    await q.start();
    await waitSettled(id);
    await settledJobs(name, id);
    // A late duplicate job finds the delivery already settled.
    await boss.send(name, { deliveryId: id });
    const jobs = await settledJobs(name, id);
    expect(jobs.map((j) => j.state)).toEqual(['completed', 'completed']);
    expect(o.seen).toEqual(['zalo-bot failed']);
    expect(log.records.filter((r) => r.level === 50)).toHaveLength(1);
  });

  it('completes the job of every delivery it settles, without an outcome listener', async () => {
    const s = sender(async (msg) => {
      if (msg.text === 'blocked') throw new DeliveryError('blocked', true);
      if (msg.text === 'broken') throw new DeliveryError('telegram 502', false);
    });
    const name = `delivery-complete-${++n}`;
    const q = build({
      channels: { telegram: s.channel },
      queueName: name,
      maxAttempts: 2,
      limits: { telegram: { perSecond: 100, perChatPerSecond: 1 } },
      maxSlotWaitMs: 50,
    });
    const ids = [
      await q.enqueue({ channel: 'telegram', chatId: '57', text: 'ok' }, 'notice'),
      await q.enqueue({ channel: 'telegram', chatId: '57', text: 'ok too' }, 'notice'),
      await q.enqueue({ channel: 'telegram', chatId: '58', text: 'blocked' }, 'notice'),
      await q.enqueue({ channel: 'telegram', chatId: '59', text: 'broken' }, 'notice'),
      await q.enqueue({ channel: 'zalo-bot', chatId: '60', text: 'x' }, 'notice'),
    ];
    await q.start();
    const settled = [];
    for (const id of ids) settled.push((await waitSettled(id)).status);
    expect(settled).toEqual(['sent', 'sent', 'undeliverable', 'failed', 'failed']);
    // One job each, one more for the deferred message and one for the retry: none failed.
    const jobs = (await Promise.all(ids.map((id) => settledJobs(name, id)))).flat();
    expect(jobs).toHaveLength(7);
    expect(jobs.map((j) => [j.state, j.retryCount])).toEqual(
      Array.from({ length: 7 }, () => ['completed', 0]),
    );
  });

  it('fails the batch when settling a delivery throws, so pg-boss runs the job again', async () => {
    let thrown = false;
    const s = sender(async () => {});
    const name = `delivery-infra-${++n}`;
    const q = build({
      channels: { telegram: s.channel },
      queueName: name,
      onOutcome: () => {
        if (thrown) return;
        thrown = true;
        throw new Error('metrics down');
      },
    });
    const id = await q.enqueue({ channel: 'telegram', chatId: '61', text: 'x' }, 'notice');
    await q.start();
    expect((await waitSettled(id)).status).toBe('sent');
    await expect
      .poll(async () => (await boss.findJobs(name, { data: { deliveryId: id } }))[0]?.state, {
        timeout: 10_000,
        interval: 100,
      })
      .toBe('retry');
  });

  it('starts one worker however often start() is called, and starts again after stop()', async () => {
    let release: () => void = () => {};
    let inFlight = 0;
    let peak = 0;
    const s = sender(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise<void>((r) => (release = r));
      inFlight--;
    });
    const q = build({ channels: { telegram: s.channel }, batchSize: 1, concurrency: 1 });
    const ids = [];
    for (let i = 0; i < 2; i++)
      ids.push(await q.enqueue({ channel: 'telegram', chatId: `6${i + 2}`, text: 'x' }, 'notice'));
    await Promise.all([q.start(), q.start()]);
    await q.start();
    await expect.poll(() => s.calls.length, { timeout: 10_000 }).toBe(1);
    await new Promise((r) => setTimeout(r, 1500));
    expect(peak).toBe(1);
    // stop() lets the send in flight finish and settle its delivery first.
    let stoppedAt = 0;
    const stopped = q.stop().then(() => (stoppedAt = Date.now()));
    await new Promise((r) => setTimeout(r, 300));
    expect(stoppedAt).toBe(0);
    release();
    await stopped;
    const first = await prisma().delivery.findUniqueOrThrow({
      where: { id: s.calls[0]!.msg.chatId === '62' ? ids[0]! : ids[1]! },
    });
    expect(first.status).toBe('sent');
    await new Promise((r) => setTimeout(r, 1000));
    expect(s.calls).toHaveLength(1);
    await q.start();
    await expect.poll(() => s.calls.length, { timeout: 10_000 }).toBe(2);
    release();
    for (const id of ids) expect((await waitSettled(id)).status).toBe('sent');
  });

  it('stops only its own workers when another instance works the same queue on the same pg-boss', async () => {
    const name = `delivery-own-${++n}`;
    const s = sender(async () => {});
    const q1 = build({ channels: { telegram: s.channel }, queueName: name });
    const q2 = build({ channels: { telegram: s.channel }, queueName: name });
    const idle = build({ channels: { telegram: s.channel }, queueName: name });
    await Promise.all([q1.start(), q2.start()]);
    await q1.stop();
    await idle.stop();
    const id = await q1.enqueue({ channel: 'telegram', chatId: '65', text: 'x' }, 'notice');
    expect((await waitSettled(id)).status).toBe('sent');
    expect(s.calls).toHaveLength(1);
  });

  it('by default takes up to 25 jobs a fetch on two loops: 30 messages in flight at once', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    let inFlight = 0;
    let peak = 0;
    const s = sender(async () => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await gate;
      inFlight--;
    });
    const q = build({
      channels: { telegram: s.channel },
      limits: { telegram: { perSecond: 1000 } },
    });
    const batchId = `flight-${++n}`;
    await q.enqueueMany(
      Array.from({ length: 30 }, (_, i) => ({
        msg: { channel: 'telegram' as const, chatId: `7${i}`, text: 'x' },
        kind: 'broadcast' as const,
        batchId,
      })),
    );
    await q.start();
    await expect.poll(() => peak, { timeout: 10_000, interval: 100 }).toBe(30);
    release();
    for (const r of await prisma().delivery.findMany({ where: { batchId } }))
      expect((await waitSettled(r.id)).status).toBe('sent');
  });

  it('tries again to create its pg-boss queue after a failed attempt', async () => {
    let creates = 0;
    // pg-boss losing its connection during the first createQueue.
    const flaky = new Proxy(boss, {
      get(target, prop) {
        if (prop === 'createQueue')
          return async (...args: Parameters<PgBoss['createQueue']>) => {
            if (++creates === 1) throw new Error('connection lost');
            return target.createQueue(...args);
          };
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    const s = sender(async () => {});
    const q = build({ channels: { telegram: s.channel }, boss: flaky });
    await expect(
      q.enqueue({ channel: 'telegram', chatId: '64', text: 'x' }, 'notice'),
    ).rejects.toThrow('connection lost');
    const id = await q.enqueue({ channel: 'telegram', chatId: '64', text: 'y' }, 'notice');
    await q.start();
    expect((await waitSettled(id)).status).toBe('sent');
    expect(creates).toBe(2);
    expect(s.calls.map((c) => c.msg.text)).toEqual(['y']);
  });

  it('queues nothing and creates no pg-boss queue for an empty batch', async () => {
    const name = `delivery-empty-${++n}`;
    const q = build({ queueName: name });
    expect(await q.enqueueMany([])).toBe(0);
    expect(await boss.getQueue(name)).toBeNull();
  });

  it('throws an error that is not a duplicate key, even for a dedupe key already queued', async () => {
    const q = build();
    const key = `not-dup-${++n}`;
    await q.enqueue({ channel: 'telegram', chatId: '63', text: 'x' }, 'notice', { dedupeKey: key });
    await expect(
      q.enqueue({ channel: 'telegram', chatId: '63', text: 'x' }, 'no-such-kind' as 'notice', {
        dedupeKey: key,
      }),
    ).rejects.toThrow(/kind/);
    expect(await prisma().delivery.count({ where: { dedupeKey: key } })).toBe(1);
  });

  describe('enqueueMany', () => {
    it('queues a batch with its batch id, time, buttons and dedupe keys, skipping keys already queued', async () => {
      const s = sender(async () => {});
      const q = build({ channels: { telegram: s.channel } });
      const key = `batch-dup-${++n}`;
      await q.enqueue({ channel: 'telegram', chatId: '40', text: 'first' }, 'reminder', {
        dedupeKey: key,
      });
      const at = new Date('2026-11-30T01:00:00Z');
      const queued = await q.enqueueMany([
        {
          msg: {
            channel: 'telegram',
            chatId: '41',
            text: 'a',
            buttons: [[{ label: 'Xem', data: 'st:1' }]],
          },
          kind: 'broadcast',
          batchId: `b-${n}`,
          at,
          dedupeKey: `batch-a-${n}`,
        },
        {
          msg: { channel: 'telegram', chatId: '40', text: 'again' },
          kind: 'reminder',
          dedupeKey: key,
        },
        {
          msg: { channel: 'telegram', chatId: '42', text: 'b' },
          kind: 'broadcast',
          batchId: `b-${n}`,
        },
      ]);
      expect(queued).toBe(2);
      const rows = await prisma().delivery.findMany({
        where: { batchId: `b-${n}` },
        orderBy: { chatId: 'asc' },
      });
      expect(rows).toMatchObject([
        {
          chatId: '41',
          text: 'a',
          kind: 'broadcast',
          status: 'queued',
          createdAt: at,
          dedupeKey: `batch-a-${n}`,
          buttons: [[{ label: 'Xem', data: 'st:1' }]],
        },
        { chatId: '42', text: 'b', dedupeKey: null, buttons: null },
      ]);
      expect(rows[1]!.createdAt.getTime()).toBeGreaterThan(at.getTime());
      expect(await prisma().delivery.count({ where: { dedupeKey: key } })).toBe(1);
      await q.start();
      for (const r of rows) expect((await waitSettled(r.id)).status).toBe('sent');
      await waitSettled(
        (await prisma().delivery.findUniqueOrThrow({ where: { dedupeKey: key } })).id,
      );
      expect(s.calls.map((c) => c.msg.text).sort()).toEqual(['a', 'b', 'first']);
    });

    it('holds an item until its notBefore', async () => {
      const s = sender(async () => {});
      const q = build({ channels: { telegram: s.channel } });
      const t0 = Date.now();
      const batchId = `nb-${++n}`;
      await q.enqueueMany([
        {
          msg: { channel: 'telegram', chatId: '43', text: 'later' },
          kind: 'notice',
          batchId,
          notBefore: new Date(t0 + 2500),
        },
        {
          msg: { channel: 'telegram', chatId: '44', text: 'now' },
          kind: 'notice',
          batchId,
          notBefore: new Date(t0 - 1000),
        },
      ]);
      await q.start();
      for (const r of await prisma().delivery.findMany({ where: { batchId } }))
        await waitSettled(r.id);
      const at = (text: string) => s.calls.find((c) => c.msg.text === text)!.at;
      expect(at('later') - t0).toBeGreaterThanOrEqual(2400);
      expect(at('now') - t0).toBeLessThan(2400);
    });

    it('queues more than one chunk of 1,000', async () => {
      const q = build();
      const batchId = `big-${++n}`;
      const items = Array.from({ length: 1001 }, (_, i) => ({
        msg: { channel: 'telegram' as const, chatId: `5${i}`, text: 'x' },
        kind: 'broadcast' as const,
        batchId,
      }));
      expect(await q.enqueueMany(items)).toBe(1001);
      expect(await prisma().delivery.count({ where: { batchId } })).toBe(1001);
    });

    it('commits or rolls back with the transaction it is given, jobs included', async () => {
      const s = sender(async () => {});
      const name = `delivery-tx-${++n}`;
      const q = build({ channels: { telegram: s.channel }, queueName: name });
      const batchId = `tx-${n}`;
      const item = {
        msg: { channel: 'telegram' as const, chatId: '45', text: 'x' },
        kind: 'notice' as const,
        batchId,
      };
      // Started first: the pg-boss queue exists before the caller's transaction (PGlite has one
      // session, so the queue cannot be created while that transaction holds it).
      await q.start();
      await expect(
        prisma().$transaction(async (tx) => {
          expect(await q.enqueueMany([item], tx)).toBe(1);
          throw new Error('the caller fails');
        }),
      ).rejects.toThrow('the caller fails');
      expect(await prisma().delivery.count({ where: { batchId } })).toBe(0);
      expect(await boss.getQueueStats(name)).toMatchObject([{ queuedCount: 0 }]);
      await prisma().$transaction(async (tx) => {
        expect(await q.enqueueMany([item], tx)).toBe(1);
      });
      const [row] = await prisma().delivery.findMany({ where: { batchId } });
      expect((await waitSettled(row!.id)).status).toBe('sent');
    });
  });
});
