/**
 * What a chat platform supplies to the shared webhook route (src/channels/route.ts): how to
 * verify a request, how to parse its body into the message model, how to send a reply and
 * acknowledge a button, and its limits. Everything else — body limit, raw body, error mapping,
 * dedupe, the pipeline, logging — is the route's, the same for every platform.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { Audience } from '../core/feature.js';
import type { ChannelName, InboundMessage, OutboundReply } from '../core/message.js';
import type { DeliveryError } from './types.js';

/** How fast proactive messages may go out (the delivery queue's limiter table). */
export interface PlatformLimits {
  /** Longest text of one message, in UTF-16 code units (longer replies are split). */
  text: number;
  /** Messages per second over the whole platform (app or bot). */
  perSecond: number;
  /** Messages per second to one chat. */
  perChatPerSecond?: number;
  /** Messages per minute to one group chat (Telegram: 20; a group's chat id is negative). */
  perGroupPerMinute?: number;
}

/** A decoded update. */
export type ParsedInbound =
  | {
      kind: 'message';
      msg: InboundMessage;
      /** Acknowledge this once processed (a Telegram callback query id). */
      ack?: string;
      /** The platform's own event name, for the log. */
      event?: string;
      /** When the user sent it, as the platform says (Zalo OA's interaction window). */
      sentAt?: Date;
    }
  /**
   * An authentic update that is not for us: answered 200 and logged. `ack`: a button press
   * to acknowledge all the same, with `notice` (a key of the channel texts, e.g. a button meant
   * for another member of a group) shown as a short toast.
   */
  | {
      kind: 'ignored';
      reason: string;
      updateId?: string;
      event?: string;
      ack?: string;
      notice?: string;
      /** The user blocked the bot / unfollowed (false) or came back (true). */
      reachability?: { userId: string; reachable: boolean };
      /** A group became a supergroup with a new chat id (Telegram `migrate_to_chat_id`). */
      migrated?: { from: string; to: string };
    }
  /** A body that is not this platform's update at all: 400. */
  | { kind: 'invalid'; reason: string };

export interface PlatformAdapter<Sent = unknown> {
  readonly name: ChannelName;
  readonly limits: PlatformLimits;
  /**
   * A cheap check before the body is read (a secret header). False: 401 and nothing is read.
   * Platforms whose check needs the body answer true when the header is present at all.
   */
  verifyHeaders(headers: IncomingHttpHeaders): boolean;
  /** The check that needs the raw bytes and the decoded JSON (a signature). Default: none. */
  verifyBody?(raw: Buffer, body: unknown, headers: IncomingHttpHeaders): boolean;
  /** Decode an authentic body. */
  parse(body: unknown, receivedAt: Date): ParsedInbound;
  /**
   * Just before the pipeline, for a message that will be processed: platform state such as a
   * numbered option typed as a number, or the user's last interaction time.
   */
  prepare?(msg: InboundMessage, sentAt?: Date): Promise<InboundMessage>;
  /**
   * Send one reply to a chat (split to the text limit); returns what the next hook needs.
   * `inbound`: the update answered (a group reply quotes it, a forum topic keeps its thread).
   */
  sendReply(chatId: string, reply: OutboundReply, inbound?: InboundMessage): Promise<Sent>;
  /**
   * After the replies of an update: what the last sent reply returned (e.g. its options), for
   * the conversation `key` (see conversationKey: the chat, or the (chat, user) pair in a group).
   */
  afterReplies?(key: string, last: Sent | undefined, log: Logger): Promise<void>;
  /** Acknowledge a button press (stop the spinner, or show `notice`); failures are only logged. */
  acknowledge?(ack: string, notice?: string): Promise<void>;
  /** Show a chat the command menu of these audiences (platforms with a menu). */
  setMenu?(chatId: string, audiences: readonly Audience[]): Promise<void>;
  /** Classify a send failure (default: a DeliveryError as thrown, anything else retryable). */
  toDeliveryError?(err: unknown): DeliveryError;
}
