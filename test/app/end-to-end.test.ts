import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { startFakeBotApi, type FakeBotApi } from '../channels/fakes/bot-api.js';

const SECRET = 'test_secret-123';
let api: FakeBotApi;
let t: TestApp;

beforeAll(async () => {
  api = await startFakeBotApi();
  t = await startTestApp(
    {
      TELEGRAM_BOT_TOKEN: '123456:TEST',
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_API_ROOT: api.url,
      PUBLIC_URL: 'https://cds-bot.example.test',
      // With PUBLIC_URL the simulator is off unless asked for.
      SIMULATOR: 'on',
    },
    {},
    { jobs: true },
  );
});
afterAll(async () => {
  await t?.close();
  await api?.close();
});

let nextUpdateId = 9_000_000;
const update = (text: string, updateId = nextUpdateId++, chatId = 4242) => ({
  update_id: updateId,
  message: {
    message_id: updateId,
    date: Math.floor(Date.now() / 1000),
    chat: { id: chatId, type: 'private', first_name: 'Lan' },
    from: { id: chatId, is_bot: false, first_name: 'Lan', language_code: 'vi' },
    text,
    ...(text.startsWith('/')
      ? { entities: [{ offset: 0, length: text.split(' ')[0]!.length, type: 'bot_command' }] }
      : {}),
  },
});

const deliver = (body: unknown, secret: string | null = SECRET) =>
  fetch(`${t.url}/webhooks/telegram`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(secret ? { 'x-telegram-bot-api-secret-token': secret } : {}),
    },
    body: JSON.stringify(body),
  });

const repliesTo = (chatId: number) =>
  api.of('sendMessage').filter((c) => Number(c.body.chat_id) === chatId);

describe('the whole app on Telegram', () => {
  it('registers its webhook with the secret and the Vietnamese command menu at start', () => {
    const hook = api.of('setWebhook')[0];
    expect(hook?.body.url).toBe('https://cds-bot.example.test/webhooks/telegram');
    expect(hook?.body.secret_token).toBe(SECRET);
    const commands = api.of('setMyCommands')[0]?.body.commands as unknown;
    expect(JSON.stringify(commands)).toMatch(/help/);
  });

  it('answers /start in Vietnamese through the Bot API', async () => {
    const r = await deliver(update('/start', undefined, 5001));
    expect(r.status).toBe(200);
    await expect.poll(() => repliesTo(5001).length).toBe(1);
    expect(String(repliesTo(5001)[0]!.body.text)).toMatch(/Xin chào/);
  });

  it('refuses a wrong or missing secret with 401 and no reply', async () => {
    expect((await deliver(update('/help', undefined, 5002), 'wrong')).status).toBe(401);
    expect((await deliver(update('/help', undefined, 5002), null)).status).toBe(401);
    await new Promise((r) => setTimeout(r, 300));
    expect(repliesTo(5002)).toHaveLength(0);
  });

  it('takes effect once when the same update arrives twice at the same moment and again later', async () => {
    const u = update('/help', undefined, 5003);
    const answers = await Promise.all([deliver(u), deliver(u), deliver(u)]);
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    expect((await deliver(u)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    expect(repliesTo(5003)).toHaveLength(1);
  });
});

describe('proactive delivery', () => {
  it('queues a message durably and delivers it to a simulator user', async () => {
    const id = await t.app.delivery!.enqueue(
      { channel: 'sim', chatId: 'manager-1', text: 'Nhắc hạn báo cáo' },
      'reminder',
    );
    await expect
      .poll(async () => (await t.app.db.prisma.delivery.findUnique({ where: { id } }))?.status, {
        timeout: 30_000,
      })
      .toBe('sent');
    const r = await fetch(`${t.url}/sim/api/messages?user=manager-1`);
    expect(await r.json()).toEqual({ messages: [{ text: 'Nhắc hạn báo cáo' }] });
  });

  it('sends a proactive Telegram message through the Bot API', async () => {
    const id = await t.app.delivery!.enqueue(
      { channel: 'telegram', chatId: '6001', text: 'Thông báo' },
      'broadcast',
    );
    await expect
      .poll(async () => (await t.app.db.prisma.delivery.findUnique({ where: { id } }))?.status, {
        timeout: 30_000,
      })
      .toBe('sent');
    expect(repliesTo(6001).map((c) => c.body.text)).toEqual(['Thông báo']);
  });
});
