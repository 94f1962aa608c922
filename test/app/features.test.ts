/**
 * The composition of features as a user meets it: /help and Telegram's menus come from the
 * declarations, a new feature's command shows up in both without another edit, a bare /start
 * needs no database transaction, a retryable reply failure goes to the durable queue, and a
 * stored schedule that no longer validates is reported at start.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FEATURES } from '../../handlers/index.js';
import { createInvitation } from '../../src/domain/people/index.js';
import type { Feature } from '../../src/core/feature.js';
import type { AppServices } from '../../src/services/index.js';
import { startFakeBotApi, type FakeBotApi } from '../channels/fakes/bot-api.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

const SECRET = 'feature_secret-1';

/** A feature a contributor might add: one folder, one line in the list. */
const demo: Feature<AppServices> = {
  name: 'demo',
  texts: [],
  handlers: [
    {
      name: 'demo.digest',
      priority: 40,
      transactional: false,
      commands: [
        {
          name: 'tonghopthu',
          audience: ['manager'],
          description: 'basics.commands.help',
        },
      ],
      async handle(ctx) {
        ctx.reply({ text: 'demo digest' });
      },
    },
  ],
};

let api: FakeBotApi;
let t: TestApp;
let update = 7_000_000;

const tg = (chatId: number, text: string) => ({
  update_id: update++,
  message: {
    message_id: update,
    date: Math.floor(Date.now() / 1000),
    chat: { id: chatId, type: 'private' },
    from: { id: chatId, is_bot: false, first_name: 'Hoa' },
    text,
  },
});
const deliver = (body: unknown) =>
  fetch(`${t.url}/webhooks/telegram`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
    body: JSON.stringify(body),
  });
const sentTo = (chatId: number) =>
  api.of('sendMessage').filter((c) => Number(c.body.chat_id) === chatId);

beforeAll(async () => {
  api = await startFakeBotApi();
  t = await startTestApp(
    {
      TELEGRAM_BOT_TOKEN: '123456:FEATURES',
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_API_ROOT: api.url,
      PUBLIC_URL: 'https://cds-bot.example.test',
      // With PUBLIC_URL the simulator is off unless asked for.
      SIMULATOR: 'on',
    },
    { features: [...FEATURES, demo] },
    { seeded: true, jobs: true },
  );
});
afterAll(async () => {
  await t?.close();
  await api?.close();
});

async function linkOnTelegram(chatId: number, role: 'reporter' | 'manager'): Promise<void> {
  const { code } = await createInvitation(t.app.db.prisma, {
    unitCode: '18073',
    role,
    createdBy: 'cli',
    now: new Date(),
  });
  expect((await deliver(tg(chatId, `/link ${code}`))).status).toBe(200);
  await expect.poll(() => sentTo(chatId).length).toBeGreaterThan(0);
}

describe('commands declared by features', () => {
  it('lists a new feature’s command in /help and the menu of its audience only', async () => {
    const citizen = await t.sim('feat-citizen', { text: '/help' });
    expect(citizen.replies[0]!.text).not.toContain('/tonghopthu');

    await linkOnTelegram(9101, 'manager');
    await expect
      .poll(() =>
        api
          .of('setMyCommands')
          .find((c) => (c.body.scope as { chat_id?: number } | undefined)?.chat_id === 9101),
      )
      .toBeDefined();
    const scoped = api
      .of('setMyCommands')
      .find((c) => (c.body.scope as { chat_id?: number } | undefined)?.chat_id === 9101)!;
    const names = (scoped.body.commands as { command: string }[]).map((c) => c.command);
    expect(names).toContain('tonghopthu');
    expect(names).not.toContain('baocao');

    const before = sentTo(9101).length;
    await deliver(tg(9101, '/help'));
    await expect.poll(() => sentTo(9101).length).toBeGreaterThan(before);
    expect(String(sentTo(9101).at(-1)!.body.text)).toContain('/tonghopthu');
  });

  it('gives a linked reporter a menu with the reporting commands', async () => {
    await linkOnTelegram(9102, 'reporter');
    await expect
      .poll(() =>
        api
          .of('setMyCommands')
          .find((c) => (c.body.scope as { chat_id?: number } | undefined)?.chat_id === 9102),
      )
      .toBeDefined();
    const scoped = api
      .of('setMyCommands')
      .find((c) => (c.body.scope as { chat_id?: number } | undefined)?.chat_id === 9102)!;
    const names = (scoped.body.commands as { command: string }[]).map((c) => c.command);
    expect(names).toEqual(expect.arrayContaining(['baocao', 'trangthai', 'rut', 'help']));
    expect(names).not.toContain('tonghopthu');
  });

  it('answers a bare /start without opening a database transaction', async () => {
    const prisma = t.app.db.prisma;
    const original = prisma.$transaction;
    let transactions = 0;
    prisma.$transaction = ((...args: Parameters<typeof original>) => {
      transactions++;
      return original.apply(prisma, args);
    }) as typeof original;
    try {
      const r = await t.sim('feat-start', { text: '/start' });
      expect(r.replies[0]!.text).toMatch(/Xin chào/);
      expect(transactions).toBe(0);
      // …while a /start with an invitation code links inside one.
      const { code } = await createInvitation(t.app.db.prisma, {
        unitCode: '18073',
        role: 'reporter',
        createdBy: 'cli',
        now: new Date(),
      });
      const linked = await t.sim('feat-start', { text: `/start ${code}` });
      expect(linked.replies[0]!.text).toContain('Phường Thành Sen');
      expect(transactions).toBeGreaterThan(0);
    } finally {
      prisma.$transaction = original;
    }
  });
});

describe('replies that fail for a retryable reason', () => {
  it('go to the durable queue and are delivered once the platform recovers', async () => {
    let failures = 0;
    api.respond = (call) =>
      call.method === 'sendMessage' && Number(call.body.chat_id) === 9200 && failures++ === 0
        ? { status: 502, body: { ok: false, error_code: 502, description: 'Bad Gateway' } }
        : undefined;
    try {
      expect((await deliver(tg(9200, '/help'))).status).toBe(200);
      const row = async () =>
        t.app.db.prisma.delivery.findFirst({ where: { channel: 'telegram', chatId: '9200' } });
      await expect.poll(async () => (await row())?.status, { timeout: 30_000 }).toBe('sent');
      expect((await row())?.kind).toBe('notice');
      // One failed attempt, then the queued message went out.
      expect(sentTo(9200).length).toBe(2);
      expect(String(sentTo(9200).at(-1)!.body.text)).toContain('Hướng dẫn sử dụng');
    } finally {
      api.respond = undefined;
    }
  });
});

describe('a stored schedule that no longer validates', () => {
  it('is reported at start, and the default schedule is used', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const other = await startTestApp(
      {},
      { logger: pino({ level: 'error' }, sink) },
      { seeded: true, jobs: false },
    );
    try {
      await other.app.db.prisma.scheduleConfig.create({
        data: { data: { version: 99, reminders: 'often' }, importedBy: 'test' },
      });
      const again = await startTestApp(
        {},
        { logger: pino({ level: 'error' }, sink), db: other.testDb.db },
        { jobs: false },
      );
      try {
        expect(lines.join('')).toMatch(/stored schedule invalid/);
        expect(lines.join('')).toMatch(/no longer validates/);
        const r = await again.sim('feat-sched', { text: '/help' });
        expect(r.replies).toHaveLength(1);
      } finally {
        await again.app.stop();
      }
    } finally {
      await other.close();
    }
  });
});
