/**
 * The one webhook route every platform shares: verification before any work, body limit, raw
 * body, JSON decoding, parsing through the platform's adapter, input cleaning, the pipeline
 * (dedupe, lock, handler), replies in order, and one outcome — the same HTTP status and the
 * same log line for the same failure on every platform. Long polling uses `processUpdate`, the
 * same path without HTTP.
 */
import { Router } from 'express';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import { conversationKey, type InboundMessage } from '../core/message.js';
import { InfraError, type Pipeline } from '../core/pipeline.js';
import { normalizeInput } from '../text/vietnamese.js';
import type { PlatformAdapter } from './adapter.js';
import type { ChannelBaseDeps } from './webhook.js';
import {
  asDeliveryError,
  fileTranslate,
  parseJsonBody,
  rawBody,
  sendRepliesInOrder,
  unavailable,
  webhookErrors,
} from './webhook.js';

/** How one update ended; the route maps it to an HTTP status. */
export type UpdateOutcome = 'processed' | 'duplicate' | 'ignored' | 'invalid' | 'failed' | 'retry';

/** Clean text typed by a user, once, at the boundary: NFC, no control characters. */
export function cleanInbound(msg: InboundMessage): InboundMessage {
  return {
    ...msg,
    ...(msg.text !== undefined ? { text: normalizeInput(msg.text) } : {}),
    ...(msg.button !== undefined ? { button: normalizeInput(msg.button) } : {}),
  };
}

export interface UpdateProcessor {
  /**
   * Run one decoded, authentic update through the pipeline and send its replies.
   * 'retry': our infrastructure failed and the platform must deliver it again.
   */
  (body: unknown): Promise<UpdateOutcome>;
}

/** The shared update path (webhook and long polling). */
export function createUpdateProcessor(
  adapter: PlatformAdapter,
  deps: Pick<
    ChannelBaseDeps,
    'pipeline' | 'replyFallback' | 't' | 'onReachability' | 'onChatMigrated' | 'onUpdate'
  > & {
    logger: Logger;
    now?: () => Date;
  },
): UpdateProcessor {
  const log = deps.logger.child({ channel: adapter.name });
  const t = deps.t ?? fileTranslate('vi');
  const pipeline: Pipeline = deps.pipeline;
  const now = deps.now ?? (() => new Date());
  /** Record a user's reachability; a failure is only logged (it must not cost the update). */
  const reachability = async (userId: string, reachable: boolean, l: Logger) => {
    if (!deps.onReachability) return;
    await deps
      .onReachability({ channel: adapter.name, userId, reachable, at: now() })
      .catch((err: unknown) => l.warn({ err }, 'reachability not recorded'));
  };
  return async (body) => {
    const started = performance.now();
    const line = (fields: Record<string, unknown>, outcome: UpdateOutcome) => {
      const durationMs = Math.round(performance.now() - started);
      const entry = { ...fields, outcome, durationMs };
      if (outcome === 'invalid') log.warn(entry, 'update rejected');
      else log.info(entry, 'update');
      const handler = typeof fields.handler === 'string' ? fields.handler : undefined;
      deps.onUpdate?.({
        channel: adapter.name,
        outcome,
        durationMs,
        ...(handler ? { handler } : {}),
      });
      return outcome;
    };
    const parsed = adapter.parse(body, now());
    if (parsed.kind === 'invalid') return line({ reason: parsed.reason }, 'invalid');
    if (parsed.kind === 'ignored') {
      if (parsed.ack && adapter.acknowledge) {
        // A button we do not act on (meant for another member of the group): stop its
        // spinner, with a short notice.
        await adapter
          .acknowledge(parsed.ack, parsed.notice ? t(parsed.notice) : undefined)
          .catch((err: unknown) =>
            log.warn(
              { err: adapter.toDeliveryError?.(err).message ?? String(err) },
              'acknowledge failed',
            ),
          );
      }
      if (parsed.reachability)
        await reachability(parsed.reachability.userId, parsed.reachability.reachable, log);
      if (parsed.migrated && deps.onChatMigrated) {
        // A failure here is our side's: the platform delivers the service message again.
        try {
          await deps.onChatMigrated({ channel: adapter.name, ...parsed.migrated });
        } catch (err) {
          log.warn({ err }, 'group migration not recorded; asking for redelivery');
          return line({ updateId: parsed.updateId, event: parsed.event }, 'retry');
        }
      }
      return line(
        { updateId: parsed.updateId, event: parsed.event, reason: parsed.reason },
        'ignored',
      );
    }
    let msg = cleanInbound(parsed.msg);
    const fields = { updateId: msg.updateId, event: parsed.event };
    const updateLog = log.child({ updateId: msg.updateId });
    let result;
    try {
      if (adapter.prepare) msg = await adapter.prepare(msg, parsed.sentAt);
      // Group policy: only what is addressed to us (a command for our bot, a reply to us, a
      // mention, an answer to options offered to this member); the rest — other members'
      // talk, service messages — is ignored silently.
      if (msg.chatType === 'group' && !msg.addressed)
        return line({ ...fields, reason: 'group message not addressed to us' }, 'ignored');
      result = await pipeline.process(msg);
    } catch (err) {
      // Logged once, at the level it deserves: our infrastructure is a warning (the platform
      // redelivers), anything else is a bug.
      if (err instanceof InfraError)
        updateLog.warn({ err, ...fields }, 'infrastructure failed; asking for redelivery');
      else updateLog.error({ err, ...fields }, 'update processing failed; asking for redelivery');
      return line(fields, 'retry');
    }
    // A redelivered button was acknowledged the first time (Telegram rejects a late answer).
    if (result.status === 'duplicate') return line(fields, 'duplicate');
    // Stop the spinner on the button while the replies go out: two independent calls, so the
    // button's answer does not wait for one more round trip to the platform.
    const acknowledged =
      parsed.ack && adapter.acknowledge
        ? adapter
            .acknowledge(parsed.ack)
            .catch((err: unknown) =>
              updateLog.warn(
                { err: adapter.toDeliveryError?.(err).message ?? String(err) },
                'acknowledge failed',
              ),
            )
        : undefined;
    let replies = result.replies;
    if (replies.length === 0 && msg.event === 'unsupported' && msg.chatType !== 'group') {
      // Photos, stickers, voice in a private chat: never leave the user without an answer.
      replies = [{ text: t('channel.unsupported') }];
    }
    let blocked = false;
    const last = await sendRepliesInOrder(
      replies,
      (reply) => adapter.sendReply(msg.chatId, reply, msg),
      {
        channel: adapter.name,
        chatId: msg.chatId,
        log: updateLog,
        toError: (err) => {
          const e = adapter.toDeliveryError?.(err) ?? asDeliveryError(err);
          if (e.unreachable) blocked = true;
          return e;
        },
        replyFallback: deps.replyFallback,
      },
    );
    await acknowledged;
    // Someone writing in a one-to-one chat can be reached there (unless the reply says not).
    if (msg.chatType !== 'group') await reachability(msg.userId, !blocked, updateLog);
    if (adapter.afterReplies) {
      await adapter
        .afterReplies(conversationKey(msg), last, updateLog)
        .catch((err: unknown) => updateLog.warn({ err }, 'after-reply bookkeeping failed'));
    }
    if (result.menu && adapter.setMenu) {
      await adapter
        .setMenu(msg.chatId, result.menu)
        .catch((err: unknown) => updateLog.warn({ err: String(err) }, 'menu could not be set'));
    }
    return line(
      { ...fields, handler: result.handler, replies: replies.length },
      result.failed ? 'failed' : 'processed',
    );
  };
}

/**
 * The webhook router of a platform, mounted at /webhooks/<name>: 401 before the body is read
 * when the header check fails, 413 over `bodyLimit`, 400 for bodies that are not JSON or not
 * the platform's update, 401 when the body's signature fails, 503 + Retry-After when our side
 * failed (nothing applied; the platform redelivers), 200 otherwise — also for updates that are
 * not for us, so the platform does not retry them.
 */
export function createWebhookRouter(
  adapter: PlatformAdapter,
  processUpdate: UpdateProcessor,
  deps: { logger: Logger; bodyLimit?: string },
): Router {
  const log = deps.logger.child({ channel: adapter.name });
  const router = Router();
  router.post(
    '/',
    (req: Request, res: Response, next) => {
      if (!adapter.verifyHeaders(req.headers)) {
        log.warn({ ip: req.ip }, 'webhook request failed verification');
        res.status(401).json({ ok: false, error: 'unauthorized' });
        return;
      }
      next();
    },
    rawBody(deps.bodyLimit),
    async (req: Request, res: Response) => {
      const raw = req.body as Buffer;
      const body = parseJsonBody(raw);
      if (!body.ok) {
        log.warn({ reason: body.error }, 'bad webhook body');
        res.status(400).json({ ok: false, error: body.error });
        return;
      }
      if (adapter.verifyBody && !adapter.verifyBody(raw, body.value, req.headers)) {
        log.warn({ ip: req.ip }, 'webhook request failed verification');
        res.status(401).json({ ok: false, error: 'unauthorized' });
        return;
      }
      const outcome = await processUpdate(body.value).catch((err: unknown) => {
        log.error({ err }, 'update handling crashed; asking for redelivery');
        return 'retry' as const;
      });
      if (outcome === 'retry') {
        unavailable(res);
        return;
      }
      if (outcome === 'invalid') {
        res.status(400).json({ ok: false, error: `not a ${adapter.name} update` });
        return;
      }
      res.status(200).json({ ok: true });
    },
  );
  router.use(webhookErrors(log));
  return router;
}
