import { randomUUID } from 'node:crypto';
import {
  DEFAULT_STATE_TTL_MS,
  lockBackoff,
  sleep,
  ttlOf,
  type Lock,
  type LockOptions,
  type StateStore,
  type StoreWrites,
} from './store.js';

interface Entry {
  value: string;
  expiresAt: number;
}

/**
 * In-process state store for the embedded default: a Map with lazy expiry plus a periodic
 * sweep. Values are stored as JSON so callers get copies, exactly as with Redis.
 */
export class MemoryStateStore implements StateStore {
  readonly kind = 'memory' as const;
  private readonly map = new Map<string, Entry>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly defaultTtlMs = DEFAULT_STATE_TTL_MS,
    private readonly clock: () => number = Date.now,
  ) {
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  private live(key: string): Entry | undefined {
    const e = this.map.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.clock()) {
      this.map.delete(key);
      return undefined;
    }
    return e;
  }

  private sweep() {
    const now = this.clock();
    for (const [k, e] of this.map) if (e.expiresAt <= now) this.map.delete(k);
  }

  async get<T>(key: string): Promise<T | undefined> {
    const e = this.live(key);
    return e ? (JSON.parse(e.value) as T) : undefined;
  }

  async set<T>(key: string, value: T, ttlMs = this.defaultTtlMs): Promise<void> {
    this.put(key, value, ttlMs);
  }

  async delete(key: string): Promise<void> {
    this.map.delete(key);
  }

  async setIfAbsent<T>(key: string, value: T, ttlMs: number): Promise<boolean> {
    if (this.live(key)) return false;
    this.put(key, value, ttlMs);
    return true;
  }

  async incr(key: string, ttlMs: number): Promise<number> {
    const e = this.live(key);
    const next = (e ? Number(JSON.parse(e.value)) : 0) + 1;
    this.map.set(key, {
      value: JSON.stringify(next),
      expiresAt: e?.expiresAt ?? this.clock() + ttlMs,
    });
    return next;
  }

  private tryLock(key: string, token: string, ttlMs: number): boolean {
    if (this.live(key)) return false;
    this.map.set(key, { value: JSON.stringify(token), expiresAt: this.clock() + ttlMs });
    return true;
  }

  private put(key: string, value: unknown, ttlMs: number) {
    this.map.set(key, { value: JSON.stringify(value), expiresAt: this.clock() + ttlOf(ttlMs) });
  }

  async acquireLock(key: string, opts: LockOptions): Promise<Lock | null> {
    const token = randomUUID();
    const deadline = this.clock() + opts.waitMs;
    for (let attempt = 0; ; attempt++) {
      if (this.tryLock(key, token, opts.ttlMs)) break;
      if (this.clock() >= deadline) return null;
      await sleep(lockBackoff(attempt));
    }
    const holds = () => {
      const e = this.live(key);
      return e !== undefined && JSON.parse(e.value) === token;
    };
    const read = (opts.read ?? []).map((k) => {
      const e = this.live(k);
      return e ? (JSON.parse(e.value) as unknown) : undefined;
    });
    return {
      key,
      token,
      read,
      // Ours, or expired and taken by nobody since (a stalled holder): renew. Else lost.
      extend: async (ttlMs: number) => {
        if (!holds() && this.live(key) !== undefined) return false;
        this.map.set(key, { value: JSON.stringify(token), expiresAt: this.clock() + ttlMs });
        return true;
      },
      release: async (writes?: StoreWrites) => {
        for (const w of writes?.set ?? []) this.put(w.key, w.value, w.ttlMs);
        for (const w of writes?.setIfAbsent ?? [])
          if (!this.live(w.key)) this.put(w.key, w.value, w.ttlMs);
        for (const k of writes?.delete ?? []) this.map.delete(k);
        if (holds()) this.map.delete(key);
      },
    };
  }

  async ping(): Promise<void> {}

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    this.map.clear();
  }
}
