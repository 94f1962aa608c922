/**
 * Per-channel health shown as detail in `/readyz` (it does not decide readiness: a platform
 * that sends nothing is not a reason to take the instance out of the load balancer). Kept per
 * instance from what the webhook route reports: when the last update arrived, how it ended,
 * how many updates were answered 503 (our side failed, the platform redelivers), and token
 * refresh failures.
 */
export interface ChannelHealthEntry {
  status: 'ok' | 'no updates yet' | 'degraded';
  updates: number;
  /** Updates answered 503 for redelivery (database or Redis failing). */
  retries: number;
  lastUpdateAt?: string;
  lastOutcome?: string;
  lastRetryAt?: string;
  tokenRefreshFailures?: number;
  lastTokenRefreshFailureAt?: string;
}

/** A token refresh failure keeps its channel degraded this long. */
const TOKEN_FAILURE_WINDOW_MS = 10 * 60_000;

/** A channel is degraded while its last update failed on our side or a token refresh just failed. */
export function createChannelHealth(clock: () => Date = () => new Date()) {
  const entries = new Map<string, ChannelHealthEntry>();
  const entry = (channel: string) => {
    let e = entries.get(channel);
    if (!e) {
      e = { status: 'no updates yet', updates: 0, retries: 0 };
      entries.set(channel, e);
    }
    return e;
  };
  return {
    update(e: { channel: string; outcome: string }) {
      const h = entry(e.channel);
      const at = clock().toISOString();
      h.updates += 1;
      h.lastUpdateAt = at;
      h.lastOutcome = e.outcome;
      if (e.outcome === 'retry') {
        h.retries += 1;
        h.lastRetryAt = at;
      }
    },
    tokenRefreshFailed(channel: string) {
      const h = entry(channel);
      h.tokenRefreshFailures = (h.tokenRefreshFailures ?? 0) + 1;
      h.lastTokenRefreshFailureAt = clock().toISOString();
    },
    /** The state of every configured channel, by name. */
    snapshot(channels: readonly string[]): Record<string, ChannelHealthEntry> {
      return Object.fromEntries(
        channels.map((name) => {
          const h = { ...entry(name) };
          const tokenFailing =
            h.lastTokenRefreshFailureAt !== undefined &&
            clock().getTime() - Date.parse(h.lastTokenRefreshFailureAt) < TOKEN_FAILURE_WINDOW_MS;
          const failing = h.lastOutcome === 'retry' || tokenFailing;
          h.status = failing ? 'degraded' : h.updates === 0 ? 'no updates yet' : 'ok';
          return [name, h];
        }),
      );
    },
  };
}
