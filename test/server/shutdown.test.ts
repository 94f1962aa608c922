import express from 'express';
import { describe, expect, it } from 'vitest';
import { listen } from '../../src/server/http.js';

describe('graceful shutdown', () => {
  it('stops accepting new connections but lets in-flight requests finish', async () => {
    const app = express();
    app.get('/slow', (_req, res) => {
      setTimeout(() => res.json({ done: true }), 300);
    });
    const running = await listen(app, 0, '127.0.0.1');
    const inFlight = fetch(`${running.url}/slow`).then((r) => r.json());
    await new Promise((r) => setTimeout(r, 50));
    const closed = running.close(5000);
    expect(await inFlight).toEqual({ done: true });
    await closed;
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
});
