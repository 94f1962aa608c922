import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { listen, listenOn } from '../../src/server/http.js';

describe('graceful shutdown', () => {
  it('stops accepting new connections but lets in-flight requests finish', async () => {
    const app = express();
    app.get('/slow', (_req, res) => {
      setTimeout(() => res.json({ done: true }), 300);
    });
    const running = await listen(app, 0, '127.0.0.1');
    const inFlight = fetch(`${running.url}/slow`).then((r) => r.json());
    await new Promise((r) => setTimeout(r, 50));
    const closed = running.close(5000).then(() => Date.now());
    expect(await inFlight).toEqual({ done: true });
    const lastResponse = Date.now();
    // fetch keeps the connection alive: the close must not wait for the 5 s timeout.
    expect((await closed) - lastResponse).toBeLessThan(1000);
    await expect(fetch(`${running.url}/slow`)).rejects.toThrow();
  });

  it('drops connections that outlive the timeout', async () => {
    const app = express();
    app.get('/hang', () => {
      /* never answers */
    });
    const running = await listen(app, 0, '127.0.0.1');
    const hanging = fetch(`${running.url}/hang`).catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    const started = Date.now();
    await running.close(200);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(await hanging).toBeInstanceOf(Error);
  });

  it('closes a keep-alive connection as soon as its in-flight response ends', async () => {
    const app = express();
    app.get('/slow', (_req, res) => {
      setTimeout(() => res.json({ done: true }), 300);
    });
    const running = await listen(app, 0, '127.0.0.1');
    const agent = new http.Agent({ keepAlive: true });
    try {
      // A first request leaves an idle keep-alive socket; the second is in flight on another.
      await get(agent, `${running.url}/slow`);
      const inFlight = get(agent, `${running.url}/slow`);
      const other = get(agent, `${running.url}/slow`);
      await new Promise((r) => setTimeout(r, 50));
      const closed = running.close(5000).then(() => Date.now());
      const answers = await Promise.all([inFlight, other]);
      const lastResponse = Date.now();
      expect(answers.map((a) => a.body)).toEqual(['{"done":true}', '{"done":true}']);
      expect(answers.map((a) => a.connection)).toEqual(['close', 'close']);
      expect((await closed) - lastResponse).toBeLessThan(1000);
    } finally {
      agent.destroy();
    }
  });

  it('closes a keep-alive connection whose response had started before the shutdown', async () => {
    const app = express();
    app.get('/stream', (_req, res) => {
      res.setHeader('content-type', 'text/plain');
      res.write('a');
      setTimeout(() => res.end('b'), 300);
    });
    const running = await listen(app, 0, '127.0.0.1');
    // fetch keeps connections alive, as a load balancer or a platform does.
    const response = await fetch(`${running.url}/stream`);
    const closed = running.close(5000).then(() => Date.now());
    expect(await response.text()).toBe('ab');
    const lastResponse = Date.now();
    expect((await closed) - lastResponse).toBeLessThan(1000);
  });
});

describe('listen', () => {
  it('shows a wildcard address as loopback in its URL, and a given host as it is', async () => {
    const app = express();
    app.get('/', (_req, res) => void res.send('hi'));
    const any = await listen(app, 0, '0.0.0.0');
    const one = await listen(app, 0, '127.0.0.1');
    try {
      expect(any.url).toBe(`http://127.0.0.1:${(any.server.address() as AddressInfo).port}`);
      expect(await (await fetch(any.url)).text()).toBe('hi');
      expect(one.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await any.close(1000);
      await one.close(1000);
    }
  });

  it('rejects when the port is taken, and leaves no error listener behind once listening', async () => {
    const app = express();
    const first = await listen(app, 0, '127.0.0.1');
    try {
      const port = Number(new URL(first.url).port);
      await expect(listenOn(http.createServer(app), port, '127.0.0.1')).rejects.toMatchObject({
        code: 'EADDRINUSE',
      });
      expect(first.server.listenerCount('error')).toBe(0);
      expect(first.server.address()).toMatchObject({ address: '127.0.0.1', port });
    } finally {
      await first.close(1000);
    }
  });
});

function get(agent: http.Agent, url: string): Promise<{ body: string; connection?: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ body, connection: res.headers.connection }));
      })
      .on('error', reject);
  });
}
