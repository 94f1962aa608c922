/**
 * Zalo Bot webhook body -> InboundMessage. Two body shapes are reported in the wild and both
 * are accepted: flat `{event_name, message}` and wrapped `{ok: true, result: {event_name, message}}`.
 * Ids may arrive as numbers or strings; they are kept as strings.
 *
 * Every authentic event is answered 200: events without a `message` (a protected account's
 * `message.unsupported.received`, the bot added to a group) and events we do not handle
 * (reactions) are ignored. A photo's caption is read as text. In a group only a command for
 * us (`/cmd`, or `/cmd@OurName`) or a mention of our name (ZALO_BOT_USERNAME) is addressed.
 */
import { z } from 'zod';
import type { InboundMessage } from '../../core/message.js';

const Id = z.union([z.string().min(1), z.number()]).transform(String);

const Message = z.object({
  message_id: Id,
  date: z.number().optional(),
  chat: z.object({ id: Id, chat_type: z.string().optional() }),
  from: z
    .object({ id: Id, display_name: z.string().optional(), is_bot: z.boolean().optional() })
    .optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
});

const Event = z.object({ event_name: z.string(), message: z.unknown().optional() });
const Body = z.union([z.object({ ok: z.literal(true), result: Event }), Event]);

export const TEXT_EVENT = 'message.text.received';
export const IMAGE_EVENT = 'message.image.received';
/** Events that get no answer at all, even in a private chat. */
const SILENT_EVENTS = new Set(['message.reaction.received']);

export type ParsedZaloBotUpdate =
  | { kind: 'message'; msg: InboundMessage; event: string }
  | { kind: 'ignored'; reason: string; event?: string }
  | { kind: 'invalid'; reason: string };

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Who a text is for: `/cmd@Other` is another bot's (null); `/cmd@Ours` and a bare `/cmd` are
 * ours, the mention removed; `@Ours` anywhere makes the text addressed to us and is removed.
 */
export function zaloAddressing(
  text: string,
  username: string | undefined,
): { text: string; addressed: boolean } | null {
  const name = username?.replace(/^@/, '');
  const command = /^(\/[\p{L}\p{N}_]+)(?:@([\p{L}\p{N}_.]+))?(?=\s|$)/u.exec(text);
  if (command) {
    const [whole, cmd, mention] = command as unknown as [string, string, string | undefined];
    if (mention === undefined) return { text, addressed: true };
    if (!name || mention.toLowerCase() !== name.toLowerCase()) return null;
    return { text: cmd + text.slice(whole.length), addressed: true };
  }
  if (!name) return { text, addressed: false };
  const re = new RegExp(`(^|\\s)@${escapeRe(name)}(?=$|[\\s,:.!?])`, 'iu');
  if (!re.test(text)) return { text, addressed: false };
  return {
    text: text
      .replace(re, '$1')
      .replace(/^[\s,:]+/, '')
      .trim(),
    addressed: true,
  };
}

/** Parse a decoded JSON body; `invalid` -> 400, `ignored` -> 200 without processing. */
export function parseZaloBotUpdate(
  body: unknown,
  receivedAt: Date,
  me: { username?: string } = {},
): ParsedZaloBotUpdate {
  const parsed = Body.safeParse(body);
  if (!parsed.success)
    return { kind: 'invalid', reason: parsed.error.issues[0]?.message ?? 'invalid body' };
  const ev = 'result' in parsed.data ? parsed.data.result : parsed.data;
  const event = ev.event_name;
  if (!event.startsWith('message.'))
    return { kind: 'ignored', event, reason: `event ${event} not handled` };
  if (ev.message === undefined) return { kind: 'ignored', event, reason: 'event without message' };
  const mp = Message.safeParse(ev.message);
  if (!mp.success)
    return {
      kind: 'ignored',
      event,
      reason: `message not understood: ${mp.error.issues[0]?.message ?? ''}`,
    };
  const m = mp.data;
  if (m.from?.is_bot) return { kind: 'ignored', event, reason: 'message from a bot' };
  if (SILENT_EVENTS.has(event)) return { kind: 'ignored', event, reason: `event ${event}` };
  const group = m.chat.chat_type?.toUpperCase() === 'GROUP';
  const base: InboundMessage = {
    channel: 'zalo-bot',
    chatId: m.chat.id,
    userId: m.from?.id ?? m.chat.id,
    chatType: group ? 'group' : 'private',
    messageId: m.message_id,
    updateId: m.message_id,
    receivedAt,
    displayName: m.from?.display_name,
  };
  const typed =
    event === TEXT_EVENT ? m.text : event === IMAGE_EVENT ? (m.caption ?? m.text) : undefined;
  if (typeof typed === 'string' && typed.trim() !== '') {
    const a = zaloAddressing(typed, me.username);
    if (!a) return { kind: 'ignored', event, reason: 'command for another bot' };
    return {
      kind: 'message',
      event,
      msg: { ...base, text: a.text, ...(group && a.addressed ? { addressed: true } : {}) },
    };
  }
  return { kind: 'message', event, msg: { ...base, event: 'unsupported' } };
}
