/**
 * Thin typed client for the Zalo Bot Platform (`POST {apiRoot}/bot<TOKEN>/<method>`, JSON).
 * There is no maintained SDK; responses are validated with zod and every failure becomes a
 * DeliveryError saying whether a retry can help.
 */
import { z } from 'zod';
import { DeliveryError } from '../types.js';

const Ok = z.object({ ok: z.literal(true), result: z.unknown() });
const Failure = z.object({
  ok: z.literal(false),
  error_code: z.coerce.number().optional(),
  description: z.string().optional(),
});

/** A sent message; anything else in `result` is tolerated (the message went out). */
const SentMessage = z
  .object({ message_id: z.union([z.string(), z.number()]).transform(String).optional() })
  .loose()
  .catch({});

export interface ZaloBotClientOptions {
  token: string;
  apiRoot: string;
  fetch?: typeof fetch;
  /** Per-request timeout (default 10 s). */
  timeoutMs?: number;
}

export interface ZaloBotClient {
  sendMessage(chatId: string, text: string): Promise<{ messageId?: string }>;
  setWebhook(url: string, secretToken: string): Promise<void>;
  deleteWebhook(): Promise<void>;
  getMe(): Promise<Record<string, unknown>>;
}

/** Build the client. Errors: DeliveryError (permanent for 4xx API errors except 429). */
export function createZaloBotClient(opts: ZaloBotClientOptions): ZaloBotClient {
  const doFetch = opts.fetch ?? fetch;
  const base = opts.apiRoot.replace(/\/+$/, '');

  async function call<T extends z.ZodType>(
    method: string,
    body: unknown,
    result: T,
  ): Promise<z.infer<T>> {
    let res: Response;
    try {
      res = await doFetch(`${base}/bot${opts.token}/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body ?? {}),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
      });
    } catch (err) {
      throw new DeliveryError(
        `zalo-bot ${method}: network error: ${(err as Error).message}`,
        false,
        undefined,
        { cause: err },
      );
    }
    const retryAfterHeader = Number(res.headers.get('retry-after'));
    const retryAfterMs =
      Number.isFinite(retryAfterHeader) && retryAfterHeader > 0
        ? retryAfterHeader * 1000
        : undefined;
    let json: unknown;
    try {
      json = await res.json();
    } catch {
      throw new DeliveryError(
        `zalo-bot ${method}: HTTP ${res.status} without JSON`,
        !(res.status >= 500 || res.status === 429),
        retryAfterMs,
      );
    }
    const ok = Ok.safeParse(json);
    if (ok.success && res.ok) {
      const parsed = result.safeParse(ok.data.result);
      if (parsed.success) return parsed.data as z.infer<T>;
      throw new DeliveryError(`zalo-bot ${method}: unexpected result shape`, true);
    }
    const fail = Failure.safeParse(json);
    const code = (fail.success ? fail.data.error_code : undefined) ?? res.status;
    const description = fail.success ? (fail.data.description ?? '') : 'unexpected response shape';
    const retryable = code === 429 || code >= 500 || res.status === 429 || res.status >= 500;
    throw new DeliveryError(
      `zalo-bot ${method}: ${code} ${description}`.trim(),
      !retryable,
      retryAfterMs,
      // Telegram-like: 403 (or a "blocked" description) is the user having blocked the bot.
      { unreachable: code === 403 || /\bblock/i.test(description) },
    );
  }

  return {
    async sendMessage(chatId, text) {
      const r = await call('sendMessage', { chat_id: chatId, text }, SentMessage);
      return { messageId: r.message_id };
    },
    async setWebhook(url, secretToken) {
      await call('setWebhook', { url, secret_token: secretToken }, z.unknown());
    },
    async deleteWebhook() {
      await call('deleteWebhook', {}, z.unknown());
    },
    async getMe() {
      return call('getMe', {}, z.record(z.string(), z.unknown()));
    },
  };
}
