/**
 * Telegram channel: webhook router (our own HTTP handling, not telegraf's webhookCallback,
 * which answers 200 even when processing failed), long polling for development, and `send`
 * for the delivery queue. telegraf stays inside this folder.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Router } from 'express';
import type { Request, Response } from 'express';
import type { Telegram } from 'telegraf';
import type { Config } from '../../config.js';
import type { OutboundMessage, OutboundReply } from '../../core/message.js';
import type { Channel } from '../types.js';
import { DeliveryError } from '../types.js';
import {
  answerPipelineFailure,
  fileTranslate,
  headerValue,
  parseJsonBody,
  rawBody,
  RETRY_AFTER_SECONDS,
  safeEqual,
  webhookErrors,
  type ChannelBaseDeps,
  sendRepliesInOrder,
} from '../webhook.js';
import { createTelegramClient, sendTelegramReply, toDeliveryError } from './api.js';
import { ALLOWED_UPDATES, parseTelegramUpdate } from './update.js';

export const TELEGRAM_SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/** Menu commands; descriptions come from locale keys channel.telegram.commands.<command>. */
const DEFAULT_COMMANDS = [
  'start',
  'help',
  'dichvu',
  'baocao',
  'trangthai',
  'link',
  'lang',
] as const;

export interface TelegramChannelDeps extends ChannelBaseDeps {
  config: Pick<Config, 'publicUrl'> & { telegram: NonNullable<Config['telegram']> };
  /** Commands shown in Telegram's menu (default: DEFAULT_COMMANDS with Vietnamese texts). */
  commands?: { command: string; description: string }[];
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
  handleUpdate(body: unknown): Promise<'done' | 'ignored' | 'invalid' | 'retry'>;
}

/**
 * Build the Telegram channel. Mount `router` at /webhooks/telegram; call `start()` once the
 * HTTP server listens (it registers the webhook, or starts long polling without PUBLIC_URL).
 */
export function createTelegramChannel(deps: TelegramChannelDeps): TelegramChannel {
  const { config, pipeline } = deps;
  const cfg = config.telegram;
  const log = deps.logger.child({ channel: 'telegram' });
  const t = deps.t ?? fileTranslate('vi');
  const telegram = createTelegramClient(cfg.token, cfg.apiRoot);
  let polling: { stop: () => Promise<void> } | undefined;

  async function deliverReplies(chatId: string, replies: OutboundReply[], updateLog: typeof log) {
    await sendRepliesInOrder(replies, (reply) => sendTelegramReply(telegram, chatId, reply), {
      channel: 'telegram',
      chatId,
      log: updateLog,
      toError: toDeliveryError,
      replyFallback: deps.replyFallback,
    });
  }

  async function handleUpdate(body: unknown): Promise<'done' | 'ignored' | 'invalid' | 'retry'> {
    const parsed = parseTelegramUpdate(body, new Date());
    if (parsed.kind === 'invalid') {
      log.warn({ reason: parsed.reason }, 'invalid update');
      return 'invalid';
    }
    if (parsed.kind === 'ignored') {
      log.info({ updateId: parsed.updateId, reason: parsed.reason }, 'update ignored');
      return 'ignored';
    }
    const { msg, callbackQueryId } = parsed;
    const updateLog = log.child({ updateId: msg.updateId, chatId: msg.chatId });
    let result;
    try {
      result = await pipeline.process(msg);
    } catch (err) {
      updateLog.warn({ err }, 'pipeline failed; update will be redelivered');
      return 'retry';
    }
    if (callbackQueryId) {
      // Stop the spinner on the button, whether it was processed now or before.
      await telegram
        .answerCbQuery(callbackQueryId)
        .catch((err: unknown) =>
          updateLog.warn({ err: toDeliveryError(err).message }, 'answerCbQuery failed'),
        );
    }
    if (result.status === 'duplicate') {
      updateLog.info('duplicate update ignored');
      return 'done';
    }
    await deliverReplies(msg.chatId, result.replies, updateLog);
    return 'done';
  }

  const router = Router();
  router.post(
    '/',
    // The secret comes first: nothing is read or parsed for an unauthenticated request.
    (req: Request, res: Response, next) => {
      const expected = cfg.webhookSecret;
      if (!expected || !safeEqual(headerValue(req.headers[TELEGRAM_SECRET_HEADER]), expected)) {
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
        log.warn({ reason: body.error }, 'bad webhook body');
        res.status(400).json({ ok: false, error: body.error });
        return;
      }
      const outcome = await handleUpdate(body.value).catch((err: unknown) => {
        log.error({ err }, 'update handling crashed');
        return 'retry' as const;
      });
      if (outcome === 'retry') {
        answerPipelineFailure(new Error('pipeline failed'), res, log);
        return;
      }
      if (outcome === 'invalid') {
        res.status(400).json({ ok: false, error: 'not a Telegram update' });
        return;
      }
      res.status(200).json({ ok: true });
    },
  );
  router.use(webhookErrors(log));

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
        await loop.catch(() => undefined);
      },
    };
  }

  return {
    name: 'telegram',
    router,
    telegram,
    handleUpdate,
    async start() {
      const commands =
        deps.commands ??
        DEFAULT_COMMANDS.map((command) => ({
          command,
          description: t(`channel.telegram.commands.${command}`),
        }));
      await telegram
        .setMyCommands(commands)
        .catch((err: unknown) =>
          log.warn({ err: toDeliveryError(err).message }, 'setMyCommands failed'),
        );
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
