/**
 * Start-up resilience (issue 14): a platform whose webhook registration fails (platform down,
 * token wrong) does not stop the server. /readyz stays 200 and names the platform degraded,
 * the log says so without the token, and registration is tried again with back-off until it
 * works.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBotApi, type FakeBotApi } from '../channels/fakes/bot-api.js';
import { startTestApp, type TestApp } from '../helpers/app.js';

const TOKEN = '7012345678:AAH-start-up-token';

describe('a platform that cannot be registered at start-up', () => {
  let api: FakeBotApi;
  let t: TestApp;
  const lines: string[] = [];
  let platformDown = true;

  beforeAll(async () => {
    api = await startFakeBotApi();
    api.respond = (call) =>
      call.method === 'setWebhook' && platformDown
        ? { status: 502, body: { ok: false, error_code: 502, description: 'Bad Gateway' } }
        : undefined;
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    t = await startTestApp(
      {
        PUBLIC_URL: 'https://cds-bot.example.gov.vn',
        SIMULATOR: 'on',
        TELEGRAM_BOT_TOKEN: TOKEN,
        TELEGRAM_WEBHOOK_SECRET: 'start-secret',
        TELEGRAM_API_ROOT: api.url,
      },
      { logger, channelRetryMs: 100 },
    );
  }, 120_000);

  afterAll(async () => {
    await t?.close();
    await api?.close();
  });

  it('starts, stays ready, shows the platform degraded and logs it without the token', async () => {
    const res = await fetch(`${t.url}/readyz`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      status: string;
      channels: Record<string, { status: string }>;
    };
    expect(body.status).toBe('ok');
    expect(body.channels.telegram?.status).toBe('degraded');
    const failure = lines.find((l) => l.includes('channel start failed'));
    expect(failure).toBeDefined();
    expect(failure).toContain('telegram');
    expect(lines.join('')).not.toContain(TOKEN);
    // The simulator works meanwhile.
    expect((await t.sim('u1', { text: '/help' })).replies.length).toBeGreaterThan(0);
  });

  it('retries with back-off and recovers once the platform is back', async () => {
    const attempts = api.of('setWebhook').length;
    expect(attempts).toBeGreaterThanOrEqual(1);
    platformDown = false;
    let state = 'degraded';
    for (let i = 0; i < 100 && state === 'degraded'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      const body = (await (await fetch(`${t.url}/readyz`)).json()) as {
        channels: Record<string, { status: string }>;
      };
      state = body.channels.telegram?.status ?? '';
    }
    // Registered again: no longer degraded (no update has arrived yet on this instance).
    expect(state).toBe('no updates yet');
    expect(api.of('setWebhook').length).toBeGreaterThan(attempts);
    expect(lines.some((l) => l.includes('channel recovered'))).toBe(true);
  });
});
