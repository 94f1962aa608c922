/**
 * Zalo OA Open API v3 messaging: `POST {apiRoot}/v3.0/oa/message/cs` with header
 * `access_token` (not Bearer). Errors arrive as HTTP 200 with `error != 0`, so the body is
 * always checked. -216/-220 (token invalid/expired) trigger one refresh and one retry.
 */
import { z } from 'zod';
import { DeliveryError } from '../types.js';
import type { OaTokenManager } from './tokens.js';

const Answer = z
  .object({
    error: z.coerce.number(),
    message: z.string().optional(),
    data: z
      .object({ message_id: z.union([z.string(), z.number()]).transform(String).optional() })
      .loose()
      .optional(),
  })
  .loose();

/** Error codes meaning the access token is invalid or expired. */
const TOKEN_ERRORS = new Set([-216, -220]);
/** Outside the interaction window / user not reachable without a template. */
const WINDOW_ERRORS = new Set([-230, -232]);
/** Quota / rate limit. */
const RATE_ERRORS = new Set([-32]);

export const OUTSIDE_WINDOW = 'outside interaction window';

class OaApiError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface ZaloOaClient {
  /** Send a customer-service text message to a user. Throws DeliveryError. */
  sendText(userId: string, text: string): Promise<{ messageId?: string }>;
}

export function createZaloOaClient(opts: {
  apiRoot: string;
  tokens: OaTokenManager;
  fetch?: typeof fetch;
  timeoutMs?: number;
}): ZaloOaClient {
  const doFetch = opts.fetch ?? fetch;
  const url = `${opts.apiRoot.replace(/\/+$/, '')}/v3.0/oa/message/cs`;

  async function post(token: string, userId: string, text: string) {
    let res: Response;
    try {
      res = await doFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', access_token: token },
        body: JSON.stringify({ recipient: { user_id: userId }, message: { text } }),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new DeliveryError(
        `zalo-oa network error: ${(err as Error).message}`,
        false,
        undefined,
        { cause: err },
      );
    }
    if (res.status === 429 || res.status >= 500) {
      const after = Number(res.headers.get('retry-after'));
      throw new DeliveryError(
        `zalo-oa HTTP ${res.status}`,
        false,
        after > 0 ? after * 1000 : undefined,
      );
    }
    const parsed = Answer.safeParse(await res.json().catch(() => undefined));
    if (!parsed.success)
      throw new DeliveryError(`zalo-oa: unexpected response (HTTP ${res.status})`, false);
    if (parsed.data.error !== 0) throw new OaApiError(parsed.data.error, parsed.data.message ?? '');
    return { messageId: parsed.data.data?.message_id };
  }

  function toDeliveryError(err: unknown): DeliveryError {
    if (err instanceof DeliveryError) return err;
    if (err instanceof OaApiError) {
      const text = `zalo-oa ${err.code}: ${err.message}`;
      if (WINDOW_ERRORS.has(err.code))
        return new DeliveryError(`${OUTSIDE_WINDOW} (${text})`, true);
      if (RATE_ERRORS.has(err.code)) return new DeliveryError(text, false, 60_000);
      if (TOKEN_ERRORS.has(err.code)) return new DeliveryError(text, false);
      return new DeliveryError(text, true);
    }
    return new DeliveryError(String(err), false);
  }

  return {
    async sendText(userId, text) {
      const token = await opts.tokens.getAccessToken();
      try {
        return await post(token, userId, text);
      } catch (err) {
        if (!(err instanceof OaApiError && TOKEN_ERRORS.has(err.code))) throw toDeliveryError(err);
      }
      // One refresh, one retry.
      const fresh = await opts.tokens.refreshAfterRejection(token);
      try {
        return await post(fresh, userId, text);
      } catch (err) {
        throw toDeliveryError(err);
      }
    },
  };
}
