/**
 * Outbound pacing shared by every worker (and, with Redis, every instance). Two layers:
 *
 * 1. Spacing — GCRA-style slot reservation. Each rule keeps a "theoretical arrival time" (TAT).
 *    'queue' rules (the bot-wide limit) hand out future slots in FIFO order: the message goes at
 *    s = max(now, TAT - burst) and TAT moves to max(TAT, s) + interval. 'free' rules (per chat)
 *    must already be free at s, otherwise nothing is reserved and the caller retries when that
 *    chat frees up, so one busy chat cannot push the bot-wide TAT ahead and stall the others.
 *
 * 2. Guard — a window over real sends. A granted message counts against its 'queue' rules from
 *    the grant until `release()` (the platform's answer) plus one period. The platform receives
 *    the request somewhere between those two instants, so however late timers fire on a busy
 *    event loop, the platform never sees more than `limit` messages in any period (proof: take
 *    the last-granted message of any such set; all the others were counting at its grant).
 *
 * Every check-and-reserve is one atomic step (one Lua script in Redis), so the limits hold
 * across instances; Redis's clock is used, so instance clocks need not agree.
 */
import type { Redis } from 'ioredis';
import type { ChannelName } from '../core/message.js';

export interface RateRule {
  /** e.g. 'telegram' (whole bot) or 'telegram:chat:42'. */
  key: string;
  /** Messages allowed per period. */
  limit: number;
  periodMs: number;
  /** Extra messages allowed in a burst (default 0: evenly spaced). */
  burst?: number;
  /** 'queue' (default): reserve a future slot; 'free': must be free at the slot, else retry. */
  mode?: 'queue' | 'free';
}

export type Acquired =
  { ok: true; waitedMs: number; release: () => Promise<void> } | { ok: false; retryInMs: number };

export interface RateLimiter {
  /**
   * Reserve the next slot under every rule and wait for it; call `release()` once the platform
   * answered (success or not). When the slot is more than `maxWaitMs` away nothing is reserved
   * and `{ ok: false, retryInMs }` tells the caller to come back later (so a worker is not held
   * for a long per-chat queue).
   */
  acquire(rules: RateRule[], maxWaitMs?: number): Promise<Acquired>;
  /** The platform asked us to wait (429 retry_after): nothing goes out on this key before now + ms. */
  pause(key: string, ms: number): Promise<void>;
}

export type ChannelLimits = Partial<
  Record<ChannelName, { perSecond: number; perChatPerSecond?: number; perGroupPerMinute?: number }>
>;

/** Limits by channel, as each platform adapter declares them (PlatformLimits). */
export function limitsOf(
  channels: readonly {
    name: ChannelName;
    limits?: { perSecond: number; perChatPerSecond?: number; perGroupPerMinute?: number };
  }[],
): ChannelLimits {
  return Object.fromEntries(
    channels.flatMap((c) =>
      c.limits
        ? [
            [
              c.name,
              {
                perSecond: c.limits.perSecond,
                perChatPerSecond: c.limits.perChatPerSecond,
                perGroupPerMinute: c.limits.perGroupPerMinute,
              },
            ],
          ]
        : [],
    ),
  );
}

/** The rules one message to `chatId` on `channel` must pass. */
export function rulesFor(channel: ChannelName, chatId: string, limits: ChannelLimits): RateRule[] {
  const l = limits[channel];
  if (!l) return [];
  const rules: RateRule[] = [{ key: channel, limit: l.perSecond, periodMs: 1000 }];
  if (l.perChatPerSecond)
    rules.push({
      key: `${channel}:chat:${chatId}`,
      limit: l.perChatPerSecond,
      periodMs: 1000,
      mode: 'free',
    });
  // Telegram group chats (negative ids) take 20 messages a minute.
  if (l.perGroupPerMinute && chatId.startsWith('-'))
    rules.push({
      key: `${channel}:group:${chatId}`,
      limit: l.perGroupPerMinute,
      periodMs: 60_000,
      mode: 'free',
    });
  return rules;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Messages a 'queue' rule lets count at once in the guard window. */
const guardLimit = (r: RateRule) => Math.max(1, Math.floor(r.limit + (r.burst ?? 0)));

/** How long a grant counts when its holder never releases it (crashed mid-request). */
const HOLD_MS = 30_000;

type Attempt = { ok: true; waitMs: number } | { ok: false; retryInMs: number };
type Guard = { ok: true; release: () => Promise<void> } | { ok: false; waitMs: number };

/**
 * Reserve (spacing), sleep until the slot, then pass the guard, retrying while a 'free' rule
 * (a busy chat) is the obstacle. A slot further than `maxWaitMs` away is handed back.
 */
async function acquireWith(
  attempt: (maxWaitMs: number) => Promise<Attempt>,
  guard: () => Promise<Guard>,
  maxWaitMs: number,
): Promise<Acquired> {
  const start = Date.now();
  for (;;) {
    const left = maxWaitMs - (Date.now() - start);
    const r = await attempt(left);
    if (r.ok) {
      if (r.waitMs > 0) await sleep(r.waitMs);
      for (;;) {
        const g = await guard();
        if (g.ok) return { ok: true, waitedMs: Date.now() - start, release: g.release };
        await sleep(Math.max(1, g.waitMs));
      }
    }
    if (r.retryInMs > left) return { ok: false, retryInMs: r.retryInMs };
    await sleep(Math.max(1, r.retryInMs));
  }
}

/** Limiter for one process (no REDIS_URL). */
export function createMemoryLimiter(now: () => number = Date.now): RateLimiter {
  const tat = new Map<string, number>();
  const pausedUntil = new Map<string, number>();
  /** Per 'queue' rule: grant id -> instant it stops counting (Infinity while in flight). */
  const window = new Map<string, Map<number, number>>();
  let nextId = 0;

  const attempt = (rules: RateRule[], maxWaitMs: number): Attempt => {
    const t = now();
    let s = t;
    let freeAt = 0;
    for (const r of rules) {
      const start = (tat.get(r.key) ?? 0) - (r.burst ?? 0) * (r.periodMs / r.limit);
      if (r.mode === 'free') freeAt = Math.max(freeAt, start);
      else s = Math.max(s, start);
    }
    if (freeAt > s) return { ok: false, retryInMs: freeAt - t };
    if (s - t > maxWaitMs) return { ok: false, retryInMs: s - t };
    for (const r of rules) tat.set(r.key, Math.max(tat.get(r.key) ?? 0, s) + r.periodMs / r.limit);
    return { ok: true, waitMs: s - t };
  };

  const guard = (rules: RateRule[]): Guard => {
    const t = now();
    let wait = 0;
    const queued = rules.filter((r) => r.mode !== 'free');
    for (const r of rules) wait = Math.max(wait, (pausedUntil.get(r.key) ?? 0) - t);
    for (const r of queued) {
      const w = window.get(r.key) ?? new Map<number, number>();
      window.set(r.key, w);
      let soonest = Infinity;
      for (const [id, end] of w) {
        if (end <= t) w.delete(id);
        else soonest = Math.min(soonest, end);
      }
      if (w.size >= guardLimit(r))
        wait = Math.max(wait, Number.isFinite(soonest) ? soonest - t : 10);
    }
    if (wait > 0) return { ok: false, waitMs: wait };
    const id = nextId++;
    for (const r of queued) window.get(r.key)?.set(id, Infinity);
    return {
      ok: true,
      release: async () => {
        const end = now();
        for (const r of queued) {
          const w = window.get(r.key);
          if (w?.has(id)) w.set(id, end + r.periodMs);
        }
      },
    };
  };

  return {
    acquire(rules, maxWaitMs = Infinity) {
      return acquireWith(
        async (left) => attempt(rules, left),
        async () => guard(rules),
        maxWaitMs,
      );
    },
    async pause(key, ms) {
      tat.set(key, Math.max(tat.get(key) ?? 0, now() + ms));
      pausedUntil.set(key, Math.max(pausedUntil.get(key) ?? 0, now() + ms));
    },
  };
}

// Times in microseconds (integers, formatted with %.0f so Lua never prints them in exponent form).
// KEYS: TAT key per rule. ARGV: interval, burst, mode per rule, then the longest wait.
const ACQUIRE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local n = #KEYS
local s = now
local freeAt = 0
local tats = {}
for i = 1, n do
  local tat = tonumber(redis.call('GET', KEYS[i]) or '0')
  tats[i] = tat
  local start = tat - tonumber(ARGV[3 * i - 1])
  if ARGV[3 * i] == 'free' then
    if start > freeAt then freeAt = start end
  elseif start > s then
    s = start
  end
end
if freeAt > s then return {0, string.format('%.0f', freeAt - now)} end
if s - now > tonumber(ARGV[3 * n + 1]) then return {0, string.format('%.0f', s - now)} end
for i = 1, n do
  local tat = tats[i]
  if tat < s then tat = s end
  tat = tat + tonumber(ARGV[3 * i - 2])
  redis.call('SET', KEYS[i], string.format('%.0f', tat), 'PX', math.ceil((tat - now) / 1000) + 60000)
end
return {1, string.format('%.0f', s - now)}
`;

// KEYS: window sorted set per 'queue' rule (score = instant the grant stops counting), then the
// pause key. ARGV: limit per window key, then hold time, then the grant's member name.
const GUARD_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local n = #KEYS - 1
local wait = tonumber(redis.call('GET', KEYS[n + 1]) or '0') - now
if wait < 0 then wait = 0 end
for i = 1, n do
  redis.call('ZREMRANGEBYSCORE', KEYS[i], '-inf', string.format('%.0f', now))
  if redis.call('ZCARD', KEYS[i]) >= tonumber(ARGV[i]) then
    local w = tonumber(redis.call('ZRANGE', KEYS[i], 0, 0, 'WITHSCORES')[2]) - now
    if w > 20000 then w = 20000 end
    if w > wait then wait = w end
  end
end
if wait > 0 then return {0, string.format('%.0f', wait)} end
local hold = tonumber(ARGV[n + 1])
for i = 1, n do
  redis.call('ZADD', KEYS[i], string.format('%.0f', now + hold), ARGV[n + 2])
  redis.call('PEXPIRE', KEYS[i], math.ceil(hold / 1000) + 1000)
end
return {1, '0'}
`;

// KEYS: window sorted sets. ARGV: period per key, then the member. Counts one more period.
const RELEASE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
for i = 1, #KEYS do
  redis.call('ZADD', KEYS[i], 'XX', string.format('%.0f', now + tonumber(ARGV[i])), ARGV[#ARGV])
end
return 1
`;

// KEYS: TAT key and pause key of one rule. ARGV: pause length.
const PAUSE_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local until_ = now + tonumber(ARGV[1])
for i = 1, #KEYS do
  local cur = tonumber(redis.call('GET', KEYS[i]) or '0')
  if until_ > cur then
    redis.call('SET', KEYS[i], string.format('%.0f', until_), 'PX', math.ceil(tonumber(ARGV[1]) / 1000) + 60000)
  end
end
return 1
`;

/**
 * Limiter shared by all instances through Redis (REDIS_URL). Keys: `<prefix>rl:<rule>` (TAT),
 * `<prefix>rlw:<rule>` (guard window), `<prefix>rlp:<rule>` (pause).
 */
export function createRedisLimiter(redis: Redis, prefix = 'cds:'): RateLimiter {
  const tatKey = (k: string) => `${prefix}rl:${k}`;
  const windowKey = (k: string) => `${prefix}rlw:${k}`;
  const pauseKey = (k: string) => `${prefix}rlp:${k}`;
  return {
    acquire(rules, maxWaitMs = Infinity) {
      if (rules.length === 0)
        return Promise.resolve({ ok: true, waitedMs: 0, release: async () => undefined });
      const args: string[] = [];
      for (const r of rules) {
        const interval = Math.round((r.periodMs * 1000) / r.limit);
        args.push(String(interval), String((r.burst ?? 0) * interval), r.mode ?? 'queue');
      }
      const keys = rules.map((r) => tatKey(r.key));
      const queued = rules.filter((r) => r.mode !== 'free');
      const wKeys = queued.map((r) => windowKey(r.key));
      const pKey = pauseKey(rules[0]?.key ?? '');
      const attempt = async (left: number): Promise<Attempt> => {
        const maxUs = Number.isFinite(left)
          ? String(Math.max(0, Math.round(left * 1000)))
          : '9007199254740991';
        const [ok, us] = (await redis.eval(ACQUIRE_LUA, keys.length, ...keys, ...args, maxUs)) as [
          number,
          string,
        ];
        const ms = Number(us) / 1000;
        return ok === 1 ? { ok: true, waitMs: ms } : { ok: false, retryInMs: ms };
      };
      const guard = async (): Promise<Guard> => {
        const member = `${process.pid}:${Date.now()}:${Math.random().toString(36).slice(2)}`;
        const [ok, us] = (await redis.eval(
          GUARD_LUA,
          wKeys.length + 1,
          ...wKeys,
          pKey,
          ...queued.map((r) => String(guardLimit(r))),
          String(HOLD_MS * 1000),
          member,
        )) as [number, string];
        if (ok !== 1) return { ok: false, waitMs: Number(us) / 1000 };
        return {
          ok: true,
          release: async () => {
            if (wKeys.length === 0) return;
            await redis.eval(
              RELEASE_LUA,
              wKeys.length,
              ...wKeys,
              ...queued.map((r) => String(r.periodMs * 1000)),
              member,
            );
          },
        };
      };
      return acquireWith(attempt, guard, maxWaitMs);
    },
    async pause(k, ms) {
      await redis.eval(PAUSE_LUA, 2, tatKey(k), pauseKey(k), String(Math.round(ms * 1000)));
    },
  };
}
