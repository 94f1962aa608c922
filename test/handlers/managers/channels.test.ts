/**
 * The managers' side on the real platforms (loopback fakes of the Telegram Bot API, the Zalo
 * Bot API and the Zalo OA API, all in one app with the simulator):
 *  - `/moi` gives a Telegram deep link `t.me/<username from getMe>?start=<code>`, and `/start
 *    <code>` on Telegram redeems it;
 *  - the language chosen with /lang is stored per identity in the database: it survives a new
 *    app on the same database with fresh in-process state, applies per user in a group, and a
 *    linked person's choice applies on all their identities and to their scheduled reminders;
 *  - scheduled reminders reach reporters on Telegram, Zalo Bot and Zalo OA; an OA user outside
 *    the interaction window is recorded undeliverable with that reason and counted in the
 *    managers' late-unit digest.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../src/app.js';
import { loadConfig } from '../../../src/config.js';
import { createInvitation } from '../../../src/domain/people/index.js';
import { createStateStore } from '../../../src/state/index.js';
import type { FakeBotApi } from '../../channels/fakes/bot-api.js';
import {
  startPlatformFakes,
  TG_SECRET,
  ZB_SECRET,
  zaloBotText,
  zaloOaText,
  type PlatformFakes,
} from '../../channels/fakes/platforms.js';
import type { FakeZaloOa } from '../../channels/fakes/zalo-oa-api.js';
import { startManagersApp, vn, type ManagersTestApp } from './helpers.js';

const NOW = vn('2026-12-02T07:30:00');

let tg: FakeBotApi;
let zb: FakeBotApi;
let oa: FakeZaloOa;
let fakes: PlatformFakes;
let app: ManagersTestApp;
let seq = 1;

beforeAll(async () => {
  fakes = await startPlatformFakes();
  ({ tg, zb, oa } = fakes);
  app = await startManagersApp(NOW, fakes.env);
  await app.link('boss', '42', 'manager');
}, 180_000);
afterAll(async () => {
  await app?.close();
  await fakes?.close();
});

const post = async (path: string, body: string, headers: Record<string, string>) => {
  const r = await fetch(`${app.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });
  expect(r.status).toBe(200);
};

/** A Telegram text from `userId`, in private or in the group `chatId`. */
const telegram = (userId: number, text: string, chatId = userId) => {
  const command = text.split(' ')[0] ?? '';
  return post(
    '/webhooks/telegram',
    JSON.stringify({
      update_id: seq++,
      message: {
        message_id: seq,
        date: 1,
        chat: chatId === userId ? { id: chatId, type: 'private' } : { id: chatId, type: 'group' },
        from: { id: userId, is_bot: false, first_name: `U${userId}` },
        text,
        ...(text.startsWith('/')
          ? { entities: [{ offset: 0, length: command.length, type: 'bot_command' }] }
          : {}),
      },
    }),
    { 'x-telegram-bot-api-secret-token': TG_SECRET },
  );
};
/** Texts Telegram was asked to send to a chat (replies to `userId` in a group quote them). */
const tgSeen = (chatId: number) =>
  tg
    .of('sendMessage')
    .filter((c) => Number(c.body.chat_id) === chatId)
    .map((c) => String(c.body.text));

const zaloBot = (chatId: string, text: string) =>
  post('/webhooks/zalo-bot', zaloBotText(chatId, text, `zb${seq++}`), {
    'x-bot-api-secret-token': ZB_SECRET,
  });
const zbSeen = (chatId: string) =>
  zb
    .of('sendMessage')
    .filter((c) => c.body.chat_id === chatId)
    .map((c) => String(c.body.text));

const zaloOa = (userId: string, text: string) => {
  const { raw, headers } = zaloOaText(userId, text, `oa${seq++}`);
  return post('/webhooks/zalo-oa', raw, headers);
};
const oaSeen = (userId: string) => oa.sent.filter((m) => m.userId === userId).map((m) => m.text);

const code = async (unitCode: string) =>
  (
    await createInvitation(app.testDb.db.prisma, {
      unitCode,
      role: 'reporter',
      createdBy: 'cli',
      now: NOW,
    })
  ).code;

const TG_REPORTER = 700001;
const TG_CITIZEN = 700002;
const GROUP = -1001234;
const ZB_REPORTER = 'zb-hoa-1';
const OA_REPORTER = '2512523625412515';

describe('self-service on Telegram', () => {
  it('/moi gives the deep link with the username from getMe; /start <code> on Telegram links', async () => {
    expect(tg.of('getMe').length).toBeGreaterThan(0);
    const r = await app.say('boss', '/moi Thành Sen reporter');
    const link = /https:\/\/t\.me\/fake_bot\?start=([0-9A-Z-]+)/.exec(r.text);
    expect(link, r.text).not.toBeNull();
    const invited = link?.[1] ?? '';
    expect(r.text).toContain(`: ${invited}`);
    await telegram(TG_REPORTER, `/start ${invited}`);
    await expect
      .poll(() => tgSeen(TG_REPORTER).join('\n'), { timeout: 10_000 })
      .toContain('Đã liên kết tài khoản với Phường Thành Sen');
  });
});

describe('language per identity, in the database', () => {
  it('survives a new app on the same database with fresh in-process state', async () => {
    expect((await app.say('cit', '/lang en')).text).toBe('Language set to English.');
    expect((await app.say('cit', '/help')).text).toContain('How to use:');
    const config = loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: app.testDb.dataDir,
      LOG_LEVEL: 'silent',
    });
    const second = await createApp(config, {
      logger: pino({ level: 'silent' }),
      db: app.testDb.db,
      store: createStateStore({ keyPrefix: 'second:', ttlMs: config.stateTtlMs }),
      startJobs: false,
    });
    await second.start();
    try {
      const ask = async (user: string) => {
        const res = await fetch(`${second.url}/sim/api/messages`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ user, text: '/help' }),
        });
        return ((await res.json()) as { replies: { text: string }[] }).replies[0]?.text ?? '';
      };
      expect(await ask('cit')).toContain('How to use:');
      expect(await ask('someone-else')).not.toContain('How to use:');
    } finally {
      await second.stop();
    }
  });

  it('in a group chat the choice is per user', async () => {
    await telegram(TG_CITIZEN, '/lang@fake_bot en', GROUP);
    await expect
      .poll(() => tgSeen(GROUP).join('\n'), { timeout: 10_000 })
      .toContain('Language set to English.');
    const before = tgSeen(GROUP).length;
    await telegram(TG_REPORTER, '/help@fake_bot', GROUP);
    await expect.poll(() => tgSeen(GROUP).length, { timeout: 10_000 }).toBe(before + 1);
    expect(tgSeen(GROUP).at(-1)).not.toContain('How to use:');
    await telegram(TG_CITIZEN, '/help@fake_bot', GROUP);
    await expect.poll(() => tgSeen(GROUP).length, { timeout: 10_000 }).toBe(before + 2);
    expect(tgSeen(GROUP).at(-1)).toContain('How to use:');
    // The same user in private: their choice follows them.
    await telegram(TG_CITIZEN, '/help');
    await expect
      .poll(() => tgSeen(TG_CITIZEN).join('\n'), { timeout: 10_000 })
      .toContain('How to use:');
  });

  it("a linked identity takes its person's choice", async () => {
    // The Telegram reporter's person gets a second identity (the simulator), where they choose.
    const prisma = app.testDb.db.prisma;
    const tgIdentity = await prisma.identity.findUniqueOrThrow({
      where: { channel_externalId: { channel: 'telegram', externalId: String(TG_REPORTER) } },
    });
    await prisma.identity.create({
      data: { channel: 'sim', externalId: 'tg-twin', personId: tgIdentity.personId },
    });
    expect((await app.say('tg-twin', '/lang en')).text).toBe('Language set to English.');
    const before = tgSeen(TG_REPORTER).length;
    await telegram(TG_REPORTER, '/help');
    await expect.poll(() => tgSeen(TG_REPORTER).length, { timeout: 10_000 }).toBe(before + 1);
    expect(tgSeen(TG_REPORTER).at(-1)).toContain('How to use:');
  });
});

describe('scheduled reminders on every platform', () => {
  it('reach Telegram (in the chosen language), Zalo Bot and Zalo OA; OA outside the window is undeliverable and counted', async () => {
    await zaloBot(ZB_REPORTER, `/link ${await code('18100')}`);
    await expect
      .poll(() => zbSeen(ZB_REPORTER).join('\n'), { timeout: 10_000 })
      .toContain('Đã liên kết');
    await zaloOa(OA_REPORTER, `/link ${await code('18115')}`);
    await expect
      .poll(() => oaSeen(OA_REPORTER).join('\n'), { timeout: 10_000 })
      .toContain('Đã liên kết');
    // The OA user's last interaction was 8 days ago: the window is closed.
    await app.testDb.db.prisma.oaInteraction.update({
      where: { userId: OA_REPORTER },
      data: { lastInteractionAt: new Date(Date.now() - 8 * 24 * 3600_000) },
    });
    // The Telegram reporter wrote last on Telegram: reminded there, not on the simulator twin.
    await telegram(TG_REPORTER, '/help');

    const run = await app.runAt(vn('2026-12-02T08:00:00'));
    expect(run.map((r) => [r.slot.offset, r.slot.kind])).toEqual([['-3d', 'remind']]);
    await expect
      .poll(() => tgSeen(TG_REPORTER).join('\n'), { timeout: 20_000 })
      .toContain('Reporting reminder T11/2026');
    await expect
      .poll(() => zbSeen(ZB_REPORTER).join('\n'), { timeout: 20_000 })
      .toContain('Nhắc báo cáo T11/2026');
    const prisma = app.testDb.db.prisma;
    await expect
      .poll(
        async () =>
          (
            await prisma.delivery.findFirst({
              where: { chatId: OA_REPORTER, batchId: { startsWith: 'remind:' } },
            })
          )?.status,
        { timeout: 20_000 },
      )
      .toBe('undeliverable');
    const oaRow = await prisma.delivery.findFirstOrThrow({
      where: { chatId: OA_REPORTER, batchId: { startsWith: 'remind:' } },
    });
    expect(oaRow.reason).toMatch(/outside interaction window/);
    expect(oaSeen(OA_REPORTER).join('\n')).not.toContain('Nhắc báo cáo');
    expect(await app.inbox('tg-twin', 0, 0)).toEqual([]);

    // Past the deadline: the province manager's digest counts the undeliverable reminder.
    await app.runAt(vn('2026-12-06T08:00:00'));
    const digest = await app.arrived('boss', 'Đơn vị quá hạn báo cáo T11/2026');
    expect(digest.text).toContain('Nhắc hạn không gửi được: 1 tin');
  });
});
