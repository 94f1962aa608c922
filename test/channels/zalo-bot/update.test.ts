/**
 * Zalo Bot webhook bodies -> InboundMessage, pure (src/channels/zalo-bot/update.ts): both body
 * shapes, every ignored case with its reason, captions, group addressing and mentions.
 */
import { describe, expect, it } from 'vitest';
import {
  IMAGE_EVENT,
  parseZaloBotUpdate,
  TEXT_EVENT,
  zaloAddressing,
} from '../../../src/channels/zalo-bot/update.js';

const AT = new Date('2026-12-02T10:00:00.000Z');

function message(extra: Record<string, unknown> = {}) {
  return {
    message_id: 'm1',
    date: 1764669600000,
    chat: { id: 'c1', chat_type: 'PRIVATE' },
    from: { id: 'u1', display_name: 'Lan', is_bot: false },
    text: 'bc HSCV 65%',
    ...extra,
  };
}

describe('parseZaloBotUpdate', () => {
  it('reads a flat text event with every field of the message', () => {
    expect(parseZaloBotUpdate({ event_name: TEXT_EVENT, message: message() }, AT)).toEqual({
      kind: 'message',
      event: TEXT_EVENT,
      msg: {
        channel: 'zalo-bot',
        chatId: 'c1',
        userId: 'u1',
        chatType: 'private',
        messageId: 'm1',
        updateId: 'm1',
        receivedAt: AT,
        displayName: 'Lan',
        text: 'bc HSCV 65%',
      },
    });
  });

  it('reads the wrapped {ok, result} shape and numeric ids as strings', () => {
    const r = parseZaloBotUpdate(
      {
        ok: true,
        result: {
          event_name: TEXT_EVENT,
          message: message({ message_id: 5, chat: { id: 9 }, from: { id: 8 } }),
        },
      },
      AT,
    );
    expect(r).toMatchObject({
      kind: 'message',
      msg: { chatId: '9', userId: '8', messageId: '5', updateId: '5', chatType: 'private' },
    });
  });

  it('uses the chat as the user when the message has no sender', () => {
    const { from: _from, ...noFrom } = message();
    const r = parseZaloBotUpdate({ event_name: TEXT_EVENT, message: noFrom }, AT);
    expect(r).toMatchObject({ kind: 'message', msg: { userId: 'c1', chatId: 'c1' } });
    expect(r.kind === 'message' && r.msg.displayName).toBeUndefined();
  });

  it('is invalid without an event name, naming the problem', () => {
    const r = parseZaloBotUpdate({ message: message() }, AT);
    expect(r.kind).toBe('invalid');
    expect(r.kind === 'invalid' && r.reason).not.toBe('invalid body');
    expect(parseZaloBotUpdate({ ok: false, result: { event_name: 1 } }, AT).kind).toBe('invalid');
  });

  it('ignores, with its reason, what it does not handle', () => {
    expect(parseZaloBotUpdate({ event_name: 'bot.added', message: message() }, AT)).toEqual({
      kind: 'ignored',
      event: 'bot.added',
      reason: 'event bot.added not handled',
    });
    expect(parseZaloBotUpdate({ event_name: 'message.unsupported.received' }, AT)).toEqual({
      kind: 'ignored',
      event: 'message.unsupported.received',
      reason: 'event without message',
    });
    const odd = parseZaloBotUpdate({ event_name: TEXT_EVENT, message: { text: 'x' } }, AT);
    expect(odd).toMatchObject({ kind: 'ignored', event: TEXT_EVENT });
    expect(odd.kind === 'ignored' && odd.reason).toMatch(/^message not understood: \S/);
    expect(
      parseZaloBotUpdate(
        { event_name: TEXT_EVENT, message: message({ from: { id: 'b', is_bot: true } }) },
        AT,
      ),
    ).toEqual({ kind: 'ignored', event: TEXT_EVENT, reason: 'message from a bot' });
    expect(
      parseZaloBotUpdate({ event_name: 'message.reaction.received', message: message() }, AT),
    ).toEqual({
      kind: 'ignored',
      event: 'message.reaction.received',
      reason: 'event message.reaction.received',
    });
  });

  it('reads a photo caption as text, else its text, else unsupported', () => {
    const cap = parseZaloBotUpdate(
      { event_name: IMAGE_EVENT, message: message({ caption: 'HSCV 70%', text: 'other' }) },
      AT,
    );
    expect(cap).toMatchObject({ kind: 'message', msg: { text: 'HSCV 70%' } });
    const txt = parseZaloBotUpdate({ event_name: IMAGE_EVENT, message: message() }, AT);
    expect(txt).toMatchObject({ kind: 'message', msg: { text: 'bc HSCV 65%' } });
    for (const [event, m] of [
      [IMAGE_EVENT, message({ text: undefined })],
      [TEXT_EVENT, message({ text: '   ' })],
      [TEXT_EVENT, message({ text: undefined })],
      ['message.sticker.received', message()],
    ] as const) {
      const r = parseZaloBotUpdate({ event_name: event, message: m }, AT);
      expect(r.kind === 'message' && r.msg).toMatchObject({ event: 'unsupported', chatId: 'c1' });
      expect(r.kind === 'message' && 'text' in r.msg).toBe(false);
    }
  });

  it('marks group messages addressed only when they are for us', () => {
    const group = (text: string) =>
      parseZaloBotUpdate(
        {
          event_name: TEXT_EVENT,
          message: message({ text, chat: { id: 'g', chat_type: 'group' } }),
        },
        AT,
        { username: 'cds_bot' },
      );
    expect(group('@cds_bot bc HSCV 65%')).toMatchObject({
      kind: 'message',
      msg: { chatType: 'group', addressed: true, text: 'bc HSCV 65%' },
    });
    const plain = group('hello all');
    expect(plain).toMatchObject({ msg: { chatType: 'group', text: 'hello all' } });
    expect(plain.kind === 'message' && 'addressed' in plain.msg).toBe(false);
    expect(group('/help@other_bot')).toEqual({
      kind: 'ignored',
      event: TEXT_EVENT,
      reason: 'command for another bot',
    });
    // A private chat never carries `addressed`.
    const priv = parseZaloBotUpdate(
      { event_name: TEXT_EVENT, message: message({ text: '@cds_bot hi' }) },
      AT,
      { username: 'cds_bot' },
    );
    expect(priv.kind === 'message' && 'addressed' in priv.msg).toBe(false);
    expect(priv).toMatchObject({ msg: { text: 'hi' } });
  });
});

describe('zaloAddressing', () => {
  it('keeps a bare command as ours, unchanged', () => {
    expect(zaloAddressing('/help me', 'cds_bot')).toEqual({ text: '/help me', addressed: true });
    expect(zaloAddressing('/help', undefined)).toEqual({ text: '/help', addressed: true });
  });
  it('strips our name from /cmd@name (any case, with or without @ in the setting)', () => {
    expect(zaloAddressing('/baocao@CDS_Bot HSCV 65%', '@cds_bot')).toEqual({
      text: '/baocao HSCV 65%',
      addressed: true,
    });
    expect(zaloAddressing('/baocao@cds_bot', 'cds_bot')).toEqual({
      text: '/baocao',
      addressed: true,
    });
  });
  it("gives null for another bot's command, or any /cmd@name when we have no name", () => {
    expect(zaloAddressing('/help@other', 'cds_bot')).toBeNull();
    expect(zaloAddressing('/help@cds_bot', undefined)).toBeNull();
    // Only a command at the start counts as one.
    expect(zaloAddressing('hi /help@other', 'cds_bot')).toEqual({
      text: 'hi /help@other',
      addressed: false,
    });
  });
  it('is not addressed without our name or a mention of it', () => {
    expect(zaloAddressing('hello', undefined)).toEqual({ text: 'hello', addressed: false });
    expect(zaloAddressing('hello', 'cds_bot')).toEqual({ text: 'hello', addressed: false });
    expect(zaloAddressing('mail@cds_bot', 'cds_bot')).toEqual({
      text: 'mail@cds_bot',
      addressed: false,
    });
    expect(zaloAddressing('@cds_botx hi', 'cds_bot')).toEqual({
      text: '@cds_botx hi',
      addressed: false,
    });
    expect(zaloAddressing('@cdsXbot hi', 'cds.bot')).toEqual({
      text: '@cdsXbot hi',
      addressed: false,
    });
  });
  it('removes a mention anywhere, with the punctuation that follows a leading one', () => {
    expect(zaloAddressing('@CDS_BOT, bc HSCV 65%', 'cds_bot')).toEqual({
      text: 'bc HSCV 65%',
      addressed: true,
    });
    expect(zaloAddressing('@cds_bot: HSCV 65%', 'cds_bot')).toEqual({
      text: 'HSCV 65%',
      addressed: true,
    });
    expect(zaloAddressing('bc HSCV 65% @cds_bot', 'cds_bot')).toEqual({
      text: 'bc HSCV 65%',
      addressed: true,
    });
    expect(zaloAddressing('hi @cds_bot! ok', 'cds_bot')).toEqual({
      text: 'hi ! ok',
      addressed: true,
    });
    expect(zaloAddressing('@cds.bot hi', 'cds.bot')).toEqual({ text: 'hi', addressed: true });
    expect(zaloAddressing('@cds_bot,: bc HSCV', 'cds_bot')).toEqual({
      text: 'bc HSCV',
      addressed: true,
    });
  });
});
