import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.js';

describe('configuration', () => {
  it('starts on embedded defaults with an empty environment', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.dataDir).toBe(path.resolve('./data'));
    expect(c.databaseUrl).toBeUndefined();
    expect(c.redisUrl).toBeUndefined();
    expect(c.defaultLocale).toBe('vi');
    expect(c.timeZone).toBe('Asia/Ho_Chi_Minh');
    expect(c.simulator).toBe(true);
    expect(c.stateTtlMs).toBe(24 * 3600_000);
    expect(c.telegram).toBeUndefined();
  });

  it('turns the simulator off in production unless forced on', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).simulator).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', SIMULATOR: 'on' }).simulator).toBe(true);
    expect(loadConfig({ SIMULATOR: 'off' }).simulator).toBe(false);
  });

  it('is closed by default: loopback host, simulator only where it is safe', () => {
    expect(loadConfig({}).host).toBe('127.0.0.1');
    // With PUBLIC_URL the simulator is off unless asked for.
    expect(loadConfig({ PUBLIC_URL: 'https://bot.example.vn' }).simulator).toBe(false);
    expect(loadConfig({ PUBLIC_URL: 'https://bot.example.vn', SIMULATOR: 'on' }).simulator).toBe(
      true,
    );
    // On a public host: off by default, a configuration error when forced on…
    expect(loadConfig({ HOST: '0.0.0.0' }).simulator).toBe(false);
    expect(() => loadConfig({ HOST: '0.0.0.0', SIMULATOR: 'on' })).toThrow(/SIMULATOR_PUBLIC/);
    // …unless SIMULATOR_PUBLIC=true says so.
    expect(
      loadConfig({ HOST: '0.0.0.0', SIMULATOR: 'on', SIMULATOR_PUBLIC: 'true' }).simulator,
    ).toBe(true);
    expect(loadConfig({ HOST: '0.0.0.0', SIMULATOR_PUBLIC: 'true' }).simulator).toBe(true);
    const c = loadConfig({});
    expect(c.adminAllowRemote).toBe(false);
    expect(c.bodyLimit).toBe('256kb');
    expect(c.adminBodyLimit).toBe('20mb');
    expect(c.zaloOaMaxEventAgeMs).toBe(3 * 3600_000);
    expect(c.unansweredRetentionDays).toBe(90);
    expect(loadConfig({ ZALO_OA_MAX_EVENT_AGE: '90m' }).zaloOaMaxEventAgeMs).toBe(90 * 60_000);
  });

  it('requires 32-character secrets, and the shared ones with DATABASE_URL', () => {
    expect(() => loadConfig({ ADMIN_TOKEN: 'sixteen-chars-ok' })).toThrow(/ADMIN_TOKEN/);
    expect(() => loadConfig({ INVITE_CODE_PEPPER: 'short' })).toThrow(/INVITE_CODE_PEPPER/);
    const pg = { DATABASE_URL: 'postgresql://cds@127.0.0.1:5432/cds' };
    expect(() => loadConfig(pg)).toThrow(/INVITE_CODE_PEPPER: required with DATABASE_URL/);
    expect(() => loadConfig(pg)).toThrow(/TOKEN_ENCRYPTION_KEY: required with DATABASE_URL/);
    const ok = loadConfig({
      ...pg,
      INVITE_CODE_PEPPER: 'p'.repeat(32),
      TOKEN_ENCRYPTION_KEY: 'k'.repeat(32),
    });
    expect(ok.inviteCodePepper).toBe('p'.repeat(32));
    // On the embedded database both may be unset (generated into DATA_DIR).
    expect(loadConfig({}).inviteCodePepper).toBeUndefined();
  });

  it('fails fast naming each bad variable', () => {
    const bad = () =>
      loadConfig({ PORT: 'abc', APP_TIMEZONE: 'Mars/Olympus', DATABASE_URL: 'mysql://x' });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/PORT/);
    expect(bad).toThrow(/APP_TIMEZONE/);
    expect(bad).toThrow(/DATABASE_URL/);
  });

  it('enables a platform when its token is set', () => {
    const c = loadConfig({
      TELEGRAM_BOT_TOKEN: '123:abc',
      TELEGRAM_API_ROOT: 'http://127.0.0.1:9999/',
    });
    expect(c.telegram).toEqual({
      token: '123:abc',
      webhookSecret: undefined,
      apiRoot: 'http://127.0.0.1:9999',
    });
  });

  it('refuses webhook mode without the platform secret', () => {
    expect(() =>
      loadConfig({ PUBLIC_URL: 'https://bot.example.vn', TELEGRAM_BOT_TOKEN: '1:a' }),
    ).toThrow(/TELEGRAM_WEBHOOK_SECRET/);
    expect(() => loadConfig({ PUBLIC_URL: 'https://bot.example.vn', ZALO_BOT_TOKEN: 'z' })).toThrow(
      /ZALO_BOT_WEBHOOK_SECRET/,
    );
  });

  it('requires the Zalo OA keys together', () => {
    expect(() => loadConfig({ ZALO_OA_ACCESS_TOKEN: 't' })).toThrow(
      /ZALO_OA_APP_ID[\s\S]*ZALO_OA_SECRET_KEY[\s\S]*ZALO_APP_SECRET/,
    );
  });

  it('rejects a short ADMIN_TOKEN', () => {
    expect(() => loadConfig({ ADMIN_TOKEN: 'short' })).toThrow(/ADMIN_TOKEN/);
  });
});
