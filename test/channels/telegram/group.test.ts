/**
 * Group chats on Telegram (issue 14), through a whole app: a reporter reports with a command
 * addressed to the bot, the echo quotes the report, a bystander's "1" and tap change nothing
 * (the tap gets a toast), the reporter's own tap saves; an edited report while its
 * confirmation is pending replaces the draft and is echoed again, any other edit is ignored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInvitation } from '../../../src/domain/people/index.js';
import { startTestApp, type TestApp } from '../../helpers/app.js';
import { seedHaTinh, vn } from '../../handlers/reporting/helpers.js';
import { startFakeBotApi, type FakeBotApi, type RecordedCall } from '../fakes/bot-api.js';

const TOKEN = '7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const SECRET = 'group-secret_1';
const BOT = { id: 7012345678, is_bot: true, first_name: 'CĐS Hà Tĩnh', username: 'CdsHaTinhBot' };
const LAN = { id: 5123456789, is_bot: false, first_name: 'Lan', language_code: 'vi' };
const HUNG = { id: 5234567890, is_bot: false, first_name: 'Hùng', language_code: 'vi' };
const GROUP = { id: -1002081234567, title: 'CĐS xã Thạch Hà', type: 'supergroup' };
const DATE = 1762135200;

let t: TestApp;
let api: FakeBotApi;
let updateId = 900_000;
let messageId = 500;

beforeAll(async () => {
  api = await startFakeBotApi();
  api.respond = (call) =>
    call.method === 'getMe' ? { body: { ok: true, result: BOT } } : undefined;
  const now = vn('2025-11-03T09:00:00');
  t = await startTestApp(
    {
      TELEGRAM_BOT_TOKEN: TOKEN,
      TELEGRAM_WEBHOOK_SECRET: SECRET,
      TELEGRAM_API_ROOT: api.url,
      PUBLIC_URL: 'https://cds-bot.example.gov.vn',
    },
    { clock: () => now },
  );
  await seedHaTinh(t.testDb.db);
  const { code } = await createInvitation(t.testDb.db.prisma, {
    unitCode: '18100',
    role: 'reporter',
    createdBy: 'cli',
    now,
  });
  // Invitation codes are redeemed in a private chat.
  await message(LAN, { id: LAN.id, type: 'private', first_name: 'Lan' }, `/link ${code}`);
  expect(lastTexts(1)[0]).toMatch(/Đã liên kết/);
}, 120_000);

afterAll(async () => {
  await t?.close();
  await api?.close();
});

async function post(update: object): Promise<number> {
  const res = await fetch(`${t.url}/webhooks/telegram`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
    body: JSON.stringify(update),
  });
  return res.status;
}

const sends = (): RecordedCall[] => api.of('sendMessage');
const lastTexts = (n: number) =>
  sends()
    .slice(-n)
    .map((c) => String(c.body.text));

/** A text message; returns its message_id. */
async function message(
  from: typeof LAN,
  chat: object,
  text: string,
  extra: Record<string, unknown> = {},
): Promise<number> {
  const id = ++messageId;
  const entities = text.startsWith('/')
    ? [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }]
    : undefined;
  expect(
    await post({
      update_id: ++updateId,
      message: { message_id: id, date: DATE, chat, from, text, entities, ...extra },
    }),
  ).toBe(200);
  return id;
}

/** A tap on a button of our reply that quotes `quoted` (written by `owner`). */
async function tap(from: typeof LAN, data: string, owner: typeof LAN, quoted: number) {
  const id = `cb-${++updateId}`;
  expect(
    await post({
      update_id: updateId,
      callback_query: {
        id,
        from,
        chat_instance: '-55',
        data,
        message: {
          message_id: ++messageId,
          date: DATE,
          chat: GROUP,
          from: BOT,
          text: 'Xác nhận?',
          reply_to_message: { message_id: quoted, date: DATE, chat: GROUP, from: owner, text: '…' },
        },
      },
    }),
  ).toBe(200);
  return id;
}

function buttonData(call: RecordedCall | undefined, label: string): string {
  const rows = (
    call?.body.reply_markup as { inline_keyboard: { text: string; callback_data: string }[][] }
  ).inline_keyboard;
  const b = rows.flat().find((x) => x.text === label);
  if (!b) throw new Error(`no ${label} button`);
  return b.callback_data;
}

const saved = async () =>
  (
    await t.testDb.db.prisma.submission.findMany({
      where: { status: 'active', indicatorCode: 'HSTT' },
    })
  ).map((s) => `${Number(s.numerator)}/${Number(s.denominator)}`);

describe('a report in a Telegram group', () => {
  it('ignores plain "bc …" in the group and takes the command addressed to us, quoting it', async () => {
    const before = sends().length;
    await message(LAN, GROUP, 'bc HSTT 120/150');
    expect(sends()).toHaveLength(before);

    const reportId = await message(LAN, GROUP, '/bc@CdsHaTinhBot HSTT 120/150');
    const echo = sends().at(-1);
    expect(sends()).toHaveLength(before + 1);
    expect(String(echo?.body.text)).toContain('HSTT: 120/150');
    expect(echo?.body).toMatchObject({
      chat_id: String(GROUP.id),
      reply_parameters: { message_id: reportId },
    });
    const ok = buttonData(echo, 'Xác nhận');

    // A bystander's "1" and tap change nothing; the tap gets a toast, the group no message.
    await message(HUNG, GROUP, '1');
    const cb = await tap(HUNG, ok, LAN, reportId);
    expect(sends()).toHaveLength(before + 1);
    expect(
      api.of('answerCallbackQuery').find((c) => c.body.callback_query_id === cb)?.body,
    ).toMatchObject({ text: 'Nút này dành cho người khác trong nhóm.' });
    expect(await saved()).toEqual([]);

    // The reporter edits the report while its confirmation is pending: a new echo.
    expect(
      await post({
        update_id: ++updateId,
        edited_message: {
          message_id: reportId,
          date: DATE,
          edit_date: DATE + 30,
          chat: GROUP,
          from: LAN,
          text: '/bc@CdsHaTinhBot HSTT 130/150',
          entities: [{ type: 'bot_command', offset: 0, length: 16 }],
        },
      }),
    ).toBe(200);
    const reEcho = sends().at(-1);
    expect(sends()).toHaveLength(before + 2);
    expect(String(reEcho?.body.text)).toContain('HSTT: 130/150');

    await tap(LAN, buttonData(reEcho, 'Xác nhận'), LAN, reportId);
    expect(await saved()).toEqual(['130/150']);
    expect(lastTexts(1)[0]).toMatch(/Mã biên nhận/);

    // With nothing pending, an edit is ignored.
    const after = sends().length;
    expect(
      await post({
        update_id: ++updateId,
        edited_message: {
          message_id: reportId,
          date: DATE,
          edit_date: DATE + 90,
          chat: GROUP,
          from: LAN,
          text: '/bc@CdsHaTinhBot HSTT 140/150',
          entities: [{ type: 'bot_command', offset: 0, length: 16 }],
        },
      }),
    ).toBe(200);
    expect(sends()).toHaveLength(after);
    expect(await saved()).toEqual(['130/150']);
  });

  it("keeps each member's conversation and language apart in the group", async () => {
    const reportId = await message(LAN, GROUP, '/bc HSTT 100/150');
    expect(lastTexts(1)[0]).toContain('HSTT: 100/150');
    const ok = buttonData(sends().at(-1), 'Xác nhận');
    // Hùng (not linked) switches to English and tries a report of his own.
    await message(HUNG, GROUP, '/lang@CdsHaTinhBot en');
    await message(HUNG, GROUP, '/bc@CdsHaTinhBot HSTT 1/2');
    expect(lastTexts(1)[0]).not.toContain('HSTT: 1/2');
    // Lan's confirmation is still pending, and she is still answered in Vietnamese.
    await tap(LAN, ok, LAN, reportId);
    expect(await saved()).toEqual(['100/150']);
    expect(lastTexts(1)[0]).toMatch(/Mã biên nhận/);
  });
});

describe('a user who blocks the bot', () => {
  const PRIVATE = { id: LAN.id, type: 'private', first_name: 'Lan' };
  const identity = () =>
    t.testDb.db.prisma.identity.findUniqueOrThrow({
      where: { channel_externalId: { channel: 'telegram', externalId: String(LAN.id) } },
    });
  const member = (status: string) =>
    post({
      update_id: ++updateId,
      my_chat_member: {
        chat: PRIVATE,
        from: LAN,
        date: DATE,
        old_chat_member: { user: BOT, status: status === 'kicked' ? 'member' : 'kicked' },
        new_chat_member: { user: BOT, status },
      },
    });

  it('is marked unreachable on my_chat_member kicked and reachable again on restart', async () => {
    expect(await member('kicked')).toBe(200);
    expect((await identity()).unreachableAt).not.toBeNull();
    expect(await member('member')).toBe(200);
    expect((await identity()).unreachableAt).toBeNull();
  });

  it('is marked unreachable when a reply fails as blocked, and reachable once they write', async () => {
    api.respond = (call) =>
      call.method === 'getMe'
        ? { body: { ok: true, result: BOT } }
        : call.method === 'sendMessage'
          ? {
              status: 403,
              body: {
                ok: false,
                error_code: 403,
                description: 'Forbidden: bot was blocked by the user',
              },
            }
          : undefined;
    await message(LAN, PRIVATE, '/help');
    expect((await identity()).unreachableAt).not.toBeNull();
    api.respond = (call) =>
      call.method === 'getMe' ? { body: { ok: true, result: BOT } } : undefined;
    await message(LAN, PRIVATE, '/help');
    const row = await identity();
    expect(row.unreachableAt).toBeNull();
    expect(row.lastSeenAt).not.toBeNull();
  });

  it('is seen again when they write over an hour after they were last seen', async () => {
    const where = { channel_externalId: { channel: 'telegram', externalId: String(LAN.id) } };
    const longAgo = new Date(Date.now() - 2 * 3600_000);
    await t.testDb.db.prisma.identity.update({ where, data: { lastSeenAt: longAgo } });
    await message(LAN, PRIVATE, '/help');
    const seen = (await identity()).lastSeenAt!;
    expect(seen.getTime()).toBeGreaterThan(Date.now() - 60_000);
    // Within the hour nothing is written again.
    await message(LAN, PRIVATE, '/help');
    expect((await identity()).lastSeenAt).toEqual(seen);
  });
});

describe('registering a group for a unit (/nhomnay)', () => {
  const MINH = { id: 5345678901, is_bot: false, first_name: 'Minh', language_code: 'vi' };
  const OLD = { id: -4081234567, title: 'Cán bộ xã Thạch Hà', type: 'group' };
  const groupsOf = () =>
    t.testDb.db.prisma.chatGroup.findMany({
      select: { chatId: true, unit: { select: { code: true } } },
      orderBy: { chatId: 'asc' },
    });

  beforeAll(async () => {
    const { code } = await createInvitation(t.testDb.db.prisma, {
      unitCode: '42',
      role: 'manager',
      createdBy: 'cli',
      now: vn('2025-11-03T09:00:00'),
    });
    await message(MINH, { id: MINH.id, type: 'private', first_name: 'Minh' }, `/link ${code}`);
    expect(lastTexts(1)[0]).toMatch(/Đã liên kết/);
  });

  it('is refused in a private chat and to a reporter', async () => {
    await message(MINH, { id: MINH.id, type: 'private', first_name: 'Minh' }, '/nhomnay');
    expect(lastTexts(1)[0]).toContain('dùng trong nhóm');
    await message(LAN, OLD, '/nhomnay@CdsHaTinhBot');
    expect(await groupsOf()).toEqual([]);
  });

  it("registers the group for a unit in the manager's scope, or their own unit", async () => {
    await message(MINH, OLD, '/nhomnay@CdsHaTinhBot 18100');
    expect(lastTexts(1)[0]).toContain('Đã đăng ký nhóm này cho Phường Trần Phú');
    expect(await groupsOf()).toEqual([{ chatId: String(OLD.id), unit: { code: '18100' } }]);
    await message(MINH, OLD, '/nhomnay');
    expect(lastTexts(1)[0]).toContain('thay cho đơn vị trước');
    expect(await groupsOf()).toEqual([{ chatId: String(OLD.id), unit: { code: '42' } }]);
  });

  it('keeps the registration when the group becomes a supergroup, without a word', async () => {
    const before = sends().length;
    expect(
      await post({
        update_id: ++updateId,
        message: {
          message_id: ++messageId,
          date: DATE,
          chat: OLD,
          from: MINH,
          migrate_to_chat_id: -1002111234567,
        },
      }),
    ).toBe(200);
    expect(sends()).toHaveLength(before);
    expect(await groupsOf()).toEqual([{ chatId: '-1002111234567', unit: { code: '42' } }]);
  });
});
