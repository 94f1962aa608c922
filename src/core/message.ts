/**
 * The one channel-agnostic message model. Platform adapters translate to and from it;
 * handlers see nothing else.
 */
export const CHANNELS = ['telegram', 'zalo-bot', 'zalo-oa', 'sim'] as const;

export type ChannelName = (typeof CHANNELS)[number];

export interface InboundMessage {
  channel: ChannelName;
  /** Where replies go (Telegram chat id, Zalo chat/user id, simulator user id). Always a string. */
  chatId: string;
  /** Who sent it, on that channel. Always a string. */
  userId: string;
  /** A group chat (several people): absent or 'private' for a one-to-one chat. */
  chatType?: 'private' | 'group';
  /**
   * In a group: the message is for us (a command addressed to our bot, a reply to one of our
   * messages, a mention of us, or an answer to options we offered this user). Group messages
   * without it are ignored silently (src/channels/route.ts).
   */
  addressed?: boolean;
  /** The user edited an earlier message (acted on only while a flow accepts edits). */
  edited?: boolean;
  /** The platform's id of the user's message (a group reply quotes it). */
  messageId?: string;
  /** A forum topic of a group (Telegram `message_thread_id`): replies go to the same topic. */
  threadId?: string;
  /** NFC-normalised text, when the user typed something. */
  text?: string;
  /** Button data, when the user pressed a button (or picked a numbered option on Zalo Bot). */
  button?: string;
  /** Something the bot cannot read (photo, sticker, voice…) or a follow event. */
  event?: 'unsupported' | 'follow';
  /** The platform's own id of this update, unique per channel (Telegram update_id, Zalo msg id). */
  updateId: string;
  receivedAt: Date;
  displayName?: string;
}

/**
 * Whose conversation an update belongs to: the chat in a one-to-one chat; the (chat, user) pair
 * in a group, so one member's flow, lock, numbered options and language never touch another's.
 */
export function conversationKey(
  msg: Pick<InboundMessage, 'chatId' | 'userId' | 'chatType'>,
): string {
  return msg.chatType === 'group' ? `${msg.chatId}:${msg.userId}` : msg.chatId;
}

export interface Button {
  label: string;
  data: string;
}

export interface OutboundReply {
  text: string;
  /** Rows of buttons. Left out when there are none. */
  buttons?: Button[][];
  /**
   * The user may also type a free answer (a figure): channels without buttons must not turn a
   * typed number into an option (Zalo shows the options as words, not numbers, then).
   */
  freeText?: boolean;
}

/** A proactive message (reminder, broadcast): addressed to a chat on a channel. */
export interface OutboundMessage extends OutboundReply {
  channel: ChannelName;
  chatId: string;
}
