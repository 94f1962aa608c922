/**
 * Zalo Official Account (Open API v3) channel: signature-checked webhook over the raw body on
 * the shared route, interaction window tracking, replies and proactive messages through
 * /v3.0/oa/message/cs with tokens kept in the database.
 */
import type { Router } from 'express';
import type { Config } from '../../config.js';
import type { OutboundMessage } from '../../core/message.js';
import type { PrismaClient } from '../../db/client.js';
import type { SecretBox } from '../../db/secret-box.js';
import type { PlatformAdapter, PlatformLimits } from '../adapter.js';
import { createUpdateProcessor, createWebhookRouter } from '../route.js';
import type { Channel } from '../types.js';
import { DeliveryError } from '../types.js';
import { fileTranslate, headerValue, type ChannelBaseDeps } from '../webhook.js';
import { numberedOptions, type OfferedOption, type OptionsStore } from '../zalo-bot/options.js';
import { createZaloOaClient, OUTSIDE_WINDOW, type ZaloOaClient } from './client.js';
import { verifyZaloOaSignature, ZALO_OA_SIGNATURE_HEADER } from './signature.js';
import { createOaTokenManager, type OaTokenManager } from './tokens.js';
import { parseOaEnvelope, parseOaEvent } from './update.js';
import { lastInteraction, recordInteraction, windowStatus } from './window.js';

/** Zalo OA: 2000 characters a message; about 4,000 requests a minute per app. */
export const ZALO_OA_LIMITS: PlatformLimits = { text: 2000, perSecond: 4000 / 60 };

export interface ZaloOaChannelDeps extends ChannelBaseDeps {
  config: { zaloOa: NonNullable<Config['zaloOa']> };
  prisma: PrismaClient;
  /** Numbered options for buttons (as on Zalo Bot); without it buttons are listed but not mapped. */
  optionsStore?: OptionsStore;
  fetch?: typeof fetch;
  now?: () => Date;
  /** Told of each failed token refresh (metrics). */
  onTokenRefreshFailure?: () => void;
  /** Told of each event dropped as outside the replay window (metrics). */
  onStaleEvent?: () => void;
  /**
   * Events whose timestamp is further than this from the time received are replays: answered
   * 200 and not processed (ZALO_OA_MAX_EVENT_AGE, default 3 h, which covers Zalo's retries).
   */
  maxEventAgeMs?: number;
  /** Seals the stored tokens (TOKEN_ENCRYPTION_KEY). */
  tokenBox?: SecretBox;
}

export const DEFAULT_MAX_EVENT_AGE_MS = 3 * 3600_000;

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
  const maxAgeMs = deps.maxEventAgeMs ?? DEFAULT_MAX_EVENT_AGE_MS;
  const tokens = createOaTokenManager({
    prisma: deps.prisma,
    logger: log,
    appId: cfg.appId,
    appSecret: cfg.appSecret,
    oauthRoot: cfg.oauthRoot,
    initial: { accessToken: cfg.accessToken, refreshToken: cfg.refreshToken },
    fetch: deps.fetch,
    now,
    onRefreshFailure: deps.onTokenRefreshFailure,
    ...(deps.tokenBox ? { box: deps.tokenBox } : {}),
  });
  const client = createZaloOaClient({ apiRoot: cfg.apiRoot, tokens, fetch: deps.fetch });
  const options = numberedOptions({
    store: deps.optionsStore,
    t,
    textLimit: ZALO_OA_LIMITS.text,
    sendText: (userId, text) => client.sendText(userId, text),
  });

  const adapter: PlatformAdapter<OfferedOption[]> = {
    name: 'zalo-oa',
    limits: ZALO_OA_LIMITS,
    // Cheap rejection first: no signature header, no body reading.
    verifyHeaders: (headers) => !!headerValue(headers[ZALO_OA_SIGNATURE_HEADER]),
    verifyBody(raw, body, headers) {
      const env = parseOaEnvelope(body);
      // The signature uses our app id: a body naming another app cannot verify.
      return (
        !!env &&
        verifyZaloOaSignature(
          headerValue(headers[ZALO_OA_SIGNATURE_HEADER]),
          cfg.appId,
          raw,
          env.timestamp,
          cfg.secretKey,
        )
      );
    },
    parse(body, receivedAt) {
      const env = parseOaEnvelope(body);
      if (!env) return { kind: 'invalid', reason: 'no app_id, event_name or timestamp' };
      const ageMs = receivedAt.getTime() - Number(env.timestamp);
      if (!(Math.abs(ageMs) <= maxAgeMs)) {
        // A signed event replayed later (or with a clock far off): acknowledged, not run.
        log.warn(
          { event: 'zalo-oa.stale_event', eventName: env.eventName, ageMs },
          'Zalo OA event outside the replay window ignored',
        );
        deps.onStaleEvent?.();
        return { kind: 'ignored', reason: 'outside the replay window', event: env.eventName };
      }
      const p = parseOaEvent(body, env, receivedAt);
      if (p.kind !== 'message') return { ...p, event: env.eventName };
      return { kind: 'message', msg: p.msg, event: env.eventName, sentAt: p.at };
    },
    async prepare(msg, sentAt) {
      // Recorded even for duplicates: it is idempotent and never moves backwards.
      await recordInteraction(deps.prisma, msg.userId, sentAt ?? msg.receivedAt);
      return options.prepare(msg);
    },
    sendReply: options.sendReply,
    afterReplies: (chatId, offered) => options.remember(chatId, offered),
  };
  const processUpdate = createUpdateProcessor(adapter, { ...deps, now });

  return {
    name: 'zalo-oa',
    router: createWebhookRouter(adapter, processUpdate, deps),
    client,
    tokens,
    limits: ZALO_OA_LIMITS,
    /** Tokens stored in plain text (or under a previous key) are sealed at start. */
    async start() {
      await tokens.reseal();
    },
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
      const offered = await options.sendReply(msg.chatId, msg);
      if (offered.length > 0) await deps.optionsStore?.set(msg.chatId, offered);
    },
  };
}
