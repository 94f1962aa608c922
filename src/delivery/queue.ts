/**
 * Durable, paced outbound delivery for proactive messages (reminders, broadcasts, notices).
 *
 * enqueue: one transaction inserts the Delivery row ('queued') and its pg-boss job, so a
 * message is never half-queued. Workers claim a Delivery (attempt counter compare-and-set, so
 * two jobs for the same delivery never both send), wait for a slot from the shared limiter,
 * call `channel.send`, and mark the row 'sent' right after success. Failures:
 * - permanent DeliveryError (blocked, chat not found, outside the Zalo OA window) ->
 *   'undeliverable' with the reason, no retry;
 * - retryable (429, 5xx, network) -> a new job in the same transaction as the row update,
 *   delayed by max(retry_after, exponential backoff); after `maxAttempts` -> 'failed'.
 *
 * Delivery guarantee: at least once, duplicates only around a crash. A process killed after
 * the platform accepted a message but before the row says 'sent' resends it when pg-boss
 * retries the expired job (the Bot APIs have no idempotency key).
 */
import { randomUUID } from 'node:crypto';
import type { PgBoss } from 'pg-boss';
import type { Logger } from 'pino';
import type { Channel } from '../channels/types.js';
import { DeliveryError } from '../channels/types.js';
import type { ChannelName, OutboundMessage } from '../core/message.js';
import type { Prisma, PrismaClient } from '../db/client.js';
import type { DeliveryKind } from '../db/generated/enums.js';
import { markUnreachable } from '../domain/people/reachability.js';
import { limitsOf, rulesFor, type ChannelLimits, type RateLimiter } from './limiter.js';

export const DELIVERY_QUEUE = 'delivery';

export interface DeliveryQueueOptions {
  boss: PgBoss;
  prisma: PrismaClient;
  channels: Partial<Record<ChannelName, Channel>>;
  limiter: RateLimiter;
  logger: Logger;
  /** Per-platform limits (default: as each channel declares them). */
  limits?: ChannelLimits;
  /** Give up after this many send attempts (default 6). */
  maxAttempts?: number;
  /** First retry delay; doubles each attempt, capped at 10 min (default 2 s). */
  baseBackoffMs?: number;
  /** Jobs fetched per poll (default 25) and parallel fetch loops (default 2). */
  batchSize?: number;
  concurrency?: number;
  /** Longest in-worker wait for a rate-limit slot before the job is rescheduled (default 5 s). */
  maxSlotWaitMs?: number;
  /** Seconds before a job held by a dead worker is retried (default 60). */
  expireInSeconds?: number;
  queueName?: string;
  /** Told how each attempt ended (metrics): sent, retry, failed, undeliverable, deferred. */
  onOutcome?: (
    channel: string,
    outcome: 'sent' | 'retry' | 'failed' | 'undeliverable' | 'deferred',
  ) => void;
}

export interface EnqueueOptions {
  /** Idempotency key: enqueueing the same key again returns the existing delivery's id. */
  dedupeKey?: string;
  /** Do not send before this instant. */
  notBefore?: Date;
}

/** One message of a batch (see enqueueMany). */
export interface BatchItem extends EnqueueOptions {
  msg: OutboundMessage;
  kind: DeliveryKind;
  /** The run or broadcast the message belongs to (delivery reports group by it). */
  batchId?: string;
  /** When it was queued (default: the database's clock); rate checks compare with it. */
  at?: Date;
}

export interface DeliveryQueue {
  /** Queue a proactive message durably; resolves with the Delivery id. */
  enqueue(msg: OutboundMessage, kind: DeliveryKind, opts?: EnqueueOptions): Promise<string>;
  /**
   * Queue many messages at once, inside `tx` when given (they then commit or roll back with the
   * caller's writes; on PGlite the only way, one session per process), else in a transaction of
   * their own. An item whose dedupeKey is already queued or sent is skipped: resolves with the
   * number of messages actually queued.
   */
  enqueueMany(items: readonly BatchItem[], tx?: Prisma.TransactionClient): Promise<number>;
  /** Start the workers (call once the channels are started). */
  start(): Promise<void>;
  /** Stop fetching; jobs being sent finish first. */
  stop(): Promise<void>;
}

interface JobData {
  deliveryId: string;
}

type Tx = Prisma.TransactionClient;

/** pg-boss statements run inside a Prisma interactive transaction. */
function bossDb(tx: Tx) {
  return {
    executeSql: async (text: string, values?: unknown[]) => ({
      rows: await tx.$queryRawUnsafe<unknown[]>(text, ...(values ?? [])),
    }),
  };
}

/** Build the delivery queue (creates the pg-boss queue on start). */
export function createDeliveryQueue(opts: DeliveryQueueOptions): DeliveryQueue {
  const { boss, prisma, limiter } = opts;
  const log = opts.logger.child({ component: 'delivery' });
  const queue = opts.queueName ?? DELIVERY_QUEUE;
  const maxAttempts = opts.maxAttempts ?? 6;
  const baseBackoffMs = opts.baseBackoffMs ?? 2000;
  const maxSlotWaitMs = opts.maxSlotWaitMs ?? 5000;
  // The limiter table: as given, else as each channel's adapter declares it.
  const limits =
    opts.limits ??
    limitsOf(Object.values(opts.channels).filter((c): c is Channel => c !== undefined));
  let started = false;
  let workerId: string | undefined;
  let queueReady: Promise<void> | undefined;

  /** Create the pg-boss queue once (idempotent across instances). */
  function ensureQueue(): Promise<void> {
    queueReady ??= boss
      .createQueue(queue, {
        // Sends are retried by rescheduling; pg-boss retries only jobs whose worker died.
        retryLimit: 5,
        retryDelay: 5,
        retryBackoff: true,
        expireInSeconds: opts.expireInSeconds ?? 60,
      })
      .catch((err: unknown) => {
        queueReady = undefined;
        throw err;
      });
    return queueReady;
  }

  const backoff = (attempt: number) =>
    Math.min(600_000, baseBackoffMs * 2 ** Math.max(0, attempt - 1)) * (0.8 + Math.random() * 0.4);

  /** Schedule another job for the delivery, atomically with the row update. */
  async function reschedule(id: string, delayMs: number, data: Prisma.DeliveryUpdateInput) {
    await prisma.$transaction(async (tx) => {
      await tx.delivery.update({ where: { id }, data });
      await boss.send(queue, { deliveryId: id } satisfies JobData, {
        startAfter: Math.max(1, Math.ceil(delayMs / 1000)),
        db: bossDb(tx),
      });
    });
  }

  async function processJob(deliveryId: string): Promise<void> {
    const d = await prisma.delivery.findUnique({ where: { id: deliveryId } });
    if (!d) {
      log.warn({ deliveryId }, 'job for an unknown delivery');
      return;
    }
    if (d.status !== 'queued') return; // already settled (a duplicate job)
    const dlog = log.child({ deliveryId, channel: d.channel, chatId: d.chatId });
    const channel = opts.channels[d.channel as ChannelName];
    if (!channel) {
      await prisma.delivery.update({
        where: { id: d.id },
        data: { status: 'failed', reason: `channel ${d.channel} is not configured` },
      });
      dlog.error('delivery for a channel that is not configured');
      opts.onOutcome?.(d.channel, 'failed');
      return;
    }

    // Claim this attempt: only one job may move attempts from n to n+1.
    const claimed = await prisma.delivery.updateMany({
      where: { id: d.id, status: 'queued', attempts: d.attempts },
      data: { attempts: { increment: 1 } },
    });
    if (claimed.count === 0) return;
    const attempt = d.attempts + 1;

    // Pace right before the HTTP call (database latency after the slot would bunch sends).
    // A slot too far away hands the job back instead of holding a worker.
    const slot = await limiter.acquire(
      rulesFor(d.channel as ChannelName, d.chatId, limits),
      maxSlotWaitMs,
    );
    if (!slot.ok) {
      await reschedule(d.id, slot.retryInMs, { attempts: { decrement: 1 } });
      opts.onOutcome?.(d.channel, 'deferred');
      return;
    }

    dlog.debug({ waitedMs: slot.waitedMs, attempt }, 'slot granted');
    const msg: OutboundMessage = {
      channel: d.channel as ChannelName,
      chatId: d.chatId,
      text: d.text,
      ...(d.buttons ? { buttons: d.buttons as unknown as OutboundMessage['buttons'] } : {}),
    };
    try {
      await channel.send(msg);
    } catch (err) {
      await slot.release();
      const e =
        err instanceof DeliveryError
          ? err
          : new DeliveryError(String(err), false, undefined, { cause: err });
      if (e.permanent) {
        await prisma.delivery.update({
          where: { id: d.id },
          data: { status: 'undeliverable', reason: e.message },
        });
        dlog.warn({ reason: e.message }, 'undeliverable');
        // Blocked by the recipient: later messages go to another of their identities.
        if (e.unreachable) await markUnreachable(prisma, d.channel, d.chatId, new Date());
        opts.onOutcome?.(d.channel, 'undeliverable');
        return;
      }
      if (e.retryAfterMs) {
        // The platform throttles the whole bot: every worker on every instance waits.
        await limiter.pause(d.channel, e.retryAfterMs);
      }
      if (attempt >= maxAttempts) {
        await prisma.delivery.update({
          where: { id: d.id },
          data: { status: 'failed', reason: `gave up after ${attempt} attempts: ${e.message}` },
        });
        dlog.error({ reason: e.message, attempt }, 'delivery failed');
        opts.onOutcome?.(d.channel, 'failed');
        return;
      }
      const delay = Math.max(e.retryAfterMs ?? 0, e.retryAfterMs ? 0 : backoff(attempt));
      dlog.info(
        { reason: e.message, attempt, delayMs: Math.round(delay) },
        'delivery retry scheduled',
      );
      await reschedule(d.id, delay, { reason: e.message });
      opts.onOutcome?.(d.channel, 'retry');
      return;
    }
    await slot.release();
    // Mark sent right away: the window for a duplicate after a crash is this one statement.
    await prisma.delivery.update({
      where: { id: d.id },
      data: { status: 'sent', sentAt: new Date(), reason: null },
    });
    opts.onOutcome?.(d.channel, 'sent');
  }

  return {
    async enqueue(msg, kind, eopts = {}) {
      const startAfter =
        eopts.notBefore && eopts.notBefore.getTime() > Date.now() ? eopts.notBefore : undefined;
      await ensureQueue();
      try {
        return await prisma.$transaction(async (tx) => {
          const d = await tx.delivery.create({
            data: {
              channel: msg.channel,
              chatId: msg.chatId,
              text: msg.text,
              kind,
              ...(msg.buttons ? { buttons: msg.buttons as unknown as Prisma.InputJsonValue } : {}),
              ...(eopts.dedupeKey ? { dedupeKey: eopts.dedupeKey } : {}),
            },
          });
          await boss.send(queue, { deliveryId: d.id } satisfies JobData, {
            db: bossDb(tx),
            ...(startAfter ? { startAfter } : {}),
          });
          return d.id;
        });
      } catch (err) {
        if (eopts.dedupeKey && (err as { code?: string }).code === 'P2002') {
          const existing = await prisma.delivery.findUnique({
            where: { dedupeKey: eopts.dedupeKey },
          });
          if (existing) return existing.id;
        }
        throw err;
      }
    },
    async enqueueMany(items, tx) {
      if (items.length === 0) return 0;
      await ensureQueue();
      const run = async (t: Tx): Promise<number> => {
        let queued = 0;
        // Chunks keep each statement's parameters well within PostgreSQL's limits.
        for (let i = 0; i < items.length; i += 1000) {
          // Ids chosen here, so each inserted row is matched back to its item.
          const chunk = items
            .slice(i, i + 1000)
            .map((it) => ({ ...it, id: randomUUID() as string }));
          const rows = await t.delivery.createManyAndReturn({
            data: chunk.map((it) => ({
              id: it.id,
              channel: it.msg.channel,
              chatId: it.msg.chatId,
              text: it.msg.text,
              kind: it.kind,
              ...(it.msg.buttons
                ? { buttons: it.msg.buttons as unknown as Prisma.InputJsonValue }
                : {}),
              ...(it.dedupeKey ? { dedupeKey: it.dedupeKey } : {}),
              ...(it.batchId ? { batchId: it.batchId } : {}),
              ...(it.at ? { createdAt: it.at } : {}),
            })),
            // An existing dedupe key: already queued by another run, instance or tap.
            skipDuplicates: true,
            select: { id: true },
          });
          const notBefore = new Map<string, Date | undefined>(
            chunk.map((it) => [it.id, it.notBefore]),
          );
          const now = Date.now();
          await boss.insert(
            queue,
            rows.map((r) => {
              const nb = notBefore.get(r.id);
              return {
                data: { deliveryId: r.id } satisfies JobData,
                ...(nb && nb.getTime() > now ? { startAfter: nb } : {}),
              };
            }),
            { db: bossDb(t) },
          );
          queued += rows.length;
        }
        return queued;
      };
      return tx ? run(tx) : prisma.$transaction(run, { timeout: 120_000, maxWait: 10_000 });
    },
    async start() {
      if (started) return;
      started = true;
      await ensureQueue();
      workerId = await boss.work<JobData>(
        queue,
        {
          batchSize: opts.batchSize ?? 25,
          localConcurrency: opts.concurrency ?? 2,
          pollingIntervalSeconds: 0.5,
          burstWhenBatchFull: true,
        },
        async (jobs) => {
          // Each job settles its own Delivery row; an infrastructure error fails the batch and
          // pg-boss retries it (already-sent deliveries are skipped).
          const results = await Promise.allSettled(jobs.map((j) => processJob(j.data.deliveryId)));
          const failed = results.find((r) => r.status === 'rejected');
          if (failed) throw (failed as PromiseRejectedResult).reason;
        },
      );
    },
    async stop() {
      // Only this instance's workers: another instance may work the same queue on this pg-boss.
      if (workerId) await boss.offWork(queue, { id: workerId, wait: true });
      workerId = undefined;
      started = false;
    },
  };
}
