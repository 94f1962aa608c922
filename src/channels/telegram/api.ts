/**
 * Sending through telegraf's Telegram client, with our error model: every failure becomes a
 * DeliveryError that says whether retrying can help and how long Telegram asked us to wait.
 */
import http from 'node:http';
import { Telegram, TelegramError } from 'telegraf';
import type { OutboundReply } from '../../core/message.js';
import type { PlatformLimits } from '../adapter.js';
import { splitText } from '../text-split.js';
import { DeliveryError } from '../types.js';

/**
 * Telegram's limits: 4096 characters a message; about 30 messages a second in bulk, one a
 * second per chat and 20 a minute per group (not contractual; 429 with retry_after beyond).
 */
export const TELEGRAM_LIMITS: PlatformLimits = {
  text: 4096,
  perSecond: 30,
  perChatPerSecond: 1,
  perGroupPerMinute: 20,
};

/** Telegram rejects callback_data longer than 64 bytes. */
const CALLBACK_DATA_MAX_BYTES = 64;

/** Keep-alive agent for plain-http API roots (a self-hosted Bot API server on the LAN). */
const httpAgent = new http.Agent({ keepAlive: true, keepAliveMsecs: 10_000, maxSockets: 64 });

/** Build the telegraf client; `apiRoot` may point at a self-hosted Bot API server or a fake. */
export function createTelegramClient(token: string, apiRoot: string): Telegram {
  const telegram = new Telegram(token, { apiRoot, webhookReply: false });
  // telegraf drops its (https) keep-alive agent for http:// roots and then opens a connection
  // per call; reuse connections instead, as it does for api.telegram.org.
  if (apiRoot.startsWith('http://')) telegram.options.agent = httpAgent;
  return telegram;
}

function inlineKeyboard(reply: OutboundReply) {
  if (!reply.buttons || reply.buttons.length === 0) return undefined;
  return {
    inline_keyboard: reply.buttons.map((row) =>
      row.map((b) => {
        if (Buffer.byteLength(b.data, 'utf8') > CALLBACK_DATA_MAX_BYTES)
          throw new DeliveryError(`button data over 64 bytes: ${b.data.slice(0, 20)}…`, true);
        return { text: b.label, callback_data: b.data };
      }),
    ),
  };
}

/**
 * Map anything telegraf throws to a DeliveryError: 429 (and 420) -> retry after
 * `parameters.retry_after`; 5xx and network errors -> retry with backoff; other API errors
 * (403 blocked, 400 chat not found, 401 bad token) -> permanent.
 */
export function toDeliveryError(err: unknown): DeliveryError {
  if (err instanceof DeliveryError) return err;
  if (err instanceof TelegramError) {
    const code = err.code;
    const description = `telegram ${code}: ${err.description}`;
    if (code === 429 || code === 420) {
      const after = err.parameters?.retry_after;
      return new DeliveryError(
        description,
        false,
        typeof after === 'number' ? after * 1000 : undefined,
        { cause: err },
      );
    }
    if (code >= 500) return new DeliveryError(description, false, undefined, { cause: err });
    // 403: "bot was blocked by the user", "user is deactivated", "bot was kicked".
    return new DeliveryError(description, true, undefined, {
      cause: err,
      unreachable: code === 403,
    });
  }
  const message = err instanceof Error ? err.message : String(err);
  // node-fetch FetchError, socket resets, invalid JSON from a proxy: transient.
  return new DeliveryError(`telegram network error: ${message}`, false, undefined, { cause: err });
}

/**
 * Send one reply as plain text (no parse_mode, so user text never needs escaping), split at
 * 4096 characters on line boundaries; the inline keyboard goes with the last part.
 */
export async function sendTelegramReply(
  telegram: Telegram,
  chatId: string,
  reply: OutboundReply,
  to: { replyTo?: string; threadId?: string } = {},
): Promise<void> {
  const parts = splitText(reply.text, TELEGRAM_LIMITS.text);
  // In a group each part quotes the member's message (so the buttons say whose they are); in
  // a forum topic each part stays in the topic.
  const replyTo = to.replyTo !== undefined ? Number(to.replyTo) : undefined;
  const thread = to.threadId !== undefined ? Number(to.threadId) : undefined;
  try {
    const keyboard = inlineKeyboard(reply);
    for (let i = 0; i < parts.length; i++) {
      const last = i === parts.length - 1;
      await telegram.sendMessage(chatId, parts[i] ?? '', {
        link_preview_options: { is_disabled: true },
        ...(thread !== undefined ? { message_thread_id: thread } : {}),
        ...(replyTo !== undefined
          ? { reply_parameters: { message_id: replyTo, allow_sending_without_reply: true } }
          : {}),
        ...(last && keyboard ? { reply_markup: keyboard } : {}),
      });
    }
  } catch (err) {
    throw toDeliveryError(err);
  }
}
