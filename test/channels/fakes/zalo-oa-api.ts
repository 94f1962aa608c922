/**
 * Loopback fake of Zalo's OA Open API (`/v3.0/oa/message/cs`) and OAuth server
 * (`/v4/oa/access_token`), with Zalo's habits: errors as HTTP 200 with `error != 0`, tokens in
 * an `access_token` header, single-use refresh tokens, `expires_in` as a string.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeZaloOa {
  url: string;
  /** Access tokens the API accepts. */
  validAccessTokens: Set<string>;
  /** Refresh tokens the OAuth server accepts (each works once). */
  validRefreshTokens: Set<string>;
  sent: Array<{ accessToken: string; userId: string; text: string }>;
  refreshCalls: Array<{
    refreshToken: string;
    appId: string;
    secretKey: string;
    grantType: string;
  }>;
  /** Force the next message answers (error code), e.g. -230. */
  nextMessageErrors: number[];
  /** Make every refresh fail with this Zalo error. */
  refreshError?: number;
  refreshDelayMs: number;
  close(): Promise<void>;
}

export async function startFakeZaloOa(): Promise<FakeZaloOa> {
  let n = 0;
  const fake: FakeZaloOa = {
    url: '',
    validAccessTokens: new Set(),
    validRefreshTokens: new Set(),
    sent: [],
    refreshCalls: [],
    nextMessageErrors: [],
    refreshDelayMs: 0,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  const json = (res: http.ServerResponse, body: unknown, status = 200) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      if (req.url === '/v3.0/oa/message/cs' && req.method === 'POST') {
        const token = String(req.headers.access_token ?? '');
        const forced = fake.nextMessageErrors.shift();
        if (forced !== undefined) return json(res, { error: forced, message: `forced ${forced}` });
        if (!fake.validAccessTokens.has(token))
          return json(res, { error: -216, message: 'Access token is invalid' });
        const body = JSON.parse(raw) as {
          recipient: { user_id: string };
          message: { text: string };
        };
        fake.sent.push({
          accessToken: token,
          userId: body.recipient.user_id,
          text: body.message.text,
        });
        return json(res, {
          error: 0,
          message: 'Success',
          data: { message_id: `mid${++n}`, user_id: body.recipient.user_id },
        });
      }
      if (req.url === '/v4/oa/access_token' && req.method === 'POST') {
        const form = new URLSearchParams(raw);
        const call = {
          refreshToken: form.get('refresh_token') ?? '',
          appId: form.get('app_id') ?? '',
          secretKey: String(req.headers.secret_key ?? ''),
          grantType: form.get('grant_type') ?? '',
        };
        fake.refreshCalls.push(call);
        setTimeout(() => {
          if (fake.refreshError !== undefined)
            return json(res, {
              error: fake.refreshError,
              error_name: 'Invalid parameter',
              error_description: 'refresh failed',
            });
          if (!fake.validRefreshTokens.has(call.refreshToken))
            return json(res, {
              error: -14014,
              error_name: 'Invalid refresh token',
              error_description: 'Refresh token is invalid',
            });
          fake.validRefreshTokens.delete(call.refreshToken);
          const k = ++n;
          fake.validAccessTokens.add(`AT-${k}`);
          fake.validRefreshTokens.add(`RT-${k}`);
          return json(res, {
            access_token: `AT-${k}`,
            refresh_token: `RT-${k}`,
            expires_in: '90000',
          });
        }, fake.refreshDelayMs);
        return;
      }
      json(res, { error: 404, message: 'not found' }, 404);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return fake;
}
