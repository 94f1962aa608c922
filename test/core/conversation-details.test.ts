/**
 * The conversation core's smaller promises, one behaviour each: command buttons, the pre-check
 * answers, the chosen language, flow expiry and edits, what the handler is given, the state
 * saved after an update, handlers that need no transaction, failures, and the lock's lease.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipelineDb } from '../../src/app.js';
import {
  COMMAND_BUTTON,
  DuplicateUpdateError,
  MAX_TEXT_LENGTH,
  commandButton,
  createPipeline,
  lockKey,
  type PipelineDb,
} from '../../src/core/conversation.js';
import type { Handler, HandlerContext, Locale } from '../../src/core/handler.js';
import { createI18n } from '../../src/core/i18n.js';
import type { InboundMessage } from '../../src/core/message.js';
import { InfraError } from '../../src/core/pipeline.js';
import { Router } from '../../src/core/router.js';
import type { Prisma } from '../../src/db/client.js';
import { MemoryStateStore } from '../../src/state/memory-store.js';
import { memoryLogger } from '../channels/fakes/http.js';
import { createTestDb, type TestDb } from '../helpers/db.js';

type S = { tx: Prisma.TransactionClient };
type H = Handler<S>;

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.cleanup());

const i18n = createI18n({ defaultLocale: 'vi' });
const vi = i18n.translator('vi');
const en = i18n.translator('en');

const msg = (over: Partial<InboundMessage> = {}): InboundMessage => ({
  channel: 'sim',
  chatId: 'c-' + randomUUID(),
  userId: 'u1',
  text: 'hello',
  updateId: randomUUID(),
  receivedAt: new Date(),
  ...over,
});

/** The fallback answers `fallback` and shows the state it was given. */
const fallback: H = {
  name: 'fallback',
  async handle(ctx) {
    ctx.reply('fallback');
  },
};

interface BuildOpts {
  handlers?: H[];
  now?: () => Date;
  storeNow?: () => number;
  db?: PipelineDb<Prisma.TransactionClient>;
  localeOf?: (m: InboundMessage) => Promise<Locale | undefined>;
  stateTtlMs?: number;
  lockTtlMs?: number;
  lockWaitMs?: number;
  commands?: Parameters<typeof createPipeline>[0]['commands'];
  /** Share one state store between pipelines (two instances of the bot). */
  store?: MemoryStateStore;
}

function build(o: BuildOpts = {}) {
  const store = o.store ?? new MemoryStateStore(undefined, o.storeNow);
  const { logger, records } = memoryLogger();
  const pipeline = createPipeline<S, Prisma.TransactionClient>({
    db: o.db ?? createPipelineDb(t.db),
    store,
    router: new Router(fallback).use(...(o.handlers ?? [])),
    i18n,
    logger,
    services: (tx) => ({ tx }),
    stateTtlMs: o.stateTtlMs ?? 3600_000,
    clock: o.now,
    localeOf: o.localeOf,
    lockTtlMs: o.lockTtlMs,
    lockWaitMs: o.lockWaitMs,
    commands: o.commands,
  });
  return { pipeline, store, records };
}

/** A handler for `/x` that reports what it was given, through `seen`. */
function probe(name = 'probe', extra: Partial<H> = {}) {
  const seen: HandlerContext<S>[] = [];
  const handler: H = {
    name,
    commands: ['/x'],
    async handle(ctx) {
      seen.push(ctx);
      ctx.reply(`${name}: ${ctx.msg.text ?? '-'}`);
    },
    ...extra,
  };
  return { handler, seen };
}

const processedRows = (updateId: string) =>
  t.db.prisma.processedUpdate.count({ where: { channel: 'sim', updateId } });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A database that is gone: a test database, closed. */
async function deadDb(): Promise<PipelineDb<Prisma.TransactionClient>> {
  const gone = await createTestDb();
  const db = createPipelineDb(gone.db);
  await gone.cleanup();
  return db;
}

describe('command buttons', () => {
  it('carry the command as button data', () => {
    expect(commandButton('Báo cáo', '/baocao')).toEqual({ label: 'Báo cáo', data: 'cmd:/baocao' });
    expect(COMMAND_BUTTON).toBe('cmd:');
  });

  it('are handled as the command typed, without the button', async () => {
    const seen: Array<[string | undefined, string | undefined]> = [];
    const { pipeline } = build({
      handlers: [
        {
          name: 'report',
          commands: ['/baocao'],
          async handle(ctx) {
            seen.push([ctx.msg.text, ctx.msg.button]);
          },
        },
      ],
    });
    const r = await pipeline.process(
      msg({ text: undefined, button: commandButton('Báo cáo', '/baocao T10').data }),
    );
    expect(r.handler).toBe('report');
    expect(seen).toEqual([['/baocao T10', undefined]]);
  });

  it('leave other button data to the handler owning its prefix', async () => {
    const seen: Array<string | undefined> = [];
    const { pipeline } = build({
      handlers: [
        {
          name: 'options',
          buttons: ['rep:'],
          async handle(ctx) {
            seen.push(ctx.msg.button);
          },
        },
      ],
    });
    expect((await pipeline.process(msg({ text: undefined, button: 'rep:1' }))).handler).toBe(
      'options',
    );
    expect(seen).toEqual(['rep:1']);
  });
});

describe('answers that need no handler', () => {
  it('take a message of exactly the longest length, and refuse one character more', async () => {
    const { handler } = probe('long');
    const { pipeline } = build({ handlers: [{ ...handler, commands: [], match: () => true }] });
    const fits = await pipeline.process(msg({ text: 'a'.repeat(MAX_TEXT_LENGTH) }));
    expect(fits.handler).toBe('long');
    const over = await pipeline.process(msg({ text: 'a'.repeat(MAX_TEXT_LENGTH + 1) }));
    expect(over).toEqual({
      status: 'processed',
      replies: [{ text: vi('common.tooLong', { length: 4001, max: 4000 }) }],
      handler: 'precheck',
    });
    expect(over.replies[0]!.text).toContain('4001');
    expect(over.replies[0]!.text).toContain('4000');
  });

  it('answer a message without text, and one of blanks only, as empty', async () => {
    const { pipeline } = build();
    for (const text of [undefined, '', ' \n ']) {
      expect((await pipeline.process(msg({ text }))).replies).toEqual([
        { text: vi('common.empty') },
      ]);
    }
  });

  it('answer a photo or a sticker as unsupported, without a handler', async () => {
    const { pipeline } = build();
    expect(await pipeline.process(msg({ text: undefined, event: 'unsupported' }))).toEqual({
      status: 'processed',
      replies: [{ text: vi('common.unsupported') }],
      handler: 'precheck',
    });
  });

  it('hand a follow event (no text) to the handlers', async () => {
    const { pipeline } = build();
    expect(await pipeline.process(msg({ text: undefined, event: 'follow' }))).toEqual({
      status: 'processed',
      replies: [{ text: 'fallback' }],
      handler: 'fallback',
    });
  });

  it('refuse button data longer than 256 characters, and take 256', async () => {
    const seen: Array<string | undefined> = [];
    const { pipeline } = build({
      handlers: [
        {
          name: 'options',
          buttons: ['rep:'],
          async handle(ctx) {
            seen.push(ctx.msg.button);
          },
        },
      ],
    });
    const at = 'rep:' + 'x'.repeat(252);
    expect((await pipeline.process(msg({ text: undefined, button: at }))).handler).toBe('options');
    expect(seen).toEqual([at]);
    expect(await pipeline.process(msg({ text: undefined, button: at + 'x' }))).toEqual({
      status: 'processed',
      replies: [{ text: vi('common.unknownButton') }],
      handler: 'precheck',
    });
    // Button data with no text is not an empty message.
    expect((await pipeline.process(msg({ text: undefined, button: 'rep:2' }))).handler).toBe(
      'options',
    );
  });
});

describe('the language of the answers', () => {
  it('is the one the sender chose, read from the database', async () => {
    const { pipeline } = build({ localeOf: async () => 'en' });
    expect((await pipeline.process(msg({ text: ' ' }))).replies).toEqual([
      { text: en('common.empty') },
    ]);
  });

  it('falls back to the one kept in the conversation, then to the default', async () => {
    const setter: H = {
      name: 'lang',
      commands: ['/lang'],
      async handle(ctx) {
        ctx.setState({ locale: 'en' });
      },
    };
    const { pipeline } = build({ handlers: [setter], localeOf: async () => undefined });
    const chatId = 'lang-' + randomUUID();
    expect((await pipeline.process(msg({ chatId, text: ' ' }))).replies[0]!.text).toBe(
      vi('common.empty'),
    );
    await pipeline.process(msg({ chatId, text: '/lang' }));
    expect((await pipeline.process(msg({ chatId, text: ' ' }))).replies[0]!.text).toBe(
      en('common.empty'),
    );
  });

  it('is the default, with a warning, when the chosen one cannot be read', async () => {
    const { pipeline, records } = build({
      localeOf: () => Promise.reject(new Error('db down')),
    });
    expect((await pipeline.process(msg({ text: ' ' }))).replies[0]!.text).toBe(vi('common.empty'));
    const warning = records.find((r) => r.msg === 'chosen language not read; using the default');
    expect(warning?.level).toBe(40);
    expect((warning?.err as { message?: string } | undefined)?.message).toBe('db down');
  });

  it('is given to the handler, with a translator for the other one', async () => {
    const { handler, seen } = probe();
    const { pipeline } = build({ handlers: [handler], localeOf: async () => 'en' });
    await pipeline.process(msg({ text: '/x' }));
    expect(seen[0]!.locale).toBe('en');
    expect(seen[0]!.t('common.empty')).toBe(en('common.empty'));
    expect(seen[0]!.tFor('vi')('common.empty')).toBe(vi('common.empty'));
  });
});

describe('what a handler is given', () => {
  it('the clock’s instant, the declared commands, and a copy of the state', async () => {
    const at = new Date('2026-11-27T03:00:00Z');
    const commands = [] as unknown as NonNullable<BuildOpts['commands']>;
    const states: unknown[] = [];
    const given: unknown[] = [];
    const flow: H = {
      name: 'flow',
      commands: ['/go'],
      flows: ['f'],
      async handle(ctx) {
        states.push(structuredClone(ctx.state));
        if (ctx.state.flow !== 'f') ctx.setState({ flow: 'f', step: 'one' });
        // A handler that changes its copy without setState changes nothing.
        (ctx.state as { step?: string }).step = 'changed';
        given.push(ctx.now(), ctx.commands);
      },
    };
    const { pipeline } = build({ handlers: [flow], now: () => at, commands });
    const chatId = 'ctx-' + randomUUID();
    await pipeline.process(msg({ chatId, text: '/go' }));
    await pipeline.process(msg({ chatId, text: 'next' }));
    expect(states).toEqual([{}, { flow: 'f', step: 'one', touchedAt: at.toISOString() }]);
    expect(given).toEqual([at, commands, at, commands]);
    expect(given[1]).toBe(commands);
  });

  it('no commands when none are declared, and the real time without a clock', async () => {
    const { handler, seen } = probe();
    const { pipeline } = build({ handlers: [handler] });
    const before = Date.now();
    await pipeline.process(msg({ text: '/x' }));
    expect(seen[0]!.commands).toEqual([]);
    const at = seen[0]!.now();
    expect(at).toBeInstanceOf(Date);
    expect(at.getTime()).toBeGreaterThanOrEqual(before);
    expect(at.getTime()).toBeLessThanOrEqual(Date.now());
  });

  it('a logger naming the channel, the update and the chat', async () => {
    const { pipeline, records } = build({
      handlers: [
        {
          name: 'talker',
          commands: ['/x'],
          async handle(ctx) {
            ctx.log.info('handler speaking');
          },
        },
      ],
    });
    const m = msg({ text: '/x' });
    await pipeline.process(m);
    expect(records.find((r) => r.msg === 'handler speaking')).toMatchObject({
      channel: 'sim',
      updateId: m.updateId,
      chat: m.chatId,
    });
  });

  it('a menu to show the chat, returned with the replies (and no menu unless asked)', async () => {
    const { pipeline } = build({
      handlers: [
        {
          name: 'menu',
          commands: ['/menu'],
          async handle(ctx) {
            ctx.setMenu(['everyone', 'reporter']);
            ctx.reply({ text: 'ok', buttons: [[{ label: 'a', data: 'b' }]] });
          },
        },
      ],
    });
    expect(await pipeline.process(msg({ text: '/menu' }))).toEqual({
      status: 'processed',
      replies: [{ text: 'ok', buttons: [[{ label: 'a', data: 'b' }]] }],
      menu: ['everyone', 'reporter'],
      handler: 'menu',
    });
    const plain = await pipeline.process(msg({ text: 'hi' }));
    expect(Object.keys(plain)).not.toContain('menu');
  });
});

describe('flows', () => {
  const flowHandler = (edits?: H['edits']): { handler: H; replies: string[] } => {
    const replies: string[] = [];
    return {
      replies,
      handler: {
        name: 'flow',
        commands: ['/go'],
        flows: ['f'],
        edits,
        async handle(ctx) {
          if (ctx.msg.text === '/go') ctx.setState({ flow: 'f', step: 'one' });
          else {
            replies.push(`${ctx.msg.edited ? 'edited' : 'new'} ${ctx.msg.text}`);
            ctx.reply('continued');
          }
        },
      },
    };
  };

  it('ignore an edited message outside a flow, silently', async () => {
    const { pipeline } = build();
    expect(await pipeline.process(msg({ text: 'changed', edited: true }))).toEqual({
      status: 'processed',
      replies: [],
      handler: 'edit-ignored',
    });
  });

  it('take an edited message only where the flow in progress accepts one', async () => {
    const takes = flowHandler((state) => state.step === 'one');
    const a = build({ handlers: [takes.handler] });
    const chatId = 'edit-' + randomUUID();
    await a.pipeline.process(msg({ chatId, text: '/go' }));
    expect((await a.pipeline.process(msg({ chatId, text: '12', edited: true }))).handler).toBe(
      'flow',
    );
    expect(takes.replies).toEqual(['edited 12']);

    for (const refuses of [flowHandler(() => false), flowHandler(undefined)]) {
      const b = build({ handlers: [refuses.handler] });
      await b.pipeline.process(msg({ chatId, text: '/go' }));
      expect((await b.pipeline.process(msg({ chatId, text: '12', edited: true }))).handler).toBe(
        'edit-ignored',
      );
      expect(refuses.replies).toEqual([]);
    }
  });

  it('ignore an edit in a flow no handler continues any more (a feature removed)', async () => {
    const store = new MemoryStateStore();
    const before = flowHandler(() => true);
    const chatId = 'gone-' + randomUUID();
    await build({ handlers: [before.handler], store }).pipeline.process(
      msg({ chatId, text: '/go' }),
    );
    const after = build({ store });
    expect(await after.pipeline.process(msg({ chatId, text: '12', edited: true }))).toEqual({
      status: 'processed',
      replies: [],
      handler: 'edit-ignored',
    });
  });

  it('expire after the idle time, with the hours rounded, keeping the chosen language', async () => {
    let now = new Date('2026-11-27T01:00:00Z');
    const flow: H = {
      name: 'flow',
      commands: ['/go'],
      flows: ['f'],
      async handle(ctx) {
        ctx.setState({ flow: 'f', locale: 'en' });
      },
    };
    const states: unknown[] = [];
    const { pipeline } = build({
      handlers: [
        flow,
        {
          name: 'look',
          commands: ['/look'],
          async handle(ctx) {
            states.push(ctx.state);
          },
        },
      ],
      now: () => now,
      stateTtlMs: 1.5 * 3600_000,
    });
    const chatId = 'exp-' + randomUUID();
    await pipeline.process(msg({ chatId, text: '/go' }));
    // Exactly at the idle time the flow is still on.
    now = new Date(now.getTime() + 1.5 * 3600_000);
    expect((await pipeline.process(msg({ chatId, text: '/look' }))).replies).toEqual([]);
    now = new Date(now.getTime() + 1);
    const late = await pipeline.process(msg({ chatId, text: '/look' }));
    expect(late.replies).toEqual([{ text: en('common.flowExpired', { hours: 2 }) }]);
    expect(late.replies[0]!.text).toContain('after 2 hours');
    expect(states[1]).toEqual({ locale: 'en' });
    // What the expiry left is saved: the flow is over, the language stays.
    now = new Date(now.getTime() + 1000);
    expect((await pipeline.process(msg({ chatId, text: '/look' }))).replies).toEqual([]);
    expect(states[2]).toEqual({
      locale: 'en',
      touchedAt: new Date(now.getTime() - 1000).toISOString(),
    });
  });

  it('expire without a language to keep', async () => {
    let now = new Date('2026-11-27T01:00:00Z');
    const states: unknown[] = [];
    const { pipeline } = build({
      handlers: [
        {
          name: 'flow',
          commands: ['/go'],
          flows: ['f'],
          async handle(ctx) {
            states.push(ctx.state);
            ctx.setState({ flow: 'f' });
          },
        },
        {
          name: 'look',
          commands: ['/look'],
          async handle(ctx) {
            states.push(ctx.state);
          },
        },
      ],
      now: () => now,
    });
    const chatId = 'exp2-' + randomUUID();
    await pipeline.process(msg({ chatId, text: '/go' }));
    now = new Date(now.getTime() + 2 * 3600_000);
    const late = await pipeline.process(msg({ chatId, text: '/look' }));
    expect(late.replies).toEqual([{ text: vi('common.flowExpired', { hours: 1 }) }]);
    expect(states[1]).toEqual({});
  });

  it('never expire a conversation that has no flow (only a language)', async () => {
    let now = new Date('2026-11-27T01:00:00Z');
    const { pipeline } = build({
      handlers: [
        {
          name: 'lang',
          commands: ['/lang'],
          async handle(ctx) {
            ctx.setState({ locale: 'en' });
          },
        },
      ],
      now: () => now,
    });
    const chatId = 'noflow-' + randomUUID();
    await pipeline.process(msg({ chatId, text: '/lang' }));
    now = new Date(now.getTime() + 3 * 3600_000);
    expect((await pipeline.process(msg({ chatId, text: 'hi' }))).replies).toEqual([
      { text: 'fallback' },
    ]);
  });

  it('count idle time from the last update that changed the state', async () => {
    let now = new Date('2026-11-27T01:00:00Z');
    const { handler } = flowHandler();
    const { pipeline } = build({
      handlers: [handler, { name: 'other', commands: ['/other'], handle: async () => {} }],
      now: () => now,
    });
    const chatId = 'idle-' + randomUUID();
    await pipeline.process(msg({ chatId, text: '/go' }));
    // A command that leaves the state alone does not keep the flow alive.
    now = new Date(now.getTime() + 50 * 60_000);
    await pipeline.process(msg({ chatId, text: '/other' }));
    now = new Date(now.getTime() + 20 * 60_000);
    const late = await pipeline.process(msg({ chatId, text: '12' }));
    expect(late.replies[0]!.text).toBe(vi('common.flowExpired', { hours: 1 }));
  });
});

describe('the state saved after an update', () => {
  const stateOf = (store: MemoryStateStore, chatId: string) =>
    store.get<Record<string, unknown>>(`state:sim:${chatId}`);

  it('keeps the chosen language when the flow is cleared, and nothing else', async () => {
    const at = new Date('2026-11-27T01:00:00Z');
    const steps: Array<(ctx: HandlerContext<S>) => void> = [];
    const { pipeline, store } = build({
      handlers: [
        {
          name: 'h',
          commands: ['/h'],
          async handle(ctx) {
            steps.shift()!(ctx);
          },
        },
      ],
      now: () => at,
    });
    const chatId = 'save-' + randomUUID();
    const run = async (step: (ctx: HandlerContext<S>) => void) => {
      steps.push(step);
      await pipeline.process(msg({ chatId, text: '/h' }));
      return stateOf(store, chatId);
    };
    expect(await run((c) => c.setState({ locale: 'en' }))).toEqual({
      locale: 'en',
      touchedAt: at.toISOString(),
    });
    // A new state without a language keeps the chosen one.
    expect(await run((c) => c.setState({ flow: 'f', step: 'one' }))).toEqual({
      flow: 'f',
      step: 'one',
      locale: 'en',
      touchedAt: at.toISOString(),
    });
    // A new state with a language replaces it.
    expect(await run((c) => c.setState({ flow: 'f', locale: 'vi' }))).toEqual({
      flow: 'f',
      locale: 'vi',
      touchedAt: at.toISOString(),
    });
    // Cleared: only the language stays (no time: there is no flow to expire).
    expect(await run((c) => c.setState(null))).toEqual({ locale: 'vi' });
  });

  it('deletes the record when nothing is left to keep', async () => {
    const { pipeline, store } = build({
      handlers: [
        {
          name: 'h',
          commands: ['/start', '/stop'],
          async handle(ctx) {
            ctx.setState(ctx.msg.text === '/start' ? { flow: 'f' } : null);
          },
        },
      ],
    });
    const chatId = 'del-' + randomUUID();
    await pipeline.process(msg({ chatId, text: '/start' }));
    expect(await stateOf(store, chatId)).toMatchObject({ flow: 'f' });
    await pipeline.process(msg({ chatId, text: '/stop' }));
    expect(await stateOf(store, chatId)).toBeUndefined();
  });

  it('keeps the record for twice the idle time (to say the flow expired)', async () => {
    let storeNow = Date.parse('2026-11-27T01:00:00Z');
    const { pipeline, store } = build({
      handlers: [{ name: 'h', commands: ['/h'], handle: async (c) => c.setState({ flow: 'f' }) }],
      storeNow: () => storeNow,
      stateTtlMs: 1000,
    });
    const chatId = 'ttl-' + randomUUID();
    await pipeline.process(msg({ chatId, text: '/h' }));
    storeNow += 1999;
    expect(await stateOf(store, chatId)).toMatchObject({ flow: 'f' });
    storeNow += 1;
    expect(await stateOf(store, chatId)).toBeUndefined();
  });
});

describe('handlers that need no transaction', () => {
  it('run without a database record of the update; the state store remembers it', async () => {
    const { handler } = probe('light', { transactional: false });
    const { pipeline } = build({ handlers: [handler] });
    const m = msg({ text: '/x' });
    expect((await pipeline.process(m)).replies).toEqual([{ text: 'light: /x' }]);
    expect(await processedRows(m.updateId)).toBe(0);
    expect(await pipeline.process(m)).toEqual({ status: 'duplicate', replies: [] });
  });

  it('may decide per update', async () => {
    const { handler } = probe('mixed', { transactional: (ctx) => ctx.msg.text === '/x tx' });
    const { pipeline } = build({ handlers: [handler] });
    const light = msg({ text: '/x' });
    const heavy = msg({ text: '/x tx' });
    await pipeline.process(light);
    await pipeline.process(heavy);
    expect(await processedRows(light.updateId)).toBe(0);
    expect(await processedRows(heavy.updateId)).toBe(1);
  });

  it('are transactional by default', async () => {
    const { handler } = probe('default');
    const { pipeline } = build({ handlers: [handler] });
    const m = msg({ text: '/x' });
    await pipeline.process(m);
    expect(await processedRows(m.updateId)).toBe(1);
  });

  it('raise InfraError when the database is down, and record nothing', async () => {
    const { handler, seen } = probe('light', { transactional: false });
    const { pipeline, store } = build({ handlers: [handler], db: await deadDb() });
    const m = msg({ text: '/x' });
    await expect(pipeline.process(m)).rejects.toThrow(new InfraError('database unavailable'));
    expect(seen).toEqual([]);
    // The pre-check answers are not given while the database is down either.
    await expect(pipeline.process(msg({ text: ' ' }))).rejects.toBeInstanceOf(InfraError);
    expect(await store.get(`seen:sim:${m.updateId}`)).toBeUndefined();
  });
});

describe('failures', () => {
  it('of a handler: apology, the handler named, the update recorded in the database', async () => {
    const buggy: H = {
      name: 'buggy',
      commands: ['/bug'],
      async handle() {
        throw new TypeError('boom');
      },
    };
    const a = build({ handlers: [buggy] });
    const m = msg({ text: '/bug' });
    expect(await a.pipeline.process(m)).toEqual({
      status: 'processed',
      replies: [{ text: vi('common.apology') }],
      handler: 'buggy',
      failed: true,
    });
    const logged = a.records.find(
      (r) => r.msg === 'handler failed; update rolled back and answered with an apology',
    );
    expect(logged?.level).toBe(50);
    expect((logged?.err as { message?: string } | undefined)?.message).toBe('boom');
    // Another instance (its own state store) meets the database record.
    const b = build({ handlers: [buggy] });
    expect(await b.pipeline.process(m)).toEqual({ status: 'duplicate', replies: [] });
    expect(await processedRows(m.updateId)).toBe(1);
    expect(b.records.map((r) => r.msg)).toContain(
      'duplicate update ignored (recorded concurrently)',
    );
    expect(new DuplicateUpdateError('sim:1').name).toBe('DuplicateUpdateError');
  });

  it('of a handler that needs no transaction: not run again for a redelivery', async () => {
    let runs = 0;
    const light: H = {
      name: 'light',
      commands: ['/l'],
      transactional: false,
      async handle() {
        runs++;
        throw new Error('boom');
      },
    };
    const a = build({ handlers: [light] });
    const m = msg({ text: '/l' });
    expect((await a.pipeline.process(m)).failed).toBe(true);
    expect(await a.pipeline.process(m)).toEqual({ status: 'duplicate', replies: [] });
    expect(runs).toBe(1);
    expect(await processedRows(m.updateId)).toBe(1);
    // Another instance runs it (light handlers are recorded in the state store), fails again,
    // and finds the failure recorded already: nothing to warn about.
    const b = build({ handlers: [light] });
    expect((await b.pipeline.process(m)).failed).toBe(true);
    expect(b.records.map((r) => r.msg)).not.toContain('could not record failed update');
  });

  it('of the routing itself: apology, with no handler to name', async () => {
    const { pipeline } = build({
      handlers: [
        {
          name: 'picky',
          match: () => {
            throw new Error('predicate failed');
          },
          handle: async () => {},
        },
      ],
    });
    expect(await pipeline.process(msg({ text: 'something' }))).toEqual({
      status: 'processed',
      replies: [{ text: vi('common.apology') }],
      handler: 'precheck',
      failed: true,
    });
  });

  it('of a handler after an expired flow: both the expiry notice and the apology', async () => {
    let now = new Date('2026-11-27T01:00:00Z');
    const { pipeline } = build({
      handlers: [
        {
          name: 'h',
          commands: ['/go', '/bug'],
          flows: ['f'],
          async handle(ctx) {
            if (ctx.msg.text === '/bug') throw new Error('boom');
            ctx.setState({ flow: 'f' });
          },
        },
      ],
      now: () => now,
    });
    const chatId = 'fail-' + randomUUID();
    await pipeline.process(msg({ chatId, text: '/go' }));
    now = new Date(now.getTime() + 2 * 3600_000);
    expect((await pipeline.process(msg({ chatId, text: '/bug' }))).replies).toEqual([
      { text: vi('common.flowExpired', { hours: 1 }) },
      { text: vi('common.apology') },
    ]);
  });

  it('of our own infrastructure in a handler: passed on as they are', async () => {
    const outage = new InfraError('cache gone');
    const { pipeline, store } = build({
      handlers: [
        {
          name: 'h',
          commands: ['/x'],
          async handle() {
            throw outage;
          },
        },
      ],
    });
    const m = msg({ text: '/x' });
    await expect(pipeline.process(m)).rejects.toBe(outage);
    expect(await store.get(`seen:sim:${m.updateId}`)).toBeUndefined();
    expect(await processedRows(m.updateId)).toBe(0);
  });

  it('of the database during a handler: InfraError with the cause, nothing recorded', async () => {
    const { handler } = probe('tx');
    const light = probe('light', { commands: ['/light'], transactional: false }).handler;
    const { pipeline, store } = build({ handlers: [handler, light], db: await deadDb() });
    const m = msg({ text: '/x' });
    const err = await pipeline.process(m).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfraError);
    expect((err as InfraError).message).toBe('database or state store unavailable');
    expect((err as InfraError).cause).toBeInstanceOf(Error);
    expect(await store.get(`seen:sim:${m.updateId}`)).toBeUndefined();
    // The outage is not forgotten: a handler without a transaction is refused next.
    await expect(pipeline.process(msg({ text: '/light' }))).rejects.toThrow(
      new InfraError('database unavailable'),
    );
  });

  it('of a duplicate seen before: logged as such', async () => {
    const { handler } = probe();
    const { pipeline, records } = build({ handlers: [handler] });
    const m = msg({ text: '/x' });
    await pipeline.process(m);
    await pipeline.process(m);
    expect(records.map((r) => r.msg)).toContain('duplicate update ignored (seen before)');
  });

  it('of a busy chat: InfraError once the wait for the lock is over', async () => {
    const { handler } = probe();
    const { pipeline, store } = build({ handlers: [handler], lockWaitMs: 50 });
    const m = msg({ text: '/x' });
    await store.acquireLock(lockKey(m), { ttlMs: 60_000, waitMs: 0 });
    const started = Date.now();
    await expect(pipeline.process(m)).rejects.toThrow(
      new InfraError('chat is busy (lock not acquired in time)'),
    );
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('of the state store: InfraError with the cause', async () => {
    const { pipeline, store } = build();
    const down = new Error('ECONNREFUSED');
    store.acquireLock = () => Promise.reject(down);
    const err = await pipeline.process(msg()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfraError);
    expect((err as InfraError).message).toBe('state store unavailable');
    expect((err as InfraError).cause).toBe(down);
  });
});

describe('the chat lock while a handler runs', () => {
  it('is renewed, so a slow handler keeps its chat', async () => {
    let takenMeanwhile: unknown = 'not tried';
    const holder: { store?: MemoryStateStore } = {};
    const { pipeline, store } = build({
      lockTtlMs: 600,
      handlers: [
        {
          name: 'slow',
          commands: ['/slow'],
          async handle(ctx) {
            await sleep(1500);
            takenMeanwhile = await holder.store!.acquireLock(lockKey(ctx.msg), {
              ttlMs: 60_000,
              waitMs: 0,
            });
          },
        },
      ],
    });
    holder.store = store;
    const r = await pipeline.process(msg({ text: '/slow' }));
    expect(takenMeanwhile).toBeNull();
    expect(r.handler).toBe('slow');
  }, 20_000);

  it('once lost, stays lost: nothing commits even if the chat is free again', async () => {
    const tag = randomUUID();
    const holder: { store?: MemoryStateStore } = {};
    const { pipeline, store } = build({
      lockTtlMs: 300,
      handlers: [
        {
          name: 'stalled',
          commands: ['/s'],
          async handle(ctx) {
            await ctx.services.tx.auditLog.create({
              data: { action: 'test', entity: 'test', entityId: tag, data: {} },
            });
            const key = lockKey(ctx.msg);
            await holder.store!.delete(key);
            const other = await holder.store!.acquireLock(key, { ttlMs: 60_000, waitMs: 0 });
            // The renewal finds the chat taken…
            await sleep(400);
            // …and the other process is done before this one commits.
            await other!.release();
          },
        },
      ],
    });
    holder.store = store;
    const err = await pipeline.process(msg({ text: '/s' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InfraError);
    expect((err as Error).message).toBe(
      'chat lock lost before commit (process stalled past its lease); rolled back',
    );
    expect(await t.db.prisma.auditLog.count({ where: { entityId: tag } })).toBe(0);
  }, 20_000);
});

describe('the chat lock', () => {
  it('is one per chat, and one per member in a group', async () => {
    const { handler } = probe();
    const { pipeline, store } = build({ handlers: [handler], lockWaitMs: 50 });
    const busy = msg({ chatId: 'busy-' + randomUUID(), text: '/x' });
    await store.acquireLock(lockKey(busy), { ttlMs: 60_000, waitMs: 0 });
    expect((await pipeline.process(msg({ text: '/x' }))).handler).toBe('probe');
    const group = 'group-' + randomUUID();
    const member = msg({ chatId: group, chatType: 'group', userId: 'u1', text: '/x' });
    await store.acquireLock(lockKey(member), { ttlMs: 60_000, waitMs: 0 });
    const other = msg({ chatId: group, chatType: 'group', userId: 'u2', text: '/x' });
    expect((await pipeline.process(other)).handler).toBe('probe');
    await expect(pipeline.process({ ...member, updateId: randomUUID() })).rejects.toThrow(
      'chat is busy',
    );
  });

  it('is leased for 5 s by default: after that another process may take the chat', async () => {
    let offset = 0;
    const taken: unknown[] = [];
    const holder: { store?: MemoryStateStore } = {};
    const { pipeline, store } = build({
      storeNow: () => Date.now() + offset,
      handlers: [
        {
          name: 'h',
          commands: ['/h'],
          transactional: false,
          async handle(ctx) {
            const key = lockKey(ctx.msg);
            offset += 4_000;
            taken.push(await holder.store!.acquireLock(key, { ttlMs: 60_000, waitMs: 0 }));
            offset += 1_100;
            taken.push(await holder.store!.acquireLock(key, { ttlMs: 60_000, waitMs: 0 }));
          },
        },
      ],
    });
    holder.store = store;
    await pipeline.process(msg({ text: '/h' }));
    expect(taken[0]).toBeNull();
    expect(taken[1]).not.toBeNull();
  });

  it('is waited for 15 s by default before the update is refused', async () => {
    let offset = 0;
    const { pipeline, store } = build({ storeNow: () => Date.now() + offset });
    const m = msg();
    await store.acquireLock(lockKey(m), { ttlMs: 3_600_000, waitMs: 0 });
    let settled = false;
    const result = pipeline.process(m).catch((e: unknown) => e);
    void result.then(() => (settled = true));
    await sleep(50);
    offset += 13_000;
    await sleep(200);
    expect(settled).toBe(false);
    offset += 3_000;
    const err = await result;
    expect(err).toBeInstanceOf(InfraError);
    expect((err as Error).message).toBe('chat is busy (lock not acquired in time)');
  });
});
