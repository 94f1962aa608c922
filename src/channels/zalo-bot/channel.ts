/**
 * Zalo Bot Platform channel: verified webhook (`X-Bot-Api-Secret-Token`), text events to the
 * pipeline, other message events answered politely, buttons as numbered options, replies and
 * proactive messages through the typed fetch client, split at 2000 characters.
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import type { Config } from '../../config.js';
import type { Button, InboundMessage, OutboundMessage, OutboundReply } from '../../core/message.js';
import { splitText, TEXT_LIMITS } from '../text-split.js';
import type { Channel } from '../types.js';
import { DeliveryError } from '../types.js';
import {
  answerPipelineFailure,
  fileTranslate,
  headerValue,
  parseJsonBody,
  rawBody,
  safeEqual,
  webhookErrors,
  type ChannelBaseDeps,
  sendRepliesInOrder,
} from '../webhook.js';
import { createZaloBotClient, type ZaloBotClient } from './client.js';
import {
  flattenButtons,
  optionsHintKey,
  matchOption,
  renderWithOptions,
  type OptionsStore,
} from './options.js';
import { parseZaloBotUpdate } from './update.js';

export const ZALO_BOT_SECRET_HEADER = 'x-bot-api-secret-token';

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

  /** Send one reply (options rendered, split at 2000) and remember the options offered. */
  async function sendReply(chatId: string, reply: OutboundReply): Promise<Button[]> {
    const options = flattenButtons(reply);
    const text = renderWithOptions(
      reply.text,
      options,
      optionsHintKey(options) ? t(optionsHintKey(options)!) : undefined,
    );
    for (const part of splitText(text, TEXT_LIMITS['zalo-bot'])) {
      await client.sendMessage(chatId, part);
    }
    return options;
  }

  async function toInboundWithOptions(msg: InboundMessage): Promise<InboundMessage> {
    if (msg.text === undefined) return msg;
    const options = await deps.optionsStore.get(msg.chatId);
    const data = options ? matchOption(msg.text, options) : undefined;
    return data === undefined ? msg : { ...msg, button: data, text: undefined };
  }

  const router = Router();
  router.post(
    '/',
    (req: Request, res: Response, next) => {
      const expected = cfg.webhookSecret;
      if (!expected || !safeEqual(headerValue(req.headers[ZALO_BOT_SECRET_HEADER]), expected)) {
        log.warn({ ip: req.ip }, 'webhook request with a missing or wrong secret token');
        res.status(401).json({ ok: false, error: 'unauthorized' });
        return;
      }
      next();
    },
    rawBody(deps.bodyLimit),
    async (req: Request, res: Response) => {
      const body = parseJsonBody(req.body);
      if (!body.ok) {
        res.status(400).json({ ok: false, error: body.error });
        return;
      }
      const parsed = parseZaloBotUpdate(body.value, new Date());
      if (parsed.kind === 'invalid') {
        log.warn({ reason: parsed.reason }, 'invalid webhook body');
        res.status(400).json({ ok: false, error: parsed.reason });
        return;
      }
      if (parsed.kind === 'ignored') {
        log.info({ reason: parsed.reason }, 'event ignored');
        res.status(200).json({ ok: true });
        return;
      }
      const updateLog = log.child({ updateId: parsed.msg.updateId, chatId: parsed.msg.chatId });
      let result;
      let msg: InboundMessage;
      try {
        msg = await toInboundWithOptions(parsed.msg);
        result = await deps.pipeline.process(msg);
      } catch (err) {
        answerPipelineFailure(err, res, updateLog);
        return;
      }
      if (result.status === 'duplicate') {
        updateLog.info('duplicate update ignored');
        res.status(200).json({ ok: true });
        return;
      }
      let replies = result.replies;
      if (replies.length === 0 && msg.event === 'unsupported') {
        // Photos, stickers, voice: never leave the user without an answer.
        replies = [{ text: t('channel.unsupported') }];
      }
      const offered =
        (await sendRepliesInOrder(replies, (reply) => sendReply(msg.chatId, reply), {
          channel: 'zalo-bot',
          chatId: msg.chatId,
          log: updateLog,
          replyFallback: deps.replyFallback,
        })) ?? [];
      await deps.optionsStore
        .set(msg.chatId, offered.length > 0 ? offered : null)
        .catch((err: unknown) => updateLog.warn({ err }, 'could not store the offered options'));
      res.status(200).json({ ok: true });
    },
  );
  router.use(webhookErrors(log));

  return {
    name: 'zalo-bot',
    router,
    client,
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
      const offered = await sendReply(msg.chatId, msg);
      if (offered.length > 0) await deps.optionsStore.set(msg.chatId, offered);
    },
  };
}
