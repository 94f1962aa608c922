import { statSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryLogger } from '../channels/fakes/http.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

const METRICS_TOKEN = 'http-test-metrics-token-0123456789';
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ METRICS_TOKEN: METRICS_TOKEN });
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

  it('serves /metrics on the main port behind METRICS_TOKEN only', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token', METRICS_TOKEN]) {
      const r = await fetch(
        `${t.url}/metrics`,
        authorization ? { headers: { authorization } } : {},
      );
      expect(r.status, authorization).toBe(401);
      expect(await r.json()).toEqual({ error: 'unauthorized' });
    }
    const ok = await fetch(`${t.url}/metrics`, {
      headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await ok.text()).toMatch(/^# HELP /m);
  });

  it('answers unknown routes with a JSON 404', async () => {
    const r = await fetch(`${t.url}/no/such/page`);
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ error: 'not found', path: '/no/such/page' });
  });

  it('sends security headers', async () => {
    const r = await fetch(`${t.url}/healthz`);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-powered-by')).toBeNull();
  });

  it('sends a content security policy of its own origin, inline scripts and styles, data: images', async () => {
    const r = await fetch(`${t.url}/`);
    expect(r.headers.get('content-security-policy')?.split(';')).toEqual([
      "default-src 'self'",
      "base-uri 'self'",
      "font-src 'self' https: data:",
      "form-action 'self'",
      "frame-ancestors 'self'",
      "img-src 'self' data:",
      "object-src 'none'",
      "script-src 'self' 'unsafe-inline'",
      "script-src-attr 'none'",
      "style-src 'self' 'unsafe-inline'",
      "connect-src 'self'",
      // No upgrade-insecure-requests: the simulator is plain http on loopback in development.
    ]);
  });

  it('serves a landing page naming the bot and linking the dashboard and the simulator', async () => {
    const r = await fetch(`${t.url}/`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await r.text();
    expect(html).toMatch(/^<!doctype html><html lang="vi"><head><meta charset="utf-8">/);
    expect(html).toContain('<title>cds-bot</title>');
    expect(html).toContain(
      '<body><h1>cds-bot</h1><p>Trợ lý chuyển đổi số trên Zalo và Telegram.</p>' +
        '<ul><li><a href="/dashboard">Bảng điều khiển của lãnh đạo</a></li>' +
        '<li><a href="/sim">Trình mô phỏng (chat thử)</a></li></ul></body></html>',
    );
  });

  it('answers /healthz with its status and whole seconds of uptime', async () => {
    const r = await fetch(`${t.url}/healthz`);
    const body = (await r.json()) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['status', 'uptime']);
    expect(body.status).toBe('ok');
    expect(Number.isInteger(body.uptime)).toBe(true);
    expect(Math.abs((body.uptime as number) - process.uptime())).toBeLessThanOrEqual(1);
  });

  it('shows the channels in /readyz as detail', async () => {
    const r = await fetch(`${t.url}/readyz`);
    expect(await r.json()).toEqual({
      status: 'ok',
      checks: { database: 'ok', state: 'ok' },
      channels: expect.objectContaining({ sim: expect.any(Object) }),
    });
  });

  it('answers a body in an encoding or a charset it cannot read with 415', async () => {
    const encoded = await fetch(`${t.url}/sim/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'x-unknown' },
      body: '{}',
    });
    expect(encoded.status).toBe(415);
    expect(await encoded.json()).toEqual({ error: 'unsupported encoding' });
    const latin1 = await post('/sim/api/messages', '{}', 'application/json; charset=latin1');
    expect(latin1.status).toBe(415);
    expect(await latin1.json()).toEqual({ error: 'unsupported encoding' });
  });

  it('answers another client error of a body parser with a plain 400', async () => {
    // A gzip body that is not gzip: the parser fails with 400 and no type of its own.
    const r = await fetch(`${t.url}/sim/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: 'not gzip at all',
    });
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual({ error: 'bad request' });
  });

  it('answers a form with more fields than allowed with 413, like a body over the limit', async () => {
    const fields = Array.from({ length: 30 }, (_, i) => `f${i}=x`).join('&');
    const r = await post('/dashboard/signin', fields, 'application/x-www-form-urlencoded');
    expect(r.status).toBe(413);
    expect(await r.json()).toEqual({ error: 'request body too large' });
  });

  it('keeps connections alive past a load balancer idle timeout, with bounded headers and requests', () => {
    const server = t.app.server!;
    expect(server.keepAliveTimeout).toBe(65_000);
    expect(server.headersTimeout).toBe(66_000);
    expect(server.requestTimeout).toBe(120_000);
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

describe('an app built inside the test', () => {
  // The shared apps of this file and admin-gate.test.ts are built in beforeAll hooks, and
  // Stryker's per-test coverage gives the set-up code they run (createHttpApp's headers, routes
  // and gate) to no test: this test builds its own app, so those lines count as covered by it.
  it('sets up its headers, routes and admin gate', async () => {
    const token = 'set-up-test-admin-token-0123456789ab';
    const own = await startTestApp({ ADMIN_TOKEN: token });
    try {
      const landing = await fetch(`${own.url}/`);
      expect(landing.headers.get('content-security-policy')).toBe(
        "default-src 'self';base-uri 'self';font-src 'self' https: data:;form-action 'self';" +
          "frame-ancestors 'self';img-src 'self' data:;object-src 'none';" +
          "script-src 'self' 'unsafe-inline';script-src-attr 'none';" +
          "style-src 'self' 'unsafe-inline';connect-src 'self'",
      );
      expect(landing.headers.get('x-powered-by')).toBeNull();
      expect(await landing.text()).toContain('<ul><li><a href="/dashboard">');
      expect(await (await fetch(`${own.url}/healthz`)).json()).toMatchObject({ status: 'ok' });
      const auth = { authorization: `Bearer ${token}` };
      // Behind a loopback proxy the forwarded address counts ('trust proxy' loopback).
      const remote = await fetch(`${own.url}/admin/api/backup`, {
        headers: { ...auth, 'x-forwarded-for': '203.0.113.5' },
      });
      expect(remote.status).toBe(403);
      const backup = await fetch(`${own.url}/admin/api/backup`, { headers: auth });
      expect(backup.headers.get('content-type')).toBe('application/gzip');
      const restored = await fetch(`${own.url}/admin/api/restore`, {
        method: 'POST',
        headers: auth,
        body: Buffer.from(await backup.arrayBuffer()),
      });
      expect(restored.status).toBe(200);
      const run = await fetch(`${own.url}/admin/api/run`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: '{"argv":["help"]}',
      });
      expect(await run.json()).toMatchObject({ exitCode: 0 });
      expect((await fetch(`${own.url}/admin/api/run`, { method: 'POST' })).status).toBe(401);
      expect(await (await fetch(`${own.url}/nowhere`)).json()).toEqual({
        error: 'not found',
        path: '/nowhere',
      });
    } finally {
      await own.close();
    }
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
    const log = memoryLogger();
    const other = await startTestApp({}, { logger: log.logger });
    const runtime = path.join(other.app.config.dataDir, 'runtime.json');
    // Without METRICS_TOKEN there is no /metrics on the main port.
    expect((await fetch(`${other.url}/metrics`)).status).toBe(404);
    await other.testDb.db.close();
    const ready = await fetch(`${other.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({
      status: 'unavailable',
      checks: { database: 'unavailable', state: 'ok' },
    });
    expect(log.records.find((r) => r.msg === 'readiness check failed')).toMatchObject({
      level: 40,
      check: 'database',
      err: expect.any(String),
    });
    // A route that fails on the database: a JSON 500, and the error logged with its path.
    const dashboard = await fetch(`${other.url}/dashboard/`, {
      headers: { cookie: 'cds_dash=a-session-id-of-the-right-shape' },
    });
    expect(dashboard.status).toBe(500);
    expect(await dashboard.json()).toEqual({ error: 'internal error' });
    expect(log.records.find((r) => r.msg === 'unhandled error')).toMatchObject({
      level: 50,
      path: '/dashboard/',
    });
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
