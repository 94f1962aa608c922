/**
 * The pieces every webhook router shares (src/channels/webhook.ts), each with the exact answer
 * it must give: header values, strict UTF-8 + JSON bodies, 4xx kept / everything else 503 with
 * Retry-After, the channel's own texts, and replies sent in order with the retryable failure
 * handed to the durable-queue fallback.
 */
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import {
  asDeliveryError,
  DEFAULT_WEBHOOK_BODY_LIMIT,
  fileTranslate,
  headerValue,
  parseJsonBody,
  rawBody,
  RETRY_AFTER_SECONDS,
  sendRepliesInOrder,
  webhookErrors,
} from '../../src/channels/webhook.js';
import { DeliveryError } from '../../src/channels/types.js';
import type { OutboundMessage, OutboundReply } from '../../src/core/message.js';
import { memoryLogger, mount, type Mounted } from './fakes/http.js';

describe('headerValue', () => {
  it('gives the first of repeated headers, the value itself, or undefined', () => {
    expect(headerValue(['a', 'b'])).toBe('a');
    expect(headerValue('x')).toBe('x');
    expect(headerValue(undefined)).toBeUndefined();
    expect(headerValue([])).toBeUndefined();
  });
});

describe('parseJsonBody', () => {
  it('parses strict UTF-8 JSON', () => {
    expect(parseJsonBody(Buffer.from('{"a":"chào"}'))).toEqual({
      ok: true,
      value: { a: 'chào' },
    });
  });
  it('reports empty, non-buffer, invalid UTF-8 and invalid JSON bodies', () => {
    expect(parseJsonBody(Buffer.alloc(0))).toEqual({ ok: false, error: 'empty body' });
    expect(parseJsonBody('{"a":1}')).toEqual({ ok: false, error: 'empty body' });
    expect(parseJsonBody(undefined)).toEqual({ ok: false, error: 'empty body' });
    expect(parseJsonBody(Buffer.from([0x7b, 0xff, 0x7d]))).toEqual({
      ok: false,
      error: 'invalid UTF-8',
    });
    expect(parseJsonBody(Buffer.from('{a:1}'))).toEqual({ ok: false, error: 'invalid JSON' });
  });
});

describe('fileTranslate', () => {
  it('reads locales/<locale>/core.json, interpolating {{name}}', () => {
    const vi = fileTranslate('vi');
    expect(vi('common.cancelled')).toBe('Đã hủy.');
    expect(vi('common.tooLong', { length: 5000, max: 4096 })).toBe(
      'Tin nhắn quá dài (5000 ký tự). Anh/chị vui lòng gửi ngắn hơn 4096 ký tự.',
    );
    expect(fileTranslate()('common.cancelled')).toBe('Đã hủy.');
    expect(fileTranslate('en')('common.cancelled')).not.toBe('Đã hủy.');
  });
  it('gives the key for a missing or non-text entry, and blanks for missing variables', () => {
    const vi = fileTranslate('vi');
    expect(vi('common.nope')).toBe('common.nope');
    expect(vi('common')).toBe('common');
    expect(vi('common.cancelled.deeper')).toBe('common.cancelled.deeper');
    // A character of a text is not an entry either.
    expect(vi('common.cancelled.0')).toBe('common.cancelled.0');
    expect(vi('common.tooLong', { length: 7 })).toBe(
      'Tin nhắn quá dài (7 ký tự). Anh/chị vui lòng gửi ngắn hơn  ký tự.',
    );
    expect(vi('common.tooLong')).toBe(
      'Tin nhắn quá dài ( ký tự). Anh/chị vui lòng gửi ngắn hơn  ký tự.',
    );
  });
});

describe('asDeliveryError', () => {
  it('keeps a DeliveryError and makes anything else a retryable one', () => {
    const permanent = new DeliveryError('blocked', true);
    expect(asDeliveryError(permanent)).toBe(permanent);
    const e = asDeliveryError(new Error('socket hang up'));
    expect(e).toBeInstanceOf(DeliveryError);
    expect(e.permanent).toBe(false);
    expect(e.message).toBe('Error: socket hang up');
  });
});

describe('sendRepliesInOrder', () => {
  const replies: OutboundReply[] = [{ text: 'one' }, { text: 'two' }, { text: 'three' }];

  it('sends every reply in order and returns what the last send returned', async () => {
    const sent: string[] = [];
    const { logger } = memoryLogger();
    const last = await sendRepliesInOrder(
      replies,
      async (r) => {
        sent.push(r.text);
        return r.text.length;
      },
      { channel: 'telegram', chatId: 'c1', log: logger },
    );
    expect(sent).toEqual(['one', 'two', 'three']);
    expect(last).toBe(5);
  });

  it('stops at a retryable failure and hands that reply (not the rest) to the fallback', async () => {
    const sent: string[] = [];
    const fallback: Array<{ msg: OutboundMessage; err: DeliveryError }> = [];
    const { logger, records } = memoryLogger();
    const last = await sendRepliesInOrder(
      replies,
      async (r) => {
        if (r.text === 'two') throw new Error('ECONNRESET');
        sent.push(r.text);
        return r.text;
      },
      {
        channel: 'zalo-bot',
        chatId: 'c2',
        log: logger,
        replyFallback: async (msg, err) => void fallback.push({ msg, err }),
      },
    );
    expect(sent).toEqual(['one']);
    expect(last).toBe('one');
    expect(fallback).toHaveLength(1);
    expect(fallback[0]!.msg).toEqual({ text: 'two', channel: 'zalo-bot', chatId: 'c2' });
    expect(fallback[0]!.err.permanent).toBe(false);
    expect(records.some((r) => r.msg === 'reply could not be sent' && r.chatId === 'c2')).toBe(
      true,
    );
  });

  it('only logs a permanent failure, and uses the channel classification when given', async () => {
    const fallback: OutboundMessage[] = [];
    const { logger } = memoryLogger();
    const ctx = {
      channel: 'telegram' as const,
      chatId: 'c3',
      log: logger,
      replyFallback: async (msg: OutboundMessage) => void fallback.push(msg),
    };
    await sendRepliesInOrder(
      replies,
      async () => {
        throw new DeliveryError('blocked', true);
      },
      ctx,
    );
    expect(fallback).toEqual([]);
    await sendRepliesInOrder(
      replies,
      async () => {
        throw new Error('403');
      },
      { ...ctx, toError: (err) => new DeliveryError(String(err), true) },
    );
    expect(fallback).toEqual([]);
    await sendRepliesInOrder(
      replies,
      async () => {
        throw new Error('502');
      },
      { ...ctx, toError: (err) => new DeliveryError(String(err), false) },
    );
    expect(fallback).toEqual([{ text: 'one', channel: 'telegram', chatId: 'c3' }]);
  });

  it('logs a failing fallback instead of throwing, and sends nothing after it', async () => {
    const { logger, records } = memoryLogger();
    let sends = 0;
    await expect(
      sendRepliesInOrder(
        replies,
        async () => {
          sends++;
          throw new Error('timeout');
        },
        {
          channel: 'zalo-oa',
          chatId: 'c4',
          log: logger,
          replyFallback: () => Promise.reject(new Error('queue down')),
        },
      ),
    ).resolves.toBeUndefined();
    expect(sends).toBe(1);
    const failed = records.find((r) => r.msg === 'reply fallback failed');
    expect(failed?.err).toMatchObject({ message: 'queue down' });
  });
});

describe('rawBody and webhookErrors', () => {
  let server: Mounted | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function start(limit?: string, fail?: Error) {
    const { logger, records } = memoryLogger();
    const router = express.Router();
    router.post('/', rawBody(limit), (req, res) => {
      if (fail) throw fail;
      res.json({ bytes: (req.body as Buffer).length, isBuffer: Buffer.isBuffer(req.body) });
    });
    router.use(webhookErrors(logger));
    server = await mount('/hook', router);
    return records;
  }

  it('reads any content type as raw bytes up to 256kb by default', async () => {
    expect(DEFAULT_WEBHOOK_BODY_LIMIT).toBe('256kb');
    await start();
    const ok = await fetch(server!.url, {
      method: 'POST',
      headers: { 'content-type': 'text/weird' },
      body: 'x'.repeat(256 * 1024),
    });
    expect(await ok.json()).toEqual({ bytes: 256 * 1024, isBuffer: true });
    const big = await fetch(server!.url, { method: 'POST', body: 'x'.repeat(256 * 1024 + 1) });
    expect(big.status).toBe(413);
  });

  it('keeps a body-parser 4xx with its message and logs it as a warning', async () => {
    const records = await start('10b');
    const r = await fetch(server!.url, { method: 'POST', body: 'x'.repeat(11) });
    expect(r.status).toBe(413);
    expect(r.headers.get('retry-after')).toBeNull();
    expect(await r.json()).toEqual({ ok: false, error: 'request entity too large' });
    expect(records.find((l) => l.msg === 'webhook rejected')).toMatchObject({ status: 413 });
  });

  it('answers 503 with Retry-After for anything that is our fault, 5xx statuses included', async () => {
    expect(RETRY_AFTER_SECONDS).toBe(5);
    for (const fail of [
      new Error('db down'),
      Object.assign(new Error('bad gateway'), { status: 502 }),
      Object.assign(new Error('internal'), { status: 500 }),
      Object.assign(new Error('odd'), { status: 399 }),
      Object.assign(new Error('text status'), { status: '400' }),
    ]) {
      const records = await start(undefined, fail);
      const r = await fetch(server!.url, { method: 'POST', body: '{}' });
      expect(r.status).toBe(503);
      expect(r.headers.get('retry-after')).toBe('5');
      expect(await r.json()).toEqual({ ok: false, error: 'temporarily unavailable' });
      expect(records.find((l) => l.msg === 'webhook failed')?.err).toMatchObject({
        message: fail.message,
      });
      await server!.close();
      server = undefined;
    }
    for (const status of [400, 499]) {
      await start(undefined, Object.assign(new Error(`client ${status}`), { status }));
      const r = await fetch(server!.url, { method: 'POST', body: '{}' });
      expect(r.status).toBe(status);
      expect(await r.json()).toEqual({ ok: false, error: `client ${status}` });
      await server!.close();
      server = undefined;
    }
  });
});
