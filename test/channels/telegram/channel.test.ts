import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FEATURES } from '../../../handlers/index.js';
import { commandMenu, composeFeatures } from '../../../src/core/feature.js';
import { createI18n } from '../../../src/core/i18n.js';
import {
  createTelegramChannel,
  type TelegramChannel,
} from '../../../src/channels/telegram/index.js';
import { DeliveryError } from '../../../src/channels/types.js';
import type { Pipeline } from '../../../src/core/pipeline.js';
import { startFakeBotApi, tooManyRequests, type FakeBotApi } from '../fakes/bot-api.js';
import { memoryLogger, mount, silentLogger, type Mounted } from '../fakes/http.js';
import { createFakePipeline, type FakePipeline } from '../fakes/pipeline.js';

const SECRET = 'test-secret_123';
const TOKEN = '123456:TEST-token';

function textUpdate(updateId: number, text: string, chatId = 4242) {
  return {
    update_id: updateId,
    message: {
      message_id: 10,
      date: 1764230400,
      chat: { id: chatId, type: 'private', first_name: 'Lan' },
      from: {
        id: chatId,
        is_bot: false,
        first_name: 'Lan',
        last_name: 'Nguyễn',
        language_code: 'vi',
      },
      text,
      entities: text.startsWith('/')
        ? [{ offset: 0, length: text.split(' ')[0]!.length, type: 'bot_command' }]
        : undefined,
    },
  };
}

/** Lan presses a button with `data` under our message in `chat`. */
function buttonUpdate(
  updateId: number,
  queryId: string,
  chat: { id: number; type: 'private' | 'supergroup' },
  data: string,
) {
  return {
    update_id: updateId,
    callback_query: {
      id: queryId,
      from: { id: 4242, is_bot: false, first_name: 'Lan' },
      message: { message_id: 11, date: 1764230400, chat, text: 'Chọn' },
      chat_instance: '-123',
      data,
    },
  };
}

const viT = createI18n({ defaultLocale: 'vi' }).translator('vi');

describe('Telegram webhook', () => {
  let api: FakeBotApi;
  let pipeline: FakePipeline;
  let channel: TelegramChannel;
  let server: Mounted;

  const post = (
    body: unknown,
    headers: Record<string, string> = { 'x-telegram-bot-api-secret-token': SECRET },
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
    pipeline = createFakePipeline((m) => [
      {
        text: `echo: ${m.text ?? m.button ?? m.event}`,
        buttons: [[{ label: 'Xác nhận', data: 'rep:ok' }]],
      },
    ]);
    channel = createTelegramChannel({
      config: {
        publicUrl: undefined,
        telegram: { token: TOKEN, webhookSecret: SECRET, apiRoot: api.url },
      },
      logger: silentLogger,
      pipeline,
      bodyLimit: '8kb',
    });
    server = await mount('/webhooks/telegram', channel.router);
  });
  afterEach(async () => {
    await server.close();
    await api.close();
  });

  it('rejects a request without the secret header with 401 and does not call the pipeline', async () => {
    const res = await post(textUpdate(1, 'xin chào'), {});
    expect(res.status).toBe(401);
    expect(pipeline.received).toHaveLength(0);
    expect(api.calls).toHaveLength(0);
  });

  it('rejects a wrong secret (even one differing only in the last character) with 401', async () => {
    for (const secret of ['test-secret_124', 'x', `${SECRET}x`]) {
      const res = await post(textUpdate(1, 'xin chào'), {
        'x-telegram-bot-api-secret-token': secret,
      });
      expect(res.status).toBe(401);
    }
    expect(pipeline.received).toHaveLength(0);
  });

  it('turns a text message into an InboundMessage and replies with an inline keyboard', async () => {
    const res = await post(textUpdate(100, 'Báo cáo tháng 10'));
    expect(res.status).toBe(200);
    expect(pipeline.applied).toHaveLength(1);
    const msg = pipeline.applied[0]!;
    expect(msg).toMatchObject({
      channel: 'telegram',
      chatId: '4242',
      userId: '4242',
      updateId: '100',
      text: 'Báo cáo tháng 10',
      displayName: 'Lan Nguyễn',
    });
    const sends = api.of('sendMessage');
    expect(sends).toHaveLength(1);
    expect(sends[0]!.token).toBe(TOKEN);
    expect(sends[0]!.body).toMatchObject({
      chat_id: '4242',
      text: 'echo: Báo cáo tháng 10',
      reply_markup: { inline_keyboard: [[{ text: 'Xác nhận', callback_data: 'rep:ok' }]] },
    });
    expect(sends[0]!.body.parse_mode).toBeUndefined();
  });

  it('strips our own name (from getMe) from a command so /help@fake_bot reaches /help', async () => {
    await post(textUpdate(101, '/help@fake_bot'));
    expect(pipeline.applied[0]!.text).toBe('/help');
  });

  it('ignores a command addressed to another bot (200, no reply), in a private chat too', async () => {
    const res = await post(textUpdate(103, '/help@SomeOtherBot'));
    expect(res.status).toBe(200);
    expect(pipeline.received).toHaveLength(0);
    expect(api.of('sendMessage')).toHaveLength(0);
  });

  it('normalises text to NFC', async () => {
    await post(textUpdate(102, 'Ha\u0300 Ti\u0303nh'));
    expect(pipeline.applied[0]!.text).toBe('Hà Tĩnh');
  });

  it('turns a button press into button data and answers the callback query', async () => {
    const res = await post(
      buttonUpdate(200, '4382bfdwdsb323b2d9', { id: -100987, type: 'supergroup' }, 'rep:ok'),
    );
    expect(res.status).toBe(200);
    expect(pipeline.applied[0]).toMatchObject({
      chatId: '-100987',
      userId: '4242',
      button: 'rep:ok',
      updateId: '200',
    });
    expect(api.of('answerCallbackQuery')[0]!.body).toMatchObject({
      callback_query_id: '4382bfdwdsb323b2d9',
    });
  });

  it('sends the reply to a button press without waiting for the button to be answered', async () => {
    // The platform takes 2 s to answer the button: the reply goes out meanwhile.
    api.respond = (call) =>
      call.method === 'answerCallbackQuery'
        ? { body: { ok: true, result: true }, delayMs: 2000 }
        : undefined;
    const res = await post(buttonUpdate(201, 'cbq-201', { id: 4242, type: 'private' }, 'rep:ok'));
    expect(res.status).toBe(200);
    const [ack] = api.of('answerCallbackQuery');
    const [reply] = api.of('sendMessage');
    expect(reply?.body).toMatchObject({ chat_id: '4242', text: 'echo: rep:ok' });
    expect(reply!.at - ack!.at).toBeLessThan(1000);
  });

  it('passes an edited message on marked as an edit (the pipeline decides whether it counts)', async () => {
    const update = textUpdate(300, 'sửa: 65,5');
    const res = await post({
      update_id: 300,
      edited_message: { ...update.message, edit_date: 1764230500 },
    });
    expect(res.status).toBe(200);
    expect(pipeline.applied[0]).toMatchObject({
      text: 'sửa: 65,5',
      updateId: '300',
      edited: true,
    });
  });

  it('marks a photo as unsupported so the handler can answer politely', async () => {
    const res = await post({
      update_id: 301,
      message: {
        message_id: 12,
        date: 1764230400,
        chat: { id: 4242, type: 'private' },
        from: { id: 4242, is_bot: false, first_name: 'Lan' },
        photo: [{ file_id: 'AgAC', file_unique_id: 'AQAD', width: 90, height: 90 }],
      },
    });
    expect(res.status).toBe(200);
    expect(pipeline.applied[0]).toMatchObject({ event: 'unsupported' });
    expect(pipeline.applied[0]!.text).toBeUndefined();
  });

  it('takes a redelivered update into account only once', async () => {
    expect((await post(textUpdate(400, 'một lần'))).status).toBe(200);
    expect((await post(textUpdate(400, 'một lần'))).status).toBe(200);
    expect(pipeline.received).toHaveLength(2);
    expect(pipeline.applied).toHaveLength(1);
    expect(api.of('sendMessage')).toHaveLength(1);
  });

  it('sends one reply when the same update arrives five times at once', async () => {
    const results = await Promise.all(
      Array.from({ length: 5 }, () => post(textUpdate(401, 'song song'))),
    );
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(pipeline.applied).toHaveLength(1);
    expect(api.of('sendMessage')).toHaveLength(1);
  });

  it('answers 503 with Retry-After when our infrastructure fails, so Telegram redelivers', async () => {
    pipeline.failWithInfraError = true;
    const res = await post(textUpdate(500, 'lỗi hạ tầng'));
    expect(res.status).toBe(503);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(api.of('sendMessage')).toHaveLength(0);
    pipeline.failWithInfraError = false;
    expect((await post(textUpdate(500, 'lỗi hạ tầng'))).status).toBe(200);
    expect(api.of('sendMessage')).toHaveLength(1);
  });

  it('splits a long reply at 4096 characters on line boundaries, keyboard on the last part', async () => {
    const line = 'Xã Thạch Hà: đã báo cáo 65,5%'.padEnd(99, '.');
    pipeline = createFakePipeline(() => [
      {
        text: Array.from({ length: 60 }, () => line).join('\n'),
        buttons: [[{ label: 'Tiếp', data: 'page:2' }]],
      },
    ]);
    const ch = createTelegramChannel({
      config: { telegram: { token: TOKEN, webhookSecret: SECRET, apiRoot: api.url } },
      logger: silentLogger,
      pipeline,
    });
    await server.close();
    server = await mount('/webhooks/telegram', ch.router);
    await post(textUpdate(600, 'danh sách'));
    const sends = api.of('sendMessage');
    expect(sends).toHaveLength(2);
    for (const s of sends) {
      expect((s.body.text as string).length).toBeLessThanOrEqual(4096);
      expect((s.body.text as string).split('\n').every((l) => l === line)).toBe(true);
    }
    expect(sends[0]!.body.reply_markup).toBeUndefined();
    expect(sends[1]!.body.reply_markup).toBeDefined();
  });

  describe('bad input', () => {
    it('answers 400 to invalid JSON', async () => {
      expect((await post('{"update_id": 1, ')).status).toBe(400);
    });
    it('answers 400 to invalid UTF-8', async () => {
      const bytes = Buffer.concat([
        Buffer.from('{"update_id":7,"message":{"text":"'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"}}'),
      ]);
      expect((await post(bytes)).status).toBe(400);
      expect(pipeline.received).toHaveLength(0);
    });
    it('answers 413 to a body over the limit', async () => {
      const res = await post(textUpdate(8, 'x'.repeat(20_000)));
      expect(res.status).toBe(413);
      expect(pipeline.received).toHaveLength(0);
    });
    it('answers 400 to JSON that is not an update (wrong types, missing update_id)', async () => {
      expect((await post({ update_id: 'abc', message: {} })).status).toBe(400);
      expect((await post({ message: { text: 'hi' } })).status).toBe(400);
      expect((await post([1, 2, 3])).status).toBe(400);
      expect(pipeline.received).toHaveLength(0);
    });
    it('acknowledges unknown update types with 200 so Telegram does not retry them', async () => {
      const res = await post({
        update_id: 9,
        my_chat_member: {
          chat: { id: 1, type: 'private' },
          from: { id: 1, is_bot: false, first_name: 'A' },
          date: 1,
        },
      });
      expect(res.status).toBe(200);
      expect(pipeline.received).toHaveLength(0);
    });
    it('acknowledges a known update with a malformed inner shape with 200', async () => {
      const res = await post({ update_id: 10, message: { chat: 'nope' } });
      expect(res.status).toBe(200);
      expect(pipeline.received).toHaveLength(0);
    });
    it('ignores extra fields', async () => {
      const u = textUpdate(11, 'thêm trường') as Record<string, unknown>;
      u.some_future_field = { nested: true };
      expect((await post(u)).status).toBe(200);
      expect(pipeline.applied).toHaveLength(1);
    });
  });
});

describe('Telegram channel start and send', () => {
  let api: FakeBotApi;
  beforeEach(async () => {
    api = await startFakeBotApi();
  });
  afterEach(async () => {
    await api.close();
  });

  /** The configuration against the fake Bot API; webhook mode when publicUrl is given. */
  const config = (publicUrl?: string) => ({
    publicUrl,
    telegram: { token: TOKEN, webhookSecret: SECRET, apiRoot: api.url },
  });
  const build = (publicUrl?: string, pipeline = createFakePipeline()) =>
    createTelegramChannel({
      config: config(publicUrl),
      logger: silentLogger,
      pipeline,
      pollTimeoutSeconds: 0,
      menu: (audiences) => commandMenu(composeFeatures(FEATURES).commands, audiences, viT),
    });

  /** A channel that logs into memory (its records returned), with the fake pipeline. */
  const logged = (opts: { publicUrl?: string; pollTimeoutSeconds?: number } = {}) => {
    const { logger, records } = memoryLogger();
    const ch = createTelegramChannel({
      config: config(opts.publicUrl),
      logger,
      pipeline: createFakePipeline(),
      ...(opts.pollTimeoutSeconds !== undefined
        ? { pollTimeoutSeconds: opts.pollTimeoutSeconds }
        : {}),
    });
    return { ch, records };
  };

  it('registers Vietnamese commands and the webhook with secret_token and allowed_updates when PUBLIC_URL is set', async () => {
    const ch = build('https://bot.example.vn');
    await ch.start!();
    const cmds = api.of('setMyCommands')[0]!.body.commands as Array<{
      command: string;
      description: string;
    }>;
    // The default menu: everyone's commands from the features' declarations, in Vietnamese;
    // staff commands appear only in a linked user's own chat menu.
    expect(cmds.map((c) => c.command)).toEqual(
      expect.arrayContaining(['start', 'help', 'dichvu', 'link']),
    );
    expect(cmds.map((c) => c.command)).not.toContain('baocao');
    expect(cmds.find((c) => c.command === 'help')!.description).toMatch(/[ẫướ]/);
    expect(api.of('setWebhook')[0]!.body).toMatchObject({
      url: 'https://bot.example.vn/webhooks/telegram',
      secret_token: SECRET,
      allowed_updates: ['message', 'edited_message', 'callback_query', 'my_chat_member'],
    });
    expect(api.of('getUpdates')).toHaveLength(0);
  });

  it('long-polls without PUBLIC_URL and confirms updates only after processing', async () => {
    const pipeline = createFakePipeline();
    let served = false;
    api.respond = (call) => {
      if (call.method !== 'getUpdates') return undefined;
      if (!served) {
        served = true;
        return { body: { ok: true, result: [textUpdate(900, 'qua polling')] } };
      }
      return { body: { ok: true, result: [] }, delayMs: 20 };
    };
    const ch = build(undefined, pipeline);
    await ch.start!();
    await expect.poll(() => api.of('sendMessage').length).toBe(1);
    await expect.poll(() => api.of('getUpdates').some((c) => c.body.offset === 901)).toBe(true);
    await ch.stop!();
    // Stopped: no getUpdates after stop() returned. A request in flight at the abort may still
    // reach the fake a moment later on a loaded machine: let it land before counting (a loop
    // still running would ask every 20 ms).
    await new Promise((r) => setTimeout(r, 100));
    const asked = api.of('getUpdates').length;
    await new Promise((r) => setTimeout(r, 200));
    expect(api.of('getUpdates')).toHaveLength(asked);
    expect(api.of('setWebhook')).toHaveLength(0);
    expect(api.of('deleteWebhook')).toHaveLength(1);
    expect(pipeline.applied[0]).toMatchObject({ updateId: '900', text: 'qua polling' });
    // The same update kinds as the webhook; our username from getMe.
    expect(api.of('getUpdates')[0]!.body.allowed_updates).toEqual([
      'message',
      'edited_message',
      'callback_query',
      'my_chat_member',
    ]);
    expect(ch.username()).toBe('fake_bot');
    // A reply in a private chat is not a quote of the message.
    const sent = api.of('sendMessage')[0]!.body;
    expect(sent.reply_parameters).toBeUndefined();
    expect(sent.reply_to_message_id).toBeUndefined();
  });

  it('long-polls with a 25 s wait by default', async () => {
    api.respond = (call) =>
      call.method === 'getUpdates' ? { body: { ok: true, result: [] }, delayMs: 50 } : undefined;
    const ch = createTelegramChannel({
      config: config(),
      logger: silentLogger,
      pipeline: createFakePipeline(),
    });
    await ch.start!();
    await expect.poll(() => api.of('getUpdates').length).toBeGreaterThan(0);
    await ch.stop!();
    expect(api.of('getUpdates')[0]!.body.timeout).toBe(25);
  });

  it('refuses to start in webhook mode without a webhook secret', async () => {
    const ch = createTelegramChannel({
      config: {
        publicUrl: 'https://bot.example.vn',
        telegram: { token: TOKEN, webhookSecret: undefined, apiRoot: api.url },
      },
      logger: silentLogger,
      pipeline: createFakePipeline(),
    });
    await expect(ch.start!()).rejects.toThrow(/TELEGRAM_WEBHOOK_SECRET is required/);
    expect(api.of('setWebhook')).toHaveLength(0);
  });

  it('refuses, for good, to send a message meant for another platform', async () => {
    const err = await build()
      .send({ channel: 'zalo-bot', chatId: '1', text: 'x' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err).toMatchObject({ permanent: true });
    expect((err as Error).message).toContain('zalo-bot');
    expect(api.of('sendMessage')).toHaveLength(0);
  });

  it('logs a failed getMe without the token, and asks again at most once a minute', async () => {
    api.respond = (call) =>
      call.method === 'getMe' ? { status: 502, body: { ok: false } } : undefined;
    const { ch, records } = logged({ publicUrl: 'https://bot.example.vn' });
    await ch.start!();
    await ch.handleUpdate(textUpdate(950, 'xin chào'));
    expect(api.of('getMe')).toHaveLength(1);
    const warning = records.find((r) => r.msg === 'getMe failed; our username is unknown');
    expect(warning).toMatchObject({ channel: 'telegram', level: 40 });
    expect(typeof warning!.err).toBe('string');
    expect(records.find((r) => r.msg === 'update')).toMatchObject({
      channel: 'telegram',
      outcome: 'processed',
    });
    expect(JSON.stringify(records)).not.toContain(TOKEN.split(':')[1]);
    expect(ch.username()).toBeUndefined();
  });

  it('sets the chat menu a handler asks for, scoped to that chat', async () => {
    const pipeline: Pipeline = {
      process: async () => ({
        status: 'processed',
        replies: [{ text: 'ok' }],
        menu: ['everyone', 'reporter'],
      }),
    };
    const ch = createTelegramChannel({
      config: config(),
      logger: silentLogger,
      pipeline,
      menu: (audiences) => commandMenu(composeFeatures(FEATURES).commands, audiences, viT),
    });
    await ch.handleUpdate(textUpdate(960, '/help', 5151));
    const set = api.of('setMyCommands').at(-1)!.body;
    expect(set.scope).toEqual({ type: 'chat', chat_id: 5151 });
    expect((set.commands as Array<{ command: string }>).map((c) => c.command)).toContain('baocao');
  });

  it('leaves the chat menu alone, quietly, when built without a menu', async () => {
    const { logger, records } = memoryLogger();
    const ch = createTelegramChannel({
      config: config(),
      logger,
      pipeline: {
        process: async () => ({
          status: 'processed',
          replies: [{ text: 'ok' }],
          menu: ['everyone'],
        }),
      },
    });
    expect(await ch.handleUpdate(textUpdate(961, '/help', 5152))).toBe('processed');
    expect(api.of('sendMessage')).toHaveLength(1);
    expect(api.of('setMyCommands')).toHaveLength(0);
    expect(records.filter((r) => Number(r.level) >= 40)).toEqual([]);
  });

  it('long polling waits the Retry-After of a 429 on getUpdates, not its default 3 s', async () => {
    const asked: number[] = [];
    api.respond = (call) => {
      if (call.method !== 'getUpdates') return undefined;
      asked.push(Date.now());
      return asked.length === 1
        ? tooManyRequests(1)
        : { body: { ok: true, result: [] }, delayMs: 20 };
    };
    const ch = build();
    await ch.start!();
    await expect.poll(() => asked.length, { timeout: 5000 }).toBeGreaterThanOrEqual(2);
    await ch.stop!();
    expect(asked[1]! - asked[0]!).toBeGreaterThanOrEqual(900);
    expect(asked[1]! - asked[0]!).toBeLessThan(2900);
  });

  it('long polling leaves an update our side could not process unconfirmed, and fetches it again later', async () => {
    const pipeline = createFakePipeline();
    pipeline.failWithInfraError = true;
    const offsets: number[] = [];
    api.respond = (call) => {
      if (call.method !== 'getUpdates') return undefined;
      offsets.push(Number(call.body.offset));
      return { body: { ok: true, result: [textUpdate(970, 'lúc lỗi')] } };
    };
    const ch = build(undefined, pipeline);
    await ch.start!();
    await expect.poll(() => pipeline.received.length).toBe(1);
    // It waits before asking again (the outage may last), and does not confirm the update.
    await new Promise((r) => setTimeout(r, 1000));
    expect(offsets).toEqual([0]);
    pipeline.failWithInfraError = false;
    await expect.poll(() => offsets.length, { timeout: 8000 }).toBeGreaterThanOrEqual(2);
    expect(offsets[1]).toBe(0);
    await expect.poll(() => pipeline.applied.length, { timeout: 3000 }).toBe(1);
    await ch.stop!();
  }, 15_000);

  it('logs where the webhook was registered', async () => {
    const { ch, records } = logged({ publicUrl: 'https://bot.example.vn' });
    await ch.start!();
    expect(ch.name).toBe('telegram');
    // Nothing to stop in webhook mode.
    await expect(ch.stop!()).resolves.toBeUndefined();
    expect(records.find((r) => r.msg === 'webhook registered')).toMatchObject({
      channel: 'telegram',
      level: 30,
      url: 'https://bot.example.vn/webhooks/telegram',
    });
  });

  it('starts anyway, with a warning each, when the menu and the old webhook cannot be cleared', async () => {
    api.respond = (call) =>
      call.method === 'setMyCommands' || call.method === 'deleteWebhook'
        ? { status: 502, body: { ok: false, error_code: 502, description: 'Bad Gateway' } }
        : call.method === 'getUpdates'
          ? { body: { ok: true, result: [] }, delayMs: 20 }
          : undefined;
    const { logger, records } = memoryLogger();
    const ch = createTelegramChannel({
      config: config(),
      logger,
      pipeline: createFakePipeline(),
      pollTimeoutSeconds: 0,
      menu: (audiences) => commandMenu(composeFeatures(FEATURES).commands, audiences, viT),
    });
    await ch.start!();
    await expect.poll(() => api.of('getUpdates').length).toBeGreaterThan(0);
    await ch.stop!();
    const menu = records.find((r) => r.msg === 'setMyCommands failed');
    expect(menu).toMatchObject({ channel: 'telegram', level: 40 });
    expect(menu!.err).toMatch(/Bad Gateway/);
    expect(records.find((r) => r.msg === 'deleteWebhook failed')).toMatchObject({
      level: 40,
      err: { message: expect.stringMatching(/Bad Gateway/) },
    });
    expect(records.find((r) => r.msg === 'long polling started (no PUBLIC_URL)')).toMatchObject({
      channel: 'telegram',
      level: 30,
    });
  });

  it('long polling logs a failed getUpdates with its reason and asks again', async () => {
    let failed = false;
    api.respond = (call) => {
      if (call.method !== 'getUpdates') return undefined;
      if (!failed) {
        failed = true;
        return { status: 409, body: { ok: false, error_code: 409, description: 'Conflict' } };
      }
      return { body: { ok: true, result: [] }, delayMs: 20 };
    };
    const { ch, records } = logged({ pollTimeoutSeconds: 0 });
    await ch.start!();
    await expect.poll(() => api.of('getUpdates').length, { timeout: 6000 }).toBeGreaterThan(1);
    await ch.stop!();
    const warning = records.find((r) => r.msg === 'getUpdates failed; retrying');
    expect(warning).toMatchObject({ channel: 'telegram', level: 40 });
    expect(warning!.err).toMatch(/Conflict/);
  }, 10_000);

  it('stops long polling at once, without the retry pause, while a getUpdates is waiting', async () => {
    api.respond = (call) =>
      call.method === 'getUpdates' ? { body: { ok: true, result: [] }, delayMs: 5000 } : undefined;
    const { ch, records } = logged();
    await ch.start!();
    await expect.poll(() => api.of('getUpdates').length).toBe(1);
    const t0 = performance.now();
    await ch.stop!();
    expect(performance.now() - t0).toBeLessThan(1500);
    expect(records.some((r) => r.msg === 'getUpdates failed; retrying')).toBe(false);
  });

  it('reports 429 as retryable with retry_after in milliseconds', async () => {
    api.respond = () => tooManyRequests(3);
    const err = await build()
      .send({ channel: 'telegram', chatId: '1', text: 'x' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err).toMatchObject({ permanent: false, retryAfterMs: 3000 });
  });

  it('reports a user who blocked the bot as a permanent failure', async () => {
    api.respond = () => ({
      status: 403,
      body: { ok: false, error_code: 403, description: 'Forbidden: bot was blocked by the user' },
    });
    const err = await build()
      .send({ channel: 'telegram', chatId: '1', text: 'x' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ permanent: true });
    expect((err as Error).message).toMatch(/blocked/);
  });

  it('reports 5xx and network errors as retryable', async () => {
    api.respond = () => ({ status: 502, body: { ok: false } });
    const err = await build()
      .send({ channel: 'telegram', chatId: '1', text: 'x' })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ permanent: false });
    await api.close();
    const err2 = await build()
      .send({ channel: 'telegram', chatId: '1', text: 'x' })
      .catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(DeliveryError);
    expect(err2).toMatchObject({ permanent: false });
    api = await startFakeBotApi();
  });
});
