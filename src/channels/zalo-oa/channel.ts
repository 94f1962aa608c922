/**
 * Zalo Official Account (Open API v3) channel: signature-checked webhook over the raw body,
 * interaction window tracking, replies and proactive messages through /v3.0/oa/message/cs with
 * tokens kept in the database.
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import type { Config } from '../../config.js';
import type { Button, InboundMessage, OutboundMessage, OutboundReply } from '../../core/message.js';
import type { PrismaClient } from '../../db/client.js';
import { splitText, TEXT_LIMITS } from '../text-split.js';
import type { Channel } from '../types.js';
import { DeliveryError } from '../types.js';
import {
  answerPipelineFailure,
  fileTranslate,
  headerValue,
  parseJsonBody,
  rawBody,
  webhookErrors,
  type ChannelBaseDeps,
  sendRepliesInOrder,
} from '../webhook.js';
import {
  flattenButtons,
  optionsHintKey,
  matchOption,
  renderWithOptions,
  type OptionsStore,
} from '../zalo-bot/options.js';
import { createZaloOaClient, OUTSIDE_WINDOW, type ZaloOaClient } from './client.js';
import { verifyZaloOaSignature, ZALO_OA_SIGNATURE_HEADER } from './signature.js';
import { createOaTokenManager, type OaTokenManager } from './tokens.js';
import { parseOaEnvelope, parseOaEvent } from './update.js';
import { lastInteraction, recordInteraction, windowStatus } from './window.js';

export interface ZaloOaChannelDeps extends ChannelBaseDeps {
  config: { zaloOa: NonNullable<Config['zaloOa']> };
  prisma: PrismaClient;
  /** Numbered options for buttons (as on Zalo Bot); without it buttons are listed but not mapped. */
  optionsStore?: OptionsStore;
  fetch?: typeof fetch;
  now?: () => Date;
}

export interface ZaloOaChannel extends Channel {
  readonly name: 'zalo-oa';
  readonly router: Router;
  readonly client: ZaloOaClient;
  readonly tokens: OaTokenManager;
}

/** Build the Zalo OA channel; mount `router` at /webhooks/zalo-oa. */
export function createZaloOaChannel(deps: ZaloOaChannelDeps): ZaloOaChannel {
  const cfg = deps.config.zaloOa;
  const log = deps.logger.child({ channel: 'zalo-oa' });
  const t = deps.t ?? fileTranslate('vi');
  const now = deps.now ?? (() => new Date());
  const tokens = createOaTokenManager({
    prisma: deps.prisma,
    logger: log,
    appId: cfg.appId,
    appSecret: cfg.appSecret,
    oauthRoot: cfg.oauthRoot,
    initial: { accessToken: cfg.accessToken, refreshToken: cfg.refreshToken },
    fetch: deps.fetch,
    now,
  });
  const client = createZaloOaClient({ apiRoot: cfg.apiRoot, tokens, fetch: deps.fetch });

  async function sendReply(userId: string, reply: OutboundReply): Promise<Button[]> {
    const options = flattenButtons(reply);
    const text = renderWithOptions(
      reply.text,
      options,
      optionsHintKey(options) ? t(optionsHintKey(options)!) : undefined,
    );
    for (const part of splitText(text, TEXT_LIMITS['zalo-oa'])) await client.sendText(userId, part);
    return options;
  }

  async function withOptions(msg: InboundMessage): Promise<InboundMessage> {
    if (msg.text === undefined || !deps.optionsStore) return msg;
    const options = await deps.optionsStore.get(msg.chatId);
    const data = options ? matchOption(msg.text, options) : undefined;
    return data === undefined ? msg : { ...msg, button: data, text: undefined };
  }

  const router = Router();
  router.post(
    '/',
    (req: Request, res: Response, next) => {
      // Cheap rejection first: no signature header, no body reading.
      if (!headerValue(req.headers[ZALO_OA_SIGNATURE_HEADER])) {
        log.warn({ ip: req.ip }, 'webhook request without signature');
        res.status(401).json({ error: 'unauthorized' });
        return;
      }
      next();
    },
    rawBody(deps.bodyLimit),
    async (req: Request, res: Response) => {
      const raw = req.body as Buffer;
      const body = parseJsonBody(raw);
      if (!body.ok) {
        res.status(400).json({ error: body.error });
        return;
      }
      const env = parseOaEnvelope(body.value);
      const signature = headerValue(req.headers[ZALO_OA_SIGNATURE_HEADER]);
      // The signature uses our app id: a body naming another app cannot verify.
      if (!env || !verifyZaloOaSignature(signature, cfg.appId, raw, env.timestamp, cfg.secretKey)) {
        log.warn({ ip: req.ip, event: env?.eventName }, 'webhook request with a bad signature');
        res.status(401).json({ error: 'unauthorized' });
        return;
      }
      const parsed = parseOaEvent(body.value, env, now());
      if (parsed.kind === 'invalid') {
        log.warn({ reason: parsed.reason, event: env.eventName }, 'invalid event');
        res.status(400).json({ error: parsed.reason });
        return;
      }
      if (parsed.kind === 'ignored') {
        log.debug({ reason: parsed.reason }, 'event ignored');
        res.status(200).json({ ok: true });
        return;
      }
      const updateLog = log.child({ updateId: parsed.msg.updateId, userId: parsed.msg.userId });
      let result;
      let msg: InboundMessage;
      try {
        // Recorded even for duplicates: it is idempotent and never moves backwards.
        await recordInteraction(deps.prisma, parsed.msg.userId, parsed.at);
        msg = await withOptions(parsed.msg);
        result = await deps.pipeline.process(msg);
      } catch (err) {
        answerPipelineFailure(err, res, updateLog);
        return;
      }
      if (result.status === 'duplicate') {
        res.status(200).json({ ok: true });
        return;
      }
      let replies = result.replies;
      if (replies.length === 0 && msg.event === 'unsupported')
        replies = [{ text: t('channel.unsupported') }];
      const offered =
        (await sendRepliesInOrder(replies, (reply) => sendReply(msg.chatId, reply), {
          channel: 'zalo-oa',
          chatId: msg.chatId,
          log: updateLog,
          replyFallback: deps.replyFallback,
        })) ?? [];
      await deps.optionsStore
        ?.set(msg.chatId, offered.length > 0 ? offered : null)
        .catch((err: unknown) => updateLog.warn({ err }, 'could not store the offered options'));
      res.status(200).json({ ok: true });
    },
  );
  router.use(webhookErrors(log));

  return {
    name: 'zalo-oa',
    router,
    client,
    tokens,
    /**
     * Proactive message. Outside the 7-day window it throws a permanent DeliveryError
     * ('outside interaction window'), which the delivery queue records as undeliverable.
     */
    async send(msg: OutboundMessage) {
      if (msg.channel !== 'zalo-oa')
        throw new DeliveryError(`not a zalo-oa message: ${msg.channel}`, true);
      const last = await lastInteraction(deps.prisma, msg.chatId);
      const status = windowStatus(last, now());
      if (status === 'closed') {
        throw new DeliveryError(
          `${OUTSIDE_WINDOW}: last interaction ${last ? last.toISOString() : 'never'}`,
          true,
        );
      }
      if (status === 'paid')
        log.info({ userId: msg.chatId }, 'sending in the paid 48 h–7 d window');
      const offered = await sendReply(msg.chatId, msg);
      if (offered.length > 0) await deps.optionsStore?.set(msg.chatId, offered);
    },
  };
}
