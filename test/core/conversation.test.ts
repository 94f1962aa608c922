import { randomUUID } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipelineDb } from '../../src/app.js';
import { DEFAULT_LOCK_TTL_MS, createPipeline, lockKey } from '../../src/core/conversation.js';
import type { Handler } from '../../src/core/handler.js';
import { createI18n } from '../../src/core/i18n.js';
import type { InboundMessage } from '../../src/core/message.js';
import { InfraError } from '../../src/core/pipeline.js';
import { Router } from '../../src/core/router.js';
import type { Prisma } from '../../src/db/client.js';
import { MemoryStateStore } from '../../src/state/memory-store.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.cleanup());

const msg = (over: Partial<InboundMessage> = {}): InboundMessage => ({
  channel: 'sim',
  chatId: 'c1',
  userId: 'u1',
  text: 'hello',
  updateId: randomUUID(),
  receivedAt: new Date(),
  ...over,
});

/** A pipeline on the real test database, with handlers that write an audit row per update. */
function build(
  handlers: Handler<{ tx: Prisma.TransactionClient }>[],
  opts: { now?: () => Date } = {},
) {
  const db = createPipelineDb(t.db);
  const fallback: Handler<{ tx: Prisma.TransactionClient }> = {
    name: 'fallback',
    async handle(ctx) {
      ctx.reply('fallback');
    },
  };
  const store = new MemoryStateStore();
  const pipeline = createPipeline({
    db,
    store,
    router: new Router(fallback).use(...handlers),
    i18n: createI18n({ defaultLocale: 'vi' }),
    logger: pino({ level: 'silent' }),
    services: (tx) => ({ tx }),
    stateTtlMs: 3600_000,
    clock: opts.now,
  });
  return { pipeline, store };
}

const auditCount = (entityId: string) => t.db.prisma.auditLog.count({ where: { entityId } });

describe('conversation pipeline', () => {
  it('runs the chosen handler and returns its replies', async () => {
    const { pipeline } = build([
      {
        name: 'echo',
        commands: ['/echo'],
        handle: async (ctx) => ctx.reply(`got ${ctx.msg.text}`),
      },
    ]);
    const r = await pipeline.process(msg({ text: '/echo hi' }));
    expect(r).toEqual({
      status: 'processed',
      replies: [{ text: 'got /echo hi' }],
      handler: 'echo',
    });
  });

  it('applies a redelivered update only once', async () => {
    const tag = randomUUID();
    const writer: Handler<{ tx: Prisma.TransactionClient }> = {
      name: 'writer',
      commands: ['/w'],
      async handle(ctx) {
        await ctx.services.tx.auditLog.create({
          data: { action: 'test', entity: 'test', entityId: tag, data: {} },
        });
        ctx.reply('written');
      },
    };
    const { pipeline } = build([writer]);
    const m = msg({ text: '/w', updateId: 'dup-1-' + tag });
    expect((await pipeline.process(m)).status).toBe('processed');
    expect(await pipeline.process(m)).toEqual({ status: 'duplicate', replies: [] });
    expect(await auditCount(tag)).toBe(1);
  });

  it('applies concurrent deliveries of one update once', async () => {
    const tag = randomUUID();
    const writer: Handler<{ tx: Prisma.TransactionClient }> = {
      name: 'writer',
      commands: ['/w'],
      async handle(ctx) {
        await ctx.services.tx.auditLog.create({
          data: { action: 'test', entity: 'test', entityId: tag, data: {} },
        });
      },
    };
    // Two pipelines = two instances sharing the database (each with its own lock store).
    const a = build([writer]).pipeline;
    const b = build([writer]).pipeline;
    const m = msg({ text: '/w', updateId: 'dup-2-' + tag });
    const results = await Promise.all([a.process(m), b.process(m), a.process(m), b.process(m)]);
    expect(results.filter((r) => r.status === 'processed')).toHaveLength(1);
    expect(await auditCount(tag)).toBe(1);
  });

  it('processes one chat’s updates one at a time', async () => {
    let inside = 0;
    let maxInside = 0;
    const slow: Handler<{ tx: Prisma.TransactionClient }> = {
      name: 'slow',
      commands: ['/slow'],
      async handle() {
        inside++;
        maxInside = Math.max(maxInside, inside);
        await new Promise((r) => setTimeout(r, 20));
        inside--;
      },
    };
    const { pipeline } = build([slow]);
    await Promise.all([1, 2, 3, 4].map(() => pipeline.process(msg({ text: '/slow' }))));
    expect(maxInside).toBe(1);
  });

  it('rolls back a handler that fails, apologises, and does not retry it', async () => {
    const tag = randomUUID();
    const buggy: Handler<{ tx: Prisma.TransactionClient }> = {
      name: 'buggy',
      commands: ['/bug'],
      async handle(ctx) {
        await ctx.services.tx.auditLog.create({
          data: { action: 'test', entity: 'test', entityId: tag, data: {} },
        });
        throw new TypeError('boom');
      },
    };
    const { pipeline } = build([buggy]);
    const m = msg({ text: '/bug' });
    const r = await pipeline.process(m);
    expect(r.status).toBe('processed');
    expect(r.replies[0]!.text).toMatch(/Xin lỗi/);
    expect(r.replies[0]!.text).not.toMatch(/boom|TypeError/);
    expect(await auditCount(tag)).toBe(0);
    expect((await pipeline.process(m)).status).toBe('duplicate');
  });

  it('keeps the flow state between updates and tells the user when it expired', async () => {
    let now = new Date('2026-11-27T01:00:00Z');
    const flow: Handler<{ tx: Prisma.TransactionClient }> = {
      name: 'flow',
      commands: ['/go'],
      flows: ['f'],
      async handle(ctx) {
        if (ctx.state.flow === 'f') {
          ctx.reply(`step ${ctx.state.step}`);
          ctx.setState(null);
        } else {
          ctx.setState({ flow: 'f', step: 'two' });
          ctx.reply('started');
        }
      },
    };
    const { pipeline } = build([flow], { now: () => now });
    await pipeline.process(msg({ chatId: 'flow-chat', text: '/go' }));
    expect((await pipeline.process(msg({ chatId: 'flow-chat', text: 'next' }))).replies).toEqual([
      { text: 'step two' },
    ]);
    await pipeline.process(msg({ chatId: 'flow-chat', text: '/go' }));
    now = new Date(now.getTime() + 2 * 3600_000);
    const late = await pipeline.process(msg({ chatId: 'flow-chat', text: 'next' }));
    expect(late.replies[0]!.text).toMatch(/hết hạn/);
    expect(late.replies[1]).toEqual({ text: 'fallback' });
  });

  it('answers oversized, empty and unreadable input politely without a handler', async () => {
    const { pipeline } = build([]);
    const long = await pipeline.process(msg({ text: 'a'.repeat(10_000) }));
    expect(long.replies[0]!.text).toMatch(/quá dài/);
    expect((await pipeline.process(msg({ text: '   ' }))).replies[0]!.text).toMatch(
      /chưa nhận được/,
    );
    expect(
      (await pipeline.process(msg({ text: undefined, event: 'unsupported' }))).replies[0]!.text,
    ).toMatch(/văn bản/);
  });

  it('raises InfraError (so the platform redelivers) when the state store is down', async () => {
    const { pipeline, store } = build([]);
    await store.close();
    store.acquireLock = async () => {
      throw new Error('ECONNREFUSED');
    };
    await expect(pipeline.process(msg())).rejects.toBeInstanceOf(InfraError);
  });
});

describe('the per-chat lock lease', () => {
  it('is short: a redelivery after a crash that left the lock held is processed within 5 s', async () => {
    expect(DEFAULT_LOCK_TTL_MS).toBeLessThanOrEqual(5_000);
    const { pipeline, store } = build([
      { name: 'echo', commands: ['/e'], handle: async (ctx) => ctx.reply('ok') },
    ]);
    const m = msg({ chatId: 'crashed', text: '/e' });
    // A process died holding this chat's lock (taken with the default lease, never released).
    const dead = await store.acquireLock(lockKey(m), { ttlMs: DEFAULT_LOCK_TTL_MS, waitMs: 0 });
    expect(dead).not.toBeNull();
    const started = Date.now();
    const r = await pipeline.process(m);
    expect(r.replies).toEqual([{ text: 'ok' }]);
    expect(Date.now() - started).toBeLessThan(5_500);
  }, 20_000);

  it('fences a process that lost its lease: it cannot commit over the new holder', async () => {
    const tag = randomUUID();
    const held: { store?: MemoryStateStore } = {};
    const stalled: Handler<{ tx: Prisma.TransactionClient }> = {
      name: 'stalled',
      commands: ['/s'],
      async handle(ctx) {
        await ctx.services.tx.auditLog.create({
          data: { action: 'test', entity: 'test', entityId: tag, data: {} },
        });
        // Meanwhile the lease ran out and another process took the chat.
        const key = lockKey(ctx.msg);
        await held.store!.delete(key);
        await held.store!.acquireLock(key, { ttlMs: 60_000, waitMs: 0 });
      },
    };
    const { pipeline, store } = build([stalled]);
    held.store = store;
    await expect(pipeline.process(msg({ chatId: 'fenced', text: '/s' }))).rejects.toBeInstanceOf(
      InfraError,
    );
    expect(await auditCount(tag)).toBe(0);
  });
});
