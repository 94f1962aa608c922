/**
 * Real-world platform traffic (issue 14): every body of the fixture corpus
 * (test/channels/fixtures/, written from the platforms' documentation) is posted twice to a
 * whole app, with Telegram, Zalo Bot and Zalo OA pointed at loopback fakes. Each must get 200
 * both times, at most one reply (none the second time), no reply where none is due — group
 * talk, service messages, other bots' commands, reactions, receipts — and every outgoing call
 * must stay within the platform's limits.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { zaloOaSignature } from '../../src/channels/zalo-oa/signature.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { startFakeBotApi, type FakeBotApi, type RecordedCall } from './fakes/bot-api.js';
import { startFakeZaloOa, type FakeZaloOa } from './fakes/zalo-oa-api.js';

const FIXTURES = new URL('./fixtures/', import.meta.url);
const TG_TOKEN = '7012345678:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw';
const TG_SECRET = 'replay-secret_1';
const ZB_TOKEN = '2841736309:zalo-bot-replay-token';
const ZB_SECRET = 'zalo-bot-replay-secret';
const OA_APP = '3482178216594085616';
const OA_SECRET = 'oa-secret-key-replay';

/** Replies due per fixture: 1 = exactly one, 0 = none (and no other outgoing message). */
const TELEGRAM: Record<string, 0 | 1> = {
  'private-text': 1,
  'private-command-entities': 1,
  'private-command-our-name': 1,
  'private-command-other-bot': 0,
  'private-edited-message': 0,
  'private-callback-inaccessible-message': 1,
  'private-callback-old-message': 1,
  'callback-inline-message-id': 0,
  'private-photo-caption': 1,
  'private-sticker': 1,
  'private-voice': 1,
  'private-location': 1,
  'private-contact': 1,
  'group-text': 0,
  'group-number': 0,
  'group-report-plain': 0,
  'group-command-our-name': 1,
  'group-command-other-bot': 0,
  'group-mention': 1,
  'group-reply-to-us': 1,
  'group-bot-added': 0,
  'group-member-joined': 0,
  'group-member-left': 0,
  'group-created': 0,
  'group-pinned-message': 0,
  'group-video-chat-started': 0,
  'group-dice': 0,
  'group-story': 0,
  'group-migrate-to-chat-id': 0,
  'supergroup-migrate-from-chat-id': 0,
  'forum-topic-created': 0,
  'forum-topic-closed': 0,
  'forum-topic-text': 0,
  'forum-topic-command': 1,
  'channel-post': 0,
  'my-chat-member-kicked': 0,
  'my-chat-member-restored': 0,
  'my-chat-member-added-to-group': 0,
  'chat-join-request': 0,
  'message-reaction': 0,
  'inline-query': 0,
  'unknown-future-update': 0,
};

const ZALO_BOT: Record<string, 0 | 1> = {
  'flat-text': 1,
  'wrapped-text': 1,
  'wrapped-unsupported-no-message': 0,
  'flat-unsupported-no-message': 0,
  'bot-added-to-group-no-message': 0,
  'image-with-caption': 1,
  'image-without-caption': 1,
  sticker: 1,
  voice: 1,
  link: 1,
  reaction: 0,
  'protected-account-unsupported': 1,
  'group-text': 0,
  'group-number': 0,
  'group-report-plain': 0,
  'group-command': 1,
  'group-command-other-bot': 0,
  'group-mention': 1,
  'group-image': 0,
  'group-sticker': 0,
  'from-bot': 0,
  'unknown-event': 0,
};

const ZALO_OA: Record<string, 0 | 1> = {
  'user-send-text': 1,
  'user-send-image': 1,
  'user-send-gif': 1,
  'user-send-sticker': 1,
  'user-send-audio': 1,
  'user-send-video': 1,
  'user-send-file': 1,
  'user-send-link': 1,
  'user-send-location': 1,
  follow: 1,
  unfollow: 0,
  'user-seen-message': 0,
  'user-send-group-text': 0,
  'user-send-group-image': 0,
  'anonymous-send-text': 0,
  'change-oa-daily-quota': 0,
  'add-user-to-tag': 0,
  'zns-user-received-message': 0,
  'oa-send-text': 0,
  'user-submit-info': 0,
  'user-reacted-message': 0,
  'user-click-chatnow': 0,
};

const fixture = (platform: string, name: string) =>
  readFileSync(new URL(`${platform}/${name}.json`, FIXTURES), 'utf8');

const names = (platform: string) =>
  readdirSync(new URL(`${platform}/`, FIXTURES))
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.slice(0, -5))
    .sort();

/** Telegram's limits on what we send: text, callback_data bytes, buttons per row. */
function checkTelegramCall(call: RecordedCall): void {
  if (call.method !== 'sendMessage') return;
  expect(String(call.body.text).length).toBeLessThanOrEqual(4096);
  const markup = call.body.reply_markup as
    { inline_keyboard?: { callback_data?: string }[][] } | undefined;
  for (const row of markup?.inline_keyboard ?? []) {
    expect(row.length).toBeLessThanOrEqual(8);
    for (const b of row)
      expect(Buffer.byteLength(b.callback_data ?? '', 'utf8')).toBeLessThanOrEqual(64);
  }
}

describe('replaying real-shaped platform traffic', () => {
  let t: TestApp;
  let bots: FakeBotApi;
  let oa: FakeZaloOa;

  beforeAll(async () => {
    bots = await startFakeBotApi();
    bots.respond = (call) =>
      call.method === 'getMe' && call.token === TG_TOKEN
        ? {
            body: {
              ok: true,
              result: {
                id: 7012345678,
                is_bot: true,
                first_name: 'Chuyển đổi số Hà Tĩnh',
                username: 'CdsHaTinhBot',
                can_join_groups: true,
                can_read_all_group_messages: false,
                supports_inline_queries: false,
              },
            },
          }
        : undefined;
    oa = await startFakeZaloOa();
    oa.validAccessTokens.add('AT-replay');
    t = await startTestApp({
      PUBLIC_URL: 'https://cds-bot.example.gov.vn',
      TELEGRAM_BOT_TOKEN: TG_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: TG_SECRET,
      TELEGRAM_API_ROOT: bots.url,
      ZALO_BOT_TOKEN: ZB_TOKEN,
      ZALO_BOT_WEBHOOK_SECRET: ZB_SECRET,
      ZALO_BOT_API_ROOT: bots.url,
      ZALO_BOT_USERNAME: 'CDS Hà Tĩnh',
      ZALO_OA_APP_ID: OA_APP,
      ZALO_OA_SECRET_KEY: OA_SECRET,
      ZALO_APP_SECRET: 'app-secret-replay',
      ZALO_OA_ACCESS_TOKEN: 'AT-replay',
      ZALO_OA_REFRESH_TOKEN: 'RT-replay',
      ZALO_OA_API_ROOT: oa.url,
      ZALO_OAUTH_ROOT: oa.url,
    });
    // The follower of the follow/unfollow fixtures is linked staff: unfollowing marks them.
    await t.testDb.db.prisma.person.create({
      data: {
        displayName: 'Nguyễn Văn Follow',
        identities: { create: { channel: 'zalo-oa', externalId: '6198273645512367' } },
      },
    });
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await bots?.close();
    await oa?.close();
  });

  const post = (path: string, raw: string, headers: Record<string, string>) =>
    fetch(`${t.url}/webhooks/${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: raw,
    });

  it('has an expectation for every fixture and a fixture for every expectation', () => {
    expect(names('telegram')).toEqual(Object.keys(TELEGRAM).sort());
    expect(names('zalo-bot')).toEqual(Object.keys(ZALO_BOT).sort());
    expect(names('zalo-oa')).toEqual(Object.keys(ZALO_OA).sort());
  });

  describe('Telegram', () => {
    const sent = () => bots.calls.filter((c) => c.token === TG_TOKEN && c.method === 'sendMessage');
    for (const [name, due] of Object.entries(TELEGRAM)) {
      it(`${name}: 200 twice, ${due === 1 ? 'one reply' : 'no reply'}`, async () => {
        const raw = fixture('telegram', name);
        const before = sent().length;
        const first = await post('telegram', raw, { 'x-telegram-bot-api-secret-token': TG_SECRET });
        expect(first.status).toBe(200);
        const afterFirst = sent().length;
        const second = await post('telegram', raw, {
          'x-telegram-bot-api-secret-token': TG_SECRET,
        });
        expect(second.status).toBe(200);
        const replies = sent().slice(before);
        expect(replies).toHaveLength(due);
        expect(sent().length).toBe(afterFirst);
        for (const call of replies) checkTelegramCall(call);
      });
    }

    it('answers a group command by quoting it, and a forum topic in its own topic', () => {
      const calls = bots.calls.filter((c) => c.token === TG_TOKEN && c.method === 'sendMessage');
      const inGroup = calls.filter((c) => String(c.body.chat_id) === '-4081234567');
      expect(inGroup.length).toBeGreaterThan(0);
      for (const c of inGroup) expect(c.body.reply_parameters).toBeDefined();
      const inForum = calls.filter((c) => String(c.body.chat_id) === '-1002091234567');
      expect(inForum).toHaveLength(1);
      expect(inForum[0]!.body).toMatchObject({
        message_thread_id: 301,
        reply_parameters: { message_id: 304 },
      });
    });

    it('stops the spinner of a button it does not act on, once, however often it is redelivered', () => {
      const answers = bots.calls.filter(
        (c) =>
          c.token === TG_TOKEN &&
          c.method === 'answerCallbackQuery' &&
          c.body.callback_query_id === '4382bfdwdsb323b2e0',
      );
      expect(answers).toHaveLength(1);
      expect(
        bots.calls.filter(
          (c) =>
            c.method === 'answerCallbackQuery' && c.body.callback_query_id === '4382bfdwdsb323b2e1',
        ).length,
      ).toBeGreaterThan(0);
    });

    it('registers the webhook asking for my_chat_member too', () => {
      const setWebhook = bots.calls.find((c) => c.token === TG_TOKEN && c.method === 'setWebhook');
      expect(setWebhook?.body.allowed_updates).toContain('my_chat_member');
    });
  });

  describe('Zalo Bot', () => {
    const sent = () => bots.calls.filter((c) => c.token === ZB_TOKEN && c.method === 'sendMessage');
    for (const [name, due] of Object.entries(ZALO_BOT)) {
      it(`${name}: 200 twice, ${due === 1 ? 'one reply' : 'no reply'}`, async () => {
        const raw = fixture('zalo-bot', name);
        const before = sent().length;
        expect((await post('zalo-bot', raw, { 'x-bot-api-secret-token': ZB_SECRET })).status).toBe(
          200,
        );
        const afterFirst = sent().length;
        expect((await post('zalo-bot', raw, { 'x-bot-api-secret-token': ZB_SECRET })).status).toBe(
          200,
        );
        const replies = sent().slice(before);
        expect(replies).toHaveLength(due);
        expect(sent().length).toBe(afterFirst);
        for (const call of replies) expect(String(call.body.text).length).toBeLessThanOrEqual(2000);
      });
    }

    it('reads a photo caption as text (a citizen question, not the "text only" apology)', () => {
      const chat = '6a1b0c9d8e7f6a5b';
      const texts = sent()
        .filter((c) => c.body.chat_id === chat)
        .map((c) => String(c.body.text));
      expect(texts.some((x) => /căn cước/i.test(x))).toBe(true);
    });
  });

  describe('Zalo OA', () => {
    for (const [name, due] of Object.entries(ZALO_OA)) {
      it(`${name}: 200 twice, ${due === 1 ? 'one reply' : 'no reply'}`, async () => {
        // Zalo signs the timestamp with the body: the replay sends it as of now.
        const raw = fixture('zalo-oa', name).replaceAll('1764230400123', String(Date.now()));
        const timestamp = (JSON.parse(raw) as { timestamp: string }).timestamp;
        const headers = {
          'x-zevent-signature': zaloOaSignature(OA_APP, Buffer.from(raw), timestamp, OA_SECRET),
        };
        const before = oa.sent.length;
        expect((await post('zalo-oa', raw, headers)).status).toBe(200);
        const afterFirst = oa.sent.length;
        expect((await post('zalo-oa', raw, headers)).status).toBe(200);
        const replies = oa.sent.slice(before);
        expect(replies).toHaveLength(due);
        expect(oa.sent.length).toBe(afterFirst);
        for (const r of replies) expect(r.text.length).toBeLessThanOrEqual(2000);
      });
    }

    it('marks a linked user who unfollowed the OA unreachable there', async () => {
      const identity = await t.testDb.db.prisma.identity.findUniqueOrThrow({
        where: {
          channel_externalId: { channel: 'zalo-oa', externalId: '6198273645512367' },
        },
      });
      expect(identity.unreachableAt).not.toBeNull();
    });

    it('still refuses a body whose signature does not match (401)', async () => {
      const raw = fixture('zalo-oa', 'change-oa-daily-quota');
      const res = await post('zalo-oa', raw, { 'x-zevent-signature': 'mac=00' });
      expect(res.status).toBe(401);
    });
  });
});
