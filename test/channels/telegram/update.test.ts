/**
 * Telegram updates -> InboundMessage, pure (src/channels/telegram/update.ts): messages, edits,
 * captions, buttons (private, group, someone else's, inline, topics), my_chat_member,
 * service messages and migration, and the group addressing rules.
 */
import { describe, expect, it } from 'vitest';
import {
  addressing,
  ALLOWED_UPDATES,
  botIdFromToken,
  parseTelegramUpdate,
} from '../../../src/channels/telegram/update.js';

const AT = new Date('2026-12-02T10:00:00.000Z');
const ME = { id: 555, username: 'cds_bot' };

function msg(extra: Record<string, unknown> = {}) {
  return {
    message_id: 10,
    date: 1764669600,
    chat: { id: 42, type: 'private' },
    from: { id: 7, is_bot: false, first_name: 'Lan', last_name: 'Nguyễn', username: 'lan' },
    text: 'bc HSCV 65%',
    ...extra,
  };
}
const group = { id: -100, type: 'supergroup' };

describe('parseTelegramUpdate: messages', () => {
  it('reads a private text message with every field', () => {
    expect(parseTelegramUpdate({ update_id: 3, message: msg() }, AT, ME)).toEqual({
      kind: 'message',
      msg: {
        channel: 'telegram',
        chatId: '42',
        userId: '7',
        chatType: 'private',
        messageId: '10',
        updateId: '3',
        receivedAt: AT,
        displayName: 'Lan Nguyễn',
        text: 'bc HSCV 65%',
      },
    });
  });

  it('marks an edited message, reads a caption, keeps the topic thread', () => {
    const edited = parseTelegramUpdate({ update_id: 0, edited_message: msg() }, AT);
    expect(edited).toMatchObject({ kind: 'message', msg: { edited: true, updateId: '0' } });
    const fresh = parseTelegramUpdate({ update_id: 1, message: msg() }, AT);
    expect(fresh.kind === 'message' && 'edited' in fresh.msg).toBe(false);
    const both = parseTelegramUpdate({ update_id: 1, message: msg(), edited_message: msg() }, AT);
    expect(both.kind === 'message' && 'edited' in both.msg).toBe(false);
    const caption = parseTelegramUpdate(
      { update_id: 1, message: msg({ text: undefined, caption: 'HSCV 70%', photo: [{}] }) },
      AT,
    );
    expect(caption).toMatchObject({ kind: 'message', msg: { text: 'HSCV 70%' } });
    const topic = parseTelegramUpdate(
      { update_id: 1, message: msg({ message_thread_id: 9, is_topic_message: true }) },
      AT,
    );
    expect(topic).toMatchObject({ msg: { threadId: '9' } });
    const reply = parseTelegramUpdate({ update_id: 1, message: msg({ message_thread_id: 9 }) }, AT);
    expect(reply.kind === 'message' && 'threadId' in reply.msg).toBe(false);
  });

  it('names the sender by first + last name, else username, else nothing', () => {
    const name = (from: object) => {
      const r = parseTelegramUpdate({ update_id: 1, message: msg({ from }) }, AT);
      return r.kind === 'message' ? r.msg.displayName : 'not a message';
    };
    expect(name({ id: 1, first_name: 'Lan' })).toBe('Lan');
    expect(name({ id: 1, last_name: 'Trần' })).toBe('Trần');
    expect(name({ id: 1, first_name: ' ', username: 'lan_t' })).toBe('lan_t');
    expect(name({ id: 1, username: 'lan_t' })).toBe('lan_t');
    expect(name({ id: 1 })).toBeUndefined();
    const noFrom = parseTelegramUpdate({ update_id: 1, message: msg({ from: undefined }) }, AT);
    expect(noFrom).toMatchObject({ msg: { userId: '42' } });
    expect(noFrom.kind === 'message' && noFrom.msg.displayName).toBeUndefined();
  });

  it('answers a non-text message as unsupported, addressed when it replies to us', () => {
    const sticker = parseTelegramUpdate(
      { update_id: 1, message: msg({ text: undefined, sticker: {} }) },
      AT,
      ME,
    );
    expect(sticker).toMatchObject({ kind: 'message', msg: { event: 'unsupported' } });
    expect(sticker.kind === 'message' && 'addressed' in sticker.msg).toBe(false);
    const toUs = parseTelegramUpdate(
      {
        update_id: 1,
        message: msg({
          text: undefined,
          sticker: {},
          chat: group,
          reply_to_message: { message_id: 1, from: { id: 555 } },
        }),
      },
      AT,
      ME,
    );
    expect(toUs).toMatchObject({ msg: { event: 'unsupported', addressed: true } });
  });

  it('ignores bots, service messages, and reports a group migration', () => {
    expect(
      parseTelegramUpdate({ update_id: 4, message: msg({ from: { id: 9, is_bot: true } }) }, AT),
    ).toEqual({ kind: 'ignored', updateId: 4, reason: 'from a bot' });
    expect(
      parseTelegramUpdate(
        { update_id: 5, message: msg({ text: undefined, new_chat_members: [{ id: 1 }] }) },
        AT,
      ),
    ).toEqual({ kind: 'ignored', updateId: 5, reason: 'service message' });
    expect(
      parseTelegramUpdate(
        { update_id: 6, message: msg({ text: undefined, chat: group, migrate_to_chat_id: -1009 }) },
        AT,
      ),
    ).toEqual({
      kind: 'ignored',
      updateId: 6,
      reason: 'service message',
      migrated: { from: '-100', to: '-1009' },
    });
    expect(
      parseTelegramUpdate(
        { update_id: 6, message: msg({ text: undefined, migrate_to_chat_id: '-1009' }) },
        AT,
      ),
    ).toEqual({ kind: 'ignored', updateId: 6, reason: 'service message' });
    expect(
      parseTelegramUpdate(
        { update_id: 6, message: msg({ text: undefined, migrate_to_chat_id: 2 ** 60 }) },
        AT,
      ),
    ).toEqual({ kind: 'ignored', updateId: 6, reason: 'service message' });
    expect(
      parseTelegramUpdate(
        { update_id: 6, edited_message: msg({ text: undefined, migrate_to_chat_id: -7 }) },
        AT,
      ),
    ).toMatchObject({ migrated: { from: '42', to: '-7' } });
  });

  it('ignores update kinds it does not handle, acknowledges unknown shapes, rejects non-updates', () => {
    expect(parseTelegramUpdate({ update_id: 7, poll: {} }, AT)).toEqual({
      kind: 'ignored',
      updateId: 7,
      reason: 'update type not handled',
    });
    const odd = parseTelegramUpdate({ update_id: 0, message: { text: 'x' } }, AT);
    expect(odd).toMatchObject({ kind: 'ignored', updateId: 0 });
    expect(odd.kind === 'ignored' && odd.reason).toMatch(/^unrecognised shape: \S/);
    for (const body of [null, {}, { update_id: -1 }, { update_id: 1.5 }, { update_id: '3' }]) {
      expect(parseTelegramUpdate(body, AT)).toEqual({
        kind: 'invalid',
        reason: 'not a Telegram update',
      });
    }
  });

  it('lists the update types it asks for', () => {
    expect([...ALLOWED_UPDATES]).toEqual([
      'message',
      'edited_message',
      'callback_query',
      'my_chat_member',
    ]);
  });
});

describe('parseTelegramUpdate: group addressing', () => {
  const inGroup = (extra: Record<string, unknown>) =>
    parseTelegramUpdate({ update_id: 1, message: msg({ chat: group, ...extra }) }, AT, ME);

  it('marks a command, a mention or a reply to us as addressed; not other talk', () => {
    expect(inGroup({ text: '/help' })).toMatchObject({
      msg: { chatType: 'group', addressed: true, text: '/help' },
    });
    expect(inGroup({ text: '/baocao@cds_bot HSCV' })).toMatchObject({
      msg: { addressed: true, text: '/baocao HSCV' },
    });
    expect(
      inGroup({
        text: '@cds_bot  bc  HSCV',
        entities: [{ type: 'mention', offset: 0, length: 8 }],
      }),
    ).toMatchObject({ msg: { addressed: true, text: 'bc HSCV' } });
    expect(
      inGroup({ text: 'ok', reply_to_message: { message_id: 2, from: { id: 555 } } }),
    ).toMatchObject({ msg: { addressed: true, text: 'ok' } });
    const other = inGroup({ text: 'ok', reply_to_message: { message_id: 2, from: { id: 8 } } });
    expect(other.kind === 'message' && 'addressed' in other.msg).toBe(false);
    const plain = inGroup({ text: 'hello all' });
    expect(plain).toMatchObject({ msg: { text: 'hello all', chatType: 'group' } });
    expect(plain.kind === 'message' && 'addressed' in plain.msg).toBe(false);
    // Without our id a reply cannot be to us.
    const noId = parseTelegramUpdate(
      {
        update_id: 1,
        message: msg({ chat: group, text: 'ok', reply_to_message: { message_id: 2 } }),
      },
      AT,
      { username: 'cds_bot' },
    );
    expect(noId.kind === 'message' && 'addressed' in noId.msg).toBe(false);
  });

  it("ignores another bot's command in any chat, and never marks a private chat", () => {
    expect(inGroup({ text: '/help@other_bot' })).toEqual({
      kind: 'ignored',
      updateId: 1,
      reason: 'command for @other_bot',
    });
    const priv = parseTelegramUpdate({ update_id: 1, message: msg({ text: '/help' }) }, AT, ME);
    expect(priv.kind === 'message' && 'addressed' in priv.msg).toBe(false);
    expect(parseTelegramUpdate({ update_id: 1, message: msg({ text: '/x@y' }) }, AT, ME)).toEqual({
      kind: 'ignored',
      updateId: 1,
      reason: 'command for @y',
    });
  });

  it('reads caption entities for a caption, text entities for a text', () => {
    const cap = inGroup({
      text: undefined,
      photo: [{}],
      caption: '@cds_bot HSCV 70%',
      caption_entities: [{ type: 'mention', offset: 0, length: 8 }],
      entities: [{ type: 'mention', offset: 9, length: 4 }],
    });
    expect(cap).toMatchObject({ msg: { addressed: true, text: 'HSCV 70%' } });
    const txt = inGroup({
      text: 'a @cds_bot b',
      entities: [{ type: 'mention', offset: 2, length: 8 }],
      caption_entities: [{ type: 'mention', offset: 0, length: 1 }],
    });
    expect(txt).toMatchObject({ msg: { addressed: true, text: 'a b' } });
  });
});

describe('parseTelegramUpdate: buttons', () => {
  const cq = (extra: Record<string, unknown>, message: Record<string, unknown> | undefined) => ({
    update_id: 8,
    callback_query: {
      id: 'q1',
      from: { id: 7, first_name: 'Lan' },
      data: 'rep:ok',
      ...(message ? { message } : {}),
      ...extra,
    },
  });

  it('turns a private button press into a button message', () => {
    expect(parseTelegramUpdate(cq({}, { chat: { id: 42, type: 'private' } }), AT)).toEqual({
      kind: 'message',
      callbackQueryId: 'q1',
      msg: {
        channel: 'telegram',
        chatId: '42',
        userId: '7',
        chatType: 'private',
        button: 'rep:ok',
        updateId: '8',
        receivedAt: AT,
        displayName: 'Lan',
      },
    });
  });

  it('addresses a group press, keeping the quoted message and the topic', () => {
    const r = parseTelegramUpdate(
      cq(
        {},
        {
          chat: group,
          is_topic_message: true,
          message_thread_id: 4,
          reply_to_message: { message_id: 77, from: { id: 7 } },
        },
      ),
      AT,
    );
    expect(r).toMatchObject({
      kind: 'message',
      msg: { chatType: 'group', addressed: true, messageId: '77', threadId: '4' },
    });
    const noTopic = parseTelegramUpdate(
      cq({}, { chat: group, message_thread_id: 4, reply_to_message: { message_id: 77 } }),
      AT,
    );
    expect(noTopic).toMatchObject({ msg: { messageId: '77', addressed: true } });
    expect(noTopic.kind === 'message' && 'threadId' in noTopic.msg).toBe(false);
  });

  it("refuses a press on another member's conversation in a group, with a notice", () => {
    expect(
      parseTelegramUpdate(
        cq({}, { chat: group, reply_to_message: { message_id: 77, from: { id: 8 } } }),
        AT,
      ),
    ).toEqual({
      kind: 'ignored',
      updateId: 8,
      reason: "button of another member's conversation",
      callbackQueryId: 'q1',
      notice: 'channel.notYourButton',
    });
    // In a private chat the quoted author does not matter.
    const priv = parseTelegramUpdate(
      cq({}, { chat: { id: 42 }, reply_to_message: { message_id: 77, from: { id: 8 } } }),
      AT,
    );
    expect(priv).toMatchObject({ kind: 'message', msg: { chatType: 'private', messageId: '77' } });
    expect(priv.kind === 'message' && 'addressed' in priv.msg).toBe(false);
  });

  it('acknowledges presses without data or of an inline message', () => {
    expect(
      parseTelegramUpdate(cq({ data: undefined }, { chat: { id: 42, type: 'private' } }), AT),
    ).toEqual({
      kind: 'ignored',
      updateId: 8,
      reason: 'callback without data',
      callbackQueryId: 'q1',
    });
    expect(parseTelegramUpdate(cq({ inline_message_id: 'i' }, undefined), AT)).toEqual({
      kind: 'ignored',
      updateId: 8,
      reason: 'callback of an inline message',
      callbackQueryId: 'q1',
    });
  });
});

describe('parseTelegramUpdate: my_chat_member', () => {
  const member = (status: string, type = 'private') => ({
    update_id: 9,
    my_chat_member: {
      chat: { id: 42, type },
      from: { id: 7 },
      new_chat_member: { status, user: { id: 555 } },
    },
  });
  it('reports reachability in a private chat: blocked/left unreachable, back reachable', () => {
    expect(parseTelegramUpdate(member('kicked'), AT)).toEqual({
      kind: 'ignored',
      updateId: 9,
      reason: 'my_chat_member kicked',
      reachability: { userId: '7', reachable: false },
    });
    expect(parseTelegramUpdate(member('left'), AT)).toMatchObject({
      reachability: { reachable: false },
    });
    expect(parseTelegramUpdate(member('member'), AT)).toMatchObject({
      reason: 'my_chat_member member',
      reachability: { userId: '7', reachable: true },
    });
  });
  it('reports no reachability for a group', () => {
    const r = parseTelegramUpdate(member('kicked', 'group'), AT);
    expect(r).toEqual({ kind: 'ignored', updateId: 9, reason: 'my_chat_member kicked' });
  });
});

describe('addressing', () => {
  it('finds a text_mention of our id, but not of someone else or without our id', () => {
    const e = [{ type: 'text_mention', offset: 0, length: 3, user: { id: 555 } }];
    expect(addressing('Bot hi', e, ME)).toEqual({ kind: 'ours', text: 'Bot hi', addressed: true });
    expect(addressing('Bot hi', e, { username: 'cds_bot' })).toEqual({
      kind: 'ours',
      text: 'Bot hi',
      addressed: false,
    });
    expect(
      addressing('Bot hi', [{ type: 'text_mention', offset: 0, length: 3, user: { id: 1 } }], ME),
    ).toEqual({ kind: 'ours', text: 'Bot hi', addressed: false });
  });

  it('does not take our name in code or a link for a mention of us', () => {
    const text = 'lệnh cds_bot và cds_bot';
    const entities = [
      { type: 'code', offset: 5, length: 7 },
      { type: 'text_link', offset: 16, length: 7 },
    ];
    expect(addressing(text, entities, ME)).toEqual({ kind: 'ours', text, addressed: false });
  });

  it("cuts out every mention of us right to left, leaving others' mentions", () => {
    const text = '@cds_bot hỏi @lan và @CDS_BOT';
    const entities = [
      { type: 'mention', offset: 0, length: 8 },
      { type: 'mention', offset: 13, length: 4 },
      { type: 'mention', offset: 21, length: 8 },
    ];
    expect(addressing(text, entities, ME)).toEqual({
      kind: 'ours',
      text: 'hỏi @lan và',
      addressed: true,
    });
    expect(addressing(text, entities, { username: '@cds_bot' })).toMatchObject({
      addressed: true,
      text: 'hỏi @lan và',
    });
  });

  it('falls back to a plain @username without entities, case-insensitively, as a word', () => {
    expect(addressing('hi  @CDS_bot  there', [], ME)).toEqual({
      kind: 'ours',
      text: 'hi there',
      addressed: true,
    });
    expect(addressing('hi @cds_botx', [], ME)).toEqual({
      kind: 'ours',
      text: 'hi @cds_botx',
      addressed: false,
    });
    expect(addressing('mail@cds_bot', [], ME)).toEqual({
      kind: 'ours',
      text: 'mail@cds_bot',
      addressed: false,
    });
    expect(addressing('hi  @cds_bot', [], {})).toEqual({
      kind: 'ours',
      text: 'hi  @cds_bot',
      addressed: false,
    });
  });

  it('keeps a text unchanged when it is not for us', () => {
    expect(addressing('a  b ', [{ type: 'mention', offset: 0, length: 1 }], ME)).toEqual({
      kind: 'ours',
      text: 'a  b ',
      addressed: false,
    });
  });

  it('reads commands: bare is ours, @us is ours stripped, @other is theirs', () => {
    expect(addressing('/help', [], {})).toEqual({ kind: 'ours', text: '/help', addressed: true });
    expect(addressing('/help@Cds_Bot x', [], ME)).toEqual({
      kind: 'ours',
      text: '/help x',
      addressed: true,
    });
    expect(addressing('/help@cds_bot', [], {})).toEqual({ kind: 'otherBot', name: 'cds_bot' });
    expect(addressing('/help@someone', [], ME)).toEqual({ kind: 'otherBot', name: 'someone' });
    expect(addressing('/help@someone-x', [], ME)).toMatchObject({ kind: 'ours' });
  });
});

describe('addressing: what only looks like it is for us', () => {
  it('takes a command only at the start, and a mention only from a mention entity', () => {
    expect(addressing('hi /help@other', [], ME)).toEqual({
      kind: 'ours',
      text: 'hi /help@other',
      addressed: false,
    });
    expect(addressing('#cds_bot hi', [{ type: 'hashtag', offset: 0, length: 8 }], ME)).toEqual({
      kind: 'ours',
      text: '#cds_bot hi',
      addressed: false,
    });
  });

  it('finds a plain @username when the configured name has a leading @', () => {
    expect(addressing('hi @cds_bot', [], { username: '@cds_bot' })).toEqual({
      kind: 'ours',
      text: 'hi',
      addressed: true,
    });
  });

  it('reads a text_mention of us from the entities of the part that was sent', () => {
    const mentionUs = [{ type: 'text_mention', offset: 0, length: 3, user: { id: 555 } }];
    const caption = parseTelegramUpdate(
      {
        update_id: 1,
        message: msg({
          chat: group,
          text: undefined,
          photo: [{}],
          caption: 'Bot HSCV 70%',
          caption_entities: mentionUs,
        }),
      },
      AT,
      ME,
    );
    expect(caption).toMatchObject({ msg: { addressed: true, text: 'Bot HSCV 70%' } });
    const text = parseTelegramUpdate(
      {
        update_id: 1,
        message: msg({
          chat: group,
          text: 'Bot HSCV 70%',
          entities: mentionUs,
          caption_entities: [],
        }),
      },
      AT,
      ME,
    );
    expect(text).toMatchObject({ msg: { addressed: true } });
    const wrongList = parseTelegramUpdate(
      {
        update_id: 1,
        message: msg({ chat: group, text: 'Bot HSCV 70%', caption_entities: mentionUs }),
      },
      AT,
      ME,
    );
    expect(wrongList.kind === 'message' && 'addressed' in wrongList.msg).toBe(false);
  });

  it('reads a reply to a message without an author (a channel post) as not to us', () => {
    const r = parseTelegramUpdate(
      {
        update_id: 1,
        message: msg({ chat: group, text: 'ok', reply_to_message: { message_id: 3 } }),
      },
      AT,
      ME,
    );
    expect(r).toMatchObject({ kind: 'message', msg: { text: 'ok' } });
    expect(r.kind === 'message' && 'addressed' in r.msg).toBe(false);
  });
});

describe('botIdFromToken', () => {
  it('is the number before the colon, or undefined', () => {
    expect(botIdFromToken('123456:ABC-def')).toBe(123456);
    expect(botIdFromToken('0:abc')).toBeUndefined();
    expect(botIdFromToken('abc:123')).toBeUndefined();
    expect(botIdFromToken('123456')).toBeUndefined();
    expect(botIdFromToken('99999999999999999999:x')).toBeUndefined();
    expect(botIdFromToken('x123:abc')).toBeUndefined();
  });
});
