/**
 * Small pieces every webhook router shares: constant-time secret comparison, a raw-body reader
 * that turns oversize and malformed bodies into 4xx (never 5xx, which platforms retry), and
 * the mapping from pipeline failures to HTTP statuses.
 */
import { readFileSync } from 'node:fs';
import express from 'express';
import type { ErrorRequestHandler, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import type { Translate } from '../core/handler.js';
import { DeliveryError } from './types.js';

/** Seconds the platform should wait before redelivering when our infrastructure failed. */
export const RETRY_AFTER_SECONDS = 5;

/** Default raw-body limit for webhooks (platform updates are a few KB). */
export const DEFAULT_WEBHOOK_BODY_LIMIT = '256kb';

export { safeEqual } from '../core/safe-equal.js';

/** The one header value Express gives us (first one when repeated). */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Read the body as raw bytes whatever the content type (signatures are computed over the raw
 * bytes). Bodies over `limit` are answered 413 by `webhookErrors`.
 */
export function rawBody(limit: string = DEFAULT_WEBHOOK_BODY_LIMIT): RequestHandler {
  return express.raw({ type: () => true, limit });
}

/**
 * Router-level error handler: body-parser errors (413 too large, 400 aborted or bad encoding)
 * keep their 4xx status; anything else is our fault and gets 503 + Retry-After so the platform
 * redelivers later instead of losing the update.
 */
export function webhookErrors(log: Logger): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    const status = (err as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      log.warn({ status, err: (err as Error).message }, 'webhook rejected');
      res.status(status).json({ ok: false, error: (err as Error).message });
      return;
    }
    log.error({ err }, 'webhook failed');
    unavailable(res);
  };
}

/** Answer 503 with Retry-After: our side failed, nothing of the update was applied. */
export function unavailable(res: Response): void {
  res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
  res.status(503).json({ ok: false, error: 'temporarily unavailable' });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export type JsonBody = { ok: true; value: unknown } | { ok: false; error: string };

/** Decode bytes as strict UTF-8 and parse JSON; invalid UTF-8 or JSON is reported, not thrown. */
export function parseJsonBody(body: unknown): JsonBody {
  if (!Buffer.isBuffer(body) || body.length === 0) return { ok: false, error: 'empty body' };
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return { ok: false, error: 'invalid UTF-8' };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, error: 'invalid JSON' };
  }
}

/**
 * A Translate over locales/<locale>/core.json for the channel's own texts, used when the
 * composition root does not pass one. Interpolates {{name}} like i18next.
 */
export function fileTranslate(locale: 'vi' | 'en' = 'vi'): Translate {
  const url = new URL(`../../locales/${locale}/core.json`, import.meta.url);
  const dict = JSON.parse(readFileSync(url, 'utf8')) as Record<string, unknown>;
  return (key, vars) => {
    let node: unknown = dict;
    for (const part of key.split('.')) {
      node =
        node !== null && typeof node === 'object'
          ? (node as Record<string, unknown>)[part]
          : undefined;
    }
    const template = typeof node === 'string' ? node : key;
    return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_m, name: string) =>
      vars && name in vars ? String(vars[name]) : '',
    );
  };
}

/**
 * What every channel factory receives. `config` is narrowed to the fields a channel reads so
 * tests can build one without a whole application config.
 */
export interface ChannelBaseDeps {
  logger: Logger;
  pipeline: import('../core/pipeline.js').Pipeline;
  /** Vietnamese texts for the channel's own answers (defaults to locales/vi.json). */
  t?: Translate;
  /** Raw body limit for the webhook (default 256kb). */
  bodyLimit?: string;
  /**
   * Called when a direct reply to an inbound update could not be sent for a retryable reason
   * (the update itself has already taken effect): the composition root can hand it to the
   * durable delivery queue. Without it the failure is logged.
   */
  replyFallback?: (
    msg: import('../core/message.js').OutboundMessage,
    err: import('./types.js').DeliveryError,
  ) => Promise<void>;
  /**
   * A user's reachability changed: they wrote in a one-to-one chat (reachable), blocked the bot
   * or unfollowed (unreachable), or a reply failed as blocked. The composition root records it
   * on their identity.
   */
  onReachability?: (e: ReachabilityEvent) => Promise<void>;
  /** A group chat got a new id (Telegram group -> supergroup): move what is kept for it. */
  onChatMigrated?: (e: {
    channel: import('../core/message.js').ChannelName;
    from: string;
    to: string;
  }) => Promise<void>;
  /** Told how each update ended, after its log line (metrics, per-channel health). */
  onUpdate?: (e: {
    channel: string;
    outcome: string;
    handler?: string;
    durationMs: number;
  }) => void;
}

export interface ReachabilityEvent {
  channel: import('../core/message.js').ChannelName;
  userId: string;
  reachable: boolean;
  at: Date;
}

/**
 * Send the replies to one inbound update in order. When one fails, the later ones are not
 * sent (order matters in a conversation); a retryable failure is handed to `replyFallback`
 * (the durable queue) with the rest left out, a permanent one is only logged.
 * Returns what `send` returned for the last reply sent (e.g. the options it offered).
 */
export async function sendRepliesInOrder<T>(
  replies: readonly import('../core/message.js').OutboundReply[],
  send: (reply: import('../core/message.js').OutboundReply) => Promise<T>,
  ctx: {
    channel: import('../core/message.js').ChannelName;
    chatId: string;
    log: Logger;
    /** Classify a send failure (default: anything not a DeliveryError is retryable). */
    toError?: (err: unknown) => import('./types.js').DeliveryError;
    replyFallback?: ChannelBaseDeps['replyFallback'];
  },
): Promise<T | undefined> {
  let last: T | undefined;
  for (const reply of replies) {
    try {
      last = await send(reply);
    } catch (err) {
      const e = ctx.toError ? ctx.toError(err) : asDeliveryError(err);
      ctx.log.error({ err: e, chatId: ctx.chatId }, 'reply could not be sent');
      if (!e.permanent && ctx.replyFallback) {
        await ctx
          .replyFallback({ ...reply, channel: ctx.channel, chatId: ctx.chatId }, e)
          .catch((fe: unknown) => ctx.log.error({ err: fe }, 'reply fallback failed'));
      }
      break;
    }
  }
  return last;
}

/** A DeliveryError as thrown, or anything else as a retryable one. */
export function asDeliveryError(err: unknown): DeliveryError {
  return err instanceof DeliveryError ? err : new DeliveryError(String(err), false);
}
