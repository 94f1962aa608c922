/**
 * The Zalo Bot client's failures, against a loopback server answering as Zalo might: what is
 * retried (429 with its Retry-After, 5xx, network errors, an HTML error page from a proxy) and
 * what is not (an API refusal, an HTML page on HTTP 200).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createZaloBotClient } from '../../../src/channels/zalo-bot/client.js';
import { DeliveryError } from '../../../src/channels/types.js';

let answer: { status: number; headers?: Record<string, string>; body: string } = {
  status: 200,
  body: '{}',
};
let server: http.Server;
let url = '';

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

const send = (apiRoot = url) =>
  createZaloBotClient({ token: 'T', apiRoot, timeoutMs: 2000 })
    .sendMessage('chat-1', 'xin chào')
    .then(
      () => undefined,
      (e: unknown) => e as DeliveryError,
    );

describe('Zalo Bot client failures', () => {
  it('retries 429 after the Retry-After the platform gives', async () => {
    answer = {
      status: 429,
      headers: { 'retry-after': '7' },
      body: JSON.stringify({ ok: false, error_code: 429, description: 'Too Many Requests' }),
    };
    const e = await send();
    expect(e).toBeInstanceOf(DeliveryError);
    expect(e).toMatchObject({ permanent: false, retryAfterMs: 7000 });
  });

  it('retries 5xx answers, with or without JSON', async () => {
    answer = { status: 503, body: JSON.stringify({ ok: false, error_code: 503 }) };
    expect(await send()).toMatchObject({ permanent: false });
    answer = {
      status: 502,
      headers: { 'content-type': 'text/html' },
      body: '<h1>Bad Gateway</h1>',
    };
    const e = await send();
    expect(e).toMatchObject({ permanent: false });
    expect(e!.message).toMatch(/HTTP 502 without JSON/);
  });

  it('retries a network error (nothing listening)', async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const e = await send(`http://127.0.0.1:${port}`);
    expect(e).toMatchObject({ permanent: false });
    expect(e!.message).toMatch(/network error/);
  });

  it('does not retry an API refusal or a non-JSON answer on HTTP 200', async () => {
    answer = {
      status: 200,
      body: JSON.stringify({ ok: false, error_code: 400, description: 'chat not found' }),
    };
    expect(await send()).toMatchObject({ permanent: true });
    answer = { status: 200, headers: { 'content-type': 'text/html' }, body: '<html>ok</html>' };
    expect(await send()).toMatchObject({ permanent: true });
  });

  it('accepts a success whatever else the result carries', async () => {
    answer = {
      status: 200,
      body: JSON.stringify({ ok: true, result: { message_id: 42, extra: 1 } }),
    };
    expect(await send()).toBeUndefined();
  });
});
