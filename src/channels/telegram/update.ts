/**
 * Telegram update -> InboundMessage. Only the fields we use are validated (zod); everything
 * else in the update is ignored, so new Bot API fields never break parsing.
 *
 * Group policy (issue 14): in a group only a command addressed to us (`/cmd@OurBot`, or a bare
 * `/cmd`, which Telegram delivers to us), a reply to one of our messages or a mention of us is
 * marked `addressed`; the route ignores the rest. A command naming another bot is ignored in
 * every chat. Service messages (member joined, pinned, topic created, migrated…) are ignored.
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
const Entity = z.object({
  type: z.string(),
  offset: Int.nonnegative(),
  length: Int.nonnegative(),
  user: z.object({ id: Int }).optional(),
});
const Message = z.object({
  message_id: Int,
  date: Int,
  chat: Chat,
  from: User.optional(),
  text: z.string().optional(),
  caption: z.string().optional(),
  entities: z.array(Entity).optional(),
  caption_entities: z.array(Entity).optional(),
  reply_to_message: z
    .object({ message_id: Int, from: z.object({ id: Int }).optional() })
    .optional(),
  message_thread_id: Int.optional(),
  is_topic_message: z.boolean().optional(),
});
const CallbackQuery = z.object({
  id: z.string(),
  from: User,
  data: z.string().optional(),
  inline_message_id: z.string().optional(),
  // An old message arrives as InaccessibleMessage ({chat, message_id, date: 0}).
  message: z
    .object({
      chat: Chat,
      message_thread_id: Int.optional(),
      is_topic_message: z.boolean().optional(),
      reply_to_message: z
        .object({ message_id: Int, from: z.object({ id: Int }).optional() })
        .optional(),
    })
    .optional(),
});
const ChatMember = z.object({ status: z.string(), user: z.object({ id: Int }) });
const MyChatMember = z.object({
  chat: Chat,
  from: User,
  new_chat_member: ChatMember,
});

/** The part of a Telegram Update we understand. */
export const TelegramUpdate = z.object({
  update_id: Int.nonnegative(),
  message: Message.optional(),
  edited_message: Message.optional(),
  callback_query: CallbackQuery.optional(),
  my_chat_member: MyChatMember.optional(),
});
export type TelegramUpdate = z.infer<typeof TelegramUpdate>;

/** The update types we ask Telegram for (setWebhook / getUpdates `allowed_updates`). */
export const ALLOWED_UPDATES = [
  'message',
  'edited_message',
  'callback_query',
  'my_chat_member',
] as const;

/** Who we are: the id (the token's prefix) and the username (`getMe`), once known. */
export interface BotIdentity {
  id?: number;
  username?: string;
}

/** A private chat's member status changed: the user blocked the bot, or came back. */
export interface ReachabilityChange {
  userId: string;
  reachable: boolean;
}

export type ParsedUpdate =
  | { kind: 'message'; msg: InboundMessage; callbackQueryId?: string }
  | {
      kind: 'ignored';
      updateId?: number;
      reason: string;
      /** A button press to acknowledge all the same, with this notice (a channel text key). */
      callbackQueryId?: string;
      notice?: string;
      /** `my_chat_member` in a private chat. */
      reachability?: ReachabilityChange;
      /** The group became a supergroup: its new id. */
      migrated?: { from: string; to: string };
    }
  | { kind: 'invalid'; reason: string };

/** Fields of a message that carry something a person sent (not a service message). */
const CONTENT_FIELDS = [
  'text',
  'caption',
  'photo',
  'video',
  'video_note',
  'animation',
  'audio',
  'voice',
  'document',
  'sticker',
  'location',
  'venue',
  'contact',
  'poll',
  'dice',
  'story',
  'game',
] as const;

function displayName(user: z.infer<typeof User> | undefined): string | undefined {
  if (!user) return undefined;
  const name = [user.first_name, user.last_name].filter(Boolean).join(' ').trim();
  return name || user.username || undefined;
}

/** Telegram's chat types: private, group, supergroup, channel. */
function chatTypeOf(type: string | undefined): 'private' | 'group' {
  return type === undefined || type === 'private' ? 'private' : 'group';
}

/** The bot's id is the part of its token before the colon. */
export function botIdFromToken(token: string): number | undefined {
  const id = Number(/^(\d+):/.exec(token)?.[1]);
  return Number.isSafeInteger(id) && id > 0 ? id : undefined;
}

type Addressing =
  { kind: 'ours'; text: string; addressed: boolean } | { kind: 'otherBot'; name: string };

const sameName = (a: string, b: string | undefined) =>
  b !== undefined && a.toLowerCase() === b.replace(/^@/, '').toLowerCase();

/**
 * Who a text is for: `/cmd@OtherBot` is another bot's; `/cmd@OurBot` and a bare `/cmd` are ours
 * (the mention stripped); `@OurBot` anywhere (or a text_mention of our id) makes it addressed to
 * us and is removed from the text.
 */
export function addressing(
  text: string,
  entities: readonly z.infer<typeof Entity>[],
  me: BotIdentity,
): Addressing {
  const command = /^(\/[A-Za-z0-9_]+)(?:@([A-Za-z0-9_]+))?(?=\s|$)/.exec(text);
  if (command) {
    const [whole, name, mention] = command as unknown as [string, string, string | undefined];
    if (mention === undefined) return { kind: 'ours', text, addressed: true };
    if (!sameName(mention, me.username)) return { kind: 'otherBot', name: mention };
    return { kind: 'ours', text: name + text.slice(whole.length), addressed: true };
  }
  let out = text;
  let addressed = false;
  // Right to left, so earlier offsets stay valid while mentions are cut out.
  for (const e of [...entities].sort((a, b) => b.offset - a.offset)) {
    const part = text.slice(e.offset, e.offset + e.length);
    const ours =
      (e.type === 'mention' && sameName(part.replace(/^@/, ''), me.username)) ||
      (e.type === 'text_mention' && me.id !== undefined && e.user?.id === me.id);
    if (!ours) continue;
    addressed = true;
    if (e.type === 'mention') out = out.slice(0, e.offset) + out.slice(e.offset + e.length);
  }
  if (!addressed && me.username) {
    // Bodies without entities (some clients, forwarded JSON): the plain @username.
    const re = new RegExp(`(^|\\s)@${me.username.replace(/^@/, '')}\\b`, 'i');
    if (re.test(out)) {
      addressed = true;
      out = out.replace(re, '$1');
    }
  }
  return { kind: 'ours', text: addressed ? out.replace(/\s+/g, ' ').trim() : text, addressed };
}

/**
 * Parse a decoded JSON body. `invalid` means the body is not a Telegram update at all (400);
 * `ignored` means a valid update of a kind we do not handle (200, logged).
 */
export function parseTelegramUpdate(
  body: unknown,
  receivedAt: Date,
  me: BotIdentity = {},
): ParsedUpdate {
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
    if (cq.data === undefined || !cq.message) {
      // A game button, or a button of an inline message (we send none): stop the spinner.
      return {
        kind: 'ignored',
        updateId: u.update_id,
        reason: cq.message ? 'callback without data' : 'callback of an inline message',
        callbackQueryId: cq.id,
      };
    }
    const chatType = chatTypeOf(cq.message.chat.type);
    // In a group our buttons quote the message they answer: its author is who they are for.
    const owner = cq.message.reply_to_message?.from?.id;
    if (chatType === 'group' && owner !== undefined && owner !== cq.from.id) {
      return {
        kind: 'ignored',
        updateId: u.update_id,
        reason: "button of another member's conversation",
        callbackQueryId: cq.id,
        notice: 'channel.notYourButton',
      };
    }
    const thread = cq.message.is_topic_message ? cq.message.message_thread_id : undefined;
    const quoted = cq.message.reply_to_message?.message_id;
    return {
      kind: 'message',
      callbackQueryId: cq.id,
      msg: {
        channel: 'telegram',
        chatId: String(cq.message.chat.id),
        userId: String(cq.from.id),
        chatType,
        // A button on our own message is addressed to us.
        ...(chatType === 'group' ? { addressed: true } : {}),
        ...(quoted !== undefined ? { messageId: String(quoted) } : {}),
        ...(thread !== undefined ? { threadId: String(thread) } : {}),
        button: cq.data,
        updateId,
        receivedAt,
        displayName: displayName(cq.from),
      },
    };
  }

  if (u.my_chat_member) {
    const m = u.my_chat_member;
    const reachability =
      m.chat.type === 'private'
        ? {
            userId: String(m.from.id),
            reachable: !['kicked', 'left'].includes(m.new_chat_member.status),
          }
        : undefined;
    return {
      kind: 'ignored',
      updateId: u.update_id,
      reason: `my_chat_member ${m.new_chat_member.status}`,
      ...(reachability ? { reachability } : {}),
    };
  }

  const edited = u.message === undefined && u.edited_message !== undefined;
  const m = u.message ?? u.edited_message;
  if (!m) return { kind: 'ignored', updateId: u.update_id, reason: 'update type not handled' };
  const raw = ((body as { message?: object; edited_message?: object }).message ??
    (body as { edited_message?: object }).edited_message) as Record<string, unknown>;
  if (!CONTENT_FIELDS.some((f) => raw[f] !== undefined)) {
    const to = raw.migrate_to_chat_id;
    return {
      kind: 'ignored',
      updateId: u.update_id,
      reason: 'service message',
      ...(typeof to === 'number' && Number.isSafeInteger(to)
        ? { migrated: { from: String(m.chat.id), to: String(to) } }
        : {}),
    };
  }
  if (m.from?.is_bot) return { kind: 'ignored', updateId: u.update_id, reason: 'from a bot' };
  const chatType = chatTypeOf(m.chat.type);
  const thread = m.is_topic_message ? m.message_thread_id : undefined;
  const base: InboundMessage = {
    channel: 'telegram' as const,
    chatId: String(m.chat.id),
    userId: String(m.from?.id ?? m.chat.id),
    chatType,
    messageId: String(m.message_id),
    ...(thread !== undefined ? { threadId: String(thread) } : {}),
    ...(edited ? { edited: true } : {}),
    updateId,
    receivedAt,
    displayName: displayName(m.from),
  };
  const replyToUs = me.id !== undefined && m.reply_to_message?.from?.id === me.id;
  // A photo's caption is read as its text.
  const text = m.text ?? m.caption;
  if (text === undefined) {
    return {
      kind: 'message',
      msg: { ...base, event: 'unsupported', ...(replyToUs ? { addressed: true } : {}) },
    };
  }
  const a = addressing(text, (m.text !== undefined ? m.entities : m.caption_entities) ?? [], me);
  if (a.kind === 'otherBot')
    return { kind: 'ignored', updateId: u.update_id, reason: `command for @${a.name}` };
  const addressed = chatType === 'group' && (a.addressed || replyToUs);
  return {
    kind: 'message',
    msg: { ...base, text: a.text, ...(addressed ? { addressed: true } : {}) },
  };
}
