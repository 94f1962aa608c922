/**
 * Telegram channel: webhook router (our own HTTP handling, not telegraf's webhookCallback,
 * which answers 200 even when processing failed), long polling for development, and `send`
 * for the delivery queue. telegraf stays inside this folder.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Router } from 'express';
import type { Telegram } from 'telegraf';
import type { Config } from '../../config.js';
import type { Audience } from '../../core/feature.js';
import type { OutboundMessage } from '../../core/message.js';
import type { PlatformAdapter } from '../adapter.js';
import { createUpdateProcessor, createWebhookRouter, type UpdateOutcome } from '../route.js';
import type { Channel } from '../types.js';
import { DeliveryError } from '../types.js';
import { headerValue, RETRY_AFTER_SECONDS, safeEqual, type ChannelBaseDeps } from '../webhook.js';
import {
  TELEGRAM_LIMITS,
  createTelegramClient,
  sendTelegramReply,
  toDeliveryError,
} from './api.js';
import {
  ALLOWED_UPDATES,
  botIdFromToken,
  parseTelegramUpdate,
  type BotIdentity,
} from './update.js';

export const TELEGRAM_SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/** A command in Telegram's menu. */
export interface MenuCommand {
  command: string;
  description: string;
}

export interface TelegramChannelDeps extends ChannelBaseDeps {
  config: Pick<Config, 'publicUrl'> & { telegram: NonNullable<Config['telegram']> };
  /**
   * The command menu for a viewer with these audiences, from the features' declarations
   * (default menu: everyone's commands; linked staff get a chat-scoped menu with theirs).
   */
  menu?: (audiences: readonly Audience[]) => MenuCommand[];
  /** Long-polling timeout in seconds (development mode). */
  pollTimeoutSeconds?: number;
}

export interface TelegramChannel extends Channel {
  readonly name: 'telegram';
  readonly router: Router;
  /** The telegraf client (for the composition root and benches). */
  readonly telegram: Telegram;
  /**
   * Run one decoded update through the pipeline and send its replies.
   * 'retry' means our infrastructure failed and the update must be delivered again.
   */
  handleUpdate(body: unknown): Promise<UpdateOutcome>;
  /** Our username from getMe (for `t.me/<username>` deep links), once known. */
  username(): string | undefined;
}

/**
 * Build the Telegram channel. Mount `router` at /webhooks/telegram; call `start()` once the
 * HTTP server listens (it registers the webhook, or starts long polling without PUBLIC_URL).
 */
export function createTelegramChannel(deps: TelegramChannelDeps): TelegramChannel {
  const { config } = deps;
  const cfg = config.telegram;
  const log = deps.logger.child({ channel: 'telegram' });
  const telegram = createTelegramClient(cfg.token, cfg.apiRoot);
  let polling: { stop: () => Promise<void> } | undefined;
  // Who we are, to tell commands and mentions for us from those for other bots: the id is in
  // the token, the username comes from getMe (asked at start, again later if it failed).
  const me: BotIdentity = { id: botIdFromToken(cfg.token) };
  let identityAskedAt = -Infinity;
  const ensureIdentity = async (): Promise<void> => {
    if (me.username !== undefined || performance.now() - identityAskedAt < 60_000) return;
    identityAskedAt = performance.now();
    try {
      const info = await telegram.getMe();
      me.id = info.id;
      me.username = info.username;
    } catch (err) {
      log.warn({ err: toDeliveryError(err).message }, 'getMe failed; our username is unknown');
    }
  };

  const adapter: PlatformAdapter = {
    name: 'telegram',
    limits: TELEGRAM_LIMITS,
    // The secret comes first: nothing is read or parsed for an unauthenticated request.
    verifyHeaders: (headers) =>
      !!cfg.webhookSecret &&
      safeEqual(headerValue(headers[TELEGRAM_SECRET_HEADER]), cfg.webhookSecret),
    parse(body, receivedAt) {
      const p = parseTelegramUpdate(body, receivedAt, me);
      if (p.kind === 'invalid') return p;
      if (p.kind === 'ignored')
        return {
          kind: 'ignored',
          reason: p.reason,
          updateId: p.updateId?.toString(),
          ...(p.callbackQueryId ? { ack: p.callbackQueryId } : {}),
          ...(p.notice ? { notice: p.notice } : {}),
          ...(p.reachability ? { reachability: p.reachability } : {}),
          ...(p.migrated ? { migrated: p.migrated } : {}),
        };
      return {
        kind: 'message',
        msg: p.msg,
        ...(p.callbackQueryId ? { ack: p.callbackQueryId } : {}),
      };
    },
    sendReply: (chatId, reply, inbound) =>
      sendTelegramReply(telegram, chatId, reply, {
        replyTo: inbound?.chatType === 'group' ? inbound.messageId : undefined,
        threadId: inbound?.threadId,
      }),
    acknowledge: async (id, notice) => {
      await telegram.answerCbQuery(id, notice);
    },
    async setMenu(chatId, audiences) {
      if (!deps.menu) return;
      await telegram.setMyCommands(deps.menu(audiences), {
        scope: { type: 'chat', chat_id: Number(chatId) },
      });
    },
    toDeliveryError,
  };
  const processUpdate = createUpdateProcessor(adapter, deps);
  const handleUpdate: typeof processUpdate = async (body) => {
    await ensureIdentity();
    return processUpdate(body);
  };
  const router = createWebhookRouter(adapter, handleUpdate, deps);

  async function startPolling(): Promise<void> {
    const controller = new AbortController();
    let offset = 0;
    let running = true;
    const timeout = deps.pollTimeoutSeconds ?? 25;
    const loop = (async () => {
      while (running) {
        let updates: unknown[];
        try {
          updates = await telegram.callApi(
            'getUpdates',
            { timeout, limit: 50, offset, allowed_updates: [...ALLOWED_UPDATES] },
            // telegraf types its own AbortSignal shim; the platform one is compatible.
            { signal: controller.signal as never },
          );
        } catch (err) {
          if (!running) break;
          const e = toDeliveryError(err);
          log.warn({ err: e.message }, 'getUpdates failed; retrying');
          await sleep(e.retryAfterMs ?? 3000).catch(() => undefined);
          continue;
        }
        for (const update of updates) {
          const outcome = await handleUpdate(update);
          if (outcome === 'retry') {
            // Do not confirm it: the next getUpdates returns it again.
            await sleep(RETRY_AFTER_SECONDS * 1000);
            break;
          }
          offset = Number((update as { update_id: number }).update_id) + 1;
        }
      }
    })();
    polling = {
      stop: async () => {
        running = false;
        controller.abort();
        await loop.catch((err: unknown) => log.warn({ err }, 'long polling ended with an error'));
      },
    };
  }

  return {
    name: 'telegram',
    router,
    telegram,
    handleUpdate,
    username: () => me.username,
    limits: TELEGRAM_LIMITS,
    async start() {
      await ensureIdentity();
      if (deps.menu) {
        await telegram
          .setMyCommands(deps.menu(['everyone']))
          .catch((err: unknown) =>
            log.warn({ err: toDeliveryError(err).message }, 'setMyCommands failed'),
          );
      }
      if (config.publicUrl) {
        if (!cfg.webhookSecret)
          throw new Error('TELEGRAM_WEBHOOK_SECRET is required in webhook mode');
        const url = `${config.publicUrl}/webhooks/telegram`;
        await telegram.setWebhook(url, {
          secret_token: cfg.webhookSecret,
          allowed_updates: [...ALLOWED_UPDATES],
          max_connections: 40,
        });
        log.info({ url }, 'webhook registered');
      } else {
        await telegram
          .deleteWebhook()
          .catch((err: unknown) => log.warn({ err }, 'deleteWebhook failed'));
        await startPolling();
        log.info('long polling started (no PUBLIC_URL)');
      }
    },
    async stop() {
      await polling?.stop();
      polling = undefined;
    },
    async send(msg: OutboundMessage) {
      if (msg.channel !== 'telegram')
        throw new DeliveryError(`not a telegram message: ${msg.channel}`, true);
      await sendTelegramReply(telegram, msg.chatId, msg);
    },
  };
}
