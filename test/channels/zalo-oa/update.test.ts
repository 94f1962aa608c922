/**
 * Zalo OA event bodies -> InboundMessage, pure: every branch of src/channels/zalo-oa/update.ts
 * with the exact result it must give (the webhook tests go through HTTP and only see the end).
 */
import { describe, expect, it } from 'vitest';
import {
  parseOaEnvelope,
  parseOaEvent,
  type OaEnvelope,
} from '../../../src/channels/zalo-oa/update.js';
import { verifyZaloOaSignature, zaloOaSignature } from '../../../src/channels/zalo-oa/index.js';

const RECEIVED = new Date('2026-12-02T10:00:00.000Z');
const EARLIER = String(RECEIVED.getTime() - 5000);

function env(eventName: string, timestamp = EARLIER): OaEnvelope {
  return { appId: 'A1', eventName, timestamp };
}

describe('parseOaEnvelope', () => {
  it('reads app id, event name and timestamp as strings', () => {
    expect(parseOaEnvelope({ app_id: 42, event_name: 'follow', timestamp: 1700 })).toEqual({
      appId: '42',
      eventName: 'follow',
      timestamp: '1700',
    });
    expect(parseOaEnvelope({ app_id: 'x', event_name: 'e', timestamp: '17' })).toEqual({
      appId: 'x',
      eventName: 'e',
      timestamp: '17',
    });
  });

  it('leaves the app id out when the event has none', () => {
    const e = parseOaEnvelope({ event_name: 'change_oa_daily_quota', timestamp: '1' });
    expect(e).toEqual({ eventName: 'change_oa_daily_quota', timestamp: '1' });
    expect(e && 'appId' in e).toBe(false);
  });

  it('is null when a signed field is missing or malformed', () => {
    expect(parseOaEnvelope(null)).toBeNull();
    expect(parseOaEnvelope({ event_name: 'follow' })).toBeNull();
    expect(parseOaEnvelope({ event_name: '', timestamp: '1' })).toBeNull();
    expect(parseOaEnvelope({ event_name: 'follow', timestamp: '12a' })).toBeNull();
    expect(parseOaEnvelope({ event_name: 'follow', timestamp: 'x1' })).toBeNull();
    expect(parseOaEnvelope({ event_name: 'follow', timestamp: 1.5 })).toBeNull();
    expect(parseOaEnvelope({ app_id: '', event_name: 'follow', timestamp: '1' })).toBeNull();
  });
});

describe('parseOaEvent', () => {
  const text = (t: unknown, extra: object = {}) => ({
    sender: { id: 7 },
    message: { msg_id: 'm1', text: t, ...extra },
  });

  it('turns user_send_text into a text message at the event time', () => {
    expect(parseOaEvent(text('bc HSCV 65%'), env('user_send_text'), RECEIVED)).toEqual({
      kind: 'message',
      at: new Date(Number(EARLIER)),
      msg: {
        channel: 'zalo-oa',
        chatId: '7',
        userId: '7',
        updateId: 'm1',
        receivedAt: RECEIVED,
        text: 'bc HSCV 65%',
      },
    });
  });

  it('uses the receive time for a timestamp from the future, zero or not a number', () => {
    const future = String(RECEIVED.getTime() + 1);
    expect(parseOaEvent(text('a'), env('user_send_text', future), RECEIVED)).toMatchObject({
      at: RECEIVED,
    });
    expect(parseOaEvent(text('a'), env('user_send_text', '0'), RECEIVED)).toMatchObject({
      at: RECEIVED,
    });
    expect(parseOaEvent(text('a'), env('user_send_text', 'abc'), RECEIVED)).toMatchObject({
      at: RECEIVED,
    });
    // Exactly the receive time is not the future.
    const same = String(RECEIVED.getTime());
    const r = parseOaEvent(text('a'), env('user_send_text', same), RECEIVED);
    expect(r.kind === 'message' && r.at).toEqual(RECEIVED);
    const one = parseOaEvent(text('a'), env('user_send_text', '1'), RECEIVED);
    expect(one.kind === 'message' && one.at.getTime()).toBe(1);
  });

  it('answers blank, missing or non-text messages as unsupported', () => {
    for (const [body, name] of [
      [text('   '), 'user_send_text'],
      [text(undefined), 'user_send_text'],
      [text('looks like text'), 'user_send_image'],
      [text('', { attachments: [{ type: 'sticker' }] }), 'user_send_sticker'],
    ] as const) {
      const r = parseOaEvent(body, env(name), RECEIVED);
      expect(r).toEqual({
        kind: 'message',
        at: new Date(Number(EARLIER)),
        msg: {
          channel: 'zalo-oa',
          chatId: '7',
          userId: '7',
          updateId: 'm1',
          receivedAt: RECEIVED,
          event: 'unsupported',
        },
      });
    }
  });

  it('rejects a user event without sender or message id, naming the problem', () => {
    const r = parseOaEvent({ message: { msg_id: 'm' } }, env('user_send_text'), RECEIVED);
    expect(r.kind).toBe('invalid');
    expect(r.kind === 'invalid' && r.reason.length).toBeGreaterThan(0);
    expect(r.kind === 'invalid' && r.reason).not.toBe('invalid event');
    expect(
      parseOaEvent(
        { sender: { id: '' }, message: { msg_id: 'm' } },
        env('user_send_text'),
        RECEIVED,
      ).kind,
    ).toBe('invalid');
  });

  it('turns follow into a follow event keyed by follower and timestamp', () => {
    expect(parseOaEvent({ follower: { id: '99' } }, env('follow'), RECEIVED)).toEqual({
      kind: 'message',
      at: new Date(Number(EARLIER)),
      msg: {
        channel: 'zalo-oa',
        chatId: '99',
        userId: '99',
        event: 'follow',
        updateId: `follow:99:${EARLIER}`,
        receivedAt: RECEIVED,
      },
    });
    expect(parseOaEvent({}, env('follow'), RECEIVED)).toEqual({
      kind: 'invalid',
      reason: 'follow event without follower.id',
    });
  });

  it('marks the follower unreachable on unfollow, and ignores the event', () => {
    expect(parseOaEvent({ follower: { id: 5 } }, env('unfollow'), RECEIVED)).toEqual({
      kind: 'ignored',
      reason: 'unfollow',
      reachability: { userId: '5', reachable: false },
    });
    const bare = parseOaEvent({}, env('unfollow'), RECEIVED);
    expect(bare).toEqual({ kind: 'ignored', reason: 'unfollow' });
    expect('reachability' in bare).toBe(false);
  });

  it('ignores group chat and every event it does not handle, saying which', () => {
    expect(parseOaEvent(text('hi'), env('user_send_group_text'), RECEIVED)).toEqual({
      kind: 'ignored',
      reason: 'OA group chat message',
    });
    expect(parseOaEvent(text('hi'), env('oa_send_text'), RECEIVED)).toEqual({
      kind: 'ignored',
      reason: 'event oa_send_text not handled',
    });
    expect(parseOaEvent(text('hi'), env('user_seen_message'), RECEIVED)).toEqual({
      kind: 'ignored',
      reason: 'event user_seen_message not handled',
    });
  });
});

describe('verifyZaloOaSignature edge cases', () => {
  const raw = Buffer.from('{"a":1}');
  const good = zaloOaSignature('A', raw, '1', 'K');

  it('accepts surrounding blanks and rejects a missing or empty header', () => {
    expect(verifyZaloOaSignature(`  ${good}\t`, 'A', raw, '1', 'K')).toBe(true);
    expect(verifyZaloOaSignature(undefined, 'A', raw, '1', 'K')).toBe(false);
    expect(verifyZaloOaSignature('', 'A', raw, '1', 'K')).toBe(false);
    expect(verifyZaloOaSignature(good, 'B', raw, '1', 'K')).toBe(false);
    expect(verifyZaloOaSignature(good, 'A', raw, '1', 'K2')).toBe(false);
    expect(verifyZaloOaSignature(good, 'A', Buffer.from('{"a":2}'), '1', 'K')).toBe(false);
  });
});
