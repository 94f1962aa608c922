import path from 'node:path';
import { z } from 'zod';

/** Thrown at start-up when the environment is wrong; names every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const optionalString = z.preprocess(emptyToUndefined, z.string().optional());
const optionalUrl = z.preprocess(emptyToUndefined, z.url().optional());
const urlWithDefault = (def: string) => z.preprocess(emptyToUndefined, z.url().default(def));
/** Telegram/Zalo secret tokens: 1–256 (Zalo: 8–256) of A-Za-z0-9_- */
const secretToken = (min: number) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(
        new RegExp(`^[A-Za-z0-9_-]{${min},256}$`),
        `must be ${min}–256 characters of A-Z a-z 0-9 _ -`,
      )
      .optional(),
  );

/** `true` or `false` (unset = false). */
const flag = z.preprocess(
  emptyToUndefined,
  z
    .enum(['true', 'false'], { message: 'must be true or false' })
    .default('false')
    .transform((v) => v === 'true'),
);
const bodyLimit = (def: string) =>
  z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\d+(b|kb|mb)$/i, 'must be a size such as 256kb or 20mb')
      .default(def),
  );
/** A secret from the environment: at least 32 characters. */
const secret = z.preprocess(
  emptyToUndefined,
  z.string().min(32, 'must be at least 32 characters').optional(),
);

/** Loopback addresses: only this machine can connect. */
export function isLoopbackHost(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

const timeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'must be an IANA time zone such as Asia/Ho_Chi_Minh');

const EnvSchema = z.object({
  NODE_ENV: z.preprocess(
    emptyToUndefined,
    z.enum(['development', 'production', 'test']).default('development'),
  ),
  PORT: z.preprocess(emptyToUndefined, z.coerce.number().int().min(0).max(65535).default(3000)),
  HOST: z.preprocess(emptyToUndefined, z.string().default('127.0.0.1')),
  PUBLIC_URL: optionalUrl,
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(
        /^postgres(ql)?:\/\//,
        'must be a postgresql:// URL (leave unset for the embedded database)',
      )
      .optional(),
  ),
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('./data')),
  REDIS_URL: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^rediss?:\/\//, 'must be a redis:// URL')
      .optional(),
  ),
  REDIS_KEY_PREFIX: z.preprocess(emptyToUndefined, z.string().default('cds:')),
  STATE_TTL_HOURS: z.preprocess(
    emptyToUndefined,
    z.coerce
      .number()
      .positive()
      .max(24 * 30)
      .default(24),
  ),
  LOG_LEVEL: z.preprocess(
    emptyToUndefined,
    z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ),
  DEFAULT_LOCALE: z.preprocess(emptyToUndefined, z.enum(['vi', 'en']).default('vi')),
  APP_TIMEZONE: z.preprocess(emptyToUndefined, timeZone.default('Asia/Ho_Chi_Minh')),
  ADMIN_TOKEN: z.preprocess(
    emptyToUndefined,
    z.string().min(32, 'must be at least 32 characters').optional(),
  ),
  ADMIN_ALLOW_REMOTE: flag,
  ADMIN_BODY_LIMIT: bodyLimit('20mb'),
  INVITE_CODE_PEPPER: secret,
  INVITE_FAILURE_BUDGET: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().positive().default(100),
  ),
  TOKEN_ENCRYPTION_KEY: secret,
  /** Former keys, comma-separated, still accepted for decryption (key rotation). */
  TOKEN_ENCRYPTION_KEY_PREVIOUS: optionalString,
  ZALO_OA_MAX_EVENT_AGE: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^\d+(s|m|h)$/, 'must be a duration such as 3h, 90m or 600s')
      .default('3h'),
  ),
  UNANSWERED_RETENTION_DAYS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().positive().max(3650).default(90),
  ),
  SIMULATOR: z.preprocess(emptyToUndefined, z.enum(['auto', 'on', 'off']).default('auto')),
  SIMULATOR_PUBLIC: flag,
  ADDRESS_FORM: z.preprocess(emptyToUndefined, z.enum(['anh/chị', 'đồng chí']).default('anh/chị')),
  BODY_LIMIT: bodyLimit('256kb'),
  SHUTDOWN_TIMEOUT_MS: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().positive().default(10000),
  ),
  /** `GET /metrics` on the main port with `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.preprocess(
    emptyToUndefined,
    z.string().min(16, 'must be at least 16 characters').optional(),
  ),
  /** `GET /metrics` on its own listener (METRICS_HOST, default 127.0.0.1). */
  METRICS_PORT: z.preprocess(
    emptyToUndefined,
    z.coerce.number().int().min(0).max(65535).optional(),
  ),
  METRICS_HOST: z.preprocess(emptyToUndefined, z.string().default('127.0.0.1')),

  TELEGRAM_BOT_TOKEN: optionalString,
  TELEGRAM_WEBHOOK_SECRET: secretToken(1),
  TELEGRAM_API_ROOT: urlWithDefault('https://api.telegram.org'),

  ZALO_BOT_TOKEN: optionalString,
  ZALO_BOT_WEBHOOK_SECRET: secretToken(8),
  ZALO_BOT_API_ROOT: urlWithDefault('https://bot-api.zaloplatforms.com'),
  /** The bot's name as members mention it in a group (`@name`, `/cmd@name`). */
  ZALO_BOT_USERNAME: optionalString,

  ZALO_OA_APP_ID: optionalString,
  ZALO_OA_SECRET_KEY: optionalString,
  ZALO_APP_SECRET: optionalString,
  ZALO_OA_ACCESS_TOKEN: optionalString,
  ZALO_OA_REFRESH_TOKEN: optionalString,
  ZALO_OA_API_ROOT: urlWithDefault('https://openapi.zalo.me'),
  ZALO_OAUTH_ROOT: urlWithDefault('https://oauth.zaloapp.com'),
});

export type Env = z.infer<typeof EnvSchema>;

export interface Config {
  nodeEnv: Env['NODE_ENV'];
  port: number;
  host: string;
  publicUrl?: string;
  databaseUrl?: string;
  dataDir: string;
  redisUrl?: string;
  redisKeyPrefix: string;
  stateTtlMs: number;
  logLevel: Env['LOG_LEVEL'];
  defaultLocale: 'vi' | 'en';
  timeZone: string;
  /** Set from the environment, or generated at start (see src/server/runtime-file.ts). */
  adminToken?: string;
  /** The admin endpoint answers requests from other hosts than loopback. */
  adminAllowRemote: boolean;
  /** Body limit of authenticated admin requests (imports through the running server). */
  adminBodyLimit: string;
  /** Secret mixed into invitation code hashes; generated into DATA_DIR when unset (PGlite). */
  inviteCodePepper?: string;
  /** Failed redemptions per hour per channel before new identities are paused. */
  inviteFailureBudget: number;
  /** Secret from which the key encrypting platform tokens at rest is derived. */
  tokenEncryptionKey?: string;
  /** Former token encryption secrets, still accepted for decryption. */
  tokenEncryptionKeyPrevious: string[];
  /** Zalo OA events older (or newer) than this are answered 200 and not processed. */
  zaloOaMaxEventAgeMs: number;
  /** Unanswered citizens' questions are kept this long from their first time. */
  unansweredRetentionDays: number;
  simulator: boolean;
  addressForm: Env['ADDRESS_FORM'];
  /** Body limit of the webhooks and the simulator API. */
  bodyLimit: string;
  shutdownTimeoutMs: number;
  /** Prometheus metrics: a bearer token for /metrics on the main port, and/or its own port. */
  metrics: { token?: string; port?: number; host: string };
  telegram?: { token: string; webhookSecret?: string; apiRoot: string };
  zaloBot?: { token: string; webhookSecret?: string; apiRoot: string; username?: string };
  zaloOa?: {
    appId: string;
    secretKey: string;
    appSecret: string;
    accessToken?: string;
    refreshToken?: string;
    apiRoot: string;
    oauthRoot: string;
  };
}

function durationMs(d: string): number {
  const n = Number(d.slice(0, -1));
  return n * { s: 1000, m: 60_000, h: 3_600_000 }[d.slice(-1) as 's' | 'm' | 'h'];
}

const stripSlash = (u: string) => u.replace(/\/+$/, '');

/**
 * Read and validate the environment once, at start-up. Fails fast with a ConfigError that
 * names each bad variable; nothing else in the app reads process.env.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  opts: {
    /** false: the caller never touches the secrets (db:migrate), so do not require them. */
    secrets?: boolean;
  } = {},
): Config {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const problems: string[] = [];
  const webhookMode = e.PUBLIC_URL !== undefined;

  let telegram: Config['telegram'];
  if (e.TELEGRAM_BOT_TOKEN) {
    if (webhookMode && !e.TELEGRAM_WEBHOOK_SECRET)
      problems.push('  TELEGRAM_WEBHOOK_SECRET: required in webhook mode (PUBLIC_URL is set)');
    telegram = {
      token: e.TELEGRAM_BOT_TOKEN,
      webhookSecret: e.TELEGRAM_WEBHOOK_SECRET,
      apiRoot: stripSlash(e.TELEGRAM_API_ROOT),
    };
  }
  let zaloBot: Config['zaloBot'];
  if (e.ZALO_BOT_TOKEN) {
    if (webhookMode && !e.ZALO_BOT_WEBHOOK_SECRET)
      problems.push('  ZALO_BOT_WEBHOOK_SECRET: required in webhook mode (PUBLIC_URL is set)');
    zaloBot = {
      token: e.ZALO_BOT_TOKEN,
      webhookSecret: e.ZALO_BOT_WEBHOOK_SECRET,
      apiRoot: stripSlash(e.ZALO_BOT_API_ROOT),
      ...(e.ZALO_BOT_USERNAME ? { username: e.ZALO_BOT_USERNAME } : {}),
    };
  }
  let zaloOa: Config['zaloOa'];
  if (e.ZALO_OA_ACCESS_TOKEN || e.ZALO_OA_APP_ID) {
    for (const name of ['ZALO_OA_APP_ID', 'ZALO_OA_SECRET_KEY', 'ZALO_APP_SECRET'] as const) {
      if (!e[name]) problems.push(`  ${name}: required when Zalo OA is enabled`);
    }
    zaloOa = {
      appId: e.ZALO_OA_APP_ID ?? '',
      secretKey: e.ZALO_OA_SECRET_KEY ?? '',
      appSecret: e.ZALO_APP_SECRET ?? '',
      accessToken: e.ZALO_OA_ACCESS_TOKEN,
      refreshToken: e.ZALO_OA_REFRESH_TOKEN,
      apiRoot: stripSlash(e.ZALO_OA_API_ROOT),
      oauthRoot: stripSlash(e.ZALO_OAUTH_ROOT),
    };
  }
  if (e.DATABASE_URL && opts.secrets !== false) {
    // Several instances share one database: they must share these secrets too.
    if (!e.INVITE_CODE_PEPPER)
      problems.push('  INVITE_CODE_PEPPER: required with DATABASE_URL (at least 32 characters)');
    if (!e.TOKEN_ENCRYPTION_KEY)
      problems.push('  TOKEN_ENCRYPTION_KEY: required with DATABASE_URL (at least 32 characters)');
  }
  const publicHost = !isLoopbackHost(e.HOST);
  if (e.SIMULATOR === 'on' && publicHost && !e.SIMULATOR_PUBLIC) {
    problems.push(
      `  SIMULATOR_PUBLIC: SIMULATOR=on with the non-loopback HOST=${e.HOST} lets anyone on the network act as any user; set SIMULATOR_PUBLIC=true to allow it, or SIMULATOR=off`,
    );
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);

  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL ? stripSlash(e.PUBLIC_URL) : undefined,
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.DATA_DIR),
    redisUrl: e.REDIS_URL,
    redisKeyPrefix: e.REDIS_KEY_PREFIX,
    stateTtlMs: Math.round(e.STATE_TTL_HOURS * 3600_000),
    logLevel: e.LOG_LEVEL,
    defaultLocale: e.DEFAULT_LOCALE,
    timeZone: e.APP_TIMEZONE,
    adminToken: e.ADMIN_TOKEN,
    adminAllowRemote: e.ADMIN_ALLOW_REMOTE,
    adminBodyLimit: e.ADMIN_BODY_LIMIT,
    inviteCodePepper: e.INVITE_CODE_PEPPER,
    inviteFailureBudget: e.INVITE_FAILURE_BUDGET,
    tokenEncryptionKey: e.TOKEN_ENCRYPTION_KEY,
    tokenEncryptionKeyPrevious: (e.TOKEN_ENCRYPTION_KEY_PREVIOUS ?? '')
      .split(',')
      .map((k) => k.trim())
      .filter((k) => k.length > 0),
    zaloOaMaxEventAgeMs: durationMs(e.ZALO_OA_MAX_EVENT_AGE),
    unansweredRetentionDays: e.UNANSWERED_RETENTION_DAYS,
    // Closed by default: on unless production, with PUBLIC_URL only when asked for, and on a
    // non-loopback host only with SIMULATOR_PUBLIC=true.
    simulator:
      e.SIMULATOR === 'on' ||
      (e.SIMULATOR === 'auto' &&
        e.NODE_ENV !== 'production' &&
        !webhookMode &&
        (!publicHost || e.SIMULATOR_PUBLIC)),
    addressForm: e.ADDRESS_FORM,
    bodyLimit: e.BODY_LIMIT,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    metrics: { token: e.METRICS_TOKEN, port: e.METRICS_PORT, host: e.METRICS_HOST },
    telegram,
    zaloBot,
    zaloOa,
  };
}
