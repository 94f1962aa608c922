import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createMemoryOptionsStore,
  createZaloBotChannel,
  matchOption,
  type ZaloBotChannel,
} from '../../../src/channels/zalo-bot/index.js';
import { DeliveryError } from '../../../src/channels/types.js';
import { startFakeBotApi, type FakeBotApi } from '../fakes/bot-api.js';
import { memoryLogger, mount, silentLogger, type Mounted } from '../fakes/http.js';
import { createFakePipeline, type FakePipeline } from '../fakes/pipeline.js';

const SECRET = 'zalo-bot-secret-42';
const TOKEN = '1234567890:AbCdEf';

/** Shaped like the Zalo Bot Platform's documented webhook payload. */
function textEvent(messageId: string, text: string, chatId = '1a2b3c4d5e') {
  return {
    event_name: 'message.text.received',
    message: {
      from: { id: chatId, display_name: 'Trần Thị Hoa', is_bot: false },
      chat: { id: chatId, chat_type: 'PRIVATE' },
      text,
      message_id: messageId,
      date: 1764230400123,
    },
  };
}

describe('Zalo Bot webhook', () => {
  let api: FakeBotApi;
  let pipeline: FakePipeline;
  let channel: ZaloBotChannel;
  let server: Mounted;
  let options: ReturnType<typeof createMemoryOptionsStore>;

  const post = (
    body: unknown,
    headers: Record<string, string> = { 'x-bot-api-secret-token': SECRET },
  ) =>
    fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body:
        typeof body === 'string'
          ? body
          : Buffer.isBuffer(body)
            ? new Uint8Array(body)
            : JSON.stringify(body),
    });

  beforeEach(async () => {
    api = await startFakeBotApi();
    options = createMemoryOptionsStore();
    pipeline = createFakePipeline((m) =>
      m.text === 'chốt' || m.text === '/chốt'
        ? [
            {
              text: 'Xác nhận số liệu?',
              buttons: [
                [
                  { label: 'Xác nhận', data: 'rep:ok' },
                  { label: 'Sửa', data: 'rep:edit' },
                ],
              ],
            },
          ]
        : m.event === 'unsupported'
          ? []
          : [{ text: `echo: ${m.text ?? m.button}` }],
    );
    channel = createZaloBotChannel({
      config: {
        publicUrl: undefined,
        zaloBot: { token: TOKEN, webhookSecret: SECRET, apiRoot: api.url },
      },
      logger: silentLogger,
      pipeline,
      optionsStore: options,
      bodyLimit: '8kb',
    });
    server = await mount('/webhooks/zalo-bot', channel.router);
  });
  afterEach(async () => {
    await server.close();
    await api.close();
  });

  it('rejects missing and wrong secrets with 401 without calling the pipeline', async () => {
    expect((await post(textEvent('m1', 'hi'), {})).status).toBe(401);
    expect(
      (await post(textEvent('m1', 'hi'), { 'x-bot-api-secret-token': 'zalo-bot-secret-43' }))
        .status,
    ).toBe(401);
    expect(pipeline.received).toHaveLength(0);
    expect(api.calls).toHaveLength(0);
  });

  it('accepts the flat body shape and replies with sendMessage to chat.id', async () => {
    const res = await post(textEvent('msg-001', 'Xin chào'));
    expect(res.status).toBe(200);
    expect(pipeline.applied[0]).toMatchObject({
      channel: 'zalo-bot',
      chatId: '1a2b3c4d5e',
      userId: '1a2b3c4d5e',
      updateId: 'msg-001',
      text: 'Xin chào',
      displayName: 'Trần Thị Hoa',
    });
    expect(api.of('sendMessage')[0]!.body).toEqual({
      chat_id: '1a2b3c4d5e',
      text: 'echo: Xin chào',
    });
    expect(api.of('sendMessage')[0]!.token).toBe(TOKEN);
  });

  it('accepts the wrapped {ok, result} body shape and numeric ids as strings', async () => {
    const ev = textEvent('x', 'bọc');
    const res = await post({
      ok: true,
      result: {
        ...ev,
        message: {
          ...ev.message,
          message_id: 987654321,
          chat: { id: 55, chat_type: 'PRIVATE' },
          from: { id: 55 },
        },
      },
    });
    expect(res.status).toBe(200);
    expect(pipeline.applied[0]).toMatchObject({ chatId: '55', updateId: '987654321', text: 'bọc' });
  });

  it('answers an image politely instead of ignoring it', async () => {
    const ev = textEvent('img-1', '');
    const res = await post({
      event_name: 'message.image.received',
      message: { ...ev.message, text: undefined, photo_url: 'https://example.vn/a.jpg' },
    });
    expect(res.status).toBe(200);
    expect(pipeline.applied[0]).toMatchObject({ event: 'unsupported' });
    expect(api.of('sendMessage')[0]!.body.text).toMatch(/chỉ hỗ trợ tin nhắn văn bản/);
  });

  it('renders buttons as numbered options and maps the number back to the button data', async () => {
    await post(textEvent('m10', 'chốt'));
    const shown = api.of('sendMessage')[0]!.body.text as string;
    expect(shown).toContain('Xác nhận số liệu?');
    expect(shown).toContain('1. Xác nhận\n2. Sửa');
    await post(textEvent('m11', '2'));
    expect(pipeline.applied[1]).toMatchObject({ button: 'rep:edit' });
    expect(pipeline.applied[1]!.text).toBeUndefined();
  });

  it('maps the option word typed without diacritics back to the button data', async () => {
    await post(textEvent('m20', 'chốt'));
    await post(textEvent('m21', 'xac nhan'));
    expect(pipeline.applied[1]).toMatchObject({ button: 'rep:ok' });
  });

  it("in a group: ignores other members' talk, keeps each member's options to themselves", async () => {
    const inGroup = (id: string, from: string, text: string) => {
      const e = textEvent(id, text, from);
      return {
        ...e,
        message: { ...e.message, chat: { id: 'grp-77', chat_type: 'GROUP' } },
      };
    };
    // Plain talk in the group, and a command for another bot: nothing reaches the pipeline.
    expect((await post(inGroup('g1', 'hoa', 'Chiều nay họp nhé'))).status).toBe(200);
    expect((await post(inGroup('g2', 'hoa', '/help@BotKhac'))).status).toBe(200);
    expect(pipeline.received).toHaveLength(0);
    expect(api.of('sendMessage')).toHaveLength(0);
    // Hoa's command is addressed to us; the options are hers.
    await post(inGroup('g3', 'hoa', '/chốt'));
    expect(api.of('sendMessage')[0]!.body).toMatchObject({ chat_id: 'grp-77' });
    expect(options.map.get('grp-77:hoa')).toBeDefined();
    expect(options.map.has('grp-77')).toBe(false);
    // Minh's "1" is not an answer to anything offered to him: ignored.
    expect((await post(inGroup('g4', 'minh', '1'))).status).toBe(200);
    expect(pipeline.received).toHaveLength(1);
    // Hoa's "1" picks her option.
    await post(inGroup('g5', 'hoa', '1'));
    expect(pipeline.applied.at(-1)).toMatchObject({
      chatType: 'group',
      userId: 'hoa',
      button: 'rep:ok',
      addressed: true,
    });
  });

  it('forgets the options once a reply offers none, so a later "1" stays text', async () => {
    await post(textEvent('m30', 'chốt'));
    await post(textEvent('m31', 'Xác nhận'));
    await post(textEvent('m32', '1'));
    expect(pipeline.applied[2]).toMatchObject({ text: '1' });
    expect(pipeline.applied[2]!.button).toBeUndefined();
  });

  it('takes a redelivered and a concurrently duplicated message into account once', async () => {
    await post(textEvent('dup-1', 'một lần'));
    const again = await Promise.all([1, 2, 3].map(() => post(textEvent('dup-1', 'một lần'))));
    expect(again.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(pipeline.applied).toHaveLength(1);
    expect(api.of('sendMessage')).toHaveLength(1);
  });

  it('answers 503 with Retry-After when our infrastructure fails', async () => {
    pipeline.failWithInfraError = true;
    const res = await post(textEvent('infra-1', 'x'));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBeTruthy();
    expect(api.calls).toHaveLength(0);
  });

  it('splits replies at 2000 characters on line boundaries', async () => {
    const line = 'Phường Bắc Hồng Lĩnh: 12/15'.padEnd(49, ' ');
    pipeline = createFakePipeline(() => [
      { text: Array.from({ length: 90 }, () => line.trim()).join('\n') },
    ]);
    const ch = createZaloBotChannel({
      config: { zaloBot: { token: TOKEN, webhookSecret: SECRET, apiRoot: api.url } },
      logger: silentLogger,
      pipeline,
      optionsStore: options,
    });
    await server.close();
    server = await mount('/webhooks/zalo-bot', ch.router);
    await post(textEvent('long-1', 'danh sách'));
    const texts = api.of('sendMessage').map((c) => c.body.text as string);
    expect(texts.length).toBe(2);
    expect(texts.every((t) => t.length <= 2000)).toBe(true);
    expect(texts.join('\n').split('\n')).toHaveLength(90);
  });

  describe('bad input', () => {
    it('acknowledges unknown event types with 200 without processing', async () => {
      const res = await post({ event_name: 'user.follow', data: { user_id: '1' } });
      expect(res.status).toBe(200);
      expect(pipeline.received).toHaveLength(0);
    });
    it('acknowledges authentic events without a usable message (200, ignored), 400 for non-events', async () => {
      // A protected account's event, the bot added to a group: Zalo would retry a 400 forever.
      expect((await post({ event_name: 'message.text.received' })).status).toBe(200);
      expect(
        (
          await post({
            event_name: 'message.text.received',
            message: { message_id: {}, chat: { id: '1' } },
          })
        ).status,
      ).toBe(200);
      expect((await post({ hello: 'world' })).status).toBe(400);
      expect(pipeline.received).toHaveLength(0);
    });
    it('answers 400 to invalid UTF-8 and invalid JSON, 413 to a huge body', async () => {
      expect((await post(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))).status).toBe(400);
      expect((await post('{not json')).status).toBe(400);
      expect((await post(textEvent('big', 'a'.repeat(50_000)))).status).toBe(413);
      expect(pipeline.received).toHaveLength(0);
    });
  });
});

describe('Zalo Bot channel start and send', () => {
  let api: FakeBotApi;
  beforeEach(async () => {
    api = await startFakeBotApi();
  });
  afterEach(async () => {
    await api.close();
  });
  const build = (publicUrl?: string) =>
    createZaloBotChannel({
      config: { publicUrl, zaloBot: { token: TOKEN, webhookSecret: SECRET, apiRoot: api.url } },
      logger: silentLogger,
      pipeline: createFakePipeline(),
      optionsStore: createMemoryOptionsStore(),
    });

  it('registers the webhook with the secret when PUBLIC_URL is set', async () => {
    await build('https://bot.example.vn').start!();
    expect(api.of('setWebhook')[0]!.body).toEqual({
      url: 'https://bot.example.vn/webhooks/zalo-bot',
      secret_token: SECRET,
    });
  });

  it('refuses to start in webhook mode without a secret, registering nothing', async () => {
    const noSecret = createZaloBotChannel({
      config: { publicUrl: 'https://bot.example.vn', zaloBot: { token: TOKEN, apiRoot: api.url } },
      logger: silentLogger,
      pipeline: createFakePipeline(),
      optionsStore: createMemoryOptionsStore(),
    });
    await expect(noSecret.start!()).rejects.toThrow(
      'ZALO_BOT_WEBHOOK_SECRET is required in webhook mode',
    );
    expect(api.calls).toHaveLength(0);
  });

  it('logs under its own channel name, with the registered URL', async () => {
    const { logger, records } = memoryLogger();
    const ch = createZaloBotChannel({
      config: {
        publicUrl: 'https://bot.example.vn',
        zaloBot: { token: TOKEN, webhookSecret: SECRET, apiRoot: api.url },
      },
      logger,
      pipeline: createFakePipeline(),
      optionsStore: createMemoryOptionsStore(),
    });
    expect(ch.name).toBe('zalo-bot');
    await ch.start!();
    expect(records.find((r) => r.msg === 'webhook registered')).toMatchObject({
      channel: 'zalo-bot',
      url: 'https://bot.example.vn/webhooks/zalo-bot',
    });
    const bare = memoryLogger();
    await createZaloBotChannel({
      config: { publicUrl: undefined, zaloBot: { token: TOKEN, apiRoot: api.url } },
      logger: bare.logger,
      pipeline: createFakePipeline(),
      optionsStore: createMemoryOptionsStore(),
    }).start!();
    expect(bare.records.map((r) => r.msg)).toEqual([
      'no PUBLIC_URL: Zalo Bot webhook not registered (use the simulator in development)',
    ]);
  });

  it("refuses another channel's message as permanent, sending nothing", async () => {
    const err = await build()
      .send({ channel: 'telegram', chatId: 'c', text: 'x' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err).toMatchObject({ permanent: true, message: 'not a zalo-bot message: telegram' });
    expect(api.calls).toHaveLength(0);
  });

  it('remembers the options a proactive message offers, and keeps them for one without', async () => {
    const store = createMemoryOptionsStore();
    const ch = createZaloBotChannel({
      config: { publicUrl: undefined, zaloBot: { token: TOKEN, apiRoot: api.url } },
      logger: silentLogger,
      pipeline: createFakePipeline(),
      optionsStore: store,
    });
    const buttons = [[{ label: 'Báo cáo ngay', data: 'rem:go' }]];
    await ch.send({ channel: 'zalo-bot', chatId: 'c9', text: 'Nhắc báo cáo', buttons });
    expect(await store.get('c9')).toEqual([{ label: 'Báo cáo ngay', data: 'rem:go' }]);
    await ch.send({ channel: 'zalo-bot', chatId: 'c9', text: 'Thông báo' });
    expect(await store.get('c9')).toEqual([{ label: 'Báo cáo ngay', data: 'rem:go' }]);
    expect(await store.get('other')).toBeUndefined();
  });

  it('does not register a webhook without PUBLIC_URL', async () => {
    await build().start!();
    expect(api.calls).toHaveLength(0);
  });

  it('reports {ok:false} API errors as permanent and 429 as retryable', async () => {
    api.respond = () => ({
      status: 400,
      body: { ok: false, error_code: 400, description: 'chat not found' },
    });
    const err = await build()
      .send({ channel: 'zalo-bot', chatId: 'c', text: 'x' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err).toMatchObject({ permanent: true, unreachable: false });
    api.respond = () => ({
      status: 403,
      body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' },
    });
    const blocked = await build()
      .send({ channel: 'zalo-bot', chatId: 'c', text: 'x' })
      .catch((e: unknown) => e);
    expect(blocked).toMatchObject({ permanent: true, unreachable: true });
    api.respond = () => ({
      status: 429,
      body: { ok: false, error_code: 429, description: 'Too many requests' },
    });
    const err2 = await build()
      .send({ channel: 'zalo-bot', chatId: 'c', text: 'x' })
      .catch((e: unknown) => e);
    expect(err2).toMatchObject({ permanent: false });
  });
});

describe('numbered option matching', () => {
  const opts = [
    { label: 'Xác nhận', data: 'ok' },
    { label: 'Sửa', data: 'edit' },
    { label: 'Hủy bỏ', data: 'cancel' },
  ];
  it.each([
    ['1', 'ok'],
    ['2.', 'edit'],
    ['số 3', 'cancel'],
    ['XÁC NHẬN', 'ok'],
    ['sua', 'edit'],
    ['huy', 'cancel'],
  ])('maps %s to %s', (input, data) => {
    expect(matchOption(input, opts)).toBe(data);
  });
  it.each(['4', '0', 'x', 'xin chào', ''])('leaves %s unmapped', (input) => {
    expect(matchOption(input, opts)).toBeUndefined();
  });
});
