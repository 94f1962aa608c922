import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeBotApi, type FakeBotApi } from '../channels/fakes/bot-api.js';
import { startTestApp, type TestApp } from '../helpers/app.js';
import { createMetrics } from '../../src/server/metrics.js';

const SECRET = 'metrics_secret-1';
const TOKEN = 'metrics-token-0123456789';

const telegramUpdate = (updateId: number, text: string, chatId = 5151) => ({
  update_id: updateId,
  message: {
    message_id: updateId,
    date: Math.floor(Date.now() / 1000),
    chat: { id: chatId, type: 'private', first_name: 'Hà' },
    from: { id: chatId, is_bot: false, first_name: 'Hà', language_code: 'vi' },
    text,
    ...(text.startsWith('/')
      ? { entities: [{ offset: 0, length: text.split(' ')[0]!.length, type: 'bot_command' }] }
      : {}),
  },
});

/** The value of one sample line, e.g. `cds_updates_total{…}`; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.indexOf('}'));
    if (Object.entries(labels).every(([k, v]) => body.includes(`${k}="${v}"`)))
      return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

describe('GET /metrics with METRICS_TOKEN on the main port', () => {
  let api: FakeBotApi;
  let t: TestApp;
  beforeAll(async () => {
    api = await startFakeBotApi();
    t = await startTestApp(
      {
        TELEGRAM_BOT_TOKEN: '123456:METRICS',
        TELEGRAM_WEBHOOK_SECRET: SECRET,
        TELEGRAM_API_ROOT: api.url,
        PUBLIC_URL: 'https://cds-bot.example.test',
        METRICS_TOKEN: TOKEN,
      },
      {},
      { jobs: true },
    );
  });
  afterAll(async () => {
    await t?.close();
    await api?.close();
  });

  const scrape = (token?: string) =>
    fetch(`${t.url}/metrics`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  const deliver = (body: unknown) =>
    fetch(`${t.url}/webhooks/telegram`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': SECRET },
      body: JSON.stringify(body),
    });

  it('answers 401 without the token or with a wrong one', async () => {
    expect((await scrape()).status).toBe(401);
    expect((await scrape('metrics-token-0123456788')).status).toBe(401);
  });

  it('counts updates by channel and outcome and times them by handler', async () => {
    expect((await deliver(telegramUpdate(7_100_001, '/help'))).status).toBe(200);
    expect((await deliver(telegramUpdate(7_100_001, '/help'))).status).toBe(200);
    const res = await scrape(TOKEN);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    const processed = { channel: 'telegram', outcome: 'processed' };
    expect(sample(text, 'cds_updates_total', processed)).toBe(1);
    expect(sample(text, 'cds_updates_total', { channel: 'telegram', outcome: 'duplicate' })).toBe(
      1,
    );
    expect(
      sample(text, 'cds_update_duration_seconds_bucket', { channel: 'telegram', le: '+Inf' }),
    ).toBe(1);
    // Process metrics and the errors of the database and Redis, at zero.
    expect(text).toContain('cds_process_resident_memory_bytes');
    expect(sample(text, 'cds_dependency_errors_total', { dependency: 'database' })).toBe(0);
  });

  it('counts proactive deliveries by outcome and reports the queue depth', async () => {
    await t.app.delivery!.enqueue(
      { channel: 'telegram', chatId: '5151', text: 'Nhắc việc' },
      'notice',
    );
    let text = '';
    for (let i = 0; i < 100; i++) {
      text = await (await scrape(TOKEN)).text();
      if (sample(text, 'cds_deliveries_total', { channel: 'telegram', outcome: 'sent' }) === 1)
        break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(sample(text, 'cds_deliveries_total', { channel: 'telegram', outcome: 'sent' })).toBe(1);
    expect(text).toMatch(/^cds_delivery_queue_depth\{app="cds-bot"\} 0$/m);
  });

  it('shows per-channel health as detail in /readyz', async () => {
    const body = (await (await fetch(`${t.url}/readyz`)).json()) as {
      status: string;
      channels: Record<string, { status: string; updates: number; lastOutcome?: string }>;
    };
    expect(body.status).toBe('ok');
    expect(body.channels.telegram).toMatchObject({ status: 'ok', lastOutcome: 'duplicate' });
    expect(body.channels.telegram!.updates).toBeGreaterThanOrEqual(2);
  });
});

describe('GET /metrics on its own METRICS_PORT', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ METRICS_PORT: '0', METRICS_HOST: '127.0.0.1' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('serves the metrics there without a token and not on the main port', async () => {
    expect(t.app.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${t.app.metricsUrl}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('# TYPE cds_updates_total counter');
    expect((await fetch(`${t.app.metricsUrl}/healthz`)).status).toBe(404);
    expect((await fetch(`${t.url}/metrics`)).status).toBe(404);
  });
});

describe('without METRICS_TOKEN or METRICS_PORT', () => {
  it('serves no /metrics at all', async () => {
    const t = await startTestApp();
    try {
      expect((await fetch(`${t.url}/metrics`)).status).toBe(404);
      expect(t.app.metricsUrl).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});

describe('createMetrics', () => {
  it('renders job runs, token refresh failures and dependency errors', async () => {
    const m = createMetrics();
    m.jobRun('reminders', 'done', 120);
    m.jobRun('reminders', 'failed', 30);
    m.tokenRefreshFailed('zalo-oa');
    m.dependencyError('redis');
    m.dependencyError('redis');
    m.securityEvent('invite_channel_paused', 'telegram');
    m.securityEvent('stale_event_dropped', 'zalo-oa');
    const { body } = await m.render();
    expect(
      sample(body, 'cds_security_events_total', {
        event: 'invite_channel_paused',
        channel: 'telegram',
      }),
    ).toBe(1);
    expect(
      sample(body, 'cds_security_events_total', {
        event: 'stale_event_dropped',
        channel: 'zalo-oa',
      }),
    ).toBe(1);
    expect(sample(body, 'cds_job_runs_total', { job: 'reminders', outcome: 'done' })).toBe(1);
    expect(sample(body, 'cds_job_runs_total', { job: 'reminders', outcome: 'failed' })).toBe(1);
    expect(sample(body, 'cds_token_refresh_failures_total', { channel: 'zalo-oa' })).toBe(1);
    expect(sample(body, 'cds_dependency_errors_total', { dependency: 'redis' })).toBe(2);
    expect(body).not.toContain('process_resident_memory_bytes');
  });
});
