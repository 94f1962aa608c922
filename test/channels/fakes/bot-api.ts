/**
 * A loopback fake of a Telegram-style Bot API (`POST /bot<token>/<method>`, JSON or
 * form-encoded, answering `{ok, result}`), shared by the Telegram and Zalo Bot tests and the
 * benches. Calls are recorded; `respond` can override any method; an optional sliding-window
 * limit answers 429 with `parameters.retry_after` like Telegram does.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedCall {
  method: string;
  token: string;
  body: Record<string, unknown>;
  at: number;
}

export type Responder = (
  call: RecordedCall,
) => { status?: number; body: unknown; delayMs?: number } | undefined;

/** Telegram's answer to a flood: 429 with `parameters.retry_after`, as the Bot API sends it. */
export function tooManyRequests(retryAfterSeconds: number): { status: number; body: unknown } {
  return {
    status: 429,
    body: {
      ok: false,
      error_code: 429,
      description: `Too Many Requests: retry after ${retryAfterSeconds}`,
      parameters: { retry_after: retryAfterSeconds },
    },
  };
}

export interface FakeBotApi {
  url: string;
  calls: RecordedCall[];
  /** Calls of one method. */
  of(method: string): RecordedCall[];
  /** Override answers (return undefined to fall back to the default). */
  respond: Responder | undefined;
  /** Number of 429 answers given by the rate limit. */
  rejected: number;
  /** Times of the 429 answers. */
  rejectedAt: number[];
  close(): Promise<void>;
}

export interface FakeBotApiOptions {
  /** Allow at most `limit` sendMessage calls per `windowMs` (sliding window), else 429. */
  rateLimit?: { limit: number; windowMs: number; retryAfterSeconds: number };
  /** Do not keep the bodies of sendMessage calls beyond what is needed (benches). */
  port?: number;
}

let messageId = 1;

/** Default results shaped like the real Bot API's. */
function defaultResult(call: RecordedCall): unknown {
  switch (call.method) {
    case 'sendMessage':
      return {
        message_id: messageId++,
        date: Math.floor(Date.now() / 1000),
        chat: { id: Number(call.body.chat_id) || 0, type: 'private' },
        text: call.body.text,
      };
    case 'getUpdates':
      return [];
    case 'getMe':
      return { id: 1, is_bot: true, first_name: 'Fake', username: 'fake_bot' };
    default:
      return true;
  }
}

/** Start the fake on 127.0.0.1 (random port unless given). */
export async function startFakeBotApi(options: FakeBotApiOptions = {}): Promise<FakeBotApi> {
  const sent: number[] = [];
  const fake: FakeBotApi = {
    url: '',
    calls: [],
    of: (method) => fake.calls.filter((c) => c.method === method),
    respond: undefined,
    rejected: 0,
    rejectedAt: [],
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const match = /^\/bot([^/]+)\/(\w+)/.exec(req.url ?? '');
      if (!match) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: false, error_code: 404, description: 'Not Found' }));
        return;
      }
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Record<string, unknown> = {};
      if (raw) {
        const type = req.headers['content-type'] ?? '';
        body = type.includes('json')
          ? (JSON.parse(raw) as Record<string, unknown>)
          : Object.fromEntries(new URLSearchParams(raw));
      }
      const call: RecordedCall = {
        method: match[2] ?? '',
        token: match[1] ?? '',
        body,
        at: Date.now(),
      };

      const answer = (status: number, payload: unknown, delayMs = 0) => {
        const write = () => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(payload));
        };
        if (delayMs > 0) setTimeout(write, delayMs);
        else write();
      };

      if (options.rateLimit && call.method === 'sendMessage') {
        const now = Date.now();
        const { limit, windowMs, retryAfterSeconds } = options.rateLimit;
        while (sent.length > 0 && (sent[0] ?? 0) <= now - windowMs) sent.shift();
        if (sent.length >= limit) {
          fake.rejected++;
          fake.rejectedAt.push(now);
          const flood = tooManyRequests(retryAfterSeconds);
          answer(flood.status, flood.body);
          return;
        }
        sent.push(now);
      }
      fake.calls.push(call);
      const custom = fake.respond?.(call);
      if (custom) {
        answer(custom.status ?? 200, custom.body, custom.delayMs);
        return;
      }
      answer(200, { ok: true, result: defaultResult(call) });
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
