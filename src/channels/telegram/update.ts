/**
 * Telegram update -> InboundMessage. Only the fields we use are validated (zod); everything
 * else in the update is ignored, so new Bot API fields never break parsing.
 */
import { z } from 'zod';
import type { InboundMessage } from '../../core/message.js';

const Int = z.number().int();
const User = z.object({
  id: Int,
  is_bot: z.boolean().optional(),
  first_name: z.string().optional(),
  last_name: z.string().optional(),
  username: z.string().optional(),
});
const Chat = z.object({ id: Int, type: z.string().optional() });
const Message = z.object({
  message_id: Int,
  date: Int,
  chat: Chat,
  from: User.optional(),
  text: z.string().optional(),
});
const CallbackQuery = z.object({
  id: z.string(),
  from: User,
  data: z.string().optional(),
  message: z.object({ chat: Chat }).optional(),
});

/** The part of a Telegram Update we understand. */
export const TelegramUpdate = z.object({
  update_id: Int.nonnegative(),
  message: Message.optional(),
  edited_message: Message.optional(),
  callback_query: CallbackQuery.optional(),
});
export type TelegramUpdate = z.infer<typeof TelegramUpdate>;

/** The update types we ask Telegram for (setWebhook / getUpdates `allowed_updates`). */
export const ALLOWED_UPDATES = ['message', 'edited_message', 'callback_query'] as const;

export type ParsedUpdate =
  | { kind: 'message'; msg: InboundMessage; callbackQueryId?: string }
  | { kind: 'ignored'; updateId?: number; reason: string }
  | { kind: 'invalid'; reason: string };

function displayName(user: z.infer<typeof User> | undefined): string | undefined {
  if (!user) return undefined;
  const name = [user.first_name, user.last_name].filter(Boolean).join(' ').trim();
  return name || user.username || undefined;
}

/** Telegram's chat types: private, group, supergroup, channel. */
function chatTypeOf(type: string | undefined): 'private' | 'group' {
  return type === undefined || type === 'private' ? 'private' : 'group';
}

/** "/help@CdsBot rest" -> "/help rest": handlers match commands without the bot's name. */
function stripBotMention(text: string): string {
  return text.replace(/^(\/[A-Za-z0-9_]+)@[A-Za-z0-9_]+/, '$1');
}

/**
 * Parse a decoded JSON body. `invalid` means the body is not a Telegram update at all (400);
 * `ignored` means a valid update of a kind we do not handle (200, logged).
 */
export function parseTelegramUpdate(body: unknown, receivedAt: Date): ParsedUpdate {
  const parsed = TelegramUpdate.safeParse(body);
  if (!parsed.success) {
    const id = (body as { update_id?: unknown } | null)?.update_id;
    if (typeof id === 'number' && Number.isInteger(id) && id >= 0) {
      // A real update whose inner shape we do not know: acknowledge it, or Telegram retries.
      return {
        kind: 'ignored',
        updateId: id,
        reason: `unrecognised shape: ${parsed.error.issues[0]?.message ?? ''}`,
      };
    }
    return { kind: 'invalid', reason: 'not a Telegram update' };
  }
  const u = parsed.data;
  const updateId = String(u.update_id);

  if (u.callback_query) {
    const cq = u.callback_query;
    const chatId = cq.message?.chat.id ?? cq.from.id;
    const chatType = chatTypeOf(cq.message?.chat.type);
    if (cq.data === undefined)
      return { kind: 'ignored', updateId: u.update_id, reason: 'callback without data' };
    return {
      kind: 'message',
      callbackQueryId: cq.id,
      msg: {
        channel: 'telegram',
        chatId: String(chatId),
        userId: String(cq.from.id),
        chatType,
        button: cq.data,
        updateId,
        receivedAt,
        displayName: displayName(cq.from),
      },
    };
  }

  const m = u.message ?? u.edited_message;
  if (!m) return { kind: 'ignored', updateId: u.update_id, reason: 'update type not handled' };
  const base = {
    channel: 'telegram' as const,
    chatId: String(m.chat.id),
    userId: String(m.from?.id ?? m.chat.id),
    chatType: chatTypeOf(m.chat.type),
    updateId,
    receivedAt,
    displayName: displayName(m.from),
  };
  if (m.text === undefined) return { kind: 'message', msg: { ...base, event: 'unsupported' } };
  return { kind: 'message', msg: { ...base, text: stripBotMention(m.text) } };
}
