/**
 * Zalo OA access tokens. The access token lives ~25 h and the refresh token works ONCE, so the
 * pair is kept in the database (OaToken, id = 1), refreshed early (20 h after issue) under a
 * PostgreSQL advisory lock held in a transaction — one refresh across all instances — and the
 * new pair is committed before anyone uses it. A failed refresh is logged at error level:
 * without a valid pair no OA message can go out and an operator must act.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { PrismaClient } from '../../db/client.js';
import type { SecretBox } from '../../db/secret-box.js';
import { DeliveryError } from '../types.js';

/** Arbitrary constant key of the advisory lock guarding the refresh. */
const REFRESH_LOCK_KEY = 7_311_042_025;
/** Refresh when less than this is left (25 h lifetime - 20 h = 5 h). */
const REFRESH_MARGIN_MS = 5 * 3600_000;

export interface OaTokenPair {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
}

export interface OaTokenManagerOptions {
  prisma: PrismaClient;
  logger: Logger;
  appId: string;
  appSecret: string;
  oauthRoot: string;
  /** Initial pair from the environment; used only when the database has none. */
  initial?: { accessToken?: string; refreshToken?: string };
  fetch?: typeof fetch;
  now?: () => Date;
  /** Told of each failed refresh (metrics). */
  onRefreshFailure?: () => void;
  /** Seals the tokens at rest (TOKEN_ENCRYPTION_KEY); without it they are stored in plain. */
  box?: SecretBox;
}

const AAD_ACCESS = 'oa_token.access_token';
const AAD_REFRESH = 'oa_token.refresh_token';

const RefreshOk = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.coerce.number().positive(),
});
const RefreshError = z
  .object({
    error: z.coerce.number(),
    error_name: z.string().optional(),
    error_reason: z.string().optional(),
    error_description: z.string().optional(),
    message: z.string().optional(),
  })
  .loose();

export interface OaTokenManager {
  /** A usable access token, refreshed first when it is within 5 h of expiry. */
  getAccessToken(): Promise<string>;
  /**
   * Refresh because `rejected` was refused (-216/-220). If another instance already replaced
   * it, its new token is returned without a second refresh (the refresh token works once).
   */
  refreshAfterRejection(rejected: string): Promise<string>;
  /**
   * Seal a stored pair that is in plain text (stored before encryption) or sealed with a
   * previous key. Run at start. @returns whether the row was rewritten.
   */
  reseal(): Promise<boolean>;
}

/** Build the token manager over the OaToken table. */
export function createOaTokenManager(opts: OaTokenManagerOptions): OaTokenManager {
  const log = opts.logger.child({ component: 'zalo-oa-tokens' });
  const now = opts.now ?? (() => new Date());
  const doFetch = opts.fetch ?? fetch;
  let inflight: Promise<OaTokenPair> | undefined;

  const needsRefresh = (p: OaTokenPair) =>
    p.expiresAt.getTime() - now().getTime() < REFRESH_MARGIN_MS;

  const box = opts.box;
  /** The stored columns of a pair. */
  const sealed = (p: OaTokenPair) => ({
    accessToken: box ? box.seal(p.accessToken, AAD_ACCESS) : p.accessToken,
    refreshToken: box ? box.seal(p.refreshToken, AAD_REFRESH) : p.refreshToken,
    expiresAt: p.expiresAt,
  });
  /** The pair of a stored row. */
  const opened = (row: OaTokenPair): OaTokenPair => ({
    accessToken: box ? box.open(row.accessToken, AAD_ACCESS) : row.accessToken,
    refreshToken: box ? box.open(row.refreshToken, AAD_REFRESH) : row.refreshToken,
    expiresAt: row.expiresAt,
  });

  async function read(): Promise<OaTokenPair | null> {
    const row = await opts.prisma.oaToken.findUnique({ where: { id: 1 } });
    return row ? opened(row) : null;
  }

  async function seed(): Promise<OaTokenPair | null> {
    const init = opts.initial;
    if (!init?.accessToken) return null;
    // Unknown age: assume it is close to expiry so the first use refreshes it (and stores the pair).
    const pair = {
      accessToken: init.accessToken,
      refreshToken: init.refreshToken ?? '',
      expiresAt: new Date(now().getTime() + 3600_000),
    };
    await opts.prisma.oaToken.upsert({
      where: { id: 1 },
      create: { id: 1, ...sealed(pair) },
      update: {},
    });
    return read();
  }

  async function callRefresh(refreshToken: string): Promise<OaTokenPair> {
    const body = new URLSearchParams({
      refresh_token: refreshToken,
      app_id: opts.appId,
      grant_type: 'refresh_token',
    });
    let json: unknown;
    try {
      const res = await doFetch(`${opts.oauthRoot.replace(/\/+$/, '')}/v4/oa/access_token`, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          secret_key: opts.appSecret,
        },
        body,
        signal: AbortSignal.timeout(15_000),
      });
      json = await res.json();
    } catch (err) {
      throw new DeliveryError(
        `zalo-oa token refresh: network error: ${(err as Error).message}`,
        false,
        undefined,
        {
          cause: err,
        },
      );
    }
    const ok = RefreshOk.safeParse(json);
    if (ok.success) {
      return {
        accessToken: ok.data.access_token,
        refreshToken: ok.data.refresh_token,
        expiresAt: new Date(now().getTime() + ok.data.expires_in * 1000),
      };
    }
    const e = RefreshError.safeParse(json);
    const detail = e.success
      ? `${e.data.error} ${e.data.error_name ?? ''} ${e.data.error_description ?? e.data.error_reason ?? e.data.message ?? ''}`
      : 'unexpected response';
    throw new DeliveryError(`zalo-oa token refresh refused: ${detail.trim()}`, false);
  }

  /**
   * Refresh under the advisory lock unless `isStale(current)` is false once the lock is held
   * (another instance got there first). The transaction commits the new pair before it is used.
   */
  async function refreshLocked(isStale: (p: OaTokenPair) => boolean): Promise<OaTokenPair> {
    try {
      return await opts.prisma.$transaction(
        async (tx) => {
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(${REFRESH_LOCK_KEY}::bigint)`;
          const row = await tx.oaToken.findUnique({ where: { id: 1 } });
          if (!row) throw new DeliveryError('zalo-oa: no access token configured', false);
          const current = opened(row);
          if (!isStale(current)) return current;
          if (!current.refreshToken)
            throw new DeliveryError('zalo-oa: no refresh token to refresh with', false);
          const next = await callRefresh(current.refreshToken);
          await tx.oaToken.update({ where: { id: 1 }, data: sealed(next) });
          log.info({ expiresAt: next.expiresAt.toISOString() }, 'Zalo OA access token refreshed');
          return next;
        },
        { maxWait: 15_000, timeout: 30_000 },
      );
    } catch (err) {
      opts.onRefreshFailure?.();
      log.error(
        { err },
        'ZALO OA TOKEN REFRESH FAILED: OA messages cannot be sent until a valid token pair is stored',
      );
      throw err instanceof DeliveryError
        ? err
        : new DeliveryError(
            `zalo-oa token refresh failed: ${(err as Error).message}`,
            false,
            undefined,
            { cause: err },
          );
    }
  }

  /** One refresh at a time in this process; the advisory lock covers other processes. */
  function singleFlight(isStale: (p: OaTokenPair) => boolean): Promise<OaTokenPair> {
    inflight ??= refreshLocked(isStale).finally(() => {
      inflight = undefined;
    });
    return inflight;
  }

  return {
    async getAccessToken() {
      const pair = (await read()) ?? (await seed());
      if (!pair) throw new DeliveryError('zalo-oa: no access token configured', false);
      if (!needsRefresh(pair)) return pair.accessToken;
      try {
        return (await singleFlight(needsRefresh)).accessToken;
      } catch (err) {
        // Refresh failed (already logged loudly); the old token may still work for a while.
        if (pair.expiresAt.getTime() > now().getTime()) return pair.accessToken;
        throw err;
      }
    },
    async refreshAfterRejection(rejected) {
      const pair = await singleFlight((p) => p.accessToken === rejected);
      return pair.accessToken;
    },
    async reseal() {
      const row = await opts.prisma.oaToken.findUnique({ where: { id: 1 } });
      if (!box || !row) return false;
      if (!box.needsReseal(row.accessToken) && !box.needsReseal(row.refreshToken)) return false;
      // Only if unchanged meanwhile (another instance may have refreshed or resealed it).
      const { count } = await opts.prisma.oaToken.updateMany({
        where: { id: 1, accessToken: row.accessToken, refreshToken: row.refreshToken },
        data: sealed(opened(row)),
      });
      if (count === 1) log.info('stored Zalo OA tokens sealed with the current key');
      return count === 1;
    },
  };
}
