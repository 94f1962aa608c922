import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createOaTokenManager,
  createZaloOaChannel,
  OUTSIDE_WINDOW,
  windowStatus,
  zaloOaSignature,
  type ZaloOaChannel,
} from '../../../src/channels/zalo-oa/index.js';
import { DeliveryError } from '../../../src/channels/types.js';
import { createSecretBox } from '../../../src/db/secret-box.js';
import { createMemoryOptionsStore } from '../../../src/channels/zalo-bot/index.js';
import { createTestDb, type TestDb } from '../../helpers/db.js';
import { startFakeZaloOa, type FakeZaloOa } from '../fakes/zalo-oa-api.js';
import { memoryLogger, mount, silentLogger, type Mounted } from '../fakes/http.js';
import { createFakePipeline, type FakePipeline } from '../fakes/pipeline.js';

const APP_ID = '4301234567890123456';
const SECRET_KEY = 'oa-webhook-secret-key';
const APP_SECRET = 'app-secret-for-refresh';
const HOUR = 3600_000;

let testDb: TestDb;
beforeAll(async () => {
  testDb = await createTestDb();
});
afterAll(async () => {
  await testDb?.cleanup();
});

const prisma = () => testDb.db.prisma;

/** The channel's configuration against a fake Zalo OA at `apiUrl`. */
const oaConfig = (apiUrl: string) => ({
  zaloOa: {
    appId: APP_ID,
    secretKey: SECRET_KEY,
    appSecret: APP_SECRET,
    apiRoot: apiUrl,
    oauthRoot: apiUrl,
  },
});

/** A real-looking user_send_text body, serialised with Zalo's own spacing. */
function textEventRaw(
  msgId: string,
  text: string,
  userId = '2512523625412515',
  timestamp = String(Date.now() - 1000),
) {
  return `{"app_id":"${APP_ID}","user_id_by_app":"552177279717587730","event_name":"user_send_text","timestamp":"${timestamp}","sender":{"id":"${userId}"},"recipient":{"id":"579745863508352884"},"message":{"text":${JSON.stringify(text)},"msg_id":"${msgId}"}}`;
}

async function resetTables(accessToken = 'AT-0', expiresInMs = 24 * HOUR) {
  await prisma().oaToken.deleteMany();
  await prisma().oaInteraction.deleteMany();
  await prisma().oaToken.create({
    data: {
      id: 1,
      accessToken,
      refreshToken: 'RT-0',
      expiresAt: new Date(Date.now() + expiresInMs),
    },
  });
}

describe('Zalo OA webhook', () => {
  let api: FakeZaloOa;
  let pipeline: FakePipeline;
  let channel: ZaloOaChannel;
  let server: Mounted;

  const post = (raw: string | Buffer, signature?: string, timestamp?: string) => {
    const bytes = typeof raw === 'string' ? Buffer.from(raw) : raw;
    const ts = timestamp ?? /"timestamp":"(\d+)"/.exec(bytes.toString('latin1'))?.[1] ?? '0';
    return fetch(server.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-zevent-signature': signature ?? zaloOaSignature(APP_ID, bytes, ts, SECRET_KEY),
      },
      body: new Uint8Array(bytes),
    });
  };

  beforeEach(async () => {
    api = await startFakeZaloOa();
    api.validAccessTokens.add('AT-0');
    api.validRefreshTokens.add('RT-0');
    await resetTables();
    pipeline = createFakePipeline((m) =>
      m.event === 'unsupported' ? [] : [{ text: `echo: ${m.text ?? m.button ?? m.event}` }],
    );
    channel = createZaloOaChannel({
      config: oaConfig(api.url),
      prisma: prisma(),
      logger: silentLogger,
      pipeline,
      optionsStore: createMemoryOptionsStore(),
      bodyLimit: '8kb',
    });
    server = await mount('/webhooks/zalo-oa', channel.router);
  });
  afterEach(async () => {
    await server.close();
    await api.close();
  });

  it('rejects a missing signature with 401 without reading further', async () => {
    const res = await fetch(server.url, { method: 'POST', body: textEventRaw('m1', 'hi') });
    expect(res.status).toBe(401);
    expect(pipeline.received).toHaveLength(0);
  });

  it('rejects a wrong signature, and one computed with another secret, with 401 and no side effect', async () => {
    const raw = textEventRaw('m1', 'hi');
    expect((await post(raw, 'mac=deadbeef')).status).toBe(401);
    const ts = /"timestamp":"(\d+)"/.exec(raw)![1]!;
    expect(
      (await post(raw, zaloOaSignature(APP_ID, Buffer.from(raw), ts, 'other-secret'))).status,
    ).toBe(401);
    expect(pipeline.received).toHaveLength(0);
    expect(await prisma().oaInteraction.count()).toBe(0);
  });

  it('acknowledges a signed event replayed outside the window with 200 and does not process it', async () => {
    const logger = memoryLogger();
    let stale = 0;
    const strict = createZaloOaChannel({
      config: oaConfig(api.url),
      prisma: prisma(),
      logger: logger.logger,
      pipeline,
      bodyLimit: '8kb',
      maxEventAgeMs: 3 * HOUR,
      onStaleEvent: () => stale++,
    });
    const mounted = await mount('/webhooks/zalo-oa', strict.router);
    try {
      const postTo = (raw: string) => {
        const ts = /"timestamp":"(\d+)"/.exec(raw)![1]!;
        return fetch(mounted.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-zevent-signature': zaloOaSignature(APP_ID, Buffer.from(raw), ts, SECRET_KEY),
          },
          body: raw,
        });
      };
      const old = textEventRaw('replay-1', 'cũ', '9001', String(Date.now() - 3 * HOUR - 60_000));
      expect((await postTo(old)).status).toBe(200);
      const future = textEventRaw('replay-2', 'tương lai', '9001', String(Date.now() + 4 * HOUR));
      expect((await postTo(future)).status).toBe(200);
      expect(pipeline.received).toHaveLength(0);
      expect(await prisma().oaInteraction.count()).toBe(0);
      expect(logger.records.some((r) => r.event === 'zalo-oa.stale_event')).toBe(true);
      expect(stale).toBe(2); // counted (cds_security_events_total{event="stale_event_dropped"})
      // Zalo's last retry, an hour after the event, is still processed.
      const retried = textEventRaw('replay-3', 'thử lại', '9001', String(Date.now() - HOUR));
      expect((await postTo(retried)).status).toBe(200);
      expect(pipeline.received.map((m) => m.text)).toEqual(['thử lại']);
    } finally {
      await mounted.close();
    }
  });

  it('rejects a body changed after signing (signature is over the raw bytes)', async () => {
    const raw = textEventRaw('m1', 'số liệu 65,5');
    const ts = /"timestamp":"(\d+)"/.exec(raw)![1]!;
    const sig = zaloOaSignature(APP_ID, Buffer.from(raw), ts, SECRET_KEY);
    const reserialised = JSON.stringify(JSON.parse(raw), null, 1);
    expect((await post(reserialised, sig)).status).toBe(401);
    expect((await post(raw, sig)).status).toBe(200);
  });

  it('turns user_send_text into a message, replies through /v3.0/oa/message/cs and records the interaction', async () => {
    const res = await post(textEventRaw('mid-100', 'Xin chào OA'));
    expect(res.status).toBe(200);
    expect(pipeline.applied[0]).toMatchObject({
      channel: 'zalo-oa',
      chatId: '2512523625412515',
      userId: '2512523625412515',
      updateId: 'mid-100',
      text: 'Xin chào OA',
    });
    expect(api.sent).toEqual([
      { accessToken: 'AT-0', userId: '2512523625412515', text: 'echo: Xin chào OA' },
    ]);
    const row = await prisma().oaInteraction.findUnique({ where: { userId: '2512523625412515' } });
    expect(row).not.toBeNull();
  });

  it('turns follow into a follow event', async () => {
    const ts = String(Date.now() - 500);
    const raw = `{"oa_id":"579745863508352884","follower":{"id":"6868686868"},"user_id_by_app":"552177279717587730","event_name":"follow","source":"oa_profile","app_id":"${APP_ID}","timestamp":"${ts}"}`;
    expect((await post(raw)).status).toBe(200);
    expect(pipeline.applied[0]).toMatchObject({
      event: 'follow',
      chatId: '6868686868',
      userId: '6868686868',
    });
    expect(await prisma().oaInteraction.count()).toBe(1);
  });

  it('answers an image politely', async () => {
    const ts = String(Date.now());
    const raw = `{"app_id":"${APP_ID}","event_name":"user_send_image","timestamp":"${ts}","sender":{"id":"77"},"recipient":{"id":"1"},"message":{"msg_id":"img-1","attachments":[{"type":"image","payload":{"url":"https://example.vn/a.jpg"}}]}}`;
    expect((await post(raw)).status).toBe(200);
    expect(pipeline.applied[0]).toMatchObject({ event: 'unsupported' });
    expect(api.sent[0]!.text).toMatch(/chỉ hỗ trợ tin nhắn văn bản/);
  });

  it('acknowledges other events (seen, unfollow) without processing', async () => {
    const raw = `{"app_id":"${APP_ID}","event_name":"user_seen_message","timestamp":"${Date.now()}","sender":{"id":"77"},"recipient":{"id":"1"},"message":{"msg_ids":["a"]}}`;
    expect((await post(raw)).status).toBe(200);
    expect(pipeline.received).toHaveLength(0);
  });

  it('takes a redelivered msg_id into account once, also when it arrives concurrently', async () => {
    const raw = textEventRaw('mid-dup', 'một lần');
    const results = await Promise.all([post(raw), post(raw), post(raw)]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await post(raw)).status).toBe(200);
    expect(pipeline.applied).toHaveLength(1);
    expect(api.sent).toHaveLength(1);
  });

  it('answers 503 with Retry-After when our infrastructure fails', async () => {
    pipeline.failWithInfraError = true;
    const res = await post(textEventRaw('mid-infra', 'x'));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBeTruthy();
  });

  it('refreshes once on -216, stores the new pair, and retries the reply once', async () => {
    api.validAccessTokens.delete('AT-0'); // expired early on Zalo's side
    expect((await post(textEventRaw('mid-216', 'token hết hạn'))).status).toBe(200);
    expect(api.refreshCalls).toHaveLength(1);
    expect(api.refreshCalls[0]).toEqual({
      refreshToken: 'RT-0',
      appId: APP_ID,
      secretKey: APP_SECRET,
      grantType: 'refresh_token',
    });
    const row = await prisma().oaToken.findUniqueOrThrow({ where: { id: 1 } });
    expect(api.sent).toHaveLength(1);
    expect(api.sent[0]!.accessToken).toBe(row.accessToken);
    expect(row.refreshToken).not.toBe('RT-0');
    expect(row.expiresAt.getTime()).toBeGreaterThan(Date.now() + 24 * HOUR);
  });

  /** A channel on its own loopback server, for tests that need other dependencies. */
  async function withChannel(
    extra: Partial<Parameters<typeof createZaloOaChannel>[0]>,
    run: (postTo: (raw: string) => Promise<Response>) => Promise<void>,
  ) {
    const own = createZaloOaChannel({
      config: oaConfig(api.url),
      prisma: prisma(),
      logger: silentLogger,
      pipeline,
      bodyLimit: '8kb',
      ...extra,
    });
    const mounted = await mount('/webhooks/zalo-oa', own.router);
    const postTo = (raw: string) =>
      fetch(mounted.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'x-zevent-signature': zaloOaSignature(
            APP_ID,
            Buffer.from(raw),
            /"timestamp":"(\d+)"/.exec(raw)![1]!,
            SECRET_KEY,
          ),
        },
        body: raw,
      });
    try {
      await run(postTo);
    } finally {
      await mounted.close();
    }
  }

  it('logs each update under the channel, a replay with its reason, also with no metrics hook', async () => {
    const { logger, records } = memoryLogger();
    await withChannel({ logger }, async (postTo) => {
      expect((await postTo(textEventRaw('log-1', 'chào'))).status).toBe(200);
      const old = textEventRaw('log-2', 'cũ', '9002', String(Date.now() - 4 * HOUR));
      expect((await postTo(old)).status).toBe(200);
    });
    const updates = records.filter((r) => r.msg === 'update');
    expect(updates).toEqual([
      expect.objectContaining({
        channel: 'zalo-oa',
        event: 'user_send_text',
        outcome: 'processed',
      }),
      expect.objectContaining({
        channel: 'zalo-oa',
        event: 'user_send_text',
        outcome: 'ignored',
        reason: 'outside the replay window',
      }),
    ]);
    expect(records.find((r) => r.event === 'zalo-oa.stale_event')).toMatchObject({
      channel: 'zalo-oa',
      level: 40,
      msg: 'Zalo OA event outside the replay window ignored',
      eventName: 'user_send_text',
    });
    expect(pipeline.received.map((m) => m.text)).toEqual(['chào']);
  });

  it('takes an event exactly as old as the replay window, and not one a millisecond older', async () => {
    const at = new Date('2026-11-27T03:00:00Z');
    await withChannel({ now: () => at, maxEventAgeMs: HOUR }, async (postTo) => {
      const edge = String(at.getTime() - HOUR);
      expect((await postTo(textEventRaw('edge-1', 'vừa kịp', '9003', edge))).status).toBe(200);
      const past = String(at.getTime() - HOUR - 1);
      expect((await postTo(textEventRaw('edge-2', 'trễ', '9004', past))).status).toBe(200);
    });
    expect(pipeline.received.map((m) => m.text)).toEqual(['vừa kịp']);
  });

  it('opens the interaction window at the time the user wrote, not when Zalo delivered it', async () => {
    const wrote = Date.now() - 10 * 60_000;
    expect((await post(textEventRaw('late-1', 'gửi chậm', '9005', String(wrote)))).status).toBe(
      200,
    );
    const row = await prisma().oaInteraction.findUniqueOrThrow({ where: { userId: '9005' } });
    expect(row.lastInteractionAt.getTime()).toBe(wrote);
  });

  it('lists the buttons of a reply as numbered options with the Vietnamese hint by default', async () => {
    const asking = createFakePipeline(() => [
      { text: 'Xác nhận báo cáo?', buttons: [[{ label: 'Đồng ý', data: 'rep:ok' }]] },
    ]);
    await withChannel({ pipeline: asking }, async (postTo) => {
      expect((await postTo(textEventRaw('opt-1', 'báo cáo'))).status).toBe(200);
    });
    expect(api.sent.map((m) => m.text)).toEqual([
      'Xác nhận báo cáo?\n\n1. Đồng ý\nAnh/chị trả lời bằng số thứ tự (ví dụ: 1) hoặc chữ của lựa chọn.',
    ]);
  });

  describe('bad input', () => {
    it('answers 400 to invalid UTF-8 and invalid JSON, 413 to a huge body', async () => {
      expect((await post(Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), 'mac=00')).status).toBe(400);
      expect((await post('{"app_id":', 'mac=00')).status).toBe(400);
      expect((await post(textEventRaw('big', 'a'.repeat(20_000)))).status).toBe(413);
      expect(pipeline.received).toHaveLength(0);
    });
    it('answers 400 to a signed event with missing fields or wrong types', async () => {
      const ts = String(Date.now());
      const noSender = `{"app_id":"${APP_ID}","event_name":"user_send_text","timestamp":"${ts}","message":{"text":"x","msg_id":"1"}}`;
      expect((await post(noSender)).status).toBe(400);
      const badMsg = `{"app_id":"${APP_ID}","event_name":"user_send_text","timestamp":"${ts}","sender":{"id":"1"},"message":{"text":"x","msg_id":{}}}`;
      expect((await post(badMsg)).status).toBe(400);
      expect(pipeline.received).toHaveLength(0);
    });
    it('answers 401 to a body without app_id or timestamp (cannot be verified)', async () => {
      expect((await post('{"event_name":"user_send_text"}', 'mac=00')).status).toBe(401);
    });
  });
});

describe('Zalo OA proactive messages and the interaction window', () => {
  let api: FakeZaloOa;
  let channel: ZaloOaChannel;
  const USER = '9990001112223334';
  const build = (now?: () => Date, logger = silentLogger) =>
    createZaloOaChannel({
      config: oaConfig(api.url),
      prisma: prisma(),
      logger,
      pipeline: createFakePipeline(),
      now,
    });

  beforeEach(async () => {
    api = await startFakeZaloOa();
    api.validAccessTokens.add('AT-0');
    api.validRefreshTokens.add('RT-0');
    await resetTables();
    channel = build();
  });
  afterEach(async () => {
    await api.close();
  });

  const seen = (agoMs: number) =>
    prisma().oaInteraction.create({
      data: { userId: USER, lastInteractionAt: new Date(Date.now() - agoMs) },
    });

  it('classifies the window: free up to 48 h, paid up to 7 days, closed after', () => {
    const now = new Date('2026-11-27T10:00:00+07:00');
    expect(windowStatus(new Date(now.getTime() - 47 * HOUR), now)).toBe('free');
    expect(windowStatus(new Date(now.getTime() - 49 * HOUR), now)).toBe('paid');
    expect(windowStatus(new Date(now.getTime() - 8 * 24 * HOUR), now)).toBe('closed');
    expect(windowStatus(undefined, now)).toBe('closed');
  });

  it('sends to a user seen 3 days ago (paid window)', async () => {
    await seen(3 * 24 * HOUR);
    await channel.send({ channel: 'zalo-oa', chatId: USER, text: 'Nhắc hạn báo cáo' });
    expect(api.sent).toHaveLength(1);
  });

  it('refuses, permanently, a user last seen 8 days ago, without calling Zalo', async () => {
    await seen(8 * 24 * HOUR);
    const err = await channel
      .send({ channel: 'zalo-oa', chatId: USER, text: 'x' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err).toMatchObject({ permanent: true });
    expect((err as Error).message).toContain(OUTSIDE_WINDOW);
    expect(api.sent).toHaveLength(0);
  });

  it('refuses a user who never interacted', async () => {
    const err = await channel
      .send({ channel: 'zalo-oa', chatId: 'unknown-user', text: 'x' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ permanent: true });
    expect((err as Error).message).toBe(`${OUTSIDE_WINDOW}: last interaction never`);
  });

  it('refuses, for good, a message meant for another platform, without calling Zalo', async () => {
    await seen(HOUR);
    expect(channel.name).toBe('zalo-oa');
    const err = await channel
      .send({ channel: 'telegram', chatId: USER, text: 'x' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err).toMatchObject({ permanent: true, message: 'not a zalo-oa message: telegram' });
    expect(api.sent).toHaveLength(0);
  });

  it('notes in the log a message sent in the paid window, and not one in the free window', async () => {
    const { logger, records } = memoryLogger();
    const logged = build(undefined, logger);
    await seen(3 * 24 * HOUR);
    await prisma().oaInteraction.create({
      data: { userId: 'recent', lastInteractionAt: new Date(Date.now() - HOUR) },
    });
    await logged.send({ channel: 'zalo-oa', chatId: 'recent', text: 'miễn phí' });
    await logged.send({ channel: 'zalo-oa', chatId: USER, text: 'trả phí' });
    expect(api.sent).toHaveLength(2);
    expect(records.filter((r) => r.msg === 'sending in the paid 48 h–7 d window')).toEqual([
      expect.objectContaining({ channel: 'zalo-oa', level: 30, userId: USER }),
    ]);
  });

  it('remembers the options of a proactive message until another one offers new ones', async () => {
    await seen(HOUR);
    const store = createMemoryOptionsStore();
    const withOptions = createZaloOaChannel({
      config: oaConfig(api.url),
      prisma: prisma(),
      logger: silentLogger,
      pipeline: createFakePipeline(),
      optionsStore: store,
    });
    const buttons = [[{ label: 'Đã nộp', data: 'remind:done' }]];
    await withOptions.send({ channel: 'zalo-oa', chatId: USER, text: 'Nhắc hạn', buttons });
    expect(store.map.get(USER)).toEqual([{ label: 'Đã nộp', data: 'remind:done' }]);
    await withOptions.send({ channel: 'zalo-oa', chatId: USER, text: 'Thông báo chung' });
    expect(store.map.get(USER)).toEqual([{ label: 'Đã nộp', data: 'remind:done' }]);
    // Without a store the options are listed all the same.
    await channel.send({ channel: 'zalo-oa', chatId: USER, text: 'Nhắc lại', buttons });
    expect(api.sent.at(-1)!.text).toContain('1. Đã nộp');
  });

  it('seals the stored tokens at start when a token key is configured, and still sends', async () => {
    await seen(HOUR);
    const sealing = createZaloOaChannel({
      config: oaConfig(api.url),
      prisma: prisma(),
      logger: silentLogger,
      pipeline: createFakePipeline(),
      tokenBox: createSecretBox('token-encryption-key-for-tests-0123456789'),
    });
    await sealing.start!();
    const row = await prisma().oaToken.findUniqueOrThrow({ where: { id: 1 } });
    expect(row.accessToken).not.toBe('AT-0');
    expect(row.refreshToken).not.toBe('RT-0');
    await sealing.send({ channel: 'zalo-oa', chatId: USER, text: 'x' });
    expect(api.sent.map((m) => m.accessToken)).toEqual(['AT-0']);
  });

  it('treats Zalo -230 as outside the window (permanent) and -32 as rate limited (retryable)', async () => {
    await seen(HOUR);
    api.nextMessageErrors.push(-230);
    const err = await channel
      .send({ channel: 'zalo-oa', chatId: USER, text: 'x' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ permanent: true });
    expect((err as Error).message).toContain(OUTSIDE_WINDOW);
    api.nextMessageErrors.push(-32);
    const err2 = await channel
      .send({ channel: 'zalo-oa', chatId: USER, text: 'x' })
      .catch((e: unknown) => e);
    expect(err2).toMatchObject({ permanent: false, retryAfterMs: 60_000 });
  });

  it('checks the body of HTTP 200 answers: error != 0 is a failure', async () => {
    await seen(HOUR);
    api.nextMessageErrors.push(-201);
    const err = await channel
      .send({ channel: 'zalo-oa', chatId: USER, text: 'x' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect((err as Error).message).toContain('-201');
  });

  it('refreshes early when the token expires within 5 h, and not otherwise', async () => {
    await seen(HOUR);
    await channel.send({ channel: 'zalo-oa', chatId: USER, text: 'a' });
    expect(api.refreshCalls).toHaveLength(0);
    await prisma().oaToken.update({
      where: { id: 1 },
      data: { expiresAt: new Date(Date.now() + 4 * HOUR) },
    });
    await channel.send({ channel: 'zalo-oa', chatId: USER, text: 'b' });
    expect(api.refreshCalls).toHaveLength(1);
    expect(api.sent[1]!.accessToken).not.toBe('AT-0');
  });

  it('refreshes only once when two instances hit -216 at the same moment', async () => {
    await seen(HOUR);
    api.validAccessTokens.delete('AT-0');
    api.refreshDelayMs = 100;
    const other = build();
    await Promise.all([
      channel.send({ channel: 'zalo-oa', chatId: USER, text: 'one' }),
      other.send({ channel: 'zalo-oa', chatId: USER, text: 'two' }),
    ]);
    expect(api.refreshCalls).toHaveLength(1);
    expect(api.sent).toHaveLength(2);
  });

  it('logs a loud error line when the refresh fails, and fails the send retryably', async () => {
    await seen(HOUR);
    api.validAccessTokens.delete('AT-0');
    api.refreshError = -14014;
    const { logger, records } = memoryLogger();
    const ch = build(undefined, logger);
    const err = await ch
      .send({ channel: 'zalo-oa', chatId: USER, text: 'x' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ permanent: false });
    const loud = records.filter((r) => r.level === 50 && String(r.msg).includes('REFRESH FAILED'));
    expect(loud).toHaveLength(1);
    // The old pair is kept: nothing half-written.
    const row = await prisma().oaToken.findUniqueOrThrow({ where: { id: 1 } });
    expect(row.refreshToken).toBe('RT-0');
  });

  it('seeds the pair from the configuration when the database has none', async () => {
    await prisma().oaToken.deleteMany();
    const tokens = createOaTokenManager({
      prisma: prisma(),
      logger: silentLogger,
      appId: APP_ID,
      appSecret: APP_SECRET,
      oauthRoot: api.url,
      initial: { accessToken: 'AT-0', refreshToken: 'RT-0' },
    });
    const token = await tokens.getAccessToken();
    // The seeded token's age is unknown, so it is refreshed right away and the pair stored.
    expect(api.refreshCalls).toHaveLength(1);
    const row = await prisma().oaToken.findUniqueOrThrow({ where: { id: 1 } });
    expect(row.accessToken).toBe(token);
    expect(token).not.toBe('AT-0');
  });
});
