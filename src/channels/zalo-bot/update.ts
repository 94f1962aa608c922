/**
 * Zalo Bot webhook body -> InboundMessage. Two body shapes are reported in the wild and both
 * are accepted: flat `{event_name, message}` and wrapped `{ok: true, result: {event_name, message}}`.
 * Ids may arrive as numbers or strings; they are kept as strings.
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
});

const Event = z.object({ event_name: z.string(), message: Message });
const Body = z.union([Event, z.object({ ok: z.literal(true), result: Event })]);

export const TEXT_EVENT = 'message.text.received';

export type ParsedZaloBotUpdate =
  | { kind: 'message'; msg: InboundMessage; event: string }
  | { kind: 'ignored'; reason: string }
  | { kind: 'invalid'; reason: string };

/** Parse a decoded JSON body; `invalid` -> 400, `ignored` -> 200 without processing. */
export function parseZaloBotUpdate(body: unknown, receivedAt: Date): ParsedZaloBotUpdate {
  const parsed = Body.safeParse(body);
  if (!parsed.success) {
    const name = body as { event_name?: unknown; result?: { event_name?: unknown } } | null;
    const eventName = name?.event_name ?? name?.result?.event_name;
    if (typeof eventName === 'string' && !eventName.startsWith('message.')) {
      return { kind: 'ignored', reason: `event ${eventName} not handled` };
    }
    return { kind: 'invalid', reason: parsed.error.issues[0]?.message ?? 'invalid body' };
  }
  const ev = 'result' in parsed.data ? parsed.data.result : parsed.data;
  if (!ev.event_name.startsWith('message.'))
    return { kind: 'ignored', reason: `event ${ev.event_name} not handled` };
  const m = ev.message;
  if (m.from?.is_bot) return { kind: 'ignored', reason: 'message from a bot' };
  const base: InboundMessage = {
    channel: 'zalo-bot',
    chatId: m.chat.id,
    userId: m.from?.id ?? m.chat.id,
    chatType: m.chat.chat_type?.toUpperCase() === 'GROUP' ? 'group' : 'private',
    updateId: m.message_id,
    receivedAt,
    displayName: m.from?.display_name,
  };
  if (ev.event_name === TEXT_EVENT && typeof m.text === 'string' && m.text.trim() !== '') {
    return {
      kind: 'message',
      event: ev.event_name,
      msg: { ...base, text: m.text },
    };
  }
  return { kind: 'message', event: ev.event_name, msg: { ...base, event: 'unsupported' } };
}
