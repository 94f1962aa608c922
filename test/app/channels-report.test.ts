/**
 * One staff conversation — link with an invitation, a one-line report, confirm — on every
 * channel of one app: Telegram (inline buttons), Zalo Bot and Zalo OA (numbered or worded
 * options), and the simulator. Platform servers are loopback fakes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvitation } from '../../src/domain/people/index.js';
import type { FakeBotApi } from '../channels/fakes/bot-api.js';
import {
  startPlatformFakes,
  TG_SECRET,
  ZB_SECRET,
  zaloBotText,
  zaloOaText,
  type PlatformFakes,
} from '../channels/fakes/platforms.js';
import type { FakeZaloOa } from '../channels/fakes/zalo-oa-api.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

let tg: FakeBotApi;
let zb: FakeBotApi;
let oa: FakeZaloOa;
let fakes: PlatformFakes;
let t: TestApp;
let seq = 1;

beforeAll(async () => {
  fakes = await startPlatformFakes();
  ({ tg, zb, oa } = fakes);
  t = await startTestApp(fakes.env, {}, { seeded: true });
});
afterAll(async () => {
  await t?.close();
  await fakes?.close();
});

const invite = async () =>
  (
    await createInvitation(t.app.db.prisma, {
      unitCode: '18073',
      role: 'reporter',
      createdBy: 'cli',
      now: new Date(),
    })
  ).code;

const post = (path: string, body: string, headers: Record<string, string>) =>
  fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

/** Each channel: send a text, press/pick the confirm option, read what the user saw. */
interface Driver {
  name: string;
  say(text: string): Promise<void>;
  confirm(): Promise<void>;
  seen(): string[];
}

const telegram = (chatId: number): Driver => {
  const sent = () => tg.of('sendMessage').filter((c) => Number(c.body.chat_id) === chatId);
  const deliver = (update: object) =>
    post('/webhooks/telegram', JSON.stringify({ update_id: seq++, ...update }), {
      'x-telegram-bot-api-secret-token': TG_SECRET,
    });
  const chat = { id: chatId, type: 'private' };
  const from = { id: chatId, is_bot: false, first_name: 'Hoa' };
  return {
    name: 'telegram',
    async say(text) {
      const r = await deliver({ message: { message_id: seq, date: 1, chat, from, text } });
      expect(r.status).toBe(200);
    },
    async confirm() {
      const last = sent().at(-1)!;
      const markup = JSON.parse(JSON.stringify(last.body.reply_markup)) as {
        inline_keyboard: { text: string; callback_data: string }[][];
      };
      const ok = markup.inline_keyboard.flat().find((b) => b.text === 'Xác nhận')!;
      const r = await deliver({
        callback_query: {
          id: `cb${seq}`,
          from,
          chat_instance: '1',
          data: ok.callback_data,
          message: { message_id: 1, date: 1, chat },
        },
      });
      expect(r.status).toBe(200);
    },
    seen: () => sent().map((c) => String(c.body.text)),
  };
};

const zaloBot = (chatId: string): Driver => {
  const send = async (text: string) => {
    const r = await post('/webhooks/zalo-bot', zaloBotText(chatId, text, `zb${seq++}`), {
      'x-bot-api-secret-token': ZB_SECRET,
    });
    expect(r.status).toBe(200);
  };
  return {
    name: 'zalo-bot',
    say: send,
    confirm: () => send('1'),
    seen: () =>
      zb
        .of('sendMessage')
        .filter((c) => c.body.chat_id === chatId)
        .map((c) => String(c.body.text)),
  };
};

const zaloOa = (userId: string): Driver => {
  const send = async (text: string) => {
    const { raw, headers } = zaloOaText(userId, text, `oa${seq++}`);
    const r = await post('/webhooks/zalo-oa', raw, headers);
    expect(r.status).toBe(200);
  };
  return {
    name: 'zalo-oa',
    say: send,
    confirm: () => send('xác nhận'),
    seen: () => oa.sent.filter((m) => m.userId === userId).map((m) => m.text),
  };
};

const sim = (user: string): Driver => {
  const seen: string[] = [];
  let lastButtons: { label: string; data: string }[] = [];
  const record = (r: Awaited<ReturnType<TestApp['sim']>>) => {
    for (const reply of r.replies) {
      seen.push(reply.text);
      if (reply.buttons) lastButtons = reply.buttons.flat();
    }
  };
  return {
    name: 'sim',
    async say(text) {
      record(await t.sim(user, { text }));
    },
    async confirm() {
      record(await t.sim(user, { button: lastButtons.find((b) => b.label === 'Xác nhận')!.data }));
    },
    seen: () => seen,
  };
};

describe.each([
  () => telegram(700001),
  () => zaloBot('zb-hoa-1'),
  () => zaloOa('2512523625412515'),
  () => sim('sim-hoa'),
])('staff report on a channel (%#)', (make) => {
  it('links, reads a one-line report, confirms and saves it', async () => {
    const d = make();
    await d.say(`/link ${await invite()}`);
    await expect.poll(() => d.seen().join('\n'), { timeout: 10_000 }).toMatch(/Phường Thành Sen/);

    await d.say('bc HSTT 120/150');
    await expect
      .poll(() => d.seen().join('\n'), { timeout: 10_000 })
      .toMatch(/HSTT: 120\/150 \(80%\)/);
    const asked = d.seen().at(-1)!;
    if (d.name === 'zalo-bot' || d.name === 'zalo-oa') expect(asked).toMatch(/1\. Xác nhận/);

    await d.confirm();
    await expect.poll(() => d.seen().length, { timeout: 10_000 }).toBeGreaterThan(2);
    const saved = await t.app.db.prisma.submission.findFirst({
      where: { indicatorCode: 'HSTT', lastChannel: d.name, status: 'active' },
    });
    expect(saved?.numerator?.toString()).toBe('120');
    expect(saved?.denominator?.toString()).toBe('150');
  });
});
