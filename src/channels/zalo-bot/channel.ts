/**
 * Zalo Bot Platform channel: verified webhook (`X-Bot-Api-Secret-Token`) on the shared route,
 * buttons as numbered options, replies and proactive messages through the typed fetch client,
 * split at 2000 characters.
 */
import type { Router } from 'express';
import type { Config } from '../../config.js';
import type { OutboundMessage } from '../../core/message.js';
import type { PlatformAdapter, PlatformLimits } from '../adapter.js';
import { createUpdateProcessor, createWebhookRouter } from '../route.js';
import type { Channel } from '../types.js';
import { DeliveryError } from '../types.js';
import { fileTranslate, headerValue, safeEqual, type ChannelBaseDeps } from '../webhook.js';
import { createZaloBotClient, type ZaloBotClient } from './client.js';
import { numberedOptions, type OfferedOption, type OptionsStore } from './options.js';
import { parseZaloBotUpdate } from './update.js';

export const ZALO_BOT_SECRET_HEADER = 'x-bot-api-secret-token';

/** Zalo Bot: 2000 characters a message; rates undocumented, so Telegram-like values. */
export const ZALO_BOT_LIMITS: PlatformLimits = { text: 2000, perSecond: 25, perChatPerSecond: 1 };

export interface ZaloBotChannelDeps extends ChannelBaseDeps {
  config: Pick<Config, 'publicUrl'> & { zaloBot: NonNullable<Config['zaloBot']> };
  /** Where the last offered numbered options of each chat are kept (state store in production). */
  optionsStore: OptionsStore;
  fetch?: typeof fetch;
}

export interface ZaloBotChannel extends Channel {
  readonly name: 'zalo-bot';
  readonly router: Router;
  readonly client: ZaloBotClient;
}

/** Build the Zalo Bot channel; mount `router` at /webhooks/zalo-bot. */
export function createZaloBotChannel(deps: ZaloBotChannelDeps): ZaloBotChannel {
  const cfg = deps.config.zaloBot;
  const log = deps.logger.child({ channel: 'zalo-bot' });
  const t = deps.t ?? fileTranslate('vi');
  const client = createZaloBotClient({ token: cfg.token, apiRoot: cfg.apiRoot, fetch: deps.fetch });
  const options = numberedOptions({
    store: deps.optionsStore,
    t,
    textLimit: ZALO_BOT_LIMITS.text,
    sendText: (chatId, text) => client.sendMessage(chatId, text),
  });

  const adapter: PlatformAdapter<OfferedOption[]> = {
    name: 'zalo-bot',
    limits: ZALO_BOT_LIMITS,
    verifyHeaders: (headers) =>
      !!cfg.webhookSecret &&
      safeEqual(headerValue(headers[ZALO_BOT_SECRET_HEADER]), cfg.webhookSecret),
    parse(body, receivedAt) {
      const p = parseZaloBotUpdate(body, receivedAt, { username: cfg.username });
      return p.kind === 'message' ? { kind: 'message', msg: p.msg, event: p.event } : p;
    },
    prepare: options.prepare,
    sendReply: (chatId, reply) => options.sendReply(chatId, reply),
    afterReplies: (key, offered) => options.remember(key, offered),
  };
  const processUpdate = createUpdateProcessor(adapter, deps);

  return {
    name: 'zalo-bot',
    router: createWebhookRouter(adapter, processUpdate, deps),
    client,
    limits: ZALO_BOT_LIMITS,
    async start() {
      if (!deps.config.publicUrl) {
        log.info(
          'no PUBLIC_URL: Zalo Bot webhook not registered (use the simulator in development)',
        );
        return;
      }
      if (!cfg.webhookSecret)
        throw new Error('ZALO_BOT_WEBHOOK_SECRET is required in webhook mode');
      const url = `${deps.config.publicUrl}/webhooks/zalo-bot`;
      await client.setWebhook(url, cfg.webhookSecret);
      log.info({ url }, 'webhook registered');
    },
    async send(msg: OutboundMessage) {
      if (msg.channel !== 'zalo-bot')
        throw new DeliveryError(`not a zalo-bot message: ${msg.channel}`, true);
      const offered = await options.sendReply(msg.chatId, msg);
      if (offered.length > 0) await deps.optionsStore.set(msg.chatId, offered);
    },
  };
}
