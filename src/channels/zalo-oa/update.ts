/**
 * Zalo OA v3 webhook event -> InboundMessage. `user_send_text` becomes text, `follow` a follow
 * event, other `user_send_*` (image, sticker, file…) an unsupported event answered politely;
 * every other event (unfollow, seen, OA echoes) is acknowledged and ignored.
 */
import { z } from 'zod';
import type { InboundMessage } from '../../core/message.js';

const Id = z.union([z.string().min(1), z.number()]).transform(String);

// Some events carry no app_id (change_oa_daily_quota, add_user_to_tag, ZNS receipts): the
// signature is then checked with the configured one (it always is).
const Envelope = z.object({
  app_id: Id.optional(),
  event_name: z.string().min(1),
  timestamp: z.union([z.string().regex(/^\d+$/), z.number().int()]).transform(String),
});

const UserEvent = z.object({
  sender: z.object({ id: Id }),
  message: z.object({ msg_id: Id, text: z.string().optional() }).loose(),
});
const FollowEvent = z.object({ follower: z.object({ id: Id }) });

export interface OaEnvelope {
  appId?: string;
  eventName: string;
  /** The timestamp exactly as it appears in the body (it is part of the signature). */
  timestamp: string;
}

/** Read the fields needed to check the signature; null when they are missing. */
export function parseOaEnvelope(body: unknown): OaEnvelope | null {
  const e = Envelope.safeParse(body);
  return e.success
    ? {
        ...(e.data.app_id !== undefined ? { appId: e.data.app_id } : {}),
        eventName: e.data.event_name,
        timestamp: e.data.timestamp,
      }
    : null;
}

export type ParsedOaEvent =
  | { kind: 'message'; msg: InboundMessage; at: Date }
  | { kind: 'ignored'; reason: string; reachability?: { userId: string; reachable: boolean } }
  | { kind: 'invalid'; reason: string };

/** Parse a verified event body. */
export function parseOaEvent(body: unknown, env: OaEnvelope, receivedAt: Date): ParsedOaEvent {
  const ms = Number(env.timestamp);
  // The event's own time, unless it claims to be from the future.
  const at =
    Number.isFinite(ms) && ms > 0 && ms <= receivedAt.getTime() ? new Date(ms) : receivedAt;

  if (env.eventName === 'follow') {
    const f = FollowEvent.safeParse(body);
    if (!f.success) return { kind: 'invalid', reason: 'follow event without follower.id' };
    const userId = f.data.follower.id;
    return {
      kind: 'message',
      at,
      msg: {
        channel: 'zalo-oa',
        chatId: userId,
        userId,
        event: 'follow',
        updateId: `follow:${userId}:${env.timestamp}`,
        receivedAt,
      },
    };
  }
  if (env.eventName === 'unfollow') {
    // Messages to them fail from now on: reminders go to another of their identities.
    const f = FollowEvent.safeParse(body);
    return {
      kind: 'ignored',
      reason: 'unfollow',
      ...(f.success ? { reachability: { userId: f.data.follower.id, reachable: false } } : {}),
    };
  }
  // OA group chat (user_send_group_*): our replies go to one person, never to the group, so
  // the group policy leaves nothing to answer.
  if (env.eventName.startsWith('user_send_group'))
    return { kind: 'ignored', reason: 'OA group chat message' };
  if (!env.eventName.startsWith('user_send_'))
    return { kind: 'ignored', reason: `event ${env.eventName} not handled` };
  const u = UserEvent.safeParse(body);
  if (!u.success) return { kind: 'invalid', reason: u.error.issues[0]?.message ?? 'invalid event' };
  const userId = u.data.sender.id;
  const base: InboundMessage = {
    channel: 'zalo-oa',
    chatId: userId,
    userId,
    updateId: u.data.message.msg_id,
    receivedAt,
  };
  const text = u.data.message.text;
  if (env.eventName === 'user_send_text' && typeof text === 'string' && text.trim() !== '') {
    return { kind: 'message', at, msg: { ...base, text } };
  }
  return { kind: 'message', at, msg: { ...base, event: 'unsupported' } };
}
