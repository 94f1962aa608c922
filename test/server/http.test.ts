import { statSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

const post = (p: string, body: string, type = 'application/json') =>
  fetch(`${t.url}${p}`, { method: 'POST', headers: { 'content-type': type }, body });

describe('HTTP server', () => {
  it('answers /healthz and /readyz when everything is up', async () => {
    const h = await fetch(`${t.url}/healthz`);
    expect(h.status).toBe(200);
    const r = await fetch(`${t.url}/readyz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ status: 'ok', checks: { database: 'ok', state: 'ok' } });
  });

  it('answers unknown routes with a JSON 404', async () => {
    const r = await fetch(`${t.url}/no/such/page`);
    expect(r.status).toBe(404);
    expect(await r.json()).toMatchObject({ error: 'not found' });
  });

  it('sends security headers', async () => {
    const r = await fetch(`${t.url}/healthz`);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-powered-by')).toBeNull();
  });

  it('answers malformed JSON with 400 and an oversized body with 413', async () => {
    const bad = await post('/sim/api/messages', '{"user": "a",');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'malformed JSON body' });
    const big = await post(
      '/sim/api/messages',
      JSON.stringify({ user: 'a', text: 'x'.repeat(300_000) }),
    );
    // BODY_LIMIT's default, 256kb.
    expect(big.status).toBe(413);
  });

  it('answers admin requests from other hosts only with ADMIN_ALLOW_REMOTE=true', async () => {
    const token = 'remote-admin-token-0123456789abcdefgh';
    const remote = await startTestApp({ ADMIN_TOKEN: token, ADMIN_ALLOW_REMOTE: 'true' });
    try {
      const res = await fetch(`${remote.url}/admin/api/run`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${token}`,
          'x-forwarded-for': '203.0.113.7',
        },
        body: '{"argv":["help"]}',
      });
      expect(res.status).toBe(200);
    } finally {
      await remote.close();
    }
  });

  it('reads BODY_LIMIT for the simulator API and the webhooks', async () => {
    const small = await startTestApp({ BODY_LIMIT: '2kb' });
    try {
      const res = await fetch(`${small.url}/sim/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ user: 'a', text: 'x'.repeat(3000) }),
      });
      expect(res.status).toBe(413);
      expect(small.app.config.bodyLimit).toBe('2kb');
    } finally {
      await small.close();
    }
  });

  it('writes a runtime file readable only by its owner', () => {
    const file = path.join(t.app.config.dataDir, 'runtime.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const info = JSON.parse(readFileSync(file, 'utf8'));
    expect(info).toMatchObject({ url: t.url, pid: process.pid });
    expect(info.adminToken).toHaveLength(43);
  });
});

describe('web chat simulator', () => {
  it('serves the chat page', async () => {
    const r = await fetch(`${t.url}/sim`);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('/sim/api/messages');
  });

  it('greets in Vietnamese on /start', async () => {
    const { replies } = await t.sim('newcomer', { text: '/start' });
    expect(replies[0]!.text).toMatch(/Xin chào/);
    expect(replies[0]).not.toHaveProperty('buttons');
  });

  it('explains what it does for staff, managers and citizens on /help', async () => {
    const { replies } = await t.sim('helpme', { text: '/help' });
    expect(replies[0]!.text).toMatch(/Người dân/);
    expect(replies[0]!.text).toMatch(/Cán bộ/);
    expect(replies[0]!.text).toMatch(/lãnh đạo/i);
  });

  it('switches language with /lang and buttons, and keeps it', async () => {
    const ask = await t.sim('polyglot', { text: '/lang' });
    expect(ask.replies[0]!.buttons).toEqual([
      [
        { label: 'Tiếng Việt', data: 'lang:vi' },
        { label: 'English', data: 'lang:en' },
      ],
    ]);
    expect((await t.sim('polyglot', { button: 'lang:en' })).replies[0]!.text).toBe(
      'Language set to English.',
    );
    expect((await t.sim('polyglot', { text: '/help' })).replies[0]!.text).toMatch(/How to use/);
    expect((await t.sim('polyglot', { text: '/lang vi' })).replies[0]!.text).toBe(
      'Đã chuyển sang tiếng Việt.',
    );
  });

  it('treats decomposed Vietnamese input like precomposed', async () => {
    const { replies } = await t.sim('nfd', { text: 'Hướng dẫn'.normalize('NFD') });
    expect(replies[0]!.text).toMatch(/Hướng dẫn sử dụng/);
  });

  it('answers a 10,000-character text and control characters politely', async () => {
    const long = await t.sim('long', { text: 'a'.repeat(10_000) });
    expect(long.replies[0]!.text).toMatch(/quá dài/);
    const ctrl = await t.sim('ctrl', { text: '\u0000\u0001\u0007' });
    expect(ctrl.replies[0]!.text).toMatch(/chưa nhận được/);
  });

  it('rejects requests that are neither text nor button with 400', async () => {
    for (const body of [
      {},
      { user: 'a' },
      { user: '', text: 'x' },
      { user: 'a', text: 'x', button: 'y' },
      { user: 5, text: 'x' },
    ]) {
      const r = await post('/sim/api/messages', JSON.stringify(body));
      expect(r.status).toBe(400);
    }
  });

  it('gives each reader its own copy of the proactive messages, and a client without reader each message once', async () => {
    const sim = t.app.channels.find((c) => c.name === 'sim')!;
    await sim.send({ channel: 'sim', chatId: 'two-pages', text: 'nhắc hạn' });
    const read = async (q: string) =>
      (await (await fetch(`${t.url}/sim/api/messages?user=two-pages${q}`)).json()) as {
        messages: { text: string }[];
      };
    expect((await read('&reader=page-a')).messages).toEqual([{ text: 'nhắc hạn' }]);
    expect((await read('&reader=page-b')).messages).toEqual([{ text: 'nhắc hạn' }]);
    expect((await read('&reader=page-a')).messages).toEqual([]);
    expect((await read('')).messages).toEqual([{ text: 'nhắc hạn' }]);
    expect((await read('')).messages).toEqual([]);
    await sim.send({ channel: 'sim', chatId: 'two-pages', text: 'lần hai' });
    expect((await read('&reader=page-a')).messages).toEqual([{ text: 'lần hai' }]);
    expect((await fetch(`${t.url}/sim/api/messages?user=two-pages&reader=a%20b`)).status).toBe(400);
  });

  it('links the simulator from / when it is on', async () => {
    const r = await fetch(`${t.url}/`);
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('href="/sim"');
  });

  it('keeps proactive messages for a user and returns them oldest first, then clears', async () => {
    const sim = t.app.channels.find((c) => c.name === 'sim')!;
    await sim.send({ channel: 'sim', chatId: 'proactive', text: 'first' });
    await sim.send({
      channel: 'sim',
      chatId: 'proactive',
      text: 'second',
      buttons: [[{ label: 'OK', data: 'ok' }]],
    });
    const r = await fetch(`${t.url}/sim/api/messages?user=proactive`);
    expect(await r.json()).toEqual({
      messages: [{ text: 'first' }, { text: 'second', buttons: [[{ label: 'OK', data: 'ok' }]] }],
    });
    const again = await fetch(`${t.url}/sim/api/messages?user=proactive`);
    expect(await again.json()).toEqual({ messages: [] });
    expect((await fetch(`${t.url}/sim/api/messages`)).status).toBe(400);
  });
});

describe('when the database goes down', () => {
  it('reports not ready and answers 503 with Retry-After, then removes its runtime file on stop', async () => {
    const other = await startTestApp();
    const runtime = path.join(other.app.config.dataDir, 'runtime.json');
    await other.testDb.db.close();
    const ready = await fetch(`${other.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ checks: { database: 'unavailable' } });
    const r = await post2(other.url, { user: 'x', text: '/help' });
    expect(r.status).toBe(503);
    expect(r.headers.get('retry-after')).toBe('5');
    expect(existsSync(runtime)).toBe(true);
    await other.app.stop();
    expect(existsSync(runtime)).toBe(false);
    await other.testDb.cleanup().catch(() => {});
  });
});

function post2(url: string, body: object) {
  return fetch(`${url}/sim/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}
