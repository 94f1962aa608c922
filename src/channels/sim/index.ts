import { randomUUID } from 'node:crypto';
import express, { Router } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { OutboundMessage, OutboundReply } from '../../core/message.js';
import { InfraError, type Pipeline } from '../../core/pipeline.js';
import type { StateStore } from '../../state/store.js';
import { cleanInbound } from '../route.js';
import type { Channel } from '../types.js';
import { SIM_PAGE } from './page.js';

const MessageBody = z.union([
  z.object({ user: z.string().trim().min(1).max(64), text: z.string().max(20_000) }).strict(),
  z.object({ user: z.string().trim().min(1).max(64), button: z.string().min(1).max(256) }).strict(),
]);

/** Proactive messages kept for a simulator user (default: the state TTL). */
const OUTBOX_MAX = 500;
const outboxKey = (user: string) => `sim:outbox:${user}`;
/** Where one reader of a user's outbox got to (the API client without `reader` is one reader). */
const cursorKey = (user: string, reader: string) => `sim:cursor:${user}:${reader}`;
const READER = /^[A-Za-z0-9_-]{1,64}$/;

/** One proactive message in the outbox, numbered so each reader can take what is new to it. */
interface Stored {
  seq: number;
  msg: OutboundReply;
}

/** The reply shape of the simulator API: `buttons` left out when there are none. */
function wire(r: OutboundReply): OutboundReply {
  return r.buttons && r.buttons.length > 0
    ? { text: r.text, buttons: r.buttons }
    : { text: r.text };
}

/**
 * The web chat simulator: a channel like any other, so anyone can talk to the bot with no
 * Telegram or Zalo account. Same pipeline, router and handlers as the platforms.
 */
export function createSimChannel(deps: {
  pipeline: Pipeline;
  store: StateStore;
  logger: Logger;
  /** How long proactive messages stay readable (default 24 h, the state TTL). */
  outboxTtlMs?: number;
  /** Body limit of the simulator API (BODY_LIMIT, default 256kb). */
  bodyLimit?: string;
}): Channel {
  const outboxTtlMs = deps.outboxTtlMs ?? 24 * 3600_000;
  const limit = deps.bodyLimit ?? '256kb';
  const router = Router();

  router.get('/', (_req, res) => {
    res.type('html').send(SIM_PAGE);
  });

  router.post('/api/messages', express.json({ limit }), async (req, res) => {
    const parsed = MessageBody.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({
        error: 'expected {"user": "<id>", "text": "..."} or {"user": "<id>", "button": "<data>"}',
        issues: parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`),
      });
      return;
    }
    const body = parsed.data;
    try {
      const result = await deps.pipeline.process(
        cleanInbound({
          channel: 'sim',
          chatId: body.user,
          userId: body.user,
          ...('text' in body ? { text: body.text } : { button: body.button }),
          updateId: randomUUID(),
          receivedAt: new Date(),
          displayName: undefined,
        }),
      );
      res.json({ replies: result.replies.map(wire) });
    } catch (err) {
      if (err instanceof InfraError) {
        deps.logger.warn(
          { err: err.message },
          'simulator message not processed: infrastructure unavailable',
        );
        res
          .status(503)
          .set('Retry-After', '5')
          .json({ error: 'service temporarily unavailable, try again' });
        return;
      }
      throw err;
    }
  });

  /**
   * GET /sim/api/messages?user=<id>[&reader=<id>]: the proactive messages of a user this reader
   * has not had yet, oldest first. Each reader (a page passes its own id; an API client without
   * `reader` is one reader) gets each message once; the messages stay for other readers until
   * they expire with the state TTL.
   */
  router.get('/api/messages', async (req, res) => {
    const user = typeof req.query.user === 'string' ? req.query.user.trim() : '';
    if (!user || user.length > 64) {
      res.status(400).json({ error: 'query parameter user is required (1–64 characters)' });
      return;
    }
    const reader = typeof req.query.reader === 'string' ? req.query.reader : '-';
    if (!READER.test(reader)) {
      res.status(400).json({ error: 'reader must be 1–64 characters of A-Z a-z 0-9 _ -' });
      return;
    }
    try {
      const lock = await deps.store.acquireLock(`lock:${outboxKey(user)}`, {
        ttlMs: 5000,
        waitMs: 5000,
      });
      if (!lock) throw new InfraError('outbox busy');
      try {
        const box = (await deps.store.get<Stored[]>(outboxKey(user))) ?? [];
        const seen = (await deps.store.get<number>(cursorKey(user, reader))) ?? 0;
        const fresh = box.filter((m) => m.seq > seen);
        const last = fresh.at(-1);
        if (last) await deps.store.set(cursorKey(user, reader), last.seq, outboxTtlMs);
        res.json({ messages: fresh.map((m) => wire(m.msg)) });
      } finally {
        await lock.release();
      }
    } catch (err) {
      deps.logger.warn({ err: (err as Error).message }, 'simulator outbox unavailable');
      res
        .status(503)
        .set('Retry-After', '5')
        .json({ error: 'service temporarily unavailable, try again' });
    }
  });

  return {
    name: 'sim',
    router,
    async send(msg: OutboundMessage) {
      const key = outboxKey(msg.chatId);
      const lock = await deps.store.acquireLock(`lock:${key}`, { ttlMs: 5000, waitMs: 5000 });
      if (!lock) throw new Error('simulator outbox busy');
      try {
        const box = (await deps.store.get<Stored[]>(key)) ?? [];
        // Time-based, so numbers keep growing even after an expired outbox starts afresh.
        box.push({ seq: Math.max(Date.now(), (box.at(-1)?.seq ?? 0) + 1), msg: wire(msg) });
        await deps.store.set(key, box.slice(-OUTBOX_MAX), outboxTtlMs);
      } finally {
        await lock.release();
      }
    },
  };
}
